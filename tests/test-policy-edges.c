/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The placement policy's order, budget, regions over several nodes, three tiers, the edge cases, huge numbers,
 * parameter and input validation, and its nodes from a snapshot. */
#include <errno.h>

#include "policy-builder.h"
#include "topo-builder.h"

#define TWO_TIERS(free0, free1)                                                                                        \
        {                                                                                                              \
                make_node(0, 0, 1000, (free0), mask_of(1, 1), mask_of(1, 1)),                                          \
                        make_node(1, 1, 2000, (free1), NODEMASK_EMPTY, NODEMASK_EMPTY),                                \
        }

TEST(order_ties_by_pid_then_address)
{
        PolicyNode nodes[] = TWO_TIERS(500, 1000);
        PolicyRegion r10[] = {
                {.start = 0x10000000, .end = 0x11000000, .nr_accesses = 20, .age = 100, ON({1, 16 * MiB})},
                {.start = 0x20000000, .end = 0x21000000, .nr_accesses = 20, .age = 100, ON({1, 16 * MiB})},
        };
        PolicyRegion r20[] = {
                {.start = 0x08000000, .end = 0x09000000, .nr_accesses = 20, .age = 100, ON({1, 16 * MiB})},
        };
        PolicyWorkload w[] = {make_workload(20, 0, r20, 1), make_workload(10, 0, r10, 2)};
        PolicyParams params = policy_params_default();
        params.budget_bytes = 40 * MiB;

        for (int reversed = 0; reversed < 2; reversed++) {
                PolicyWorkload order[] = {w[reversed], w[1 - reversed]};
                _cleanup_(policy_plan_freep) PolicyPlan *p = plan_or_die(nodes, 2, order, 2, 100 * SEC, &params);

                /* Equal heat and age: pid 10 first, its lower address first; the budget leaves 8 MiB for pid 20. */
                ASSERT_MOVES(p, {10, 0x10000000, 1, 0, POLICY_REASON_HOT, 16 * MiB},
                             {10, 0x20000000, 1, 0, POLICY_REASON_HOT, 16 * MiB},
                             {20, 0x08000000, 1, 0, POLICY_REASON_HOT, 8 * MiB});
        }
}

TEST(order_coldest_ties_by_pid)
{
        PolicyNode nodes[] = TWO_TIERS(10, 1000);
        PolicyRegion r10[] = {
                {.start = 0x20000000, .end = 0x21000000, .nr_accesses = 0, .age = 100, ON({0, 16 * MiB})},
        };
        PolicyRegion r20[] = {
                {.start = 0x10000000, .end = 0x11000000, .nr_accesses = 0, .age = 100, ON({0, 16 * MiB})},
        };
        PolicyWorkload w[] = {make_workload(20, 0, r20, 1), make_workload(10, 0, r10, 1)};
        _cleanup_(policy_plan_freep) PolicyPlan *p = plan_or_die(nodes, 2, w, 2, 100 * SEC, NULL);

        ASSERT_MOVES(p, {10, 0x20000000, 0, 1, POLICY_REASON_PRESSURE, 16 * MiB},
                     {20, 0x10000000, 0, 1, POLICY_REASON_PRESSURE, 14 * MiB});
}

TEST(heat_is_capped_at_the_maximum)
{
        PolicyNode nodes[] = TWO_TIERS(500, 1000);
        PolicyRegion regions[] = {
                /* More accesses than DAMON's maximum reads as the maximum: the older one goes first. */
                {.start = 0x10000000, .end = 0x11000000, .nr_accesses = 40, .age = 1, ON({1, 16 * MiB})},
                {.start = 0x20000000, .end = 0x21000000, .nr_accesses = 20, .age = 100, ON({1, 16 * MiB})},
        };
        PolicyWorkload w = make_workload(10, 0, regions, 2);
        PolicyParams params = policy_params_default();
        params.budget_bytes = 16 * MiB;
        _cleanup_(policy_plan_freep) PolicyPlan *p = plan_or_die(nodes, 2, &w, 1, 100 * SEC, &params);

        ASSERT_MOVES(p, {10, 0x20000000, 1, 0, POLICY_REASON_HOT, 16 * MiB});
}

