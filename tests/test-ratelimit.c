/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The shared token bucket of the migration engine; expected values by hand arithmetic. */
#include "ratelimit.h"
#include "tests.h"

#define MB UINT64_C(1000000)

TEST(unlimited)
{
        RateLimit rl;

        ratelimit_init(&rl, 0, 0, 5);
        ASSERT_TRUE(ratelimit_available(&rl, 5) == UINT64_MAX);
        ratelimit_consume(&rl, 5, UINT64_C(1) << 40);
        ASSERT_TRUE(ratelimit_available(&rl, 5) == UINT64_MAX);
        ASSERT_EQ(ratelimit_next_usec(&rl, 5), 5);
}

TEST(starts_full_and_refills_at_the_rate)
{
        RateLimit rl;

        /* 10 MB/s, a burst of 1 MB. */
        ratelimit_init(&rl, 10 * MB, MB, 1000);
        ASSERT_EQ(ratelimit_available(&rl, 1000), MB);
        ratelimit_consume(&rl, 1000, MB);
        ASSERT_EQ(ratelimit_available(&rl, 1000), 0);
        /* One byte takes 0.1 us: the next whole byte is there 1 us later (rounded up), 10 bytes by then. */
        ASSERT_EQ(ratelimit_next_usec(&rl, 1000), 1001);
        ASSERT_EQ(ratelimit_available(&rl, 1001), 10);
        /* 50 ms later: 500 000 bytes. */
        ASSERT_EQ(ratelimit_available(&rl, 51000), 500000);
        /* Never more than the burst, however long it waits. */
        ASSERT_EQ(ratelimit_available(&rl, 10000000), MB);
}

TEST(debt_is_paid_back_before_more_is_granted)
{
        RateLimit rl;

        ratelimit_init(&rl, 10 * MB, MB, 0);
        ratelimit_consume(&rl, 0, 3 * MB); /* a batch larger than the bucket: 2 MB of debt */
        ASSERT_EQ(ratelimit_available(&rl, 0), 0);
        ASSERT_EQ(ratelimit_available(&rl, 199999), 0);
        /* 2 MB + 1 byte at 10 MB/s = 200000.1 us, rounded up. */
        ASSERT_EQ(ratelimit_next_usec(&rl, 0), 200001);
        ASSERT_EQ(ratelimit_available(&rl, 200000), 0); /* exactly paid back, not a byte more */
        ASSERT_EQ(ratelimit_available(&rl, 200001), 10);
}

TEST(long_run_rate_is_exact)
{
        RateLimit rl;
        uint64_t taken = 0;

        ratelimit_init(&rl, 10 * MB, MB, 0);
        for (uint64_t t = 0; t <= 10000000; t += 1000) {
                uint64_t a = ratelimit_available(&rl, t);
                ratelimit_consume(&rl, t, a);
                taken += a;
        }
        /* The full bucket, then 10 000 bytes per millisecond for 10 s. */
        ASSERT_EQ(taken, MB + 10000 * 10000);
}

TEST(fractions_of_a_byte_add_up)
{
        RateLimit rl;
        uint64_t taken = 0;

        /* 3 bytes per second, asked every 100 ms: 0.3 bytes each time. */
        ratelimit_init(&rl, 3, 100, 0);
        ratelimit_consume(&rl, 0, 100);
        for (uint64_t t = 100000; t <= 1000000; t += 100000) {
                uint64_t a = ratelimit_available(&rl, t);
                ratelimit_consume(&rl, t, a);
                taken += a;
        }
        ASSERT_EQ(taken, 3);
}

TEST(clock_going_backwards_earns_nothing)
{
        RateLimit rl;

        ratelimit_init(&rl, 10 * MB, MB, 1000000);
        ratelimit_consume(&rl, 1000000, MB);
        ASSERT_EQ(ratelimit_available(&rl, 500000), 0);
        /* The earlier time did not move the reference back: 10 us after the consume, 100 bytes. */
        ASSERT_EQ(ratelimit_available(&rl, 1000010), 100);
}

TEST(default_burst)
{
        ASSERT_EQ(ratelimit_default_burst(1000 * MB), 100 * MB);   /* 100 ms worth */
        ASSERT_EQ(ratelimit_default_burst(MB), UINT64_C(2) << 20); /* at least a 2 MiB huge page */
        RateLimit rl;
        ratelimit_init(&rl, 1000 * MB, 0, 0);
        ASSERT_EQ(ratelimit_available(&rl, 0), 100 * MB);
}

TEST(huge_rates_and_idle_times_do_not_overflow)
{
        RateLimit rl;

        /* Clamped to 1 TB/s; a day idle at that rate would overflow a plain product of time and rate. */
        ratelimit_init(&rl, UINT64_MAX, 0, 0);
        ASSERT_EQ(rl.rate, RATELIMIT_MAX);
        ASSERT_EQ(ratelimit_available(&rl, 0), RATELIMIT_MAX / 10);
        ratelimit_consume(&rl, 0, UINT64_MAX);
        ASSERT_EQ(ratelimit_available(&rl, 0), 0);
        ASSERT_EQ(ratelimit_available(&rl, UINT64_C(86400) * 1000000), RATELIMIT_MAX / 10);
}

TESTS_MAIN(TEST_ENTRY(unlimited), TEST_ENTRY(starts_full_and_refills_at_the_rate),
           TEST_ENTRY(debt_is_paid_back_before_more_is_granted), TEST_ENTRY(long_run_rate_is_exact),
           TEST_ENTRY(fractions_of_a_byte_add_up), TEST_ENTRY(clock_going_backwards_earns_nothing),
           TEST_ENTRY(default_burst), TEST_ENTRY(huge_rates_and_idle_times_do_not_overflow))
