/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "explain.h"
#include "output.h"

static void print_figures(FILE *f, const char *indent, const uint32_t v[_FIGURE_MAX])
{
        fprintf(f,
                "%sread latency %" PRIu32 " ns, write latency %" PRIu32 " ns, read bandwidth %" PRIu32
                " MB/s, write bandwidth %" PRIu32 " MB/s\n",
                indent, v[FIGURE_READ_LATENCY], v[FIGURE_WRITE_LATENCY], v[FIGURE_READ_BANDWIDTH],
                v[FIGURE_WRITE_BANDWIDTH]);
}

static void figures_array(const AccessFigures *a, uint32_t v[_FIGURE_MAX])
{
        v[FIGURE_READ_LATENCY] = a->read_latency;
        v[FIGURE_WRITE_LATENCY] = a->write_latency;
        v[FIGURE_READ_BANDWIDTH] = a->read_bandwidth;
        v[FIGURE_WRITE_BANDWIDTH] = a->write_bandwidth;
}

static void explain_reference(FILE *f, const Topology *t, const Reference *ref, const char *node_dir)
{
        switch (ref->state) {
        case REFERENCE_NO_HMAT:
                fputs("  HMAT: no node has access figures in sysfs (no HMAT table, or a kernel without "
                      "CONFIG_HMEM_REPORTING).\n",
                      f);
                return;
        case REFERENCE_NONE:
                fputs("  HMAT reference: none. No node with both CPUs and memory has access1 figures, so the kernel "
                      "has no DRAM performance to compare with.\n",
                      f);
                return;
        default:
                break;
        }
        if (ref->node >= 0) {
                fprintf(f,
                        "  Reference DRAM performance: node %d, the first node with CPUs and memory that has "
                        "non-zero access1 figures\n  (%s/node%d/access1/initiators/):\n",
                        ref->node, node_dir, ref->node);
                print_figures(f, "    ", ref->figure);
        }
        if (ref->state == REFERENCE_MISMATCH) {
                int fig = ref->culprit_figure;
                uint32_t v = ref->culprit_value[fig], r = ref->figure[fig];
                fprintf(f,
                        "  10%% rule: node %d's %s is %" PRIu32 ", |%" PRIu32 " - %" PRIu32 "| * 10 = %" PRIu64
                        " > %" PRIu32 ".\n  The kernel switches the performance-based algorithm off for the whole "
                        "boot: every node gets its default.\n",
                        ref->culprit, figure_name(fig), v, v, r, (uint64_t)(v > r ? v - r : r - v) * 10, r);
        } else if (ref->state == REFERENCE_ZERO) {
                fprintf(f,
                        "  Node %d has CPUs and memory and is an HMAT target, but its access1 figures sum to zero;\n"
                        "  the kernel then does not register the HMAT algorithm: every node gets its default.\n",
                        ref->culprit);
        } else {
                unsigned others = 0;
                for (size_t i = 0; i < t->n_nodes; i++) {
                        const TopoNode *n = &t->nodes[i];
                        if (n->has_cpu && n->has_memory && n->access[ACCESS_CPU].present && (int)n->id != ref->node &&
                            !memtier_node_is_kmem(n))
                                others++;
                }
                if (others)
                        fprintf(f,
                                "  10%% rule: the %u other node(s) with CPUs and memory are within 10%% of the "
                                "reference on all four figures.\n",
                                others);
        }
}

static void explain_formula(FILE *f, const Reference *ref, const AccessFigures *a)
{
        uint64_t lat = (uint32_t)(a->read_latency + a->write_latency);
        uint64_t bw = (uint32_t)(a->read_bandwidth + a->write_bandwidth);
        uint64_t ref_lat = (uint32_t)(ref->figure[FIGURE_READ_LATENCY] + ref->figure[FIGURE_WRITE_LATENCY]);
        uint64_t ref_bw = (uint32_t)(ref->figure[FIGURE_READ_BANDWIDTH] + ref->figure[FIGURE_WRITE_BANDWIDTH]);
        uint64_t s1 = (uint64_t)MEMTIER_ADISTANCE_DRAM * lat, s2 = s1 / ref_lat, s3 = s2 * ref_bw, s4 = s3 / bw;

        fputs("  adistance = 576 * (read_lat + write_lat) / (ref_read_lat + ref_write_lat)\n"
              "                  * (ref_read_bw + ref_write_bw) / (read_bw + write_bw)\n",
              f);
        fprintf(f,
                "            = 576 * (%" PRIu32 " + %" PRIu32 ") / (%" PRIu32 " + %" PRIu32 ") * (%" PRIu32
                " + %" PRIu32 ") / (%" PRIu32 " + %" PRIu32 ")\n",
                a->read_latency, a->write_latency, ref->figure[FIGURE_READ_LATENCY], ref->figure[FIGURE_WRITE_LATENCY],
                ref->figure[FIGURE_READ_BANDWIDTH], ref->figure[FIGURE_WRITE_BANDWIDTH], a->read_bandwidth,
                a->write_bandwidth);
        fprintf(f,
                "            = %" PRIu64 " / %" PRIu64 " = %" PRIu64 ";  %" PRIu64 " * %" PRIu64 " = %" PRIu64
                ";  %" PRIu64 " / %" PRIu64 " = %" PRIu64 "\n",
                s1, ref_lat, s2, s2, ref_bw, s3, s3, bw, s4);
        fputs("    (integer arithmetic, left to right, in 64 bits as the kernel does)\n", f);
}

