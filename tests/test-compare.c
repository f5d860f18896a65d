/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Every warning code of the analysis (lib/tiering/compare.c), through snapshot_new() on hand-built topologies:
 * each case asserts its code where it belongs, its absence where it does not, and the exact total.  The kernel
 * tiers set here and every adistance in the comments are worked out by hand from the kernel's rules, never
 * taken from the code under test.  malformed-value and unreadable-value come from the reader (test-sysfs).
 */
#include "snapshot.h"
#include "topo-builder.h"

static Topology *new_topology(const char *release)
{
        Topology *t = topology_new();
        ASSERT_TRUE(t);
        ASSERT_OK(topology_set_kernel_release(t, release));
        t->memory_tiering = true;
        return t;
}

/* What the running kernel shows in memory_tierN: one entry per node, in node order, -1 for none. */
static void set_kernel_tiers(Topology *t, size_t n, const int *tiers)
{
        ASSERT_EQ(n, t->n_nodes);
        for (size_t i = 0; i < n; i++)
                t->nodes[i].kernel_tier = tiers[i];
}

static Snapshot *snapshot(Topology *t, const TierOptions *o)
{
        Snapshot *s = NULL;
        ASSERT_OK(snapshot_new(t, o, &s));
        ASSERT_TRUE(s);
        return s;
}

/* How many warnings of code about exactly node (-1: about no node). */
static size_t count(const Snapshot *s, WarningCode code, int node)
{
        size_t n = 0;
        for (size_t i = 0; i < s->warnings.n; i++)
                if (s->warnings.items[i].code == code && s->warnings.items[i].node == node)
                        n++;
        return n;
}

static void dump(const Snapshot *s)
{
        for (size_t i = 0; i < s->warnings.n; i++)
                fprintf(stderr, "  warning %s node %d: %s\n", warning_code_to_string(s->warnings.items[i].code),
                        s->warnings.items[i].node, s->warnings.items[i].message);
}

/* Exactly these warnings, each once: pairs of (WarningCode, node), n pairs. */
static void expect_warnings(const Snapshot *s, size_t n, const int (*pairs)[2])
{
        if (s->warnings.n != n)
                dump(s);
        ASSERT_EQ(s->warnings.n, n);
        for (size_t i = 0; i < n; i++) {
                if (count(s, (WarningCode)pairs[i][0], pairs[i][1]) != 1)
                        dump(s);
                ASSERT_EQ(count(s, (WarningCode)pairs[i][0], pairs[i][1]), 1);
                if (pairs[i][1] >= 0)
                        ASSERT_TRUE(warning_list_contains(&s->warnings, (WarningCode)pairs[i][0], pairs[i][1]));
        }
}

static const NodeTier *node(const Snapshot *s, unsigned id)
{
        const NodeTier *nt = tier_map_find(s->map, id);
        ASSERT_TRUE(nt);
        return nt;
}

/* --- cpuless-default-dram -------------------------------------------------------------------------------- */

/* No HMAT at all: the CPU-less node sits at 576 for want of data; the CPU node never gets the warning. */
TEST(cpuless_default_dram_without_hmat)
{
        Topology *t = new_topology("6.12.0");
        add_node(t, 0, true, true);
        add_node(t, 1, false, true);
        set_kernel_tiers(t, 2, (const int[]){4, 4});
        _cleanup_(snapshot_unrefp) Snapshot *s = snapshot(t, NULL);
        expect_warnings(s, 1, (const int[][2]){{WARNING_CPULESS_DEFAULT_DRAM, 1}});
        ASSERT_TRUE(!warning_list_contains(&s->warnings, WARNING_CPULESS_DEFAULT_DRAM, 0));
        ASSERT_EQ(node(s, 1)->cause, DEFAULT_CAUSE_NO_HMAT);
}

