/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <json-c/json.h>
#include <string.h>

#include "json-util.h"
#include "output.h"
#include "utf8.h"

static int add_null(json_object *o, const char *key)
{
        return json_object_object_add(o, key, NULL) < 0 ? -ENOMEM : 0;
}

static int push(json_object *a, json_object *v)
{
        if (!v)
                return -ENOMEM;
        if (json_object_array_add(a, v) < 0) {
                json_object_put(v);
                return -ENOMEM;
        }
        return 0;
}

/* Text that came from a file: JSON has to be UTF-8 (and D-Bus refuses anything else), so escape what is not. */
static json_object *text_json(const char *s)
{
        if (utf8_is_valid(s))
                return json_object_new_string(s);
        _cleanup_free_ char *escaped = utf8_escape_invalid(s);
        return escaped ? json_object_new_string(escaped) : NULL;
}

static json_object *nodemask_json(const NodeMask *m)
{
        json_object *a = json_object_new_array();
        if (!a)
                return NULL;
        NODEMASK_FOREACH (n, m)
                if (push(a, json_object_new_int(n)) < 0) {
                        json_object_put(a);
                        return NULL;
                }
        return a;
}

static int figures_json(const AccessFigures *a, json_object *parent, const char *key)
{
        if (!a->present)
                return add_null(parent, key);
        _cleanup_json_ json_object *o = json_object_new_object();
        if (!o)
                return -ENOMEM;
        TRY(json_add(o, "read_latency_ns", json_object_new_int64(a->read_latency)));
        TRY(json_add(o, "write_latency_ns", json_object_new_int64(a->write_latency)));
        TRY(json_add(o, "read_bandwidth_mbps", json_object_new_int64(a->read_bandwidth)));
        TRY(json_add(o, "write_bandwidth_mbps", json_object_new_int64(a->write_bandwidth)));
        TRY(json_add(o, "initiators", nodemask_json(&a->initiators)));
        TRY(json_add(parent, key, TAKE_PTR(o)));
        return 0;
}

static int node_json(const Snapshot *c, const TopoNode *n, json_object **ret)
{
        const NodeTier *nt = tier_map_find(c->map, n->id);
        if (!nt)
                return -EINVAL;
        _cleanup_json_ json_object *o = json_object_new_object();
        if (!o)
                return -ENOMEM;

        TRY(json_add(o, "node", json_object_new_int((int)n->id)));
        TRY(json_add(o, "cpus", text_json(n->cpulist ?: "")));
        TRY(json_add(o, "has_cpu", json_object_new_boolean(n->has_cpu)));
        TRY(json_add(o, "has_memory", json_object_new_boolean(n->has_memory)));
        if (n->has_meminfo) {
                _cleanup_json_ json_object *mem = json_object_new_object();
                if (!mem)
                        return -ENOMEM;
                TRY(json_add(mem, "total_kb", json_object_new_int64((int64_t)n->mem_total_kb)));
                TRY(json_add(mem, "free_kb", json_object_new_int64((int64_t)n->mem_free_kb)));
                TRY(json_add(o, "memory", TAKE_PTR(mem)));
        } else
                TRY(add_null(o, "memory"));
        TRY(figures_json(&n->access[ACCESS_LOCAL], o, "access0"));
        TRY(figures_json(&n->access[ACCESS_CPU], o, "access1"));
        TRY(json_add(o, "dax_kmem", json_object_new_boolean(n->dax_kmem)));

        if (nt->has_memory) {
                const char *cause = default_cause_to_string(nt->cause);
                TRY(json_add(o, "adistance", json_object_new_int(nt->adistance)));
                TRY(json_add(o, "tier", json_object_new_int(nt->tier)));
                TRY(json_add(o, "reason", json_object_new_string(tier_reason_to_string(nt->reason))));
                if (cause && nt->reason != TIER_REASON_HMAT && nt->reason != TIER_REASON_OVERRIDE)
                        TRY(json_add(o, "default_cause", json_object_new_string(cause)));
                else
                        TRY(add_null(o, "default_cause"));
                TRY(json_add(o, "top_tier", json_object_new_boolean(nt->top_tier)));
        } else {
                TRY(add_null(o, "adistance"));
                TRY(add_null(o, "tier"));
                TRY(json_add(o, "reason", json_object_new_string("no-memory")));
                TRY(add_null(o, "default_cause"));
                TRY(json_add(o, "top_tier", json_object_new_boolean(false)));
        }
        if (n->kernel_tier >= 0)
                TRY(json_add(o, "kernel_tier", json_object_new_int(n->kernel_tier)));
        else
                TRY(add_null(o, "kernel_tier"));

        _cleanup_json_ json_object *d = json_object_new_object();
        if (!d)
                return -ENOMEM;
        TRY(json_add(d, "preferred", nodemask_json(&nt->demote_preferred)));
        TRY(json_add(d, "fallback", nodemask_json(&nt->demote_fallback)));
        TRY(json_add(o, "demotion", TAKE_PTR(d)));

        *ret = TAKE_PTR(o);
        return 0;
}

