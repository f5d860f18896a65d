/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The placement policy on hand-built nodes and regions: pressure demotion, promotion, the exchange, hysteresis and
 * residency, two sockets.  Sizes are whole MiB and nodes of 1000 MiB, so that the watermarks (2% / 4% by
 * default) are 20 and 40 MiB; every expected figure is worked out in the comment above it. */
#include "policy-builder.h"

/* Node 0: fast, 1000 MiB; node 1: the slow tier below it, 2000 MiB (low watermark 40 MiB). */
#define TWO_TIERS(free0, free1)                                                                                        \
        {                                                                                                              \
                make_node(0, 0, 1000, (free0), mask_of(1, 1), mask_of(1, 1)),                                          \
                        make_node(1, 1, 2000, (free1), NODEMASK_EMPTY, NODEMASK_EMPTY),                                \
        }

TEST(pressure_demotes_coldest_until_high)
{
        PolicyNode nodes[] = TWO_TIERS(10, 1000);
        PolicyRegion regions[] = {
                {.start = 0x10000000, .end = 0x11000000, .nr_accesses = 0, .age = 10, ON({0, 16 * MiB})},
                {.start = 0x11000000, .end = 0x12000000, .nr_accesses = 0, .age = 30, ON({0, 16 * MiB})},
                {.start = 0x12000000, .end = 0x13000000, .nr_accesses = 2, .age = 100, ON({0, 16 * MiB})},
                {.start = 0x13000000, .end = 0x14000000, .nr_accesses = 1, .age = 5, ON({0, 16 * MiB})},
        };
        PolicyWorkload w = make_workload(100, 0, regions, ELEMENTSOF(regions));
        _cleanup_(policy_plan_freep) PolicyPlan *p = plan_or_die(nodes, 2, &w, 1, 100 * SEC, NULL);

        /* Free 10 < low 20: up to high 40, 30 MiB.  Not accessed, oldest first (age 30, then 10); the accessed
         * ones (nr 1 and 2) stay. */
        ASSERT_MOVES(p, {100, 0x11000000, 0, 1, POLICY_REASON_PRESSURE, 16 * MiB},
                     {100, 0x10000000, 0, 1, POLICY_REASON_PRESSURE, 14 * MiB});
        ASSERT_EQ(p->moves[0].end, 0x12000000);
        ASSERT_EQ(p->outcome, POLICY_OUTCOME_MOVES);
        ASSERT_EQ(summary_of(p, 0)->demote_bytes, 30 * MiB);
        ASSERT_EQ(summary_of(p, 0)->free_bytes, 40 * MiB);
        ASSERT_EQ(summary_of(p, 0)->notes, POLICY_NOTE_BELOW_LOW);
        ASSERT_EQ(summary_of(p, 1)->free_bytes, 970 * MiB);
        ASSERT_EQ(p->budget_left, 226 * MiB);
}

TEST(pressure_least_accessed_after_unaccessed)
{
        PolicyNode nodes[] = TWO_TIERS(0, 1000);
        PolicyRegion regions[] = {
                {.start = 0x10000000, .end = 0x11000000, .nr_accesses = 3, .age = 900, ON({0, 16 * MiB})},
                {.start = 0x11000000, .end = 0x12000000, .nr_accesses = 1, .age = 1, ON({0, 16 * MiB})},
                {.start = 0x12000000, .end = 0x13000000, .nr_accesses = 0, .age = 0, ON({0, 16 * MiB})},
        };
        PolicyWorkload w = make_workload(100, 0, regions, ELEMENTSOF(regions));
        _cleanup_(policy_plan_freep) PolicyPlan *p = plan_or_die(nodes, 2, &w, 1, 100 * SEC, NULL);

        /* 40 MiB to free: the unaccessed one however young, then nr 1 before nr 3 however old. */
        ASSERT_MOVES(p, {100, 0x12000000, 0, 1, POLICY_REASON_PRESSURE, 16 * MiB},
                     {100, 0x11000000, 0, 1, POLICY_REASON_PRESSURE, 16 * MiB},
                     {100, 0x10000000, 0, 1, POLICY_REASON_PRESSURE, 8 * MiB});
}

TEST(pressure_fallback_and_target_floor)
{
        /* Node 1 (preferred) has 25 MiB free over a floor of 20; node 2 (fallback only) has plenty. */
        PolicyNode nodes[] = {
                make_node(0, 0, 1000, 10, mask_of(1, 1), mask_of(2, 1, 2)),
                make_node(1, 1, 1000, 25, NODEMASK_EMPTY, NODEMASK_EMPTY),
                make_node(2, 1, 1000, 500, NODEMASK_EMPTY, NODEMASK_EMPTY),
        };
        PolicyRegion regions[] = {
                {.start = 0x10000000, .end = 0x14000000, .nr_accesses = 0, .age = 50, ON({0, 64 * MiB})},
        };
        PolicyWorkload w = make_workload(100, 0, regions, 1);
        _cleanup_(policy_plan_freep) PolicyPlan *p = plan_or_die(nodes, 3, &w, 1, 100 * SEC, NULL);

        /* 30 MiB: 5 to the preferred node, down to its floor, and 25 to the fallback one. */
        ASSERT_MOVES(p, {100, 0x10000000, 0, 1, POLICY_REASON_PRESSURE, 5 * MiB},
                     {100, 0x10000000, 0, 2, POLICY_REASON_PRESSURE, 25 * MiB});
        ASSERT_EQ(summary_of(p, 1)->free_bytes, 20 * MiB);
        ASSERT_EQ(summary_of(p, 2)->free_bytes, 475 * MiB);
}

