/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The placement cycle's migration budget (pace.h); expected values by hand arithmetic. */
#include "pace.h"
#include "tests.h"

#define MIB (UINT64_C(1) << 20)
#define SEC UINT64_C(1000000)

TEST(starts_small_and_never_above_the_configured_budget)
{
        MigrationPace p;

        pace_init(&p, 256 * MIB);
        ASSERT_EQ(p.budget_bytes, 32 * MIB);
        ASSERT_EQ(p.planned_per_sec, 0);
        pace_init(&p, 8 * MIB);
        ASSERT_EQ(p.budget_bytes, 8 * MIB);
}

TEST(a_slow_machine_gets_what_fits_in_the_interval)
{
        MigrationPace p;

        /* 32 MiB took 1.6 s: 20 MiB/s; 80% of a 1 s interval is 16 MiB. */
        pace_init(&p, 256 * MIB);
        pace_record(&p, 32 * MIB, 1600000, 100000, SEC);
        ASSERT_EQ(p.planned_per_sec, 20 * MIB);
        ASSERT_EQ(p.budget_bytes, 16 * MIB);
        /* 16 MiB in 0.4 s: 40 MiB/s, smoothed with 20 to 30 MiB/s; 80% of 2 s is 48 MiB, capped at twice 16. */
        pace_record(&p, 16 * MIB, 400000, 100000, 2 * SEC);
        ASSERT_EQ(p.planned_per_sec, 30 * MIB);
        ASSERT_EQ(p.budget_bytes, 32 * MIB);
        /* The same again: 35 MiB/s; 80% of 1 s is 28 MiB, below twice 32. */
        pace_record(&p, 16 * MIB, 400000, 100000, SEC);
        ASSERT_EQ(p.planned_per_sec, 35 * MIB);
        ASSERT_EQ(p.budget_bytes, 28 * MIB);
}

TEST(a_fast_machine_grows_twofold_per_cycle_up_to_the_budget)
{
        MigrationPace p;

        /* 32 MiB in 10 ms: 3200 MiB/s; 2560 MiB per interval, but 64, 128, 256 and there it stays. */
        pace_init(&p, 256 * MIB);
        pace_record(&p, 32 * MIB, 10000, 100000, SEC);
        ASSERT_EQ(p.budget_bytes, 64 * MIB);
        pace_record(&p, 64 * MIB, 20000, 100000, SEC);
        ASSERT_EQ(p.budget_bytes, 128 * MIB);
        pace_record(&p, 128 * MIB, 40000, 100000, SEC);
        ASSERT_EQ(p.budget_bytes, 256 * MIB);
        pace_record(&p, 256 * MIB, 80000, 100000, SEC);
        ASSERT_EQ(p.budget_bytes, 256 * MIB);
}

TEST(a_slow_cycle_start_gets_twice_its_length)
{
        MigrationPace p;

        /* 40 MiB/s, the cycle's start took 1.5 s: 3 s of migration is 120 MiB, above 80% of 1 s (32 MiB), but
         * capped at twice 32. */
        pace_init(&p, 256 * MIB);
        pace_record(&p, 32 * MIB, 800000, 1500000, SEC);
        ASSERT_EQ(p.planned_per_sec, 40 * MIB);
        ASSERT_EQ(p.overhead_usec, 1500000);
        ASSERT_EQ(p.budget_bytes, 64 * MIB);
        /* 64 MiB in 1.6 s is 40 MiB/s again; the start took 0.5 s, smoothed with 1.5 to 1 s: 2 s is 80 MiB. */
        pace_record(&p, 64 * MIB, 1600000, 500000, SEC);
        ASSERT_EQ(p.overhead_usec, 1000000);
        ASSERT_EQ(p.budget_bytes, 80 * MIB);
        /* A start of 0.2 s (smoothed 0.6 s, 1.2 s of migration: 48 MiB) on a 2 s interval: 80% of it, 64 MiB. */
        pace_record(&p, 64 * MIB, 1600000, 200000, 2 * SEC);
        ASSERT_EQ(p.overhead_usec, 600000);
        ASSERT_EQ(p.budget_bytes, 64 * MIB);
}

