/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The abstract-distance engine on hand-built topologies. */
#include <errno.h>

#include "demotion.h"
#include "explain.h"
#include "memtier.h"
#include "output.h"
#include "snapshot.h"
#include "topo-builder.h"

static const NodeTier *compute(Topology *t, const TierOptions *o, TierMap **m, unsigned node)
{
        ASSERT_OK(tier_map_compute(t, o, m));
        ASSERT_OK(demotion_establish(t, *m));
        const NodeTier *nt = tier_map_find(*m, node);
        ASSERT_TRUE(nt);
        return nt;
}

TEST(reference_node_gets_dram_distance)
{
        _cleanup_(topology_freep) Topology *t = topology_new();
        _cleanup_(tier_map_freep) TierMap *m = NULL;
        add_node(t, 0, true, true);
        set_hmat(t, 0, 97, 103, 150000, 140000);
        const NodeTier *nt = compute(t, NULL, &m, 0);
        ASSERT_EQ(m->reference.state, REFERENCE_VALID);
        ASSERT_EQ(m->reference.node, 0);
        ASSERT_EQ(nt->adistance, 576); /* 576 * x / x * y / y is exact */
        ASSERT_EQ(nt->tier, 4);
        ASSERT_EQ(nt->reason, TIER_REASON_HMAT);
}

/* A second socket exactly 10% slower is inside the band and computed from its own figures. */
TEST(ten_percent_rule_inside)
{
        _cleanup_(topology_freep) Topology *t = topology_new();
        _cleanup_(tier_map_freep) TierMap *m = NULL;
        add_node(t, 0, true, true);
        add_node(t, 1, true, true);
        set_hmat(t, 0, 100, 100, 100000, 100000);
        set_hmat(t, 1, 110, 110, 90000, 90000);
        const NodeTier *nt = compute(t, NULL, &m, 1);
        ASSERT_EQ(m->reference.state, REFERENCE_VALID);
        /* 576 * 220 / 200 = 633; 633 * 200000 / 180000 = 703 */
        ASSERT_EQ(nt->adistance, 703);
        ASSERT_EQ(nt->tier, 5); /* a second socket within 10% can still leave the DRAM tier */
        ASSERT_EQ(nt->reason, TIER_REASON_HMAT);
        ASSERT_TRUE(nt->top_tier); /* it has CPUs: tiers down to it are top tiers */
}

TEST(ten_percent_rule_outside)
{
        static const struct {
                uint32_t figures[4];
                int figure;
        } cases[] = {
                {{111, 100, 100000, 100000}, FIGURE_READ_LATENCY},
                {{100, 89, 100000, 100000}, FIGURE_WRITE_LATENCY},
                {{100, 100, 89999, 100000}, FIGURE_READ_BANDWIDTH},
                {{100, 100, 100000, 110001}, FIGURE_WRITE_BANDWIDTH},
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_(topology_freep) Topology *t = topology_new();
                _cleanup_(tier_map_freep) TierMap *m = NULL;
                add_node(t, 0, true, true);
                add_node(t, 1, true, true);
                add_node(t, 2, false, true);
                set_hmat(t, 0, 100, 100, 100000, 100000);
                const uint32_t *f = cases[i].figures;
                set_hmat(t, 1, f[0], f[1], f[2], f[3]);
                set_hmat(t, 2, 300, 300, 20000, 20000);
                const NodeTier *nt = compute(t, NULL, &m, 2);
                ASSERT_EQ(m->reference.state, REFERENCE_MISMATCH);
                ASSERT_EQ(m->reference.culprit, 1);
                ASSERT_EQ(m->reference.culprit_figure, cases[i].figure);
                /* The whole algorithm is off: the slow CPU-less node sits in the DRAM tier. */
                ASSERT_EQ(nt->adistance, 576);
                ASSERT_EQ(nt->reason, TIER_REASON_DEFAULT_DRAM);
                ASSERT_EQ(nt->cause, DEFAULT_CAUSE_REFERENCE_MISMATCH);
        }
}