TEST(pressure_preferred_with_most_room)
{
        static const struct {
                uint64_t free1, free2;
                unsigned target;
        } cases[] = {
                {120, 220, 2}, /* rooms 100 and 200 */
                {220, 120, 1},
                {220, 220, 1}, /* a tie goes to the lower id */
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                PolicyNode nodes[] = {
                        make_node(0, 0, 1000, 10, mask_of(2, 1, 2), mask_of(2, 1, 2)),
                        make_node(1, 1, 1000, cases[i].free1, NODEMASK_EMPTY, NODEMASK_EMPTY),
                        make_node(2, 1, 1000, cases[i].free2, NODEMASK_EMPTY, NODEMASK_EMPTY),
                };
                PolicyRegion regions[] = {
                        {.start = 0x10000000, .end = 0x14000000, .nr_accesses = 0, .age = 50, ON({0, 64 * MiB})},
                };
                PolicyWorkload w = make_workload(100, 0, regions, 1);
                _cleanup_(policy_plan_freep) PolicyPlan *p = plan_or_die(nodes, 3, &w, 1, 100 * SEC, NULL);

                ASSERT_EQ(p->n_moves, 1);
                ASSERT_EQ(p->moves[0].to_node, cases[i].target);
                ASSERT_EQ(p->moves[0].bytes, 30 * MiB);
        }
}

TEST(pressure_targets_full)
{
        /* The only target sits at its floor (40 MiB of 2000). */
        PolicyNode nodes[] = TWO_TIERS(10, 40);
        PolicyRegion regions[] = {
                {.start = 0x10000000, .end = 0x14000000, .nr_accesses = 0, .age = 50, ON({0, 64 * MiB})},
        };
        PolicyWorkload w = make_workload(100, 0, regions, 1);
        _cleanup_(policy_plan_freep) PolicyPlan *p = plan_or_die(nodes, 2, &w, 1, 100 * SEC, NULL);

        ASSERT_EQ(p->n_moves, 0);
        ASSERT_EQ(p->outcome, POLICY_OUTCOME_BLOCKED);
        ASSERT_EQ(summary_of(p, 0)->notes, POLICY_NOTE_BELOW_LOW | POLICY_NOTE_TARGETS_FULL);
        ASSERT_EQ(summary_of(p, 0)->free_bytes, 10 * MiB);
}

TEST(pressure_nothing_managed_to_demote)
{
        PolicyNode nodes[] = TWO_TIERS(10, 1000);
        PolicyRegion regions[] = {
                {.start = 0x10000000, .end = 0x10400000, .nr_accesses = 0, .age = 50, ON({0, 4 * MiB})},
                {.start = 0x10400000, .end = 0x14000000, .nr_accesses = 0, .age = 50, ON({1, 60 * MiB})},
        };
        PolicyWorkload w = make_workload(100, 0, regions, ELEMENTSOF(regions));
        _cleanup_(policy_plan_freep) PolicyPlan *p = plan_or_die(nodes, 2, &w, 1, 100 * SEC, NULL);

        /* All that is managed on node 0 is 4 MiB of the 30 wanted. */
        ASSERT_MOVES(p, {100, 0x10000000, 0, 1, POLICY_REASON_PRESSURE, 4 * MiB});
        ASSERT_EQ(summary_of(p, 0)->notes, POLICY_NOTE_BELOW_LOW | POLICY_NOTE_NO_VICTIM);
}

TEST(promote_hottest_into_free_memory)
{
        PolicyNode nodes[] = TWO_TIERS(500, 1000);
        PolicyRegion regions[] = {
                {.start = 0x10000000, .end = 0x16400000, .nr_accesses = 20, .age = 5, ON({1, 100 * MiB})},
                {.start = 0x20000000, .end = 0x26400000, .nr_accesses = 10, .age = 50, ON({1, 100 * MiB})},
                {.start = 0x30000000, .end = 0x36400000, .nr_accesses = 1, .age = 50, ON({1, 100 * MiB})},
                {.start = 0x40000000, .end = 0x52c00000, .nr_accesses = 2, .age = 100, ON({1, 300 * MiB})},
        };
        PolicyWorkload w = make_workload(100, 0, regions, ELEMENTSOF(regions));
        _cleanup_(policy_plan_freep) PolicyPlan *p = plan_or_die(nodes, 2, &w, 1, 100 * SEC, NULL);

        /* Room above high: 460 MiB; budget 256 MiB.  Hottest first (1000, 500, then 100 permille = the
         * threshold); 50 permille stays.  The budget cuts the third after 56 MiB. */
        ASSERT_MOVES(p, {100, 0x10000000, 1, 0, POLICY_REASON_HOT, 100 * MiB},
                     {100, 0x20000000, 1, 0, POLICY_REASON_HOT, 100 * MiB},
                     {100, 0x40000000, 1, 0, POLICY_REASON_HOT, 56 * MiB});
        ASSERT_EQ(p->budget_left, 0);
        ASSERT_EQ(summary_of(p, 0)->promote_bytes, 256 * MiB);
        ASSERT_EQ(summary_of(p, 0)->free_bytes, 244 * MiB);
        ASSERT_EQ(summary_of(p, 0)->notes, POLICY_NOTE_BUDGET);
        ASSERT_EQ(summary_of(p, 1)->free_bytes, 1256 * MiB);
}