static int tier_json(const Snapshot *c, const TierGroup *g, json_object **ret)
{
        _cleanup_json_ json_object *o = json_object_new_object();
        if (!o)
                return -ENOMEM;
        TRY(json_add(o, "tier", json_object_new_int(g->id)));
        TRY(json_add(o, "adistance_min", json_object_new_int(g->adistance_min)));
        TRY(json_add(o, "adistance_max", json_object_new_int(g->adistance_max)));
        TRY(json_add(o, "nodes", nodemask_json(&g->nodes)));
        TRY(json_add(o, "top_tier", json_object_new_boolean(g->top_tier)));
        TRY(json_add(o, "memory_total_kb", json_object_new_int64((int64_t)g->mem_total_kb)));
        TRY(json_add(o, "memory_free_kb", json_object_new_int64((int64_t)g->mem_free_kb)));

        NodeMask kernel = NODEMASK_EMPTY;
        bool found = false;
        for (size_t i = 0; i < c->topology->n_kernel_tiers; i++)
                if (c->topology->kernel_tiers[i].id == g->id) {
                        kernel = c->topology->kernel_tiers[i].nodes;
                        found = true;
                }
        if (c->topology->memory_tiering)
                TRY(json_add(o, "kernel_nodes", nodemask_json(found ? &kernel : &NODEMASK_EMPTY)));
        else
                TRY(add_null(o, "kernel_nodes"));
        *ret = TAKE_PTR(o);
        return 0;
}

static int reference_json(const Reference *ref, json_object **ret)
{
        _cleanup_json_ json_object *o = json_object_new_object();
        if (!o)
                return -ENOMEM;
        TRY(json_add(o, "state", json_object_new_string(reference_state_to_string(ref->state))));
        if (ref->node >= 0) {
                TRY(json_add(o, "node", json_object_new_int(ref->node)));
                TRY(json_add(o, "read_latency_ns", json_object_new_int64(ref->figure[FIGURE_READ_LATENCY])));
                TRY(json_add(o, "write_latency_ns", json_object_new_int64(ref->figure[FIGURE_WRITE_LATENCY])));
                TRY(json_add(o, "read_bandwidth_mbps", json_object_new_int64(ref->figure[FIGURE_READ_BANDWIDTH])));
                TRY(json_add(o, "write_bandwidth_mbps", json_object_new_int64(ref->figure[FIGURE_WRITE_BANDWIDTH])));
        } else
                TRY(add_null(o, "node"));
        if (ref->culprit >= 0)
                TRY(json_add(o, "culprit", json_object_new_int(ref->culprit)));
        else
                TRY(add_null(o, "culprit"));
        *ret = TAKE_PTR(o);
        return 0;
}