TEST(mixed_regions_move_only_what_needs_moving)
{
        /* Three tiers: 0, then 1, then 2. */
        PolicyNode nodes[] = {
                make_node(0, 0, 1000, 500, mask_of(1, 1), mask_of(2, 1, 2)),
                make_node(1, 1, 1000, 500, mask_of(1, 2), mask_of(1, 2)),
                make_node(2, 2, 1000, 500, NODEMASK_EMPTY, NODEMASK_EMPTY),
        };
        PolicyRegion regions[] = {
                /* Hot, 30 MiB already fast: only the 20 below move. */
                {.start = 0x10000000,
                 .end = 0x13200000,
                 .nr_accesses = 20,
                 .age = 100,
                 ON({1, 20 * MiB}, {0, 30 * MiB})},
                /* Hot on both slower tiers: one move per node, in node order. */
                {.start = 0x20000000,
                 .end = 0x20f00000,
                 .nr_accesses = 19,
                 .age = 100,
                 ON({2, 5 * MiB}, {1, 10 * MiB})},
        };
        PolicyWorkload w = make_workload(10, 0, regions, 2);
        _cleanup_(policy_plan_freep) PolicyPlan *p = plan_or_die(nodes, 3, &w, 1, 100 * SEC, NULL);

        ASSERT_MOVES(p, {10, 0x10000000, 1, 0, POLICY_REASON_HOT, 20 * MiB},
                     {10, 0x20000000, 1, 0, POLICY_REASON_HOT, 10 * MiB},
                     {10, 0x20000000, 2, 0, POLICY_REASON_HOT, 5 * MiB});
        ASSERT_EQ(summary_of(p, 0)->promote_bytes, 35 * MiB);
        ASSERT_EQ(summary_of(p, 1)->free_bytes, 530 * MiB);
        ASSERT_EQ(summary_of(p, 2)->free_bytes, 505 * MiB);
}

TEST(mixed_cold_region_demotes_its_fast_part)
{
        PolicyNode nodes[] = TWO_TIERS(10, 1000);
        PolicyRegion regions[] = {
                {.start = 0x10000000,
                 .end = 0x13200000,
                 .nr_accesses = 0,
                 .age = 100,
                 ON({0, 10 * MiB}, {1, 40 * MiB})},
                {.start = 0x20000000, .end = 0x23200000, .nr_accesses = 0, .age = 50, ON({0, 50 * MiB})},
        };
        PolicyWorkload w = make_workload(10, 0, regions, 2);
        _cleanup_(policy_plan_freep) PolicyPlan *p = plan_or_die(nodes, 2, &w, 1, 100 * SEC, NULL);

        ASSERT_MOVES(p, {10, 0x10000000, 0, 1, POLICY_REASON_PRESSURE, 10 * MiB},
                     {10, 0x20000000, 0, 1, POLICY_REASON_PRESSURE, 20 * MiB});
}

TEST(three_tiers_cascade_within_a_cycle)
{
        PolicyNode nodes[] = {
                make_node(0, 0, 1000, 10, mask_of(1, 1), mask_of(2, 1, 2)),
                make_node(1, 1, 1000, 10, mask_of(1, 2), mask_of(1, 2)),
                make_node(2, 2, 1000, 500, NODEMASK_EMPTY, NODEMASK_EMPTY),
        };
        PolicyRegion regions[] = {
                {.start = 0x10000000, .end = 0x14000000, .nr_accesses = 0, .age = 100, ON({0, 64 * MiB})},
                {.start = 0x20000000, .end = 0x24000000, .nr_accesses = 0, .age = 100, ON({1, 64 * MiB})},
        };
        PolicyWorkload w = make_workload(10, 0, regions, 2);
        _cleanup_(policy_plan_freep) PolicyPlan *p = plan_or_die(nodes, 3, &w, 1, 100 * SEC, NULL);

        /* Node 1 first (30 MiB to node 2, up to its high 40); node 0 then fills node 1 down to its floor of 20
         * and sends the last 10 to the fallback. */
        ASSERT_MOVES(p, {10, 0x20000000, 1, 2, POLICY_REASON_PRESSURE, 30 * MiB},
                     {10, 0x10000000, 0, 1, POLICY_REASON_PRESSURE, 20 * MiB},
                     {10, 0x10000000, 0, 2, POLICY_REASON_PRESSURE, 10 * MiB});
}