TEST(promote_stops_at_high_watermark)
{
        PolicyNode nodes[] = TWO_TIERS(100, 1000);
        PolicyRegion regions[] = {
                {.start = 0x10000000, .end = 0x16400000, .nr_accesses = 20, .age = 5, ON({1, 100 * MiB})},
        };
        PolicyWorkload w = make_workload(100, 0, regions, 1);
        _cleanup_(policy_plan_freep) PolicyPlan *p = plan_or_die(nodes, 2, &w, 1, 100 * SEC, NULL);

        /* 100 - 40 = 60 MiB of room; nothing on node 0 to displace for the rest. */
        ASSERT_MOVES(p, {100, 0x10000000, 1, 0, POLICY_REASON_HOT, 60 * MiB});
        ASSERT_EQ(summary_of(p, 0)->free_bytes, 40 * MiB);
        ASSERT_EQ(summary_of(p, 0)->notes, POLICY_NOTE_NO_COLDER);
}

TEST(promote_destination_without_home)
{
        static const struct {
                int home;
                uint64_t free0, free1;
                unsigned destination;
        } cases[] = {
                {-1, 300, 400, 1}, /* the top-tier node with most free memory */
                {-1, 400, 400, 0}, /* a tie: the lower id */
                {3, 300, 400, 1},  /* a home node without memory counts as none */
                {7, 300, 400, 1},  /* nor does one that is not there */
                {0, 300, 400, 0},  /* the home node, even with less free memory */
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                PolicyNode nodes[] = {
                        make_node(0, 0, 1000, cases[i].free0, mask_of(1, 2), mask_of(1, 2)),
                        make_node(1, 0, 1000, cases[i].free1, mask_of(1, 2), mask_of(1, 2)),
                        make_node(2, 1, 2000, 1000, NODEMASK_EMPTY, NODEMASK_EMPTY),
                        make_node(3, 0, 0, 0, NODEMASK_EMPTY, NODEMASK_EMPTY),
                };
                PolicyRegion regions[] = {
                        {.start = 0x10000000, .end = 0x11000000, .nr_accesses = 20, .age = 5, ON({2, 16 * MiB})},
                };
                PolicyWorkload w = make_workload(100, cases[i].home, regions, 1);
                _cleanup_(policy_plan_freep) PolicyPlan *p = plan_or_die(nodes, 4, &w, 1, 100 * SEC, NULL);

                ASSERT_EQ(p->n_moves, 1);
                ASSERT_EQ(p->moves[0].to_node, cases[i].destination);
                ASSERT_EQ(p->moves[0].bytes, 16 * MiB);
        }
}

/* The case the kernel fails: the fast node is full of formerly hot pages and a new hot set appears below. */
TEST(exchange_displaces_cold_residents)
{
        PolicyNode nodes[] = TWO_TIERS(30, 1000);
        PolicyRegion regions[] = {
                {.start = 0x10000000, .end = 0x16400000, .nr_accesses = 0, .age = 20, ON({0, 100 * MiB})},
                {.start = 0x20000000, .end = 0x26400000, .nr_accesses = 0, .age = 15, ON({0, 100 * MiB})},
                {.start = 0x30000000, .end = 0x36400000, .nr_accesses = 8, .age = 50, ON({0, 100 * MiB})},
                {.start = 0x40000000, .end = 0x49600000, .nr_accesses = 20, .age = 3, ON({1, 150 * MiB})},
        };
        PolicyWorkload w = make_workload(100, 0, regions, ELEMENTSOF(regions));
        PolicyParams params = policy_params_default();
        params.budget_bytes = 512 * MiB;
        _cleanup_(policy_plan_freep) PolicyPlan *p = plan_or_die(nodes, 2, &w, 1, 100 * SEC, &params);

        /* Free 30 MiB is between the watermarks: no room above high, so 150 MiB are exchanged.  The coldest
         * (unaccessed, 2 s unchanged) goes whole, then 50 of the next; the warm one (400 permille) stays.
         * Node 0's free memory ends where it was; the budget pays each byte twice. */
        ASSERT_MOVES(p, {100, 0x10000000, 0, 1, POLICY_REASON_DISPLACED, 100 * MiB},
                     {100, 0x20000000, 0, 1, POLICY_REASON_DISPLACED, 50 * MiB},
                     {100, 0x40000000, 1, 0, POLICY_REASON_EXCHANGE, 150 * MiB});
        ASSERT_EQ(summary_of(p, 0)->free_bytes, 30 * MiB);
        ASSERT_EQ(summary_of(p, 0)->promote_bytes, 150 * MiB);
        ASSERT_EQ(summary_of(p, 0)->demote_bytes, 150 * MiB);
        ASSERT_EQ(summary_of(p, 1)->free_bytes, 1000 * MiB);
        ASSERT_EQ(p->budget_left, 212 * MiB);
}

