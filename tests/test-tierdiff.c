/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * snapshot_diff(): two snapshots that differ in one published field of one node at a time must give exactly
 * one change, of the right kind, with the right field bit.  The tiers below are worked out by hand.
 */
#include <stdlib.h>

#include "snapshot.h"
#include "tierdiff.h"
#include "topo-builder.h"

/*
 * The base host, ids 0..4 (5 optional):
 *   0  CPUs + memory, HMAT reference 100/100 ns, 100000/100000 MB/s: 576 -> tier 4
 *   1  CPU-less, 300/300, 20000/20000: 576 * 600 / 200 = 1728; * 200000 / 40000 = 8640 -> tier 67
 *   2  CPU-less, 400/400, 20000/20000: 576 * 800 / 200 = 2304; * 5 = 11520 -> tier 90
 *   3  CPUs, no memory
 *   4  CPU-less, as node 2: tier 90
 *   5  (optional) CPU-less, the reference's figures: 576 -> tier 4; demotes to 1 and nobody demotes to it
 * Demotion: 0 -> 1 (fallback 1,2,4); 1 -> 2 at distance 25 rather than 4 at 35 (fallback 2,4); 5 -> 1.
 * Every search has distinct distances, so node_load never decides.
 */
typedef struct Variant {
        const char *release;
        uint32_t latency1, latency2; /* nodes 1 and 2's read = write latency */
        uint32_t distance12;         /* SLIT 1 <-> 2 */
        bool override1;              /* node 1 overridden to tier 67: the adistance it has anyway */
        int kernel1, kernel3;        /* memory_tierN of nodes 1 and 3 */
        bool node5, node5_memory;
} Variant;

static const Variant BASE = {
        .release = "6.12.0", .latency1 = 300, .latency2 = 400, .distance12 = 25, .kernel1 = 67, .kernel3 = -1};

static Snapshot *build(const Variant *v)
{
        Topology *t = topology_new();
        ASSERT_TRUE(t);
        if (v->release)
                ASSERT_OK(topology_set_kernel_release(t, v->release));
        t->memory_tiering = true;
        add_node(t, 0, true, true);
        add_node(t, 1, false, true);
        add_node(t, 2, false, true);
        add_node(t, 3, true, false);
        add_node(t, 4, false, true);
        if (v->node5)
                add_node(t, 5, false, v->node5_memory);
        set_hmat(t, 0, 100, 100, 100000, 100000);
        set_hmat(t, 1, v->latency1, v->latency1, 20000, 20000);
        set_hmat(t, 2, v->latency2, v->latency2, 20000, 20000);
        set_hmat(t, 4, 400, 400, 20000, 20000);
        if (v->node5 && v->node5_memory)
                set_hmat(t, 5, 100, 100, 100000, 100000);

        const uint32_t d = v->distance12;
        const uint32_t full[6][6] = {
                {10, 20, 30, 15, 30, 15}, {20, 10, d, 25, 35, 20},  {30, d, 10, 30, 40, 30},
                {15, 25, 30, 10, 30, 25}, {30, 35, 40, 30, 10, 35}, {15, 20, 30, 25, 35, 10},
        };
        size_t n = t->n_nodes;
        uint32_t slit[36];
        for (size_t i = 0; i < n; i++)
                for (size_t j = 0; j < n; j++)
                        slit[i * n + j] = full[i][j];
        set_slit(t, slit);

        const int kernel[6] = {4, v->kernel1, 90, v->kernel3, 90, v->node5_memory ? 4 : -1};
        for (size_t i = 0; i < n; i++)
                t->nodes[i].kernel_tier = kernel[i];

        const TierOverride ov[] = {{.node = 1, .by_tier = true, .value = 67}};
        TierOptions o = {.overrides = ov, .n_overrides = v->override1 ? 1 : 0};
        Snapshot *s = NULL;
        ASSERT_OK(snapshot_new(t, &o, &s));
        return s;
}

static const NodeChange *one_change(const Snapshot *a, const Snapshot *b, SnapshotDiff *d, unsigned node)
{
        ASSERT_OK(snapshot_diff(a, b, d));
        for (size_t i = 0; d->n_changes != 1 && i < d->n_changes; i++)
                fprintf(stderr, "  change: node %u kind %d fields 0x%x\n", d->changes[i].node, d->changes[i].kind,
                        d->changes[i].fields);
        ASSERT_EQ(d->n_changes, 1);
        ASSERT_TRUE(!d->kernel_release);
        ASSERT_EQ(d->changes[0].node, node);
        return &d->changes[0];
}