TEST(ten_percent_band_like_the_kernel)
{
        ASSERT_TRUE(!memtier_outside_band(110, 100));
        ASSERT_TRUE(memtier_outside_band(111, 100));
        ASSERT_TRUE(!memtier_outside_band(90, 100));
        ASSERT_TRUE(memtier_outside_band(89, 100));
        ASSERT_TRUE(memtier_outside_band(0, 100));
        /* The kernel's abs() of an unsigned difference is an int: |INT_MIN| * 10 wraps to 0, "inside". */
        ASSERT_TRUE(!memtier_outside_band(UINT32_C(0x80000000), 0));
        /* A difference of 429496730 times 10 wraps past 2^32 to a small number. */
        ASSERT_TRUE(!memtier_outside_band(429496730u + 100u, 100));
}

TEST(hbm_faster_than_dram)
{
        _cleanup_(topology_freep) Topology *t = topology_new();
        _cleanup_(tier_map_freep) TierMap *m = NULL;
        add_node(t, 0, true, true);
        add_node(t, 1, false, true);
        set_hmat(t, 0, 100, 100, 300000, 300000);
        set_hmat(t, 1, 120, 120, 1000000, 1000000);
        const NodeTier *nt = compute(t, NULL, &m, 1);
        /* 576 * 240 / 200 = 691; 691 * 600000 / 2000000 = 207 */
        ASSERT_EQ(nt->adistance, 207);
        ASSERT_EQ(nt->tier, 1);
        ASSERT_EQ(m->n_tiers, 2);
        ASSERT_EQ(m->tiers[0].id, 1);
        ASSERT_TRUE(m->tiers[0].top_tier); /* faster than the CPU tier: top tier too */
        ASSERT_EQ(m->top_tier_adistance, 4 * 128 + 127);
        /* HBM demotes to DRAM, DRAM nowhere. */
        ASSERT_TRUE(nodemask_test(&nt->demote_preferred, 0));
        ASSERT_TRUE(nodemask_empty(&tier_map_find(m, 0)->demote_preferred));
}

TEST(cpuless_node_without_figures_is_dram)
{
        _cleanup_(topology_freep) Topology *t = topology_new();
        _cleanup_(tier_map_freep) TierMap *m = NULL;
        add_node(t, 0, true, true);
        add_node(t, 1, false, true);
        set_hmat(t, 0, 100, 100, 100000, 100000);
        const NodeTier *nt = compute(t, NULL, &m, 1);
        ASSERT_EQ(nt->adistance, 576);
        ASSERT_EQ(nt->reason, TIER_REASON_DEFAULT_DRAM);
        ASSERT_EQ(nt->cause, DEFAULT_CAUSE_NO_FIGURES);
}

TEST(no_hmat_at_all)
{
        _cleanup_(topology_freep) Topology *t = topology_new();
        _cleanup_(tier_map_freep) TierMap *m = NULL;
        add_node(t, 0, true, true);
        add_node(t, 1, false, true);
        const NodeTier *nt = compute(t, NULL, &m, 1);
        ASSERT_EQ(m->reference.state, REFERENCE_NO_HMAT);
        ASSERT_EQ(nt->cause, DEFAULT_CAUSE_NO_HMAT);
        ASSERT_EQ(m->n_tiers, 1);
}

TEST(dax_kmem_without_hmat)
{
        _cleanup_(topology_freep) Topology *t = topology_new();
        _cleanup_(tier_map_freep) TierMap *m = NULL;
        add_node(t, 0, true, true);
        TopoNode *pmem = add_node(t, 1, false, true);
        pmem->dax_kmem = true;
        pmem->online_bytes = pmem->kmem_bytes = UINT64_C(16) << 30;
        const NodeTier *nt = compute(t, NULL, &m, 1);
        ASSERT_EQ(nt->adistance, 2880);
        ASSERT_EQ(nt->tier, 22);
        ASSERT_EQ(nt->reason, TIER_REASON_DAX_KMEM);
        ASSERT_TRUE(!nt->top_tier);
        ASSERT_TRUE(nodemask_test(&tier_map_find(m, 0)->demote_preferred, 1));
}