TEST(exchange_after_free_room)
{
        PolicyNode nodes[] = TWO_TIERS(90, 1000);
        PolicyRegion regions[] = {
                {.start = 0x10000000, .end = 0x16400000, .nr_accesses = 0, .age = 20, ON({0, 100 * MiB})},
                {.start = 0x40000000, .end = 0x49600000, .nr_accesses = 20, .age = 3, ON({1, 150 * MiB})},
        };
        PolicyWorkload w = make_workload(100, 0, regions, ELEMENTSOF(regions));
        _cleanup_(policy_plan_freep) PolicyPlan *p = plan_or_die(nodes, 2, &w, 1, 100 * SEC, NULL);

        /* 50 MiB fit above high (90 - 40); 100 more by displacing; one promotion of 150 after the demotion.
         * Budget: 50 + 2 * 100 = 250 of 256. */
        ASSERT_MOVES(p, {100, 0x10000000, 0, 1, POLICY_REASON_DISPLACED, 100 * MiB},
                     {100, 0x40000000, 1, 0, POLICY_REASON_EXCHANGE, 150 * MiB});
        ASSERT_EQ(summary_of(p, 0)->free_bytes, 40 * MiB);
        ASSERT_EQ(p->budget_left, 6 * MiB);
}

TEST(exchange_within_budget)
{
        PolicyNode nodes[] = TWO_TIERS(30, 1000);
        PolicyRegion regions[] = {
                {.start = 0x10000000, .end = 0x16400000, .nr_accesses = 0, .age = 20, ON({0, 100 * MiB})},
                {.start = 0x40000000, .end = 0x49600000, .nr_accesses = 20, .age = 3, ON({1, 150 * MiB})},
        };
        PolicyWorkload w = make_workload(100, 0, regions, ELEMENTSOF(regions));
        PolicyParams params = policy_params_default();
        params.budget_bytes = 101 * MiB;
        _cleanup_(policy_plan_freep) PolicyPlan *p = plan_or_die(nodes, 2, &w, 1, 100 * SEC, &params);

        /* 101 MiB pays for 50.5 MiB each way. */
        ASSERT_MOVES(p, {100, 0x10000000, 0, 1, POLICY_REASON_DISPLACED, 50 * MiB + MiB / 2},
                     {100, 0x40000000, 1, 0, POLICY_REASON_EXCHANGE, 50 * MiB + MiB / 2});
        ASSERT_EQ(p->budget_left, 0);
        ASSERT_EQ(summary_of(p, 0)->notes, POLICY_NOTE_BUDGET);
}

TEST(exchange_needs_clearly_hotter)
{
        static const struct {
                uint32_t candidate, victim;
                bool exchanged;
        } cases[] = {
                {10, 7, false}, /* 500 vs 350: 350 + 200 > 500 */
                {10, 6, true},  /* 500 vs 300: exactly the margin */
                {10, 0, true},
                {20, 16, true}, /* 1000 vs 800 */
                {20, 17, false},
                {3, 1, false}, /* 150 vs 50: under the margin */
                /* a settled region with no access at all gives way to anything promotable (50: one sample) */
                {2, 0, true},
                {1, 0, true},
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                PolicyNode nodes[] = TWO_TIERS(30, 1000);
                PolicyRegion regions[] = {
                        {.start = 0x10000000,
                         .end = 0x16400000,
                         .nr_accesses = cases[i].victim,
                         .age = 50,
                         ON({0, 100 * MiB})},
                        {.start = 0x40000000,
                         .end = 0x46400000,
                         .nr_accesses = cases[i].candidate,
                         .age = 50,
                         ON({1, 100 * MiB})},
                };
                PolicyWorkload w = make_workload(100, 0, regions, ELEMENTSOF(regions));
                _cleanup_(policy_plan_freep) PolicyPlan *p = plan_or_die(nodes, 2, &w, 1, 100 * SEC, NULL);

                if (!cases[i].exchanged) {
                        ASSERT_EQ(p->n_moves, 0);
                        ASSERT_EQ(p->outcome, POLICY_OUTCOME_BLOCKED);
                        ASSERT_EQ(summary_of(p, 0)->notes, POLICY_NOTE_NO_COLDER);
                        continue;
                }
                ASSERT_MOVES(p, {100, 0x10000000, 0, 1, POLICY_REASON_DISPLACED, 100 * MiB},
                             {100, 0x40000000, 1, 0, POLICY_REASON_EXCHANGE, 100 * MiB});
        }
}

