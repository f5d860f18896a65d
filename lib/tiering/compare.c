/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "compare.h"

static const char *default_dram_why(DefaultCause cause)
{
        switch (cause) {
        case DEFAULT_CAUSE_NO_HMAT:
                return "the firmware describes no HMAT";
        case DEFAULT_CAUSE_NO_FIGURES:
                return "HMAT has no CPU-initiator figures for it";
        case DEFAULT_CAUSE_NO_REFERENCE:
                return "no node with CPUs and memory has HMAT figures to compare it with";
        case DEFAULT_CAUSE_REFERENCE_MISMATCH:
                return "the 10% rule switched HMAT-based tiering off";
        case DEFAULT_CAUSE_REFERENCE_ZERO:
                return "a DRAM node's zero figures switched HMAT-based tiering off";
        default:
                return "HMAT-based tiering is off";
        }
}

static int reference_warnings(const Topology *t, const TierMap *m, WarningList *out)
{
        const Reference *ref = &m->reference;

        int k = 0;
        if (ref->state == REFERENCE_MISMATCH)
                k = warning_list_add(
                        out, WARNING_HMAT_REFERENCE_MISMATCH, ref->culprit,
                        "node %d's %s (%u) differs from reference node %d's (%u) by more than 10%%: the kernel "
                        "switches HMAT-based tiering off and every node gets its default abstract distance",
                        ref->culprit, figure_name(ref->culprit_figure), ref->culprit_value[ref->culprit_figure],
                        ref->node, ref->figure[ref->culprit_figure]);
        else if (ref->state == REFERENCE_ZERO)
                k = warning_list_add(out, WARNING_HMAT_REFERENCE_ZERO, ref->culprit,
                                     "node %d has CPUs and memory but zero HMAT access1 figures: the kernel "
                                     "switches HMAT-based tiering off",
                                     ref->culprit);
        if (k < 0)
                return k;

        /* CPU-less memory in the DRAM tier for lack of data is the case tierd exists for: say so per node, also
         * (above all) when the reference check switched the whole algorithm off. */
        for (size_t i = 0; i < t->n_nodes; i++) {
                const TopoNode *n = &t->nodes[i];
                const NodeTier *nt = tier_map_find(m, n->id);
                if (!nt || !nt->has_memory || n->has_cpu || nt->reason != TIER_REASON_DEFAULT_DRAM)
                        continue;
                k = warning_list_add(out, WARNING_CPULESS_DEFAULT_DRAM, (int)nt->node,
                                     "node %u has no CPUs but is treated as DRAM (tier %d): %s", nt->node, nt->tier,
                                     default_dram_why(nt->cause));
                if (k < 0)
                        return k;
        }
        return 0;
}

/* The other models the kernel may be running, each computed once, on the first disagreement. */
typedef struct AltMaps {
        TierMap *legacy, *arith32;
} AltMaps;

static void alt_maps_done(AltMaps *a)
{
        tier_map_free(a->legacy);
        tier_map_free(a->arith32);
}

static int alt_maps_compute(const Topology *t, const TierMap *m, AltMaps *a)
{
        if (a->legacy)
                return 0;
        TierOptions legacy = m->options;
        legacy.model = TIER_MODEL_LEGACY;
        legacy.legacy_kmem_hmat = topology_kernel_at_least(t, 6, 7);
        int k = tier_map_compute(t, &legacy, &a->legacy);
        if (k < 0)
                return k;
        TierOptions arith32 = m->options;
        arith32.arith32 = true;
        return tier_map_compute(t, &arith32, &a->arith32);
}

static int tier_in(const TierMap *m, unsigned node)
{
        const NodeTier *nt = tier_map_find(m, node);
        return nt && nt->has_memory ? nt->tier : -1;
}

static int explain_difference(const Topology *t, const TierMap *m, AltMaps *alt, const TopoNode *n, const NodeTier *nt,
                              WarningList *out)
{
        bool old_kernel = t->kernel_major != 0 && !topology_kernel_at_least(t, 6, 10);

        if (nt->reason == TIER_REASON_OVERRIDE)
                return warning_list_add(out, WARNING_OVERRIDE, (int)n->id,
                                        "node %u: the configuration puts it in tier %d; the kernel has it in tier %d",
                                        n->id, nt->tier, n->kernel_tier);

        int k = alt_maps_compute(t, m, alt);
        if (k < 0)
                return k;
        if ((old_kernel || t->kernel_major == 0) && tier_in(alt->legacy, n->id) == n->kernel_tier)
                return warning_list_add(out, WARNING_KERNEL_PRE_6_10, (int)n->id,
                                        "node %u: kernel %s puts it in tier %d, tierd computes tier %d: kernels "
                                        "before 6.10 tier every boot-time node as DRAM and ignore its HMAT figures",
                                        n->id, t->kernel_release ?: "(unknown)", n->kernel_tier, nt->tier);

        if (tier_in(alt->arith32, n->id) == n->kernel_tier)
                return warning_list_add(out, WARNING_KERNEL_ADISTANCE_OVERFLOW, (int)n->id,
                                        "node %u: the kernel puts it in tier %d, tierd computes tier %d: the kernel "
                                        "evaluates the abstract distance in 32 bits and overflows (fixed in 6.17 "
                                        "and stable kernels)",
                                        n->id, n->kernel_tier, nt->tier);

        if (n->dax_kmem && !nt->kmem)
                return warning_list_add(out, WARNING_KERNEL_KMEM_IN_DRAM_NODE, (int)n->id,
                                        "node %u: the kernel puts it in tier %d, tierd computes tier %d: dax/kmem "
                                        "memory was onlined into a node that already held other memory",
                                        n->id, n->kernel_tier, nt->tier);

        return warning_list_add(out, WARNING_KERNEL_DIFFERS, (int)n->id,
                                "node %u: the kernel puts it in tier %d, tierd computes tier %d (cause unknown: "
                                "another driver's memory type such as CXL CDAT, or figures changed since boot)",
                                n->id, n->kernel_tier, nt->tier);
}

int compare_collect_warnings(const Topology *t, const TierMap *m, WarningList *out)
{
        int k = reference_warnings(t, m, out);
        if (k < 0)
                return k;

        if (!t->memory_tiering)
                return warning_list_add(out, WARNING_KERNEL_NO_MEMORY_TIERING, -1,
                                        "the kernel exposes no memory tiers (no /sys/devices/virtual/memory_tiering: "
                                        "kernel before 6.1 or without NUMA): nothing to compare with");

        _cleanup_(alt_maps_done) AltMaps alt = {};
        for (size_t i = 0; i < t->n_nodes; i++) {
                const TopoNode *n = &t->nodes[i];
                const NodeTier *nt = tier_map_find(m, n->id);
                if (!nt)
                        continue;
                if (!nt->has_memory) {
                        if (n->kernel_tier >= 0)
                                k = warning_list_add(out, WARNING_KERNEL_DIFFERS, (int)n->id,
                                                     "node %u has no memory but the kernel lists it in tier %d", n->id,
                                                     n->kernel_tier);
                } else if (n->kernel_tier < 0)
                        k = warning_list_add(out, WARNING_KERNEL_UNTIERED, (int)n->id,
                                             "node %u has memory but is in no kernel memory tier", n->id);
                else if (n->kernel_tier != nt->tier)
                        k = explain_difference(t, m, &alt, n, nt, out);
                if (k < 0)
                        return k;
        }
        return 0;
}