static int classification_json(const Snapshot *c, json_object **ret)
{
        const Topology *t = c->topology;
        _cleanup_json_ json_object *root = json_object_new_object();
        if (!root)
                return -ENOMEM;

        _cleanup_json_ json_object *kernel = json_object_new_object();
        if (!kernel)
                return -ENOMEM;
        if (t->kernel_release)
                TRY(json_add(kernel, "release", text_json(t->kernel_release)));
        else
                TRY(add_null(kernel, "release"));
        if (t->numa_balancing >= 0)
                TRY(json_add(kernel, "numa_balancing", json_object_new_int(t->numa_balancing)));
        else
                TRY(add_null(kernel, "numa_balancing"));
        if (t->demotion_enabled >= 0)
                TRY(json_add(kernel, "demotion_enabled", json_object_new_boolean(t->demotion_enabled)));
        else
                TRY(add_null(kernel, "demotion_enabled"));
        TRY(json_add(kernel, "memory_tiering", json_object_new_boolean(t->memory_tiering)));
        TRY(json_add(root, "kernel", TAKE_PTR(kernel)));

        json_object *ref;
        TRY(reference_json(&c->map->reference, &ref));
        TRY(json_add(root, "reference", ref));
        TRY(json_add(root, "top_tier_adistance", json_object_new_int(c->map->top_tier_adistance)));

        _cleanup_json_ json_object *nodes = json_object_new_array();
        if (!nodes)
                return -ENOMEM;
        for (size_t i = 0; i < t->n_nodes; i++) {
                json_object *n;
                TRY(node_json(c, &t->nodes[i], &n));
                TRY(push(nodes, n));
        }
        TRY(json_add(root, "nodes", TAKE_PTR(nodes)));

        _cleanup_json_ json_object *tiers = json_object_new_array();
        if (!tiers)
                return -ENOMEM;
        for (size_t i = 0; i < c->map->n_tiers; i++) {
                json_object *g;
                TRY(tier_json(c, &c->map->tiers[i], &g));
                TRY(push(tiers, g));
        }
        TRY(json_add(root, "tiers", TAKE_PTR(tiers)));

        _cleanup_json_ json_object *warnings = json_object_new_array();
        if (!warnings)
                return -ENOMEM;
        for (size_t i = 0; i < c->warnings.n; i++) {
                const Warning *w = &c->warnings.items[i];
                _cleanup_json_ json_object *o = json_object_new_object();
                if (!o)
                        return -ENOMEM;
                TRY(json_add(o, "code", json_object_new_string(warning_code_to_string(w->code))));
                if (w->node >= 0)
                        TRY(json_add(o, "node", json_object_new_int(w->node)));
                else
                        TRY(add_null(o, "node"));
                TRY(json_add(o, "message", text_json(w->message)));
                TRY(push(warnings, TAKE_PTR(o)));
        }
        TRY(json_add(root, "warnings", TAKE_PTR(warnings)));

        *ret = TAKE_PTR(root);
        return 0;
}

int output_classification_json_string(const Snapshot *c, char **ret)
{
        _cleanup_json_ json_object *o = NULL;
        TRY(classification_json(c, &o));
        const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                                  JSON_C_TO_STRING_NOSLASHESCAPE);
        if (!s || asprintf(ret, "%s\n", s) < 0)
                return -ENOMEM;
        return 0;
}