TEST(nothing_to_place)
{
        PolicyRegion regions[] = {
                {.start = 0x10000000, .end = 0x11000000, .nr_accesses = 20, .age = 100, ON({0, 16 * MiB})},
        };
        PolicyWorkload w = make_workload(10, 0, regions, 1);
        PolicyNode single[] = {make_node(0, 0, 1000, 0, NODEMASK_EMPTY, NODEMASK_EMPTY)};
        /* Two sockets of DRAM and nothing slower: one tier, even with a (bogus) demotion mask. */
        PolicyNode sockets[] = {
                make_node(0, 0, 1000, 0, mask_of(1, 1), mask_of(1, 1)),
                make_node(1, 0, 1000, 0, NODEMASK_EMPTY, NODEMASK_EMPTY),
        };
        /* A slower node without memory is no tier. */
        PolicyNode memoryless[] = {
                make_node(0, 0, 1000, 0, mask_of(1, 1), mask_of(1, 1)),
                make_node(1, 1, 0, 0, NODEMASK_EMPTY, NODEMASK_EMPTY),
        };
        PolicyNode two[] = TWO_TIERS(10, 1000);
        _cleanup_(policy_plan_freep) PolicyPlan *a = plan_or_die(single, 1, &w, 1, 100 * SEC, NULL);
        _cleanup_(policy_plan_freep) PolicyPlan *b = plan_or_die(sockets, 2, &w, 1, 100 * SEC, NULL);
        _cleanup_(policy_plan_freep) PolicyPlan *c = plan_or_die(memoryless, 2, &w, 1, 100 * SEC, NULL);
        _cleanup_(policy_plan_freep) PolicyPlan *d = plan_or_die(NULL, 0, &w, 1, 100 * SEC, NULL);
        _cleanup_(policy_plan_freep) PolicyPlan *e = plan_or_die(two, 2, NULL, 0, 100 * SEC, NULL);

        ASSERT_EQ(a->outcome, POLICY_OUTCOME_ONE_TIER);
        ASSERT_EQ(a->n_moves, 0);
        ASSERT_EQ(a->n_nodes, 1);
        ASSERT_EQ(b->outcome, POLICY_OUTCOME_ONE_TIER);
        ASSERT_EQ(b->n_moves, 0);
        ASSERT_EQ(c->outcome, POLICY_OUTCOME_ONE_TIER);
        ASSERT_EQ(summary_of(c, 1)->notes, POLICY_NOTE_NO_MEMORY);
        ASSERT_EQ(d->outcome, POLICY_OUTCOME_ONE_TIER);
        ASSERT_EQ(d->n_nodes, 0);
        ASSERT_EQ(e->outcome, POLICY_OUTCOME_NO_WORKLOADS);
        ASSERT_EQ(e->n_moves, 0);
        ASSERT_EQ(summary_of(e, 0)->free_bytes, 10 * MiB);
        ASSERT_TRUE(policy_plan_find_node(e, 2) == NULL);
}

TEST(node_without_memory)
{
        /* Node 2 is a CPU-only node that a bogus mask names as node 0's preferred target. */
        PolicyNode nodes[] = {
                make_node(0, 0, 1000, 10, mask_of(1, 2), mask_of(2, 1, 2)),
                make_node(1, 1, 1000, 500, NODEMASK_EMPTY, NODEMASK_EMPTY),
                make_node(2, 1, 0, 0, NODEMASK_EMPTY, NODEMASK_EMPTY),
        };
        PolicyRegion regions[] = {
                /* Bytes on the memoryless node and on one not in the input are left alone. */
                {.start = 0x10000000,
                 .end = 0x14000000,
                 .nr_accesses = 0,
                 .age = 100,
                 ON({2, 16 * MiB}, {9, 16 * MiB}, {0, 32 * MiB})},
        };
        PolicyWorkload w = make_workload(10, 0, regions, 1);
        _cleanup_(policy_plan_freep) PolicyPlan *p = plan_or_die(nodes, 3, &w, 1, 100 * SEC, NULL);

        ASSERT_MOVES(p, {10, 0x10000000, 0, 1, POLICY_REASON_PRESSURE, 30 * MiB});
        ASSERT_EQ(summary_of(p, 2)->notes, POLICY_NOTE_NO_MEMORY);
        ASSERT_EQ(p->outcome, POLICY_OUTCOME_MOVES);
}

TEST(demotion_target_must_be_slower)
{
        /* A mask that names a node of the same tier (or a faster one) is not followed. */
        PolicyNode nodes[] = {
                make_node(0, 0, 1000, 10, mask_of(1, 3), mask_of(2, 1, 3)),
                make_node(1, 1, 1000, 500, NODEMASK_EMPTY, NODEMASK_EMPTY),
                make_node(3, 0, 1000, 900, NODEMASK_EMPTY, NODEMASK_EMPTY),
        };
        PolicyRegion regions[] = {
                {.start = 0x10000000, .end = 0x14000000, .nr_accesses = 0, .age = 100, ON({0, 64 * MiB})},
        };
        PolicyWorkload w = make_workload(10, 0, regions, 1);
        _cleanup_(policy_plan_freep) PolicyPlan *p = plan_or_die(nodes, 3, &w, 1, 100 * SEC, NULL);

        ASSERT_MOVES(p, {10, 0x10000000, 0, 1, POLICY_REASON_PRESSURE, 30 * MiB});
}

TEST(free_above_total_is_total)
{
        PolicyNode nodes[] = TWO_TIERS(3000, 1000);
        PolicyRegion regions[] = {
                {.start = 0x10000000, .end = 0x50000000, .nr_accesses = 20, .age = 100, ON({1, 1024 * MiB})},
        };
        PolicyWorkload w = make_workload(10, 0, regions, 1);
        PolicyParams params = policy_params_default();
        params.budget_bytes = 2048 * MiB;
        _cleanup_(policy_plan_freep) PolicyPlan *p = plan_or_die(nodes, 2, &w, 1, 100 * SEC, &params);

        /* A racy read of 3000 MiB free of 1000 counts as 1000: 960 above high. */
        ASSERT_MOVES(p, {10, 0x10000000, 1, 0, POLICY_REASON_HOT, 960 * MiB});
}