int explain_node(const Snapshot *c, unsigned node, char **ret)
{
        const Topology *t = c->topology;
        const TopoNode *n = topology_find_node(t, node);
        if (!n)
                return -ENOENT;
        const NodeTier *nt = tier_map_find(c->map, node);
        const Reference *ref = &c->map->reference;

        _cleanup_free_ char *pref = NULL, *fall = NULL, *inits = NULL, *node_dir = NULL;
        if (snapshot_path(c, "sys/devices/system/node", &node_dir) < 0)
                return -ENOMEM;
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);
        if (!f)
                return -ENOMEM;

        char mem[32];
        fprintf(f, "Node %u: %s, %s memory%s\n", n->id, n->has_cpu ? "CPUs" : "no CPUs",
                n->has_meminfo ? format_kib(n->mem_total_kb, mem, sizeof mem) : "unknown",
                n->dax_kmem ? ", onlined through dax/kmem" : "");
        if (!nt->has_memory) {
                fputs("  The node has no memory, so it belongs to no memory tier.\n", f);
                goto done;
        }

        const AccessFigures *a = &n->access[ACCESS_CPU];
        if (a->present) {
                inits = nodemask_format(&a->initiators);
                uint32_t v[_FIGURE_MAX];
                figures_array(a, v);
                fprintf(f, "  HMAT access1 (best CPU initiators: %s), from %s/node%u/access1/initiators/:\n",
                        inits && *inits ? inits : "none listed", node_dir, n->id);
                print_figures(f, "    ", v);
        } else
                fprintf(f, "  HMAT access1: none (no %s/node%u/access1).\n", node_dir, n->id);
        explain_reference(f, t, ref, node_dir);

        fprintf(f, "  Default abstract distance: %d (%s)\n", nt->default_adistance,
                nt->kmem ? "dax/kmem: MEMTIER_DEFAULT_DAX_ADISTANCE = 5 * 576; a DAX device bound to kmem targets "
                           "this node"
                         : "DRAM: MEMTIER_ADISTANCE_DRAM = 4 * 128 + 64");
        if (nt->perf_valid)
                explain_formula(f, ref, a);

        switch (nt->reason) {
        case TIER_REASON_HMAT:
                fprintf(f, "  Result: adistance %d from HMAT.\n", nt->adistance);
                break;
        case TIER_REASON_OVERRIDE:
                fprintf(f, "  Result: adistance %d set by configuration (computed: %d).\n", nt->adistance,
                        nt->computed_adistance);
                break;
        default: {
                const char *why;
                switch (nt->cause) {
                case DEFAULT_CAUSE_NO_HMAT:
                        why = "there is no HMAT data";
                        break;
                case DEFAULT_CAUSE_NO_FIGURES:
                        why = "the node has no usable access1 figures";
                        break;
                case DEFAULT_CAUSE_NO_REFERENCE:
                        why = "there is no reference DRAM performance";
                        break;
                case DEFAULT_CAUSE_REFERENCE_MISMATCH:
                        why = "the 10% rule switched the HMAT algorithm off";
                        break;
                case DEFAULT_CAUSE_REFERENCE_ZERO:
                        why = "a DRAM node's zero figures switched the HMAT algorithm off";
                        break;
                case DEFAULT_CAUSE_LEGACY_KERNEL:
                        why = "kernels before 6.10 tier boot-time nodes as DRAM";
                        break;
                default:
                        why = "no figures apply";
                }
                fprintf(f, "  Result: the default %d, because %s.\n", nt->adistance, why);
        }
        }

        int64_t lo = memtier_tier_start(nt->tier);
        fprintf(f,
                "  Tier = adistance >> 7 = %d >> 7 = %d  (memory_tier%d covers adistance %" PRId64 "..%" PRId64 ")\n",
                nt->adistance, nt->tier, nt->tier, lo, lo + MEMTIER_CHUNK_SIZE - 1);
        if (n->kernel_tier >= 0)
                fprintf(f, "  Kernel: memory_tier%d (%s)\n", n->kernel_tier,
                        n->kernel_tier == nt->tier ? "agrees" : "differs, see the warnings of tierctl classify");
        else if (t->memory_tiering)
                fputs("  Kernel: in no memory tier\n", f);
        else
                fputs("  Kernel: exposes no memory tiers\n", f);

        pref = nodemask_format(&nt->demote_preferred);
        fall = nodemask_format(&nt->demote_fallback);
        if (pref && fall)
                fprintf(f,
                        "  Demotion: preferred %s (nearest nodes of the next tier by SLIT), fallback %s (all lower "
                        "tiers)\n",
                        *pref ? pref : "none", *fall ? fall : "none");
        fprintf(f, "  Top tier: %s (top tiers end at adistance %d, the slowest tier holding a node with CPUs)\n",
                nt->top_tier ? "yes" : "no", c->map->top_tier_adistance);
        for (size_t i = 0; i < c->warnings.n; i++)
                if (c->warnings.items[i].node == (int)node)
                        fprintf(f, "  Warning [%s]: %s\n", warning_code_to_string(c->warnings.items[i].code),
                                c->warnings.items[i].message);
done:
        if (fclose(f) != 0) {
                free(buf);
                return -ENOMEM;
        }
        *ret = buf;
        return 0;
}