TEST(exchange_skips_unsettled)
{
        PolicyNode nodes[] = TWO_TIERS(30, 1000);
        PolicyRegion regions[] = {
                /* Unaccessed for only 0.5 s (age 5): a hot region that paused, perhaps. */
                {.start = 0x10000000, .end = 0x16400000, .nr_accesses = 0, .age = 5, ON({0, 100 * MiB})},
                /* 100 permille, the same for 10 aggregations: exactly 1 s. */
                {.start = 0x20000000, .end = 0x26400000, .nr_accesses = 2, .age = 10, ON({0, 100 * MiB})},
                {.start = 0x40000000, .end = 0x43200000, .nr_accesses = 20, .age = 50, ON({1, 50 * MiB})},
        };
        PolicyWorkload w = make_workload(100, 0, regions, ELEMENTSOF(regions));
        _cleanup_(policy_plan_freep) PolicyPlan *p = plan_or_die(nodes, 2, &w, 1, 100 * SEC, NULL);

        ASSERT_MOVES(p, {100, 0x20000000, 0, 1, POLICY_REASON_DISPLACED, 50 * MiB},
                     {100, 0x40000000, 1, 0, POLICY_REASON_EXCHANGE, 50 * MiB});
        ASSERT_EQ(summary_of(p, 0)->notes, POLICY_NOTE_UNSETTLED);
}

TEST(pressure_then_refill_only_by_exchange)
{
        PolicyNode nodes[] = TWO_TIERS(10, 1000);
        PolicyRegion regions[] = {
                {.start = 0x10000000, .end = 0x13200000, .nr_accesses = 0, .age = 100, ON({0, 50 * MiB})},
                {.start = 0x20000000, .end = 0x23200000, .nr_accesses = 14, .age = 100, ON({0, 50 * MiB})},
                {.start = 0x40000000, .end = 0x43200000, .nr_accesses = 16, .age = 100, ON({1, 50 * MiB})},
        };
        PolicyWorkload w = make_workload(100, 0, regions, ELEMENTSOF(regions));
        _cleanup_(policy_plan_freep) PolicyPlan *p = plan_or_die(nodes, 2, &w, 1, 100 * SEC, NULL);

        /* Pressure takes 30 of the cold region, up to high; the hot one (800) then does not eat that headroom
         * but displaces the cold region's last 20 MiB; the 700 one is not clearly colder. */
        ASSERT_MOVES(p, {100, 0x10000000, 0, 1, POLICY_REASON_PRESSURE, 30 * MiB},
                     {100, 0x10000000, 0, 1, POLICY_REASON_DISPLACED, 20 * MiB},
                     {100, 0x40000000, 1, 0, POLICY_REASON_EXCHANGE, 20 * MiB});
        ASSERT_EQ(summary_of(p, 0)->free_bytes, 40 * MiB);
        ASSERT_EQ(summary_of(p, 0)->notes, POLICY_NOTE_BELOW_LOW | POLICY_NOTE_NO_COLDER);
}

TEST(watermark_band)
{
        static const struct {
                uint64_t free;
                uint64_t demoted;
        } cases[] = {
                {19, 21}, {20, 0}, /* at the low watermark: not below it */
                {30, 0},  {40, 0}, {0, 40},
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                PolicyNode nodes[] = TWO_TIERS(cases[i].free, 1000);
                PolicyRegion regions[] = {
                        {.start = 0x10000000, .end = 0x16400000, .nr_accesses = 0, .age = 100, ON({0, 100 * MiB})},
                        {.start = 0x40000000, .end = 0x43200000, .nr_accesses = 0, .age = 100, ON({1, 50 * MiB})},
                };
                PolicyWorkload w = make_workload(100, 0, regions, ELEMENTSOF(regions));
                _cleanup_(policy_plan_freep) PolicyPlan *p = plan_or_die(nodes, 2, &w, 1, 100 * SEC, NULL);

                ASSERT_EQ(summary_of(p, 0)->demote_bytes, cases[i].demoted * MiB);
                ASSERT_EQ(p->outcome, cases[i].demoted ? POLICY_OUTCOME_MOVES : POLICY_OUTCOME_BALANCED);
                ASSERT_EQ(summary_of(p, 0)->notes, cases[i].demoted ? POLICY_NOTE_BELOW_LOW : 0u);
        }
}