TEST(pressure_within_budget)
{
        PolicyNode nodes[] = TWO_TIERS(10, 1000);
        PolicyRegion regions[] = {
                {.start = 0x10000000, .end = 0x11000000, .nr_accesses = 0, .age = 100, ON({0, 16 * MiB})},
                {.start = 0x11000000, .end = 0x12000000, .nr_accesses = 0, .age = 90, ON({0, 16 * MiB})},
        };
        PolicyWorkload w = make_workload(10, 0, regions, 2);
        PolicyParams params = policy_params_default();
        params.budget_bytes = 20 * MiB;
        _cleanup_(policy_plan_freep) PolicyPlan *p = plan_or_die(nodes, 2, &w, 1, 100 * SEC, &params);

        /* 30 MiB wanted, 20 allowed: 16 and 4. */
        ASSERT_MOVES(p, {10, 0x10000000, 0, 1, POLICY_REASON_PRESSURE, 16 * MiB},
                     {10, 0x11000000, 0, 1, POLICY_REASON_PRESSURE, 4 * MiB});
        ASSERT_EQ(p->budget_left, 0);
        ASSERT_EQ(summary_of(p, 0)->notes, POLICY_NOTE_BELOW_LOW | POLICY_NOTE_BUDGET);
}

TEST(fallback_only_targets)
{
        /* No preferred target, as for a node whose next tier is empty of memory: the fallback mask serves. */
        PolicyNode nodes[] = {
                make_node(0, 0, 1000, 10, NODEMASK_EMPTY, mask_of(1, 1)),
                make_node(1, 1, 1000, 500, NODEMASK_EMPTY, NODEMASK_EMPTY),
        };
        PolicyRegion regions[] = {
                {.start = 0x10000000, .end = 0x14000000, .nr_accesses = 0, .age = 100, ON({0, 64 * MiB})},
        };
        PolicyWorkload w = make_workload(10, 0, regions, 1);
        _cleanup_(policy_plan_freep) PolicyPlan *p = plan_or_die(nodes, 2, &w, 1, 100 * SEC, NULL);

        ASSERT_MOVES(p, {10, 0x10000000, 0, 1, POLICY_REASON_PRESSURE, 30 * MiB});
}

TEST(nodes_without_targets_keep_no_watermarks)
{
        /* The slowest node is below its low watermark, and node 0's masks name only a node without memory:
         * neither has anywhere to demote to, so neither is managed. */
        PolicyNode nodes[] = {
                make_node(0, 0, 1000, 10, mask_of(1, 2), mask_of(1, 2)),
                make_node(1, 1, 1000, 10, NODEMASK_EMPTY, NODEMASK_EMPTY),
                make_node(2, 1, 0, 0, NODEMASK_EMPTY, NODEMASK_EMPTY),
        };
        PolicyRegion regions[] = {
                {.start = 0x10000000, .end = 0x14000000, .nr_accesses = 0, .age = 100, ON({0, 64 * MiB})},
                {.start = 0x20000000, .end = 0x24000000, .nr_accesses = 0, .age = 100, ON({1, 64 * MiB})},
        };
        PolicyWorkload w = make_workload(10, 0, regions, 2);
        _cleanup_(policy_plan_freep) PolicyPlan *p = plan_or_die(nodes, 3, &w, 1, 100 * SEC, NULL);

        ASSERT_EQ(p->n_moves, 0);
        ASSERT_EQ(summary_of(p, 0)->notes, 0);
        ASSERT_EQ(summary_of(p, 1)->notes, 0);
        /* A node without memory alone blocks nothing. */
        ASSERT_EQ(summary_of(p, 2)->notes, POLICY_NOTE_NO_MEMORY);
        ASSERT_EQ(p->outcome, POLICY_OUTCOME_BALANCED);
}

TEST(bytes_on_memoryless_node_stay)
{
        PolicyNode nodes[] = {
                make_node(0, 0, 1000, 500, mask_of(1, 1), mask_of(1, 1)),
                make_node(1, 1, 1000, 500, NODEMASK_EMPTY, NODEMASK_EMPTY),
                make_node(2, 1, 0, 0, NODEMASK_EMPTY, NODEMASK_EMPTY),
        };
        PolicyRegion regions[] = {
                {.start = 0x10000000,
                 .end = 0x11800000,
                 .nr_accesses = 20,
                 .age = 100,
                 ON({2, 16 * MiB}, {1, 8 * MiB})},
        };
        PolicyWorkload w = make_workload(10, 0, regions, 1);
        _cleanup_(policy_plan_freep) PolicyPlan *p = plan_or_die(nodes, 3, &w, 1, 100 * SEC, NULL);

        ASSERT_MOVES(p, {10, 0x10000000, 1, 0, POLICY_REASON_HOT, 8 * MiB});
}