/* HMAT on, but node 1 is no HMAT target: it alone is warned about; node 2 is placed by its figures. */
TEST(cpuless_default_dram_without_figures)
{
        Topology *t = new_topology("6.12.0");
        add_node(t, 0, true, true);
        add_node(t, 1, false, true);
        add_node(t, 2, false, true);
        set_hmat(t, 0, 100, 100, 100000, 100000);
        set_hmat(t, 2, 300, 300, 20000, 20000); /* 576 * 600 / 200 = 1728; * 200000 / 40000 = 8640 -> 67 */
        set_kernel_tiers(t, 3, (const int[]){4, 4, 67});
        _cleanup_(snapshot_unrefp) Snapshot *s = snapshot(t, NULL);
        expect_warnings(s, 1, (const int[][2]){{WARNING_CPULESS_DEFAULT_DRAM, 1}});
        ASSERT_TRUE(!warning_list_contains(&s->warnings, WARNING_CPULESS_DEFAULT_DRAM, 2));
        ASSERT_EQ(node(s, 1)->cause, DEFAULT_CAUSE_NO_FIGURES);
        ASSERT_EQ(node(s, 2)->adistance, 8640);
}

/* A CPU-less node placed by HMAT, and a dax/kmem one at 2880, are not "treated as DRAM". */
TEST(cpuless_not_default_dram)
{
        Topology *t = new_topology("6.12.0");
        add_node(t, 0, true, true);
        add_node(t, 1, false, true);
        TopoNode *kmem = add_node(t, 2, false, true);
        kmem->dax_kmem = true; /* no byte counts: a CPU-less node's memory is all kmem's */
        set_hmat(t, 0, 100, 100, 100000, 100000);
        set_hmat(t, 1, 300, 300, 20000, 20000); /* 8640 -> 67; node 2 has no figures: 2880 -> 22 */
        set_kernel_tiers(t, 3, (const int[]){4, 67, 22});
        _cleanup_(snapshot_unrefp) Snapshot *s = snapshot(t, NULL);
        expect_warnings(s, 0, NULL);
        ASSERT_EQ(node(s, 2)->reason, TIER_REASON_DAX_KMEM);
}

/* --- hmat-reference-mismatch ----------------------------------------------------------------------------- */

/*
 * Three sockets: node 1 exactly 10% off (inside), node 2 20% below on bandwidth (|80000 - 100000| * 10 = 200000 >
 * 100000): node 2 is the culprit, not node 1; HMAT is off and CPU-less node 3 falls back to 576.
 */
TEST(hmat_reference_mismatch_names_the_culprit)
{
        Topology *t = new_topology("6.12.0");
        add_node(t, 0, true, true);
        add_node(t, 1, true, true);
        add_node(t, 2, true, true);
        add_node(t, 3, false, true);
        set_hmat(t, 0, 100, 100, 100000, 100000);
        set_hmat(t, 1, 110, 110, 90000, 90000);
        set_hmat(t, 2, 100, 100, 80000, 80000);
        set_hmat(t, 3, 300, 300, 20000, 20000);
        set_kernel_tiers(t, 4, (const int[]){4, 4, 4, 4});
        _cleanup_(snapshot_unrefp) Snapshot *s = snapshot(t, NULL);
        expect_warnings(s, 2,
                        (const int[][2]){{WARNING_HMAT_REFERENCE_MISMATCH, 2}, {WARNING_CPULESS_DEFAULT_DRAM, 3}});
        ASSERT_TRUE(!warning_list_contains(&s->warnings, WARNING_HMAT_REFERENCE_MISMATCH, 1));
        ASSERT_TRUE(!warning_list_contains(&s->warnings, WARNING_HMAT_REFERENCE_ZERO, -1));
        ASSERT_EQ(node(s, 3)->cause, DEFAULT_CAUSE_REFERENCE_MISMATCH);
        ASSERT_EQ(node(s, 3)->tier, 4);
}

/* Within 10% on every figure: no mismatch, the algorithm stays on, and a kernel that agrees gives nothing. */
TEST(hmat_reference_within_band)
{
        Topology *t = new_topology("6.12.0");
        add_node(t, 0, true, true);
        add_node(t, 1, true, true);
        add_node(t, 2, false, true);
        set_hmat(t, 0, 100, 100, 100000, 100000);
        set_hmat(t, 1, 110, 110, 90000, 90000); /* 576 * 220 / 200 = 633; * 200000 / 180000 = 703 -> 5 */
        set_hmat(t, 2, 300, 300, 20000, 20000); /* 8640 -> 67 */
        set_kernel_tiers(t, 3, (const int[]){4, 5, 67});
        _cleanup_(snapshot_unrefp) Snapshot *s = snapshot(t, NULL);
        expect_warnings(s, 0, NULL);
        ASSERT_EQ(s->map->reference.state, REFERENCE_VALID);
}