TEST(dax_kmem_with_hmat_uses_figures)
{
        _cleanup_(topology_freep) Topology *t = topology_new();
        _cleanup_(tier_map_freep) TierMap *m = NULL;
        add_node(t, 0, true, true);
        TopoNode *pmem = add_node(t, 2, false, true);
        pmem->dax_kmem = true;
        set_hmat(t, 0, 100, 100, 20480, 20480);
        set_hmat(t, 2, 350, 350, 4096, 4096);
        const NodeTier *nt = compute(t, NULL, &m, 2);
        /* 576 * 700 / 200 = 2016; 2016 * 40960 / 8192 = 10080 */
        ASSERT_EQ(nt->adistance, 10080);
        ASSERT_EQ(nt->tier, 78);
        ASSERT_EQ(nt->reason, TIER_REASON_HMAT);
        ASSERT_EQ(nt->default_adistance, 2880);
}

/* CXL or PMEM memory onlined into a node that had DRAM first keeps the DRAM type. */
TEST(kmem_inside_dram_node_stays_dram)
{
        _cleanup_(topology_freep) Topology *t = topology_new();
        _cleanup_(tier_map_freep) TierMap *m = NULL;
        TopoNode *n = add_node(t, 0, true, true);
        n->dax_kmem = true;
        n->online_bytes = UINT64_C(64) << 30;
        n->kmem_bytes = UINT64_C(16) << 30;
        const NodeTier *nt = compute(t, NULL, &m, 0);
        ASSERT_TRUE(!nt->kmem);
        ASSERT_EQ(nt->adistance, 576);
}

/* dax/kmem memory on a node with CPUs and no byte counts: the CPUs' boot memory came first, so it stays DRAM. */
TEST(kmem_on_cpu_node_without_byte_counts_stays_dram)
{
        _cleanup_(topology_freep) Topology *t = topology_new();
        _cleanup_(tier_map_freep) TierMap *m = NULL;
        add_node(t, 0, true, true)->dax_kmem = true;
        const NodeTier *nt = compute(t, NULL, &m, 0);
        ASSERT_TRUE(!nt->kmem);
        ASSERT_EQ(nt->adistance, 576);
        ASSERT_EQ(nt->reason, TIER_REASON_DEFAULT_DRAM);
}

/*
 * A node with CPUs whose memory is all dax/kmem's was no boot DRAM node (kmem onlines after memory_tier_init()
 * took default_dram_nodes): it is no reference candidate, so its half bandwidth trips no 10% rule.  By its own
 * figures: 576 * 200 / 200 = 576; * 200000 / 100000 = 1152 -> tier 9.
 */
TEST(kmem_node_with_cpus_is_not_a_reference_candidate)
{
        _cleanup_(topology_freep) Topology *t = topology_new();
        _cleanup_(tier_map_freep) TierMap *m = NULL;
        add_node(t, 0, true, true);
        TopoNode *n = add_node(t, 1, true, true);
        n->dax_kmem = true;
        n->online_bytes = n->kmem_bytes = UINT64_C(16) << 30;
        set_hmat(t, 0, 100, 100, 100000, 100000);
        set_hmat(t, 1, 100, 100, 50000, 50000);
        const NodeTier *nt = compute(t, NULL, &m, 1);
        ASSERT_EQ(m->reference.state, REFERENCE_VALID);
        ASSERT_EQ(m->reference.culprit, -1);
        ASSERT_TRUE(nt->kmem);
        ASSERT_EQ(nt->adistance, 1152);
        ASSERT_EQ(nt->tier, 9);
}

TEST(reference_zero_switches_algorithm_off)
{
        _cleanup_(topology_freep) Topology *t = topology_new();
        _cleanup_(tier_map_freep) TierMap *m = NULL;
        add_node(t, 0, true, true);
        add_node(t, 1, false, true);
        set_hmat(t, 0, 0, 0, 0, 0);
        set_hmat(t, 1, 300, 300, 10000, 10000);
        const NodeTier *nt = compute(t, NULL, &m, 1);
        ASSERT_EQ(m->reference.state, REFERENCE_ZERO);
        ASSERT_EQ(m->reference.culprit, 0);
        ASSERT_EQ(nt->adistance, 576);
        ASSERT_EQ(nt->cause, DEFAULT_CAUSE_REFERENCE_ZERO);
}