TEST(never_moved_early_after_boot)
{
        /* A monotonic clock 1 s after boot is under the 5 s residency: 0 still means never moved. */
        PolicyNode nodes[] = TWO_TIERS(500, 1000);
        PolicyRegion regions[] = {
                {.start = 0x10000000, .end = 0x11000000, .nr_accesses = 20, .age = 10, ON({1, 16 * MiB})},
        };
        PolicyWorkload w = make_workload(10, 0, regions, 1);
        _cleanup_(policy_plan_freep) PolicyPlan *p = plan_or_die(nodes, 2, &w, 1, 1 * SEC, NULL);

        ASSERT_MOVES(p, {10, 0x10000000, 1, 0, POLICY_REASON_HOT, 16 * MiB});
}

TEST(free_memory_saturates)
{
        PolicyNode nodes[] = {
                make_node(0, 0, 1000, 500, mask_of(1, 1), mask_of(1, 1)),
                {.id = 1, .tier_rank = 1, .total_bytes = UINT64_MAX, .free_bytes = UINT64_MAX},
        };
        PolicyRegion regions[] = {
                {.start = 0x10000000, .end = 0x11000000, .nr_accesses = 20, .age = 10, ON({1, 16 * MiB})},
        };
        PolicyWorkload w = make_workload(10, 0, regions, 1);
        _cleanup_(policy_plan_freep) PolicyPlan *p = plan_or_die(nodes, 2, &w, 1, 100 * SEC, NULL);

        ASSERT_EQ(p->n_moves, 1);
        ASSERT_TRUE(summary_of(p, 1)->free_bytes == UINT64_MAX);
}

TEST(huge_numbers)
{
        /* Hand arithmetic: UINT64_MAX = 18446744073709551615 = 18446744073709551 * 1000 + 615, so
         * 2% is 18446744073709551 * 20 + 615 * 20 / 1000 = 368934881474191032 and
         * 4% is 18446744073709551 * 40 + 615 * 40 / 1000 = 737869762948382064. */
        const uint64_t low = UINT64_C(368934881474191032), high = UINT64_C(737869762948382064);
        PolicyNode nodes[] = {
                {.id = 0,
                 .tier_rank = 0,
                 .top_tier = true,
                 .total_bytes = UINT64_MAX,
                 .free_bytes = 0,
                 .demote_preferred = mask_of(1, 1)},
                {.id = 1, .tier_rank = 1, .total_bytes = UINT64_MAX, .free_bytes = UINT64_MAX},
        };
        /* Unaccessed for 2^31 aggregations of 2^33 us: 2^64 us, which must not wrap to 0 (unsettled). */
        PolicyRegion cold[] = {
                {.start = 0, .end = UINT64_C(1) << 63, .nr_accesses = 0, .age = UINT32_C(1) << 31, ON({0, UINT64_MAX})},
        };
        /* max_nr_accesses near 2^32: nr * 1000 needs 64 bits; (2^32 - 2) * 1000 / (2^32 - 1) = 999. */
        PolicyRegion hot[] = {
                {.start = 0, .end = UINT64_MAX, .nr_accesses = UINT32_MAX - 1, .age = 1, ON({1, UINT64_MAX})},
        };
        PolicyWorkload w[] = {make_workload(1, 0, cold, 1), make_workload(2, 0, hot, 1)};
        PolicyParams params = policy_params_default();
        uint64_t after_pressure = UINT64_MAX - high, pair;

        w[0].aggr_interval_usec = UINT64_C(1) << 33;
        w[1].max_nr_accesses = UINT32_MAX;
        params.budget_bytes = UINT64_MAX;
        params.min_residency_usec = UINT64_MAX;
        _cleanup_(policy_plan_freep) PolicyPlan *p = plan_or_die(nodes, 2, w, 2, UINT64_MAX, &params);

        /* Pressure: 0 free of UINT64_MAX, up to high.  The exchange then spends half of what is left of the
         * budget each way; node 1 has room for it above its own 2%. */
        pair = after_pressure / 2;
        ASSERT_TRUE(after_pressure - low > pair); /* node 1's room above its floor */
        ASSERT_EQ(p->n_moves, 3);
        ASSERT_EQ(p->moves[0].reason, POLICY_REASON_PRESSURE);
        ASSERT_TRUE(p->moves[0].bytes == high);
        ASSERT_EQ(p->moves[1].reason, POLICY_REASON_DISPLACED);
        ASSERT_TRUE(p->moves[1].bytes == pair);
        ASSERT_EQ(p->moves[2].reason, POLICY_REASON_EXCHANGE);
        ASSERT_EQ(p->moves[2].pid, 2);
        ASSERT_TRUE(p->moves[2].bytes == pair);
        ASSERT_TRUE(p->budget_left == after_pressure - 2 * pair);
        ASSERT_TRUE(summary_of(p, 0)->free_bytes == high);
        ASSERT_TRUE(summary_of(p, 1)->free_bytes == after_pressure);
}