/* --- hmat-reference-zero --------------------------------------------------------------------------------- */

/* The only DRAM node is an HMAT target with zero bandwidth (non-zero latency): HMAT off. */
TEST(hmat_reference_zero)
{
        Topology *t = new_topology("6.12.0");
        add_node(t, 0, true, true);
        add_node(t, 1, false, true);
        set_hmat(t, 0, 100, 100, 0, 0);
        set_hmat(t, 1, 300, 300, 20000, 20000);
        set_kernel_tiers(t, 2, (const int[]){4, 4});
        _cleanup_(snapshot_unrefp) Snapshot *s = snapshot(t, NULL);
        expect_warnings(s, 2, (const int[][2]){{WARNING_HMAT_REFERENCE_ZERO, 0}, {WARNING_CPULESS_DEFAULT_DRAM, 1}});
        ASSERT_TRUE(!warning_list_contains(&s->warnings, WARNING_HMAT_REFERENCE_MISMATCH, -1));
        ASSERT_EQ(node(s, 1)->cause, DEFAULT_CAUSE_REFERENCE_ZERO);
}

/* Zero figures on a CPU-less node are that node's problem only: no reference-zero, the reference stays valid. */
TEST(zero_figures_on_cpuless_node_are_not_reference_zero)
{
        Topology *t = new_topology("6.12.0");
        add_node(t, 0, true, true);
        add_node(t, 1, false, true);
        set_hmat(t, 0, 100, 100, 100000, 100000);
        set_hmat(t, 1, 0, 0, 0, 0);
        set_kernel_tiers(t, 2, (const int[]){4, 4});
        _cleanup_(snapshot_unrefp) Snapshot *s = snapshot(t, NULL);
        expect_warnings(s, 1, (const int[][2]){{WARNING_CPULESS_DEFAULT_DRAM, 1}});
        ASSERT_EQ(s->map->reference.state, REFERENCE_VALID);
        ASSERT_EQ(node(s, 1)->cause, DEFAULT_CAUSE_NO_FIGURES);
}

/* --- kernel-no-memory-tiering ---------------------------------------------------------------------------- */

TEST(kernel_no_memory_tiering)
{
        Topology *t = new_topology("5.15.0");
        t->memory_tiering = false;
        add_node(t, 0, true, true);
        add_node(t, 1, true, true);
        _cleanup_(snapshot_unrefp) Snapshot *s = snapshot(t, NULL);
        /* Nodes in no kernel tier are expected then: no kernel-untiered. */
        expect_warnings(s, 1, (const int[][2]){{WARNING_KERNEL_NO_MEMORY_TIERING, -1}});
        ASSERT_TRUE(!warning_list_contains(&s->warnings, WARNING_KERNEL_UNTIERED, -1));
}

TEST(kernel_memory_tiering_agrees)
{
        Topology *t = new_topology("6.12.0");
        add_node(t, 0, true, true);
        add_node(t, 1, true, true);
        set_kernel_tiers(t, 2, (const int[]){4, 4});
        _cleanup_(snapshot_unrefp) Snapshot *s = snapshot(t, NULL);
        expect_warnings(s, 0, NULL);
}

/* --- kernel-pre-6.10 ------------------------------------------------------------------------------------- */

/*
 * Reference node 0 (sums 200 / 40960).  Node 1 (CPU-less): 576 * 500 / 200 = 1440; * 40960 / 8192 = 7200 -> 56.
 * Node 2 (dax/kmem): 576 * 700 / 200 = 2016; * 40960 / 8192 = 10080 -> 78.  What a 6.1 kernel shows: every boot
 * node DRAM (4), the kmem node at the fixed 2880 (22, HMAT for kmem only from 6.7).
 */
