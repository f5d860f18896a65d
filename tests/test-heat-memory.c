/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What recent cycles saw accessed (heat-memory.h); expected values worked out by hand. */
#include "heat-memory.h"
#include "tests.h"

#define MiB (UINT64_C(1) << 20)

static PolicyRegion region(uint64_t start_mib, uint64_t end_mib, uint32_t nr_accesses)
{
        return (PolicyRegion){.start = start_mib * MiB, .end = end_mib * MiB, .nr_accesses = nr_accesses};
}

static uint32_t recall(const HeatMemory *m, pid_t pid, uint64_t start_mib, uint64_t end_mib)
{
        return heat_memory_recall(m, pid, start_mib * MiB, end_mib * MiB);
}

TEST(only_accessed_regions_are_remembered)
{
        HeatMemory m = {};
        PolicyRegion r[] = {region(0, 10, 0), region(10, 20, 3), region(20, 30, 0), region(30, 40, 1)};

        ASSERT_OK(heat_memory_note(&m, 100, r, 4, 1000));
        ASSERT_EQ(m.n, 2);
        ASSERT_EQ(recall(&m, 100, 10, 20), 3);
        ASSERT_EQ(recall(&m, 100, 30, 40), 1);
        ASSERT_EQ(recall(&m, 100, 0, 10), 0);
        ASSERT_EQ(recall(&m, 100, 20, 30), 0);
        /* another process's addresses are its own */
        ASSERT_EQ(recall(&m, 200, 10, 20), 0);
        /* nothing accessed: nothing kept, no allocation */
        HeatMemory none = {};
        ASSERT_OK(heat_memory_note(&none, 100, r, 1, 1000));
        ASSERT_EQ(none.n, 0);
        ASSERT_TRUE(none.v == NULL);
        heat_memory_done(&m);
}

TEST(a_sighting_lifts_regions_it_covers_at_least_half_of)
{
        HeatMemory m = {};
        PolicyRegion r[] = {region(10, 20, 4)};

        ASSERT_OK(heat_memory_note(&m, 100, r, 1, 1000));
        /* inside it, exactly it, half in it (5 of 10 MiB) */
        ASSERT_EQ(recall(&m, 100, 12, 14), 4);
        ASSERT_EQ(recall(&m, 100, 10, 20), 4);
        ASSERT_EQ(recall(&m, 100, 15, 25), 4);
        ASSERT_EQ(recall(&m, 100, 5, 15), 4);
        /* less than half: 4 of 10 MiB, a larger region of which it was a small part, only touching */
        ASSERT_EQ(recall(&m, 100, 16, 26), 0);
        ASSERT_EQ(recall(&m, 100, 0, 40), 0);
        ASSERT_EQ(recall(&m, 100, 20, 30), 0);
        ASSERT_EQ(recall(&m, 100, 0, 10), 0);
        /* apart from it, either side */
        ASSERT_EQ(recall(&m, 100, 30, 40), 0);
        ASSERT_EQ(recall(&m, 100, 0, 5), 0);
        heat_memory_done(&m);
}

TEST(the_highest_recent_reading_wins)
{
        HeatMemory m = {};
        PolicyRegion first[] = {region(0, 64, 2)}, second[] = {region(0, 32, 5), region(32, 64, 1)};

        ASSERT_OK(heat_memory_note(&m, 100, first, 1, 1000));
        ASSERT_OK(heat_memory_note(&m, 100, second, 2, 2000));
        ASSERT_EQ(recall(&m, 100, 0, 32), 5);
        ASSERT_EQ(recall(&m, 100, 32, 64), 2);
        ASSERT_EQ(recall(&m, 100, 40, 48), 2);
        heat_memory_done(&m);
}

TEST(prune_forgets_old_sightings_and_gone_processes)
{
        HeatMemory m = {};
        PolicyRegion r[] = {region(0, 10, 1)};
        pid_t both[] = {100, 200}, only_200[] = {200};

        ASSERT_OK(heat_memory_note(&m, 100, r, 1, 1000));
        ASSERT_OK(heat_memory_note(&m, 200, r, 1, 2000));
        /* keep 3000: at 4000 the one of 1000 is exactly as old as kept, and stays */
        heat_memory_prune(&m, 4000, 3000, both, 2);
        ASSERT_EQ(m.n, 2);
        heat_memory_prune(&m, 4001, 3000, both, 2);
        ASSERT_EQ(m.n, 1);
        ASSERT_EQ(recall(&m, 100, 0, 10), 0);
        ASSERT_EQ(recall(&m, 200, 0, 10), 1);
        heat_memory_prune(&m, 4001, 3000, only_200, 1);
        ASSERT_EQ(m.n, 1);
        heat_memory_prune(&m, 4001, 3000, both, 1); /* only 100 in the list */
        ASSERT_EQ(m.n, 0);
        heat_memory_done(&m);
        ASSERT_TRUE(m.v == NULL);
}

TESTS_MAIN(TEST_ENTRY(only_accessed_regions_are_remembered),
           TEST_ENTRY(a_sighting_lifts_regions_it_covers_at_least_half_of), TEST_ENTRY(the_highest_recent_reading_wins),
           TEST_ENTRY(prune_forgets_old_sightings_and_gone_processes))