TEST(params_validate)
{
        static const struct {
                const char *field;
                uint64_t value;
                const char *bad; /* NULL: valid */
        } cases[] = {
                {"free_low_permille", 0, "free_low_permille"},
                {"free_low_permille", 1, NULL},
                {"free_low_permille", 40, "free_low_permille"}, /* no gap to the high one */
                {"free_low_permille", 39, NULL},
                {"free_high_permille", 500, NULL},
                {"free_high_permille", 501, "free_high_permille"},
                {"free_high_permille", 20, "free_low_permille"},
                {"budget_bytes", 4095, "budget_bytes"},
                {"budget_bytes", 4096, NULL},
                {"budget_bytes", UINT64_MAX, NULL},
                {"promote_min_permille", 0, "promote_min_permille"},
                {"promote_min_permille", 1000, NULL},
                {"promote_min_permille", 1001, "promote_min_permille"},
                {"hotter_margin_permille", 0, "hotter_margin_permille"},
                {"hotter_margin_permille", 1000, NULL},
                {"hotter_margin_permille", 1001, "hotter_margin_permille"},
                {"min_residency_usec", 0, NULL},
                {"stable_min_usec", 0, NULL},
        };
        PolicyParams d = policy_params_default();
        const char *bad = "unset";

        ASSERT_OK(policy_params_validate(&d, &bad));
        ASSERT_TRUE(bad == NULL);
        /* The defaults, as documented. */
        ASSERT_EQ(d.free_low_permille, 20);
        ASSERT_EQ(d.free_high_permille, 40);
        ASSERT_EQ(d.min_residency_usec, 5 * SEC);
        ASSERT_EQ(d.budget_bytes, 256 * MiB);
        ASSERT_EQ(d.promote_min_permille, 50);
        ASSERT_EQ(d.hotter_margin_permille, 200);
        ASSERT_EQ(d.stable_min_usec, 1 * SEC);

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                PolicyParams p = policy_params_default();

                if (strcmp(cases[i].field, "free_low_permille") == 0)
                        p.free_low_permille = (uint32_t)cases[i].value;
                else if (strcmp(cases[i].field, "free_high_permille") == 0)
                        p.free_high_permille = (uint32_t)cases[i].value;
                else if (strcmp(cases[i].field, "budget_bytes") == 0)
                        p.budget_bytes = cases[i].value;
                else if (strcmp(cases[i].field, "promote_min_permille") == 0)
                        p.promote_min_permille = (uint32_t)cases[i].value;
                else if (strcmp(cases[i].field, "hotter_margin_permille") == 0)
                        p.hotter_margin_permille = (uint32_t)cases[i].value;
                else if (strcmp(cases[i].field, "min_residency_usec") == 0)
                        p.min_residency_usec = cases[i].value;
                else
                        p.stable_min_usec = cases[i].value;

                bad = "unset";
                if (!cases[i].bad) {
                        ASSERT_OK(policy_params_validate(&p, &bad));
                        ASSERT_TRUE(bad == NULL);
                        continue;
                }
                ASSERT_EQ(policy_params_validate(&p, &bad), -EINVAL);
                ASSERT_STREQ(bad, cases[i].bad);
                ASSERT_EQ(policy_params_validate(&p, NULL), -EINVAL);
        }
}

TEST(plan_refuses_bad_params)
{
        PolicyNode nodes[] = TWO_TIERS(10, 1000);
        PolicyInput in = {.nodes = nodes, .n_nodes = 2};
        PolicyParams params = policy_params_default();
        PolicyPlan *p = NULL;

        params.free_high_permille = params.free_low_permille;
        ASSERT_EQ(policy_plan(&in, &params, &p), -EINVAL);
        ASSERT_TRUE(p == NULL);
}