static Topology *pre_6_10_topology(const char *release, const int *kernel_tiers)
{
        Topology *t = new_topology(release);
        add_node(t, 0, true, true);
        add_node(t, 1, false, true);
        add_node(t, 2, false, true)->dax_kmem = true;
        set_hmat(t, 0, 100, 100, 20480, 20480);
        set_hmat(t, 1, 250, 250, 4096, 4096);
        set_hmat(t, 2, 350, 350, 4096, 4096);
        set_kernel_tiers(t, 3, kernel_tiers);
        return t;
}

TEST(kernel_pre_6_10)
{
        _cleanup_(snapshot_unrefp) Snapshot *s =
                snapshot(pre_6_10_topology("6.1.0-56-amd64", (const int[]){4, 4, 22}), NULL);
        ASSERT_EQ(node(s, 1)->tier, 56);
        ASSERT_EQ(node(s, 2)->tier, 78);
        expect_warnings(s, 2, (const int[][2]){{WARNING_KERNEL_PRE_6_10, 1}, {WARNING_KERNEL_PRE_6_10, 2}});
        ASSERT_TRUE(!warning_list_contains(&s->warnings, WARNING_KERNEL_PRE_6_10, 0));
}

/* 6.7 .. 6.9: kmem asks HMAT, so a kernel tier 78 for node 2 agrees; node 1 is still DRAM. */
TEST(kernel_pre_6_10_kmem_hmat)
{
        _cleanup_(snapshot_unrefp) Snapshot *s = snapshot(pre_6_10_topology("6.8.0", (const int[]){4, 4, 78}), NULL);
        expect_warnings(s, 1, (const int[][2]){{WARNING_KERNEL_PRE_6_10, 1}});
}

/* The same kernel tiers on 6.12 are not explained by the old model. */
TEST(kernel_pre_6_10_not_on_6_12)
{
        _cleanup_(snapshot_unrefp) Snapshot *s = snapshot(pre_6_10_topology("6.12.0", (const int[]){4, 4, 22}), NULL);
        expect_warnings(s, 2, (const int[][2]){{WARNING_KERNEL_DIFFERS, 1}, {WARNING_KERNEL_DIFFERS, 2}});
        ASSERT_TRUE(!warning_list_contains(&s->warnings, WARNING_KERNEL_PRE_6_10, -1));
}

/* An old kernel with a tier the old model does not give either: unexplained. */
TEST(kernel_pre_6_10_unexplained)
{
        _cleanup_(snapshot_unrefp) Snapshot *s =
                snapshot(pre_6_10_topology("6.1.0-56-amd64", (const int[]){4, 50, 22}), NULL);
        expect_warnings(s, 2, (const int[][2]){{WARNING_KERNEL_DIFFERS, 1}, {WARNING_KERNEL_PRE_6_10, 2}});
}

/* --- kernel-adistance-overflow --------------------------------------------------------------------------- */

/*
 * Node 1: latencies 4000000 + 4000000 ns against the reference's 200, bandwidths equal to the reference's (2000).
 * 64 bits: 576 * 8000000 = 4608000000; / 200 = 23040000; * 2000 = 46080000000; / 2000 = 23040000 -> tier 180000.
 * 32 bits: 4608000000 - 2^32 = 313032704; / 200 = 1565163; * 2000 = 3130326000 (< 2^32); / 2000 = 1565163 ->
 * tier 12227 (12227 * 128 = 1565056).
 */
static Topology *overflow_topology(int kernel_tier_1)
{
        Topology *t = new_topology("6.12.0");
        add_node(t, 0, true, true);
        add_node(t, 1, false, true);
        set_hmat(t, 0, 100, 100, 1000, 1000);
        set_hmat(t, 1, 4000000, 4000000, 1000, 1000);
        set_kernel_tiers(t, 2, (const int[]){4, kernel_tier_1});
        return t;
}

TEST(kernel_adistance_overflow)
{
        _cleanup_(snapshot_unrefp) Snapshot *s = snapshot(overflow_topology(12227), NULL);
        ASSERT_EQ(node(s, 1)->adistance, 23040000);
        ASSERT_EQ(node(s, 1)->tier, 180000);
        expect_warnings(s, 1, (const int[][2]){{WARNING_KERNEL_ADISTANCE_OVERFLOW, 1}});
}