TEST(shrinks_at_once_but_not_below_the_minimum)
{
        MigrationPace p;

        /* 32 MiB took 64 s: 0.5 MiB/s, 0.4 MiB an interval; a cycle may always move 4 MiB. */
        pace_init(&p, 256 * MIB);
        pace_record(&p, 32 * MIB, 64 * SEC, 100000, SEC);
        ASSERT_EQ(p.planned_per_sec, MIB / 2);
        ASSERT_EQ(p.budget_bytes, PACE_MIN_BYTES);
}

TEST(small_plans_and_empty_readings_change_nothing)
{
        MigrationPace p;

        pace_init(&p, 256 * MIB);
        /* just below 4 MiB, however slow */
        pace_record(&p, 4 * MIB - 1, 100 * SEC, 100000, SEC);
        pace_record(&p, 64 * MIB, 0, 100000, SEC);
        pace_record(&p, 64 * MIB, SEC, 100000, 0);
        ASSERT_EQ(p.planned_per_sec, 0);
        ASSERT_EQ(p.budget_bytes, 32 * MIB);
        /* exactly 4 MiB counts: 4 MiB/s, 3.2 MiB an interval, so the minimum */
        pace_record(&p, 4 * MIB, SEC, 100000, SEC);
        ASSERT_EQ(p.planned_per_sec, 4 * MIB);
        ASSERT_EQ(p.budget_bytes, PACE_MIN_BYTES);
}

TEST(a_new_configured_budget_keeps_the_measurement)
{
        MigrationPace p;

        pace_init(&p, 256 * MIB);
        /* 64 MiB/s: 80% of 1 s is 51.2 MiB = 53687091.2 bytes, below twice 32 MiB */
        pace_record(&p, 32 * MIB, 500000, 100000, SEC);
        ASSERT_EQ(p.budget_bytes, 53687091);
        pace_set_max(&p, 16 * MIB);
        ASSERT_EQ(p.budget_bytes, 16 * MIB);
        ASSERT_EQ(p.planned_per_sec, 64 * MIB);
        pace_set_max(&p, 512 * MIB);
        ASSERT_EQ(p.budget_bytes, 16 * MIB);
        ASSERT_EQ(p.max_bytes, 512 * MIB);
}

TEST(the_next_cycle_an_interval_after_the_last_started_or_a_tenth_after_its_work)
{
        /* 1 s interval: a cycle started at 10 s whose work ended at 10.3 s is followed at 11 s */
        ASSERT_EQ(pace_next_cycle_usec(10 * SEC, 10 * SEC + 300000, SEC), 11 * SEC);
        /* work until 10.95 s: still 11 s; until 10.9 s exactly: 11 s from both sides */
        ASSERT_EQ(pace_next_cycle_usec(10 * SEC, 10 * SEC + 900000, SEC), 11 * SEC);
        /* work until 12.5 s: 12.6 s, a tenth of the interval later */
        ASSERT_EQ(pace_next_cycle_usec(10 * SEC, 12 * SEC + 500000, SEC), 12 * SEC + 600000);
        ASSERT_EQ(pace_next_cycle_usec(10 * SEC, 10 * SEC + 950000, SEC), 11 * SEC + 50000);
}

TESTS_MAIN(TEST_ENTRY(starts_small_and_never_above_the_configured_budget),
           TEST_ENTRY(a_slow_machine_gets_what_fits_in_the_interval),
           TEST_ENTRY(a_fast_machine_grows_twofold_per_cycle_up_to_the_budget),
           TEST_ENTRY(a_slow_cycle_start_gets_twice_its_length), TEST_ENTRY(shrinks_at_once_but_not_below_the_minimum),
           TEST_ENTRY(small_plans_and_empty_readings_change_nothing),
           TEST_ENTRY(a_new_configured_budget_keeps_the_measurement),
           TEST_ENTRY(the_next_cycle_an_interval_after_the_last_started_or_a_tenth_after_its_work))