/* The base itself, as the tiers worked out above. */
TEST(base_is_as_computed_by_hand)
{
        _cleanup_(snapshot_unrefp) Snapshot *s = build(&BASE);
        static const int tier[] = {4, 67, 90, -1, 90};
        for (unsigned id = 0; id < 5; id++) {
                const NodeTier *nt = tier_map_find(s->map, id);
                ASSERT_TRUE(nt);
                if (tier[id] < 0)
                        ASSERT_TRUE(!nt->has_memory);
                else
                        ASSERT_EQ(nt->tier, tier[id]);
        }
        ASSERT_EQ(tier_map_find(s->map, 1)->adistance, 8640);
        ASSERT_TRUE(nodemask_test(&tier_map_find(s->map, 1)->demote_preferred, 2));
        ASSERT_EQ(nodemask_weight(&tier_map_find(s->map, 1)->demote_preferred), 1);
}

TEST(identical_snapshots)
{
        _cleanup_(snapshot_unrefp) Snapshot *a = build(&BASE);
        _cleanup_(snapshot_unrefp) Snapshot *b = build(&BASE);
        _cleanup_(snapshot_diff_done) SnapshotDiff d = {};
        ASSERT_OK(snapshot_diff(a, b, &d));
        ASSERT_TRUE(snapshot_diff_empty(&d));
        /* The very same snapshot too. */
        _cleanup_(snapshot_diff_done) SnapshotDiff same = {};
        ASSERT_OK(snapshot_diff(a, a, &same));
        ASSERT_TRUE(snapshot_diff_empty(&same));
}

/* Node 1 at 301 ns: 576 * 602 / 200 = 1733; * 5 = 8665, still tier 67 (8576..8703). */
TEST(adistance_within_tier)
{
        Variant v = BASE;
        v.latency1 = 301;
        _cleanup_(snapshot_unrefp) Snapshot *a = build(&BASE);
        _cleanup_(snapshot_unrefp) Snapshot *b = build(&v);
        _cleanup_(snapshot_diff_done) SnapshotDiff d = {};
        const NodeChange *c = one_change(a, b, &d, 1);
        ASSERT_EQ(c->kind, NODE_CHANGE_UPDATED);
        ASSERT_EQ(c->fields, NODE_FIELD_ADISTANCE);
        ASSERT_EQ(c->old_adistance, 8640);
        ASSERT_EQ(c->new_adistance, 8665);
        ASSERT_EQ(c->old_tier, 67);
        ASSERT_EQ(c->new_tier, 67);
}

/*
 * Node 1 at 303 ns: 576 * 606 / 200 = 1745; * 5 = 8725 -> tier 68 (8704..8831), still alone between tiers 4 and
 * 90, so no demotion target changes.  A new tier always comes with a new adistance: both bits, kind "moved".
 */
TEST(tier)
{
        Variant v = BASE;
        v.latency1 = 303;
        v.kernel1 = 68;
        _cleanup_(snapshot_unrefp) Snapshot *a = build(&BASE);
        _cleanup_(snapshot_unrefp) Snapshot *b = build(&v);
        _cleanup_(snapshot_diff_done) SnapshotDiff d = {};
        ASSERT_OK(snapshot_diff(a, b, &d));
        ASSERT_EQ(d.n_changes, 1);
        const NodeChange *c = &d.changes[0];
        ASSERT_EQ(c->node, 1);
        ASSERT_EQ(c->kind, NODE_CHANGE_MOVED);
        ASSERT_EQ(c->fields, NODE_FIELD_ADISTANCE | NODE_FIELD_TIER | NODE_FIELD_KERNEL_TIER);
        ASSERT_EQ(c->old_tier, 67);
        ASSERT_EQ(c->new_tier, 68);
        ASSERT_EQ(c->new_adistance, 8725);

        /* The kernel left behind: the same move without the kernel tier bit. */
        v.kernel1 = 67;
        _cleanup_(snapshot_unrefp) Snapshot *b2 = build(&v);
        _cleanup_(snapshot_diff_done) SnapshotDiff d2 = {};
        c = one_change(a, b2, &d2, 1);
        ASSERT_EQ(c->kind, NODE_CHANGE_MOVED);
        ASSERT_EQ(c->fields, NODE_FIELD_ADISTANCE | NODE_FIELD_TIER);
}