TEST(residency)
{
        static const struct {
                uint64_t free0;
                uint32_t nr_fast, nr_slow;
                uint64_t promoted, demoted; /* seconds, of the region on node 0 / on node 1 */
                uint64_t demote_mib, promote_mib;
                unsigned notes;
        } cases[] = {
                /* Pressure, the cold region on node 0 promoted 3 s ago: held. */
                {10, 0, 0, 97, 0, 0, 0, POLICY_NOTE_BELOW_LOW | POLICY_NOTE_RESIDENCY | POLICY_NOTE_NO_VICTIM},
                /* 5 s ago: the residency is over. */
                {10, 0, 0, 95, 0, 30, 0, POLICY_NOTE_BELOW_LOW},
                /* A timestamp ahead of the clock counts as just moved. */
                {10, 0, 0, 101, 0, 0, 0, POLICY_NOTE_BELOW_LOW | POLICY_NOTE_RESIDENCY | POLICY_NOTE_NO_VICTIM},
                /* Demoted 1 s ago: it may go further down. */
                {10, 0, 0, 0, 0, 30, 0, POLICY_NOTE_BELOW_LOW},
                /* The hot region on node 1 was demoted 4 s ago: not promoted back, although there is room. */
                {500, 0, 20, 0, 96, 0, 0, POLICY_NOTE_RESIDENCY},
                {500, 0, 20, 0, 95, 0, 50, 0},
                /* Exchange: the cold resident was promoted 2 s ago. */
                {30, 0, 20, 98, 0, 0, 0, POLICY_NOTE_RESIDENCY | POLICY_NOTE_NO_COLDER},
                {30, 0, 20, 90, 0, 50, 50, 0},
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                PolicyNode nodes[] = TWO_TIERS(cases[i].free0, 1000);
                PolicyRegion regions[] = {
                        {.start = 0x10000000,
                         .end = 0x16400000,
                         .nr_accesses = cases[i].nr_fast,
                         .age = 100,
                         .promoted_usec = cases[i].promoted * SEC,
                         .demoted_usec = i == 3 ? 99 * SEC : 0,
                         ON({0, 100 * MiB})},
                        {.start = 0x40000000,
                         .end = 0x43200000,
                         .nr_accesses = cases[i].nr_slow,
                         .age = 100,
                         .demoted_usec = cases[i].demoted * SEC,
                         ON({1, 50 * MiB})},
                };
                PolicyWorkload w = make_workload(100, 0, regions, ELEMENTSOF(regions));
                _cleanup_(policy_plan_freep) PolicyPlan *p = plan_or_die(nodes, 2, &w, 1, 100 * SEC, NULL);

                if (summary_of(p, 0)->demote_bytes != cases[i].demote_mib * MiB ||
                    summary_of(p, 0)->promote_bytes != cases[i].promote_mib * MiB ||
                    summary_of(p, 0)->notes != cases[i].notes) {
                        fprintf(stderr, "case %zu\n", i);
                        print_plan(p);
                        ASSERT_TRUE(false);
                }
        }
}

TEST(watermarks_above_kernel_reserve)
{
        static const struct {
                uint64_t free0, free1;
                uint32_t nr;
                uint64_t demoted, promoted;
        } cases[] = {
                /* Node 0 keeps 80 MiB for the kernel: low 100, high 120.  Free 90 is pressure: 30 MiB. */
                {90, 1000, 0, 30, 0},
                {100, 1000, 0, 0, 0},
                /* Room above high: 200 - 120 = 80 MiB of the hot region's 100; 20 more by displacing. */
                {200, 1000, 20, 20, 100},
                /* Node 1 (2000 MiB) keeps 100 MiB: its floor is 140; 150 free leaves room for 10. */
                {90, 150, 0, 10, 0},
                {90, 145, 0, 5, 0},
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                PolicyNode nodes[] = TWO_TIERS(cases[i].free0, cases[i].free1);
                PolicyRegion regions[] = {
                        {.start = 0x10000000, .end = 0x16400000, .nr_accesses = 0, .age = 100, ON({0, 100 * MiB})},
                        {.start = 0x40000000,
                         .end = 0x46400000,
                         .nr_accesses = cases[i].nr,
                         .age = 100,
                         ON({1, 100 * MiB})},
                };
                PolicyWorkload w = make_workload(100, 0, regions, ELEMENTSOF(regions));

                nodes[0].reserved_bytes = 80 * MiB;
                nodes[1].reserved_bytes = 100 * MiB;
                _cleanup_(policy_plan_freep) PolicyPlan *p = plan_or_die(nodes, 2, &w, 1, 100 * SEC, NULL);

                if (summary_of(p, 0)->demote_bytes != cases[i].demoted * MiB ||
                    summary_of(p, 0)->promote_bytes != cases[i].promoted * MiB) {
                        fprintf(stderr, "case %zu\n", i);
                        print_plan(p);
                        ASSERT_TRUE(false);
                }
        }
}

/* Two sockets (nodes 0 and 1), each with its own CXL node (2 and 3); each socket's fallback is both. */
#define TWO_SOCKETS(free0, free1)                                                                                      \
        {                                                                                                              \
                make_node(0, 0, 1000, (free0), mask_of(1, 2), mask_of(2, 2, 3)),                                       \
                        make_node(1, 0, 1000, (free1), mask_of(1, 3), mask_of(2, 2, 3)),                               \
                        make_node(2, 1, 1000, 500, NODEMASK_EMPTY, NODEMASK_EMPTY),                                    \
                        make_node(3, 1, 1000, 500, NODEMASK_EMPTY, NODEMASK_EMPTY),                                    \
        }