TEST(no_cpu_node_with_figures)
{
        _cleanup_(topology_freep) Topology *t = topology_new();
        _cleanup_(tier_map_freep) TierMap *m = NULL;
        add_node(t, 0, true, true);
        add_node(t, 1, false, true);
        set_hmat(t, 1, 300, 300, 10000, 10000);
        topology_find_node(t, 0)->access[ACCESS_CPU].present = false;
        const NodeTier *nt = compute(t, NULL, &m, 1);
        ASSERT_EQ(m->reference.state, REFERENCE_NONE);
        ASSERT_EQ(nt->adistance, 576);
        ASSERT_EQ(nt->cause, DEFAULT_CAUSE_NO_REFERENCE);
}

TEST(formula_64_and_32_bit)
{
        Reference ref = {.state = REFERENCE_VALID, .node = 0, .figure = {100, 100, 2000000, 2000000}};
        AccessFigures slow = {.present = true,
                              .read_latency = 1000,
                              .write_latency = 1000,
                              .read_bandwidth = 50000,
                              .write_bandwidth = 50000};
        int a64, a32;
        ASSERT_OK(memtier_perf_to_adistance(&ref, &slow, false, &a64));
        ASSERT_OK(memtier_perf_to_adistance(&ref, &slow, true, &a32));
        /* 576 * 2000 / 200 = 5760; 5760 * 4000000 = 23040000000 (> 2^32); / 100000 */
        ASSERT_EQ(a64, 230400);
        uint32_t wrapped = (uint32_t)(UINT64_C(23040000000) & 0xffffffffu) / 100000u;
        ASSERT_EQ(a32, (int)wrapped);
        ASSERT_TRUE(a32 != a64);

        AccessFigures zero = {.present = true};
        ASSERT_EQ(memtier_perf_to_adistance(&ref, &zero, false, &a64), -EINVAL);
}

TEST(overrides)
{
        _cleanup_(topology_freep) Topology *t = topology_new();
        _cleanup_(tier_map_freep) TierMap *m = NULL;
        add_node(t, 0, true, true);
        add_node(t, 1, false, true);
        add_node(t, 2, false, true);
        const TierOverride ov[] = {
                {.node = 1, .by_tier = false, .value = 1000},
                {.node = 2, .by_tier = true, .value = 30},
                {.node = 2, .by_tier = true, .value = 40}, /* later wins */
        };
        TierOptions o = {.overrides = ov, .n_overrides = ELEMENTSOF(ov)};
        const NodeTier *n1 = compute(t, &o, &m, 1);
        ASSERT_EQ(n1->adistance, 1000);
        ASSERT_EQ(n1->tier, 7);
        ASSERT_EQ(n1->reason, TIER_REASON_OVERRIDE);
        ASSERT_EQ(n1->computed_adistance, 576);
        const NodeTier *n2 = tier_map_find(m, 2);
        ASSERT_EQ(n2->tier, 40);
        ASSERT_EQ(n2->adistance, 40 * 128 + 64);
        ASSERT_EQ(m->n_tiers, 3);
}

/* The map must own its overrides: the configuration they came from may be freed while the map lives on. */
TEST(overrides_are_copied)
{
        _cleanup_(topology_freep) Topology *t = topology_new();
        _cleanup_(tier_map_freep) TierMap *m = NULL;
        add_node(t, 0, true, true);
        TierOverride *ov = calloc(1, sizeof(TierOverride));
        ASSERT_TRUE(ov);
        *ov = (TierOverride){.node = 0, .by_tier = true, .value = 9};
        TierOptions o = {.overrides = ov, .n_overrides = 1};
        compute(t, &o, &m, 0);
        free(ov);
        ASSERT_TRUE(m->options.overrides != ov);
        ASSERT_EQ(m->options.n_overrides, 1);
        ASSERT_EQ(m->options.overrides[0].value, 9);
}