/* Node 1 overridden to tier 67 = adistance 67 * 128 + 64 = 8640, what HMAT gave it: only the reason changes. */
TEST(reason)
{
        Variant v = BASE;
        v.override1 = true;
        _cleanup_(snapshot_unrefp) Snapshot *a = build(&BASE);
        _cleanup_(snapshot_unrefp) Snapshot *b = build(&v);
        _cleanup_(snapshot_diff_done) SnapshotDiff d = {};
        const NodeChange *c = one_change(a, b, &d, 1);
        ASSERT_EQ(c->kind, NODE_CHANGE_UPDATED);
        ASSERT_EQ(c->fields, NODE_FIELD_REASON);
}

TEST(kernel_tier)
{
        Variant v = BASE;
        v.kernel1 = 30;
        _cleanup_(snapshot_unrefp) Snapshot *a = build(&BASE);
        _cleanup_(snapshot_unrefp) Snapshot *b = build(&v);
        _cleanup_(snapshot_diff_done) SnapshotDiff d = {};
        const NodeChange *c = one_change(a, b, &d, 1);
        ASSERT_EQ(c->kind, NODE_CHANGE_UPDATED);
        ASSERT_EQ(c->fields, NODE_FIELD_KERNEL_TIER);
        ASSERT_EQ(c->old_kernel_tier, 67);
        ASSERT_EQ(c->new_kernel_tier, 30);
}

/* The kernel tier of a memoryless node is published too. */
TEST(kernel_tier_of_memoryless_node)
{
        Variant v = BASE;
        v.kernel3 = 4;
        _cleanup_(snapshot_unrefp) Snapshot *a = build(&BASE);
        _cleanup_(snapshot_unrefp) Snapshot *b = build(&v);
        _cleanup_(snapshot_diff_done) SnapshotDiff d = {};
        const NodeChange *c = one_change(a, b, &d, 3);
        ASSERT_EQ(c->kind, NODE_CHANGE_UPDATED);
        ASSERT_EQ(c->fields, NODE_FIELD_KERNEL_TIER);
        ASSERT_EQ(c->old_kernel_tier, -1);
        ASSERT_EQ(c->new_kernel_tier, 4);
}

/* SLIT 1 <-> 2 from 25 to 45: node 1 now prefers node 4 (35).  Nobody else's targets depend on that distance. */
TEST(demotion_targets)
{
        Variant v = BASE;
        v.distance12 = 45;
        _cleanup_(snapshot_unrefp) Snapshot *a = build(&BASE);
        _cleanup_(snapshot_unrefp) Snapshot *b = build(&v);
        ASSERT_TRUE(nodemask_test(&tier_map_find(b->map, 1)->demote_preferred, 4));
        _cleanup_(snapshot_diff_done) SnapshotDiff d = {};
        const NodeChange *c = one_change(a, b, &d, 1);
        ASSERT_EQ(c->kind, NODE_CHANGE_UPDATED);
        ASSERT_EQ(c->fields, NODE_FIELD_DEMOTION);
}

/* Only the fallback mask differs (as after a lower node's hotplug that is nobody's preferred target): a change. */
TEST(fallback_only)
{
        _cleanup_(snapshot_unrefp) Snapshot *a = build(&BASE);
        _cleanup_(snapshot_unrefp) Snapshot *b = build(&BASE);
        nodemask_set(&tier_map_find_mutable(b->map, 2)->demote_fallback, 4);
        _cleanup_(snapshot_diff_done) SnapshotDiff d = {};
        const NodeChange *c = one_change(a, b, &d, 2);
        ASSERT_EQ(c->kind, NODE_CHANGE_UPDATED);
        ASSERT_EQ(c->fields, NODE_FIELD_DEMOTION);
}