/* A kernel with the 64-bit fix agrees: nothing to say. */
TEST(kernel_adistance_no_overflow)
{
        _cleanup_(snapshot_unrefp) Snapshot *s = snapshot(overflow_topology(180000), NULL);
        expect_warnings(s, 0, NULL);
}

/* Neither the 64-bit nor the 32-bit tier: not an overflow. */
TEST(kernel_adistance_other_tier)
{
        _cleanup_(snapshot_unrefp) Snapshot *s = snapshot(overflow_topology(5000), NULL);
        expect_warnings(s, 1, (const int[][2]){{WARNING_KERNEL_DIFFERS, 1}});
}

/* --- kernel-kmem-in-dram-node ---------------------------------------------------------------------------- */

/* dax/kmem memory (16 GiB) onlined into a node that had 48 GiB of boot DRAM first: tierd keeps it DRAM (576). */
static Topology *kmem_in_dram_topology(int kernel_tier_0)
{
        Topology *t = new_topology("6.12.0");
        TopoNode *n = add_node(t, 0, true, true);
        n->dax_kmem = true;
        n->online_bytes = UINT64_C(64) << 30;
        n->kmem_bytes = UINT64_C(16) << 30;
        set_kernel_tiers(t, 1, (const int[]){kernel_tier_0});
        return t;
}

TEST(kernel_kmem_in_dram_node)
{
        _cleanup_(snapshot_unrefp) Snapshot *s = snapshot(kmem_in_dram_topology(22), NULL);
        ASSERT_TRUE(!node(s, 0)->kmem);
        ASSERT_EQ(node(s, 0)->tier, 4);
        expect_warnings(s, 1, (const int[][2]){{WARNING_KERNEL_KMEM_IN_DRAM_NODE, 0}});
}

TEST(kernel_kmem_in_dram_node_agrees)
{
        _cleanup_(snapshot_unrefp) Snapshot *s = snapshot(kmem_in_dram_topology(4), NULL);
        expect_warnings(s, 0, NULL);
}

/* A node whose memory is all kmem's is kmem-typed (2880 -> 22): a kernel tier 22 is no disagreement. */
TEST(kernel_kmem_node_of_its_own)
{
        Topology *t = new_topology("6.12.0");
        add_node(t, 0, true, true);
        TopoNode *n = add_node(t, 1, false, true);
        n->dax_kmem = true;
        n->online_bytes = n->kmem_bytes = UINT64_C(16) << 30;
        set_kernel_tiers(t, 2, (const int[]){4, 22});
        _cleanup_(snapshot_unrefp) Snapshot *s = snapshot(t, NULL);
        expect_warnings(s, 0, NULL);
}

/* --- kernel-differs, kernel-untiered ---------------------------------------------------------------------- */

/* Node 1 (8640 -> 67) in kernel tier 30, and memoryless node 2 listed in a kernel tier. */
TEST(kernel_differs)
{
        Topology *t = new_topology("6.12.0");
        add_node(t, 0, true, true);
        add_node(t, 1, false, true);
        add_node(t, 2, true, false);
        set_hmat(t, 0, 100, 100, 100000, 100000);
        set_hmat(t, 1, 300, 300, 20000, 20000);
        set_kernel_tiers(t, 3, (const int[]){4, 30, 4});
        _cleanup_(snapshot_unrefp) Snapshot *s = snapshot(t, NULL);
        expect_warnings(s, 2, (const int[][2]){{WARNING_KERNEL_DIFFERS, 1}, {WARNING_KERNEL_DIFFERS, 2}});
        ASSERT_TRUE(!warning_list_contains(&s->warnings, WARNING_KERNEL_DIFFERS, 0));
}