/*
 * The highest documented tier (Tier=16777215, the largest id whose middle still fits an int) and an HMAT-derived
 * adistance just below INT_MAX: tier starts and ends, the top-tier boundary and explain's ranges are at INT_MAX.
 * Under UBSan (the asan test setup) any signed overflow on the way aborts the test.
 */
TEST(largest_tier_ids)
{
        Topology *t = topology_new();
        ASSERT_TRUE(t);
        add_node(t, 0, true, true);
        add_node(t, 1, false, true);
        set_hmat(t, 0, 1, 1, 1, 1);
        /* 576 * 7456540 / 2 * 2 / 2 = 288 * 7456540 = 2147483520 = 16777215 * 128: the last tier's first adistance */
        set_hmat(t, 1, 3728270, 3728270, 1, 1);
        const TierOverride ov[] = {{.node = 0, .by_tier = true, .value = 16777215}};
        TierOptions o = {.overrides = ov, .n_overrides = 1};
        _cleanup_(snapshot_unrefp) Snapshot *s = NULL;
        ASSERT_OK(snapshot_new(t, &o, &s));
        const NodeTier *n0 = tier_map_find(s->map, 0), *n1 = tier_map_find(s->map, 1);
        ASSERT_EQ(n0->adistance, 2147483584); /* 16777215 * 128 + 64 */
        ASSERT_EQ(n0->tier, 16777215);
        ASSERT_EQ(n1->adistance, 2147483520);
        ASSERT_EQ(n1->tier, 16777215);
        ASSERT_EQ(s->map->top_tier_adistance, 2147483647);
        ASSERT_TRUE(n0->top_tier && n1->top_tier);
        for (unsigned node = 0; node <= 1; node++) {
                _cleanup_free_ char *text = NULL;
                ASSERT_OK(explain_node(s, node, &text));
                ASSERT_TRUE(strstr(text, "covers adistance 2147483520..2147483647"));
        }
        _cleanup_free_ char *json = NULL;
        ASSERT_OK(output_classification_json_string(s, &json));
}

/* round_down() then >> 7 on an int, as the kernel does: a wrapped, negative adistance floors, it does not
 * truncate towards 0. */
TEST(tier_of_negative_adistance)
{
        ASSERT_EQ(memtier_tier_of(0), 0);
        ASSERT_EQ(memtier_tier_of(127), 0);
        ASSERT_EQ(memtier_tier_of(128), 1);
        ASSERT_EQ(memtier_tier_of(-1), -1);
        ASSERT_EQ(memtier_tier_of(-128), -1);
        ASSERT_EQ(memtier_tier_of(-129), -2);
        ASSERT_EQ(memtier_tier_of(INT32_MIN), -16777216);
}

/* The snapshot keeps what the reader found wrong, first, then the analysis. */
TEST(snapshot_keeps_reader_warnings)
{
        Topology *t = topology_new();
        ASSERT_TRUE(t);
        add_node(t, 0, true, true);
        ASSERT_OK(warning_list_add(&t->warnings, WARNING_UNREADABLE, 0, "node0/meminfo: cannot read"));
        _cleanup_(snapshot_unrefp) Snapshot *s = NULL;
        ASSERT_OK(snapshot_new(t, NULL, &s));
        ASSERT_TRUE(s->warnings.n >= 1);
        ASSERT_EQ(s->warnings.items[0].code, WARNING_UNREADABLE);
        ASSERT_EQ(s->warnings.items[0].node, 0);
}