TEST(plan_refuses_bad_input)
{
        enum {
                DUPLICATE_NODE,
                NODE_OUT_OF_RANGE,
                DUPLICATE_PID,
                PID_ZERO,
                MAX_NR_ZERO,
                AGGR_ZERO,
                EMPTY_REGION,
                OVERLAPPING,
                OUT_OF_ORDER,
                NODE_TWICE_IN_REGION,
                _CASES,
        };
        for (int c = 0; c < _CASES; c++) {
                PolicyNode nodes[] = TWO_TIERS(10, 1000);
                PolicyNodeBytes twice[] = {{0, MiB}, {0, MiB}};
                PolicyRegion regions[] = {
                        {.start = 0x10000000, .end = 0x11000000, ON({0, MiB})},
                        {.start = 0x11000000, .end = 0x12000000, ON({0, MiB})},
                };
                PolicyWorkload w[] = {make_workload(10, 0, regions, 2), make_workload(20, 0, NULL, 0),
                                      make_workload(30, 0, NULL, 0)};
                PolicyInput in = {.nodes = nodes, .n_nodes = 2, .workloads = w, .n_workloads = ELEMENTSOF(w)};
                PolicyParams params = policy_params_default();
                PolicyPlan *p = NULL;

                switch (c) {
                case DUPLICATE_NODE:
                        nodes[1].id = 0;
                        break;
                case NODE_OUT_OF_RANGE:
                        nodes[1].id = NODEMASK_MAX;
                        break;
                case DUPLICATE_PID: /* not next to each other */
                        w[2].pid = 10;
                        break;
                case PID_ZERO:
                        w[1].pid = 0;
                        break;
                case MAX_NR_ZERO:
                        w[0].max_nr_accesses = 0;
                        break;
                case AGGR_ZERO:
                        w[0].aggr_interval_usec = 0;
                        break;
                case EMPTY_REGION:
                        regions[1].end = regions[1].start;
                        break;
                case OVERLAPPING:
                        regions[1].start = 0x10ffffff;
                        break;
                case OUT_OF_ORDER:
                        regions[0].start = 0x12000000;
                        regions[0].end = 0x13000000;
                        break;
                case NODE_TWICE_IN_REGION:
                        regions[1].nodes = twice;
                        regions[1].n_nodes = 2;
                        break;
                }
                if (policy_plan(&in, &params, &p) != -EINVAL) {
                        fprintf(stderr, "case %d accepted\n", c);
                        ASSERT_TRUE(false);
                }
                ASSERT_TRUE(p == NULL);
        }
}

TEST(budget_from_rate)
{
        static const struct {
                uint64_t mibps, interval_usec, bytes;
                int r;
        } cases[] = {
                {256, 1000000, 268435456, 0},
                {100, 1500000, 157286400, 0}, /* 104857600 * 1.5 */
                {1, 1, 1, 0},                 /* 1048576 / 10^6, rounded down */
                {1, 999999, 1048574, 0},      /* 1048576 * 0.999999 = 1048574.95 */
                {3, 2500001, 7864323, 0},     /* 3145728 * 2.500001 = 7864323.145728 */
                {0, 1000000, 0, 0},
                {UINT64_MAX >> 20, 1000000, (UINT64_MAX >> 20) << 20, 0},
                {(UINT64_MAX >> 20) + 1, 1, 0, -ERANGE},
                {UINT64_MAX >> 20, 2000000, 0, -ERANGE},
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                uint64_t bytes = 0;
                int r = policy_budget_from_rate(cases[i].mibps, cases[i].interval_usec, &bytes);

                ASSERT_EQ(r, cases[i].r);
                if (r == 0 && bytes != cases[i].bytes) {
                        fprintf(stderr, "case %zu: %" PRIu64 "\n", i, bytes);
                        ASSERT_TRUE(false);
                }
        }
}

TEST(names)
{
        ASSERT_STREQ(policy_direction_to_string(POLICY_PROMOTE), "promote");
        ASSERT_STREQ(policy_direction_to_string(POLICY_DEMOTE), "demote");
        ASSERT_TRUE(policy_direction_to_string(_POLICY_DIRECTION_MAX) == NULL);
        ASSERT_STREQ(policy_move_reason_to_string(POLICY_REASON_PRESSURE), "pressure");
        ASSERT_STREQ(policy_move_reason_to_string(POLICY_REASON_DISPLACED), "displaced");
        ASSERT_STREQ(policy_move_reason_to_string(POLICY_REASON_HOT), "hot");
        ASSERT_STREQ(policy_move_reason_to_string(POLICY_REASON_EXCHANGE), "exchange");
        ASSERT_TRUE(policy_move_reason_to_string(_POLICY_REASON_MAX) == NULL);
        ASSERT_STREQ(policy_note_to_string(POLICY_NOTE_BELOW_LOW), "below-low");
        ASSERT_STREQ(policy_note_to_string(POLICY_NOTE_TARGETS_FULL), "targets-full");
        ASSERT_STREQ(policy_note_to_string(POLICY_NOTE_NO_VICTIM), "no-victim");
        ASSERT_STREQ(policy_note_to_string(POLICY_NOTE_RESIDENCY), "residency");
        ASSERT_STREQ(policy_note_to_string(POLICY_NOTE_UNSETTLED), "unsettled");
        ASSERT_STREQ(policy_note_to_string(POLICY_NOTE_NO_COLDER), "no-colder");
        ASSERT_STREQ(policy_note_to_string(POLICY_NOTE_BUDGET), "budget");
        ASSERT_STREQ(policy_note_to_string(POLICY_NOTE_NO_MEMORY), "no-memory");
        ASSERT_TRUE(policy_note_to_string(POLICY_NOTE_BELOW_LOW | POLICY_NOTE_BUDGET) == NULL);
        ASSERT_TRUE(policy_note_to_string(_POLICY_NOTE_ALL + 1) == NULL);
        ASSERT_STREQ(policy_outcome_to_string(POLICY_OUTCOME_MOVES), "moves");
        ASSERT_STREQ(policy_outcome_to_string(POLICY_OUTCOME_ONE_TIER), "one-tier");
        ASSERT_STREQ(policy_outcome_to_string(POLICY_OUTCOME_NO_WORKLOADS), "no-workloads");
        ASSERT_STREQ(policy_outcome_to_string(POLICY_OUTCOME_BALANCED), "balanced");
        ASSERT_STREQ(policy_outcome_to_string(POLICY_OUTCOME_BLOCKED), "blocked");
        ASSERT_TRUE(policy_outcome_to_string(_POLICY_OUTCOME_MAX) == NULL);
}