const char *format_kib(uint64_t kib, char *buf, size_t size)
{
        static const char *const units[] = {"KiB", "MiB", "GiB", "TiB", "PiB"};
        double v = (double)kib;
        size_t u = 0;
        while (v >= 1024 && u + 1 < ELEMENTSOF(units)) {
                v /= 1024;
                u++;
        }
        snprintf(buf, size, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
        return buf;
}

static void print_figures(FILE *f, const AccessFigures *a)
{
        char lat[32], bw[48];
        if (!a->present) {
                fprintf(f, "%-11s %-15s ", "-", "-");
                return;
        }
        snprintf(lat, sizeof lat, "%" PRIu32 "/%" PRIu32, a->read_latency, a->write_latency);
        snprintf(bw, sizeof bw, "%" PRIu32 "/%" PRIu32, a->read_bandwidth, a->write_bandwidth);
        fprintf(f, "%-11s %-15s ", lat, bw);
}

int output_classification_text(const Snapshot *c, FILE *f)
{
        const Topology *t = c->topology;
        const TierMap *m = c->map;
        const Reference *ref = &m->reference;
        char a[32], b[32];

        fprintf(f, "Kernel: %s   numa_balancing: ", t->kernel_release ?: "unknown");
        if (t->numa_balancing >= 0)
                fprintf(f, "%d", t->numa_balancing);
        else
                fputs("n/a", f);
        fprintf(f, "   demotion_enabled: %s\n",
                t->demotion_enabled < 0 ? "n/a"
                : t->demotion_enabled   ? "true"
                                        : "false");
        fprintf(f, "HMAT reference: %s", reference_state_to_string(ref->state));
        if (ref->node >= 0)
                fprintf(f, " (node %d)", ref->node);
        fputs("\n\n", f);

        fprintf(f, "%-5s %-13s %-12s %-11s %-11s %s\n", "TIER", "ADISTANCE", "NODES", "MEMORY", "FREE", "TOP");
        for (size_t i = 0; i < m->n_tiers; i++) {
                const TierGroup *g = &m->tiers[i];
                _cleanup_free_ char *nodes = nodemask_format(&g->nodes);
                char range[32];
                if (!nodes)
                        return -ENOMEM;
                if (g->adistance_min == g->adistance_max)
                        snprintf(range, sizeof range, "%d", g->adistance_min);
                else
                        snprintf(range, sizeof range, "%d-%d", g->adistance_min, g->adistance_max);
                fprintf(f, "%-5d %-13s %-12s %-11s %-11s %s\n", g->id, range, nodes,
                        format_kib(g->mem_total_kb, a, sizeof a), format_kib(g->mem_free_kb, b, sizeof b),
                        g->top_tier ? "yes" : "no");
        }

        int cpus_width = 4;
        for (size_t i = 0; i < t->n_nodes; i++)
                if (t->nodes[i].cpulist)
                        cpus_width = MAX(cpus_width, (int)strlen(t->nodes[i].cpulist));
        fprintf(f, "\n%-5s %-*s %-10s %-11s %-15s %-6s %-5s %-13s %-6s %s\n", "NODE", cpus_width, "CPUS", "MEMORY",
                "LAT r/w ns", "BW r/w MB/s", "ADIST", "TIER", "REASON", "KERNEL", "DEMOTE preferred / fallback");
        for (size_t i = 0; i < t->n_nodes; i++) {
                const TopoNode *n = &t->nodes[i];
                const NodeTier *nt = tier_map_find(m, n->id);
                if (!nt)
                        return -EINVAL;
                char kernel[16] = "-", adist[16] = "-", tier[16] = "-";
                fprintf(f, "%-5u %-*s %-10s ", n->id, cpus_width, n->cpulist && *n->cpulist ? n->cpulist : "-",
                        n->has_meminfo ? format_kib(n->mem_total_kb, a, sizeof a) : "-");
                print_figures(f, &n->access[ACCESS_CPU]);
                if (n->kernel_tier >= 0)
                        snprintf(kernel, sizeof kernel, "%d", n->kernel_tier);
                if (nt->has_memory) {
                        snprintf(adist, sizeof adist, "%d", nt->adistance);
                        snprintf(tier, sizeof tier, "%d", nt->tier);
                }
                _cleanup_free_ char *pref = nodemask_format(&nt->demote_preferred);
                _cleanup_free_ char *fall = nodemask_format(&nt->demote_fallback);
                if (!pref || !fall)
                        return -ENOMEM;
                fprintf(f, "%-6s %-5s %-13s %-6s %s / %s\n", adist, tier,
                        nt->has_memory ? tier_reason_to_string(nt->reason) : "no-memory", kernel, *pref ? pref : "-",
                        *fall ? fall : "-");
        }

        if (c->warnings.n > 0) {
                fputs("\nWarnings:\n", f);
                for (size_t i = 0; i < c->warnings.n; i++)
                        fprintf(f, "  [%s] %s\n", warning_code_to_string(c->warnings.items[i].code),
                                c->warnings.items[i].message);
        }
        return 0;
}