TEST(legacy_kernel_model)
{
        _cleanup_(topology_freep) Topology *t = topology_new();
        _cleanup_(tier_map_freep) TierMap *m = NULL;
        add_node(t, 0, true, true);
        add_node(t, 1, false, true);
        TopoNode *pmem = add_node(t, 2, false, true);
        pmem->dax_kmem = true;
        set_hmat(t, 0, 100, 100, 20480, 20480);
        set_hmat(t, 1, 250, 250, 4096, 4096);
        set_hmat(t, 2, 350, 350, 4096, 4096);

        TierOptions o = {.model = TIER_MODEL_LEGACY, .legacy_kmem_hmat = false};
        const NodeTier *nt = compute(t, &o, &m, 1);
        ASSERT_EQ(nt->adistance, 576);
        ASSERT_EQ(nt->cause, DEFAULT_CAUSE_LEGACY_KERNEL);
        ASSERT_EQ(tier_map_find(m, 2)->adistance, 2880); /* 6.1..6.6: fixed dax/kmem type */
        ASSERT_EQ(tier_map_find(m, 2)->cause,
                  DEFAULT_CAUSE_LEGACY_KERNEL); /* it has figures, the kernel ignores them */

        tier_map_free(TAKE_PTR(m));
        o.legacy_kmem_hmat = true; /* 6.7..6.9: kmem asks the HMAT algorithm */
        nt = compute(t, &o, &m, 2);
        ASSERT_EQ(nt->adistance, 10080);
}

TEST(memoryless_node_has_no_tier)
{
        _cleanup_(topology_freep) Topology *t = topology_new();
        _cleanup_(tier_map_freep) TierMap *m = NULL;
        add_node(t, 0, true, true);
        add_node(t, 1, true, false);
        const NodeTier *nt = compute(t, NULL, &m, 1);
        ASSERT_TRUE(!nt->has_memory);
        ASSERT_EQ(m->n_tiers, 1);
        ASSERT_EQ(nodemask_weight(&m->tiers[0].nodes), 1);
}

TEST(memory_types_by_exact_adistance)
{
        _cleanup_(topology_freep) Topology *t = topology_new();
        _cleanup_(tier_map_freep) TierMap *m = NULL;
        add_node(t, 0, true, true);
        add_node(t, 1, false, true);
        add_node(t, 2, false, true);
        set_hmat(t, 0, 100, 100, 100000, 100000);
        set_hmat(t, 1, 400, 400, 20000, 20000); /* 576*800/200=2304; *200000/40000 = 11520 */
        set_hmat(t, 2, 401, 401, 20000, 20000); /* 576*802/200=2309; *200000/40000 = 11545 */
        ASSERT_OK(tier_map_compute(t, NULL, &m));
        ASSERT_EQ(tier_map_find(m, 1)->adistance, 11520);
        ASSERT_EQ(tier_map_find(m, 2)->adistance, 11545);
        const TierGroup *g = tier_map_find_tier(m, 90);
        ASSERT_TRUE(g);
        ASSERT_EQ(g->adistance_min, 11520);
        ASSERT_EQ(g->adistance_max, 11545);
        ASSERT_EQ(nodemask_weight(&g->nodes), 2);
}

TESTS_MAIN(TEST_ENTRY(reference_node_gets_dram_distance), TEST_ENTRY(ten_percent_rule_inside),
           TEST_ENTRY(ten_percent_rule_outside), TEST_ENTRY(ten_percent_band_like_the_kernel),
           TEST_ENTRY(hbm_faster_than_dram), TEST_ENTRY(cpuless_node_without_figures_is_dram),
           TEST_ENTRY(no_hmat_at_all), TEST_ENTRY(dax_kmem_without_hmat), TEST_ENTRY(dax_kmem_with_hmat_uses_figures),
           TEST_ENTRY(kmem_inside_dram_node_stays_dram), TEST_ENTRY(kmem_on_cpu_node_without_byte_counts_stays_dram),
           TEST_ENTRY(kmem_node_with_cpus_is_not_a_reference_candidate),
           TEST_ENTRY(reference_zero_switches_algorithm_off), TEST_ENTRY(no_cpu_node_with_figures),
           TEST_ENTRY(formula_64_and_32_bit), TEST_ENTRY(overrides), TEST_ENTRY(overrides_are_copied),
           TEST_ENTRY(largest_tier_ids), TEST_ENTRY(tier_of_negative_adistance),
           TEST_ENTRY(snapshot_keeps_reader_warnings), TEST_ENTRY(legacy_kernel_model),
           TEST_ENTRY(memoryless_node_has_no_tier), TEST_ENTRY(memory_types_by_exact_adistance))