TEST(nodes_from_snapshot)
{
        /* DRAM node 0 (tier 4), node 1 overridden into tier 22, node 2 into tier 86, node 3 with CPUs only. */
        static const TierOverride overrides[] = {{.node = 1, .by_tier = true, .value = 22},
                                                 {.node = 2, .by_tier = true, .value = 86}};
        TierOptions options = {.overrides = overrides, .n_overrides = ELEMENTSOF(overrides)};
        Topology *t = topology_new();
        _cleanup_(snapshot_unrefp) Snapshot *s = NULL;
        _cleanup_free_ PolicyNode *nodes = NULL;
        size_t n = 0;

        ASSERT_TRUE(t);
        add_node(t, 0, true, true)->mem_free_kb = 512 * 1024;
        add_node(t, 1, false, true);
        add_node(t, 2, false, true)->mem_total_kb = UINT64_MAX / 512;
        add_node(t, 3, true, false);
        ASSERT_OK(snapshot_new(t, &options, &s));
        ASSERT_OK(policy_nodes_from_snapshot(s, &nodes, &n));

        ASSERT_EQ(n, 4);
        ASSERT_EQ(nodes[0].id, 0);
        ASSERT_EQ(nodes[0].tier_rank, 0);
        ASSERT_TRUE(nodes[0].top_tier);
        ASSERT_EQ(nodes[0].total_bytes, GiB);
        ASSERT_EQ(nodes[0].free_bytes, 512 * MiB);
        ASSERT_TRUE(nodemask_equal(&nodes[0].demote_preferred, &(NodeMask){{0x2}}));
        ASSERT_TRUE(nodemask_equal(&nodes[0].demote_fallback, &(NodeMask){{0x6}}));
        ASSERT_EQ(nodes[1].tier_rank, 1); /* the second tier, whatever its id */
        ASSERT_TRUE(!nodes[1].top_tier);
        ASSERT_TRUE(nodemask_equal(&nodes[1].demote_preferred, &(NodeMask){{0x4}}));
        ASSERT_EQ(nodes[2].tier_rank, 2);
        ASSERT_TRUE(nodes[2].total_bytes == UINT64_MAX); /* kB * 1024 capped */
        ASSERT_EQ(nodes[3].id, 3);
        ASSERT_EQ(nodes[3].total_bytes, 0);
        ASSERT_EQ(nodes[3].tier_rank, 0);
        ASSERT_TRUE(nodemask_empty(&nodes[3].demote_fallback));
}

TESTS_MAIN(TEST_ENTRY(order_ties_by_pid_then_address), TEST_ENTRY(order_coldest_ties_by_pid),
           TEST_ENTRY(heat_is_capped_at_the_maximum), TEST_ENTRY(mixed_regions_move_only_what_needs_moving),
           TEST_ENTRY(mixed_cold_region_demotes_its_fast_part), TEST_ENTRY(three_tiers_cascade_within_a_cycle),
           TEST_ENTRY(nothing_to_place), TEST_ENTRY(node_without_memory), TEST_ENTRY(demotion_target_must_be_slower),
           TEST_ENTRY(free_above_total_is_total), TEST_ENTRY(pressure_within_budget), TEST_ENTRY(fallback_only_targets),
           TEST_ENTRY(nodes_without_targets_keep_no_watermarks), TEST_ENTRY(bytes_on_memoryless_node_stay),
           TEST_ENTRY(never_moved_early_after_boot), TEST_ENTRY(free_memory_saturates), TEST_ENTRY(huge_numbers),
           TEST_ENTRY(params_validate), TEST_ENTRY(plan_refuses_bad_params), TEST_ENTRY(plan_refuses_bad_input),
           TEST_ENTRY(budget_from_rate), TEST_ENTRY(names), TEST_ENTRY(nodes_from_snapshot))
