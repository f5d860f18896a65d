/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "json-util.h"
#include "macro.h"
#include "placement-output.h"

static int add_u64(json_object *o, const char *key, uint64_t v)
{
        return json_add(o, key, json_object_new_uint64(v));
}

static json_object *failed_json(const uint64_t *failed)
{
        json_object *o = json_object_new_object();
        for (int i = 0; o && i < _MIGRATE_REASON_MAX; i++) {
                if (i == MIGRATE_MOVED || i == MIGRATE_ALREADY_THERE)
                        continue;
                if (add_u64(o, migrate_reason_to_string((MigrateReason)i), failed[i]) < 0) {
                        json_object_put(o);
                        return NULL;
                }
        }
        return o;
}

static int add_counts(json_object *o, const PlacerCounts *c)
{
        if (add_u64(o, "promoted_pages", c->promoted_pages) < 0 || add_u64(o, "demoted_pages", c->demoted_pages) < 0 ||
            add_u64(o, "moved_bytes", c->moved_bytes) < 0 ||
            json_add(o, "failed_pages", failed_json(c->failed_pages)) < 0)
                return -ENOMEM;
        return 0;
}

static json_object *cycle_json(const PlacerCycle *c)
{
        _cleanup_json_ json_object *o = json_object_new_object();
        uint64_t end = c->ended_usec ?: c->planned_usec;
        uint64_t usec = end > c->started_usec ? end - c->started_usec : 0;
        if (!o || add_u64(o, "number", c->number) < 0 ||
            json_add(o, "outcome", json_object_new_string(policy_outcome_to_string(c->outcome) ?: "none")) < 0 ||
            add_u64(o, "moves", c->n_moves) < 0 || add_u64(o, "jobs", c->n_jobs) < 0 ||
            add_u64(o, "budget_bytes", c->budget_bytes) < 0 || add_u64(o, "planned_bytes", c->planned_bytes) < 0 ||
            add_u64(o, "collect_usec", c->collect_usec) < 0 || add_u64(o, "cycle_usec", usec) < 0 ||
            /* json-c's null is a NULL object, which json_add() would take for a failed allocation */
            (c->hotness ? json_add(o, "hotness", json_object_new_string(c->hotness))
                        : json_object_object_add(o, "hotness", NULL)) < 0 ||
            add_counts(o, &c->counts) < 0 ||
            add_u64(o, "bytes_per_sec", usec > 0 ? c->counts.moved_bytes * 1000000 / usec : 0) < 0)
                return NULL;
        return TAKE_PTR(o);
}

static json_object *workload_json(const PlacerWorkload *w)
{
        _cleanup_json_ json_object *o = json_object_new_object();
        if (!o || json_add(o, "pid", json_object_new_int(w->pid)) < 0 ||
            json_add(o, "comm", json_object_new_string(w->comm)) < 0 ||
            json_add(o, "rule", json_object_new_string(w->rule ?: "")) < 0 ||
            json_add(o, "home_node", json_object_new_int(w->home_node)) < 0 || add_u64(o, "regions", w->regions) < 0 ||
            add_u64(o, "hot_regions", w->hot_regions) < 0 || add_counts(o, &w->counts) < 0)
                return NULL;
        return TAKE_PTR(o);
}

static json_object *node_json(const PlacerNode *n)
{
        _cleanup_json_ json_object *o = json_object_new_object();
        _cleanup_json_ json_object *notes = json_object_new_array();
        if (!o || !notes)
                return NULL;
        for (unsigned bit = 1; bit & _POLICY_NOTE_ALL; bit <<= 1)
                if ((n->last_notes & bit) &&
                    json_object_array_add(notes, json_object_new_string(policy_note_to_string((PolicyNote)bit))) < 0)
                        return NULL;
        if (add_u64(o, "node", n->node) < 0 || add_u64(o, "total_bytes", n->total_bytes) < 0 ||
            add_u64(o, "free_bytes", n->free_bytes) < 0 || add_u64(o, "promoted_in_pages", n->promoted_in_pages) < 0 ||
            add_u64(o, "demoted_in_pages", n->demoted_in_pages) < 0 ||
            add_u64(o, "promoted_out_pages", n->promoted_out_pages) < 0 ||
            add_u64(o, "demoted_out_pages", n->demoted_out_pages) < 0 ||
            json_add(o, "failed_pages", failed_json(n->failed_pages)) < 0 || json_add(o, "notes", TAKE_PTR(notes)) < 0)
                return NULL;
        return TAKE_PTR(o);
}

static json_object *kernel_json(const VmstatTiering *v)
{
        _cleanup_json_ json_object *o = json_object_new_object();
        if (!o || add_u64(o, "numa_hint_faults", v->numa_hint_faults) < 0 ||
            add_u64(o, "pgpromote_success", v->pgpromote_success) < 0 ||
            add_u64(o, "pgpromote_candidate", v->pgpromote_candidate) < 0 ||
            add_u64(o, "pgdemote_kswapd", v->pgdemote_kswapd) < 0 ||
            add_u64(o, "pgdemote_direct", v->pgdemote_direct) < 0 ||
            add_u64(o, "pgdemote_khugepaged", v->pgdemote_khugepaged) < 0 ||
            add_u64(o, "pgmigrate_success", v->pgmigrate_success) < 0 ||
            add_u64(o, "pgmigrate_fail", v->pgmigrate_fail) < 0)
                return NULL;
        return TAKE_PTR(o);
}