/* Node 5 appears with memory in tier 4: it is nobody's target, so only node 5 changes. */
TEST(node_appears)
{
        Variant v = BASE;
        v.node5 = v.node5_memory = true;
        _cleanup_(snapshot_unrefp) Snapshot *a = build(&BASE);
        _cleanup_(snapshot_unrefp) Snapshot *b = build(&v);
        _cleanup_(snapshot_diff_done) SnapshotDiff d = {};
        const NodeChange *c = one_change(a, b, &d, 5);
        ASSERT_EQ(c->kind, NODE_CHANGE_ADDED);
        ASSERT_TRUE(c->fields & NODE_FIELD_ONLINE);
        ASSERT_TRUE(c->fields & NODE_FIELD_MEMORY);
        ASSERT_TRUE(c->fields & NODE_FIELD_TIER);
        ASSERT_EQ(c->old_tier, -1);
        ASSERT_EQ(c->new_tier, 4);
        ASSERT_EQ(c->new_adistance, 576);

        /* And going away again. */
        _cleanup_(snapshot_diff_done) SnapshotDiff back = {};
        c = one_change(b, a, &back, 5);
        ASSERT_EQ(c->kind, NODE_CHANGE_REMOVED);
        ASSERT_TRUE(c->fields & NODE_FIELD_ONLINE);
        ASSERT_EQ(c->new_tier, -1);
}

/* Node 5 stays online but loses its memory (and with it its kernel tier). */
TEST(node_loses_memory)
{
        Variant v = BASE, w = BASE;
        v.node5 = v.node5_memory = true;
        w.node5 = true;
        _cleanup_(snapshot_unrefp) Snapshot *a = build(&v);
        _cleanup_(snapshot_unrefp) Snapshot *b = build(&w);
        _cleanup_(snapshot_diff_done) SnapshotDiff d = {};
        const NodeChange *c = one_change(a, b, &d, 5);
        ASSERT_EQ(c->kind, NODE_CHANGE_REMOVED);
        ASSERT_TRUE(c->fields & NODE_FIELD_MEMORY);
        ASSERT_TRUE(!(c->fields & NODE_FIELD_ONLINE));
        ASSERT_EQ(c->old_tier, 4);
        ASSERT_EQ(c->new_tier, -1);
}

TEST(kernel_release)
{
        Variant v = BASE, unknown = BASE;
        v.release = "6.12.1";
        unknown.release = NULL;
        _cleanup_(snapshot_unrefp) Snapshot *a = build(&BASE);
        _cleanup_(snapshot_unrefp) Snapshot *b = build(&v);
        _cleanup_(snapshot_unrefp) Snapshot *c = build(&unknown);
        _cleanup_(snapshot_unrefp) Snapshot *c2 = build(&unknown);

        _cleanup_(snapshot_diff_done) SnapshotDiff d1 = {}, d2 = {}, d3 = {}, d4 = {};
        ASSERT_OK(snapshot_diff(a, b, &d1));
        ASSERT_TRUE(d1.kernel_release);
        ASSERT_EQ(d1.n_changes, 0);
        ASSERT_TRUE(!snapshot_diff_empty(&d1));
        ASSERT_OK(snapshot_diff(a, c, &d2));
        ASSERT_TRUE(d2.kernel_release);
        ASSERT_OK(snapshot_diff(c, a, &d3));
        ASSERT_TRUE(d3.kernel_release);
        ASSERT_OK(snapshot_diff(c, c2, &d4));
        ASSERT_TRUE(snapshot_diff_empty(&d4));
}

/* No old snapshot: every node is new, the memory nodes as "added". */
TEST(from_nothing)
{
        _cleanup_(snapshot_unrefp) Snapshot *b = build(&BASE);
        _cleanup_(snapshot_diff_done) SnapshotDiff d = {};
        ASSERT_OK(snapshot_diff(NULL, b, &d));
        ASSERT_EQ(d.n_changes, 5);
        for (size_t i = 0; i < d.n_changes; i++) {
                ASSERT_EQ(d.changes[i].node, i);
                ASSERT_TRUE(d.changes[i].fields & NODE_FIELD_ONLINE);
                ASSERT_EQ(d.changes[i].kind, i == 3 ? NODE_CHANGE_UPDATED : NODE_CHANGE_ADDED);
        }
}

TESTS_MAIN(TEST_ENTRY(base_is_as_computed_by_hand), TEST_ENTRY(identical_snapshots), TEST_ENTRY(adistance_within_tier),
           TEST_ENTRY(tier), TEST_ENTRY(reason), TEST_ENTRY(kernel_tier), TEST_ENTRY(kernel_tier_of_memoryless_node),
           TEST_ENTRY(demotion_targets), TEST_ENTRY(fallback_only), TEST_ENTRY(node_appears),
           TEST_ENTRY(node_loses_memory), TEST_ENTRY(kernel_release), TEST_ENTRY(from_nothing))