/* The same with the kernel agreeing and the memoryless node in no tier: nothing. */
TEST(kernel_agrees)
{
        Topology *t = new_topology("6.12.0");
        add_node(t, 0, true, true);
        add_node(t, 1, false, true);
        add_node(t, 2, true, false);
        set_hmat(t, 0, 100, 100, 100000, 100000);
        set_hmat(t, 1, 300, 300, 20000, 20000);
        set_kernel_tiers(t, 3, (const int[]){4, 67, -1});
        _cleanup_(snapshot_unrefp) Snapshot *s = snapshot(t, NULL);
        expect_warnings(s, 0, NULL);
}

/* Memory node 1 in no kernel tier; memoryless node 2 in none either, which is right. */
TEST(kernel_untiered)
{
        Topology *t = new_topology("6.12.0");
        add_node(t, 0, true, true);
        add_node(t, 1, true, true);
        add_node(t, 2, true, false);
        set_kernel_tiers(t, 3, (const int[]){4, -1, -1});
        _cleanup_(snapshot_unrefp) Snapshot *s = snapshot(t, NULL);
        expect_warnings(s, 1, (const int[][2]){{WARNING_KERNEL_UNTIERED, 1}});
        ASSERT_TRUE(!warning_list_contains(&s->warnings, WARNING_KERNEL_UNTIERED, 2));
}

/* --- override -------------------------------------------------------------------------------------------- */

TEST(override)
{
        Topology *t = new_topology("6.12.0");
        add_node(t, 0, true, true);
        add_node(t, 1, false, true);
        set_kernel_tiers(t, 2, (const int[]){4, 4});
        const TierOverride ov[] = {{.node = 1, .by_tier = true, .value = 30}};
        TierOptions o = {.overrides = ov, .n_overrides = 1};
        _cleanup_(snapshot_unrefp) Snapshot *s = snapshot(t, &o);
        ASSERT_EQ(node(s, 1)->tier, 30);
        /* Configured, not "treated as DRAM for lack of data": no cpuless-default-dram either. */
        expect_warnings(s, 1, (const int[][2]){{WARNING_OVERRIDE, 1}});
}

/* An override to the kernel's own tier (adistance 600 -> 4) is no disagreement. */
TEST(override_agreeing_with_kernel)
{
        Topology *t = new_topology("6.12.0");
        add_node(t, 0, true, true);
        add_node(t, 1, false, true);
        set_kernel_tiers(t, 2, (const int[]){4, 4});
        const TierOverride ov[] = {{.node = 1, .by_tier = false, .value = 600}};
        TierOptions o = {.overrides = ov, .n_overrides = 1};
        _cleanup_(snapshot_unrefp) Snapshot *s = snapshot(t, &o);
        ASSERT_EQ(node(s, 1)->reason, TIER_REASON_OVERRIDE);
        expect_warnings(s, 0, NULL);
}

TESTS_MAIN(TEST_ENTRY(cpuless_default_dram_without_hmat), TEST_ENTRY(cpuless_default_dram_without_figures),
           TEST_ENTRY(cpuless_not_default_dram), TEST_ENTRY(hmat_reference_mismatch_names_the_culprit),
           TEST_ENTRY(hmat_reference_within_band), TEST_ENTRY(hmat_reference_zero),
           TEST_ENTRY(zero_figures_on_cpuless_node_are_not_reference_zero), TEST_ENTRY(kernel_no_memory_tiering),
           TEST_ENTRY(kernel_memory_tiering_agrees), TEST_ENTRY(kernel_pre_6_10), TEST_ENTRY(kernel_pre_6_10_kmem_hmat),
           TEST_ENTRY(kernel_pre_6_10_not_on_6_12), TEST_ENTRY(kernel_pre_6_10_unexplained),
           TEST_ENTRY(kernel_adistance_overflow), TEST_ENTRY(kernel_adistance_no_overflow),
           TEST_ENTRY(kernel_adistance_other_tier), TEST_ENTRY(kernel_kmem_in_dram_node),
           TEST_ENTRY(kernel_kmem_in_dram_node_agrees), TEST_ENTRY(kernel_kmem_node_of_its_own),
           TEST_ENTRY(kernel_differs), TEST_ENTRY(kernel_agrees), TEST_ENTRY(kernel_untiered), TEST_ENTRY(override),
           TEST_ENTRY(override_agreeing_with_kernel))