TEST(two_sockets_demote_to_own_target)
{
        PolicyNode nodes[] = TWO_SOCKETS(10, 0);
        PolicyRegion a[] = {
                {.start = 0x10000000, .end = 0x14000000, .nr_accesses = 0, .age = 100, ON({0, 64 * MiB})},
        };
        PolicyRegion b[] = {
                {.start = 0x10000000, .end = 0x14000000, .nr_accesses = 0, .age = 100, ON({1, 64 * MiB})},
        };
        PolicyWorkload w[] = {make_workload(10, 0, a, 1), make_workload(20, 1, b, 1)};
        _cleanup_(policy_plan_freep) PolicyPlan *p = plan_or_die(nodes, 4, w, 2, 100 * SEC, NULL);

        ASSERT_MOVES(p, {10, 0x10000000, 0, 2, POLICY_REASON_PRESSURE, 30 * MiB},
                     {20, 0x10000000, 1, 3, POLICY_REASON_PRESSURE, 40 * MiB});
}

TEST(two_sockets_promote_to_home)
{
        PolicyNode nodes[] = TWO_SOCKETS(500, 500);
        PolicyRegion a[] = {
                {.start = 0x10000000, .end = 0x11000000, .nr_accesses = 20, .age = 100, ON({3, 16 * MiB})},
                /* Hot, on the other socket's DRAM: the same tier, not tiering's business. */
                {.start = 0x20000000, .end = 0x21000000, .nr_accesses = 20, .age = 100, ON({1, 16 * MiB})},
        };
        PolicyRegion b[] = {
                {.start = 0x10000000, .end = 0x11000000, .nr_accesses = 18, .age = 100, ON({2, 16 * MiB})},
        };
        PolicyWorkload w[] = {make_workload(10, 0, a, ELEMENTSOF(a)), make_workload(20, 1, b, 1)};
        _cleanup_(policy_plan_freep) PolicyPlan *p = plan_or_die(nodes, 4, w, 2, 100 * SEC, NULL);

        ASSERT_MOVES(p, {10, 0x10000000, 3, 0, POLICY_REASON_HOT, 16 * MiB},
                     {20, 0x10000000, 2, 1, POLICY_REASON_HOT, 16 * MiB});
}

TEST(one_direction_per_cycle)
{
        /* Workload 20 runs on socket 1 but has a warm region partly on socket 0's DRAM, which is under
         * pressure, and partly on CXL node 2. */
        PolicyNode nodes[] = TWO_SOCKETS(10, 500);
        PolicyRegion b[] = {
                {.start = 0x10000000,
                 .end = 0x12000000,
                 .nr_accesses = 4,
                 .age = 100,
                 ON({0, 16 * MiB}, {2, 16 * MiB})},
        };
        PolicyWorkload w = make_workload(20, 1, b, 1);
        _cleanup_(policy_plan_freep) PolicyPlan *p = plan_or_die(nodes, 4, &w, 1, 100 * SEC, NULL);

        /* Demoted from node 0, so its part on node 2 is not promoted to node 1 in the same cycle. */
        ASSERT_MOVES(p, {20, 0x10000000, 0, 2, POLICY_REASON_PRESSURE, 16 * MiB});
}

/* Promotion=kernel: the same exchange, less the promotion itself, which the kernel's NUMA balancing makes. */
TEST(kernel_promotes_room_made_by_demotion)
{
        PolicyNode nodes[] = TWO_TIERS(30, 1000);
        PolicyRegion regions[] = {
                {.start = 0x10000000, .end = 0x16400000, .nr_accesses = 0, .age = 20, ON({0, 100 * MiB})},
                {.start = 0x20000000, .end = 0x26400000, .nr_accesses = 0, .age = 15, ON({0, 100 * MiB})},
                {.start = 0x30000000, .end = 0x36400000, .nr_accesses = 8, .age = 50, ON({0, 100 * MiB})},
                {.start = 0x40000000, .end = 0x49600000, .nr_accesses = 20, .age = 3, ON({1, 150 * MiB})},
        };
        PolicyWorkload w = make_workload(100, 0, regions, ELEMENTSOF(regions));
        PolicyParams params = policy_params_default();
        params.budget_bytes = 512 * MiB;
        params.kernel_promotes = true;
        _cleanup_(policy_plan_freep) PolicyPlan *p = plan_or_die(nodes, 2, &w, 1, 100 * SEC, &params);

        /* As in exchange_displaces_cold_residents: 150 MiB of room made, coldest first; no promotion planned.
         * Node 0's free memory as planned is where it was (the kernel fills the room), node 1 has 150 MiB less,
         * and the budget paid each demoted byte once. */
        ASSERT_MOVES(p, {100, 0x10000000, 0, 1, POLICY_REASON_DISPLACED, 100 * MiB},
                     {100, 0x20000000, 0, 1, POLICY_REASON_DISPLACED, 50 * MiB});
        ASSERT_EQ(summary_of(p, 0)->free_bytes, 30 * MiB);
        ASSERT_EQ(summary_of(p, 0)->promote_bytes, 0);
        ASSERT_EQ(summary_of(p, 0)->demote_bytes, 150 * MiB);
        ASSERT_EQ(summary_of(p, 1)->free_bytes, 850 * MiB);
        ASSERT_EQ(p->budget_left, 362 * MiB);
}