int placement_stats_json_string(const PlacerStats *st, const char *mode, const VmstatTiering *kernel, char **ret)
{
        _cleanup_json_ json_object *o = json_object_new_object();
        if (!o || json_add(o, "mode", json_object_new_string(mode)) < 0 ||
            add_u64(o, "managed", st ? st->managed : 0) < 0)
                return -ENOMEM;
        if (st) {
                size_t n = st->n_workloads;
                const PlacerWorkload *w = st->workloads;
                _cleanup_json_ json_object *workloads = json_object_new_array();
                if (!workloads)
                        return -ENOMEM;
                for (size_t i = 0; i < n; i++)
                        if (json_object_array_add(workloads, workload_json(&w[i])) < 0)
                                return -ENOMEM;
                const PlacerNode *nodes = st->nodes;
                n = st->n_nodes;
                _cleanup_json_ json_object *node_list = json_object_new_array();
                if (!node_list)
                        return -ENOMEM;
                for (size_t i = 0; i < n; i++)
                        if (json_object_array_add(node_list, node_json(&nodes[i])) < 0)
                                return -ENOMEM;
                _cleanup_json_ json_object *totals = json_object_new_object();
                if (!totals || add_counts(totals, st->totals) < 0)
                        return -ENOMEM;
                if (add_u64(o, "cycles", st->cycles) < 0 || add_u64(o, "interval_msec", st->interval_usec / 1000) < 0 ||
                    json_add(o, "totals", TAKE_PTR(totals)) < 0 ||
                    json_add(o, "last_cycle", cycle_json(st->last_cycle)) < 0 ||
                    json_add(o, "workloads", TAKE_PTR(workloads)) < 0 || json_add(o, "nodes", TAKE_PTR(node_list)) < 0)
                        return -ENOMEM;
        }
        if (kernel && json_add(o, "kernel", kernel_json(kernel)) < 0)
                return -ENOMEM;
        const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED);
        if (!s || asprintf(ret, "%s\n", s) < 0)
                return -ENOMEM;
        return 0;
}

static uint64_t get_u64(json_object *o, const char *key)
{
        json_object *v;
        return json_object_object_get_ex(o, key, &v) ? (uint64_t)json_object_get_int64(v) : 0;
}

int placement_stats_text_from_json(const char *json, FILE *f)
{
        _cleanup_json_ json_object *o = json_tokener_parse(json);
        json_object *v, *list;
        if (!o || !json_object_is_type(o, json_type_object))
                return -EINVAL;
        fprintf(f, "Mode: %s, managed processes: %" PRIu64 ", cycles: %" PRIu64 "\n",
                json_object_object_get_ex(o, "mode", &v) ? json_object_get_string(v) : "?", get_u64(o, "managed"),
                get_u64(o, "cycles"));
        if (json_object_object_get_ex(o, "totals", &v))
                fprintf(f, "Promoted %" PRIu64 " pages, demoted %" PRIu64 " pages, %" PRIu64 " bytes moved\n",
                        get_u64(v, "promoted_pages"), get_u64(v, "demoted_pages"), get_u64(v, "moved_bytes"));
        if (json_object_object_get_ex(o, "workloads", &list) && json_object_array_length(list) > 0) {
                fprintf(f, "\n%-8s %-16s %5s %9s %12s %12s\n", "PID", "COMM", "HOME", "REGIONS", "PROMOTED", "DEMOTED");
                for (size_t i = 0; i < json_object_array_length(list); i++) {
                        json_object *w = json_object_array_get_idx(list, i), *comm, *home;
                        fprintf(f, "%-8" PRIu64 " %-16s %5d %9" PRIu64 " %12" PRIu64 " %12" PRIu64 "\n",
                                get_u64(w, "pid"),
                                json_object_object_get_ex(w, "comm", &comm) ? json_object_get_string(comm) : "?",
                                json_object_object_get_ex(w, "home_node", &home) ? json_object_get_int(home) : -1,
                                get_u64(w, "regions"), get_u64(w, "promoted_pages"), get_u64(w, "demoted_pages"));
                }
        }
        if (json_object_object_get_ex(o, "nodes", &list) && json_object_array_length(list) > 0) {
                fprintf(f, "\n%-5s %12s %12s %12s %12s %12s\n", "NODE", "FREE MiB", "PROMOTED IN", "DEMOTED IN",
                        "PROMOTED OUT", "DEMOTED OUT");
                for (size_t i = 0; i < json_object_array_length(list); i++) {
                        json_object *n = json_object_array_get_idx(list, i);
                        fprintf(f,
                                "%-5" PRIu64 " %12" PRIu64 " %12" PRIu64 " %12" PRIu64 " %12" PRIu64 " %12" PRIu64 "\n",
                                get_u64(n, "node"), get_u64(n, "free_bytes") >> 20, get_u64(n, "promoted_in_pages"),
                                get_u64(n, "demoted_in_pages"), get_u64(n, "promoted_out_pages"),
                                get_u64(n, "demoted_out_pages"));
                }
        }
        if (json_object_object_get_ex(o, "kernel", &v))
                fprintf(f,
                        "\nKernel since start: %" PRIu64 " pages promoted, %" PRIu64 " demoted by kswapd, %" PRIu64
                        " demoted directly\n",
                        get_u64(v, "pgpromote_success"), get_u64(v, "pgdemote_kswapd"), get_u64(v, "pgdemote_direct"));
        return ferror(f) ? -EIO : 0;
}