TEST(kernel_promotes_into_free_room_without_moves)
{
        PolicyNode nodes[] = TWO_TIERS(500, 1000);
        PolicyRegion regions[] = {
                {.start = 0x10000000, .end = 0x16400000, .nr_accesses = 20, .age = 5, ON({1, 100 * MiB})},
                {.start = 0x20000000, .end = 0x26400000, .nr_accesses = 10, .age = 50, ON({1, 100 * MiB})},
                {.start = 0x30000000, .end = 0x36400000, .nr_accesses = 0, .age = 50, ON({0, 300 * MiB})},
        };
        PolicyWorkload w = make_workload(100, 0, regions, ELEMENTSOF(regions));
        PolicyParams params = policy_params_default();
        params.kernel_promotes = true;
        _cleanup_(policy_plan_freep) PolicyPlan *p = plan_or_die(nodes, 2, &w, 1, 100 * SEC, &params);

        /* 460 MiB above high hold both hot regions: nothing is demoted for them, whatever is cold on node 0; the
         * 200 MiB count as taken. */
        ASSERT_EQ(p->n_moves, 0);
        ASSERT_EQ(p->outcome, POLICY_OUTCOME_BALANCED);
        ASSERT_EQ(summary_of(p, 0)->free_bytes, 300 * MiB);
        ASSERT_EQ(p->budget_left, 256 * MiB);
}

TEST(kernel_promotes_room_counted_once)
{
        PolicyNode nodes[] = TWO_TIERS(90, 1000);
        PolicyRegion regions[] = {
                {.start = 0x10000000, .end = 0x16400000, .nr_accesses = 0, .age = 20, ON({0, 100 * MiB})},
                {.start = 0x40000000, .end = 0x44600000, .nr_accesses = 20, .age = 3, ON({1, 70 * MiB})},
                {.start = 0x50000000, .end = 0x54600000, .nr_accesses = 18, .age = 3, ON({1, 70 * MiB})},
        };
        PolicyWorkload w = make_workload(100, 0, regions, ELEMENTSOF(regions));
        PolicyParams params = policy_params_default();
        params.kernel_promotes = true;
        params.budget_bytes = 60 * MiB;
        _cleanup_(policy_plan_freep) PolicyPlan *p = plan_or_die(nodes, 2, &w, 1, 100 * SEC, &params);

        /* The hottest takes the 50 MiB above high and 20 made by demotion; the next finds no free room left
         * and gets the 40 MiB of budget that remain (each byte paid once, not twice). */
        ASSERT_MOVES(p, {100, 0x10000000, 0, 1, POLICY_REASON_DISPLACED, 20 * MiB},
                     {100, 0x10000000, 0, 1, POLICY_REASON_DISPLACED, 40 * MiB});
        ASSERT_EQ(p->budget_left, 0);
        ASSERT_EQ(summary_of(p, 0)->free_bytes, 40 * MiB);
        ASSERT_EQ(summary_of(p, 0)->notes, POLICY_NOTE_BUDGET);
}

TESTS_MAIN(TEST_ENTRY(pressure_demotes_coldest_until_high), TEST_ENTRY(pressure_least_accessed_after_unaccessed),
           TEST_ENTRY(pressure_fallback_and_target_floor), TEST_ENTRY(pressure_preferred_with_most_room),
           TEST_ENTRY(pressure_targets_full), TEST_ENTRY(pressure_nothing_managed_to_demote),
           TEST_ENTRY(promote_hottest_into_free_memory), TEST_ENTRY(promote_stops_at_high_watermark),
           TEST_ENTRY(promote_destination_without_home), TEST_ENTRY(exchange_displaces_cold_residents),
           TEST_ENTRY(exchange_after_free_room), TEST_ENTRY(exchange_within_budget),
           TEST_ENTRY(exchange_needs_clearly_hotter), TEST_ENTRY(exchange_skips_unsettled),
           TEST_ENTRY(pressure_then_refill_only_by_exchange), TEST_ENTRY(watermark_band), TEST_ENTRY(residency),
           TEST_ENTRY(watermarks_above_kernel_reserve), TEST_ENTRY(two_sockets_demote_to_own_target),
           TEST_ENTRY(two_sockets_promote_to_home), TEST_ENTRY(one_direction_per_cycle),
           TEST_ENTRY(kernel_promotes_room_made_by_demotion), TEST_ENTRY(kernel_promotes_into_free_room_without_moves),
           TEST_ENTRY(kernel_promotes_room_counted_once))
