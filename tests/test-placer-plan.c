/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The placer's pure parts on hand-built structs: where samples go and what they add up to, the cpu map, the
 * residency history, cutting moves and grouping them into jobs.  Every expected figure is worked out in the
 * comment above it. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "placer-plan.h"
#include "policy-builder.h"
#include "topo-builder.h"

#define KiB (UINT64_C(1) << 10)
#define PAGE PLACER_PAGE_SIZE

static PolicyMove make_move(pid_t pid, uint64_t start, uint64_t end, unsigned from, unsigned to, uint64_t bytes)
{
        return (PolicyMove){
                .pid = pid,
                .start = start,
                .end = end,
                .from_node = from,
                .to_node = to,
                .direction = POLICY_DEMOTE,
                .reason = POLICY_REASON_PRESSURE,
                .bytes = bytes,
        };
}

TEST(sample_pages_spread_from_first_to_last_page)
{
        static const HotnessRegion regions[] = {
                {.start = 0x10000000, .end = 0x10010000}, /* 16 pages */
                {.start = 0x20000000, .end = 0x24000000}, /* 64 MiB: 16384 pages */
                {.start = 0x30000000, .end = 0x30001000}, /* 1 page */
                {.start = 0x40000000, .end = 0x40003000}, /* 3 pages */
        };
        void *pages[4 * PLACER_SAMPLES_PER_REGION];

        placer_sample_pages(regions, ELEMENTSOF(regions), pages);
        for (unsigned s = 0; s < PLACER_SAMPLES_PER_REGION; s++) {
                /* 16 pages: span 16, page 16 * s / 16 = s */
                ASSERT_EQ((uintptr_t)pages[s], 0x10000000 + s * PAGE);
                /* span 16384: page 1024 * s, which is s * 4 MiB */
                ASSERT_EQ((uintptr_t)pages[16 + s], 0x20000000 + s * 4 * MiB);
                /* one page: every sample on it */
                ASSERT_EQ((uintptr_t)pages[32 + s], 0x30000000);
                /* span 3: page 3 * s / 16, so 0 for s 0..5, 1 for s 6..10 (30 / 16), 2 for s 11..15 (33 / 16):
                 * the last sample on the last page, none beyond */
                uint64_t page = s <= 5 ? 0 : s <= 10 ? 1 : 2;
                ASSERT_EQ((uintptr_t)pages[48 + s], 0x40000000 + page * PAGE);
        }
}

TEST(shares_of_mixed_nodes_and_missing_pages)
{
        static const HotnessRegion hotness[] = {
                {.start = 0x10000000, .end = 0x14000000, .nr_accesses = 7, .age = 3}, /* 64 MiB */
                {.start = 0x20000000, .end = 0x20100000, .nr_accesses = 0, .age = 9}, /* 1 MiB */
                {.start = 0x30000000, .end = 0x31000000, .nr_accesses = 2, .age = 1}, /* 16 MiB */
        };
        int status[3 * PLACER_SAMPLES_PER_REGION];
        /* region 0: node 1 at 0, 6, 11, 15 (4); node 0 at 1, 2, 5, 7, 8, 10, 13, 14 (8); node 2 at 4, 12 (2);
         * -EFAULT at 3 and -ENOENT at 9 (2, on no node) */
        static const int first[PLACER_SAMPLES_PER_REGION] = {1, 0,       0, -EFAULT, 2, 0, 1, 0,
                                                             0, -ENOENT, 0, 1,       2, 0, 0, 1};
        memcpy(status, first, sizeof first);
        /* region 1: nothing present; region 2: everything on node 3 */
        for (unsigned s = 0; s < PLACER_SAMPLES_PER_REGION; s++) {
                status[16 + s] = -ENOENT;
                status[32 + s] = 3;
        }
        PolicyRegion regions[3];
        PolicyNodeBytes node_bytes[3 * PLACER_SAMPLES_PER_REGION];

        ASSERT_EQ(placer_regions_from_samples(hotness, 3, status, regions, node_bytes), 3 + 0 + 1);

        /* 64 MiB / 16 = 4 MiB a sample, nodes in the order first seen: 4 x 4, 8 x 4, 2 x 4 MiB; 56 MiB in all,
         * the 8 MiB of the missing samples on no node */
        ASSERT_EQ(regions[0].start, 0x10000000);
        ASSERT_EQ(regions[0].end, 0x14000000);
        ASSERT_EQ(regions[0].nr_accesses, 7);
        ASSERT_EQ(regions[0].age, 3);
        ASSERT_EQ(regions[0].promoted_usec, 0);
        ASSERT_EQ(regions[0].demoted_usec, 0);
        ASSERT_TRUE(regions[0].nodes == node_bytes);
        ASSERT_EQ(regions[0].n_nodes, 3);
        ASSERT_EQ(node_bytes[0].node, 1);
        ASSERT_EQ(node_bytes[0].bytes, 16 * MiB);
        ASSERT_EQ(node_bytes[1].node, 0);
        ASSERT_EQ(node_bytes[1].bytes, 32 * MiB);
        ASSERT_EQ(node_bytes[2].node, 2);
        ASSERT_EQ(node_bytes[2].bytes, 8 * MiB);

        ASSERT_EQ(regions[1].n_nodes, 0);
        ASSERT_EQ(regions[1].age, 9);

        /* 16 MiB / 16 = 1 MiB a sample, all 16 on node 3; its entry follows region 0's three */
        ASSERT_EQ(regions[2].n_nodes, 1);
        ASSERT_TRUE(regions[2].nodes == node_bytes + 3);
        ASSERT_EQ(regions[2].nodes[0].node, 3);
        ASSERT_EQ(regions[2].nodes[0].bytes, 16 * MiB);
        ASSERT_EQ(regions[2].nr_accesses, 2);
}

TEST(cpu_map_from_cpulists)
{
        _cleanup_(topology_freep) Topology *t = topology_new();
        _cleanup_free_ PlacerCpuMap *m = NULL;
        ASSERT_TRUE(t);
        static const struct {
                unsigned id;
                const char *cpulist;
        } lists[] = {
                {0, "0-3,8"}, {1, "4-7"},     {2, ""}, {3, NULL}, /* unreadable */
                {4, "9,4"},                                       /* cpu 4 is node 1's already */
                {5, "10,x"},                                      /* malformed after cpu 10 */
                {6, "4095"},  {7, "11,4096"},                     /* beyond the limit */
        };
        for (size_t i = 0; i < ELEMENTSOF(lists); i++) {
                TopoNode *n = add_node(t, lists[i].id, true, true);
                if (lists[i].cpulist)
                        ASSERT_TRUE(n->cpulist = strdup(lists[i].cpulist));
        }

        ASSERT_OK(placer_cpu_map_new(t, &m));
        ASSERT_EQ(placer_cpu_map_node(m, 0), 0);
        ASSERT_EQ(placer_cpu_map_node(m, 3), 0);
        ASSERT_EQ(placer_cpu_map_node(m, 8), 0);
        ASSERT_EQ(placer_cpu_map_node(m, 4), 1);
        ASSERT_EQ(placer_cpu_map_node(m, 7), 1);
        ASSERT_EQ(placer_cpu_map_node(m, 9), 4);
        ASSERT_EQ(placer_cpu_map_node(m, 4095), 6);
        /* a malformed list names no cpu, not even those before the error */
        ASSERT_EQ(placer_cpu_map_node(m, 10), -1);
        ASSERT_EQ(placer_cpu_map_node(m, 11), -1);
        /* in no list, or no cpu at all */
        ASSERT_EQ(placer_cpu_map_node(m, 12), -1);
        ASSERT_EQ(placer_cpu_map_node(m, 4094), -1);
        ASSERT_EQ(placer_cpu_map_node(m, 4096), -1);
        ASSERT_EQ(placer_cpu_map_node(m, INT_MAX), -1);
        ASSERT_EQ(placer_cpu_map_node(m, -1), -1);
}

TEST(cpu_map_without_nodes)
{
        _cleanup_(topology_freep) Topology *t = topology_new();
        _cleanup_free_ PlacerCpuMap *m = NULL;
        ASSERT_TRUE(t);
        ASSERT_OK(placer_cpu_map_new(t, &m));
        ASSERT_EQ(placer_cpu_map_node(m, 0), -1);
}

/* The times looked up for pid's [start, end), with the outputs primed so that "not set" shows. */
static void lookup(const PlacerHistory *h, pid_t pid, uint64_t start, uint64_t end, uint64_t *promoted,
                   uint64_t *demoted)
{
        *promoted = *demoted = UINT64_MAX;
        placer_history_lookup(h, pid, start, end, promoted, demoted);
}

TEST(history_overlap_edges)
{
        PlacerResidency entries[] = {{.pid = 100, .start = 0x10000, .end = 0x30000, .usec = 10}};
        PlacerHistory h = {.entries = entries, .n = 1};
        uint64_t promoted, demoted;

        /* touching at either end is no overlap */
        lookup(&h, 100, 0x30000, 0x40000, &promoted, &demoted);
        ASSERT_EQ(promoted, 0);
        ASSERT_EQ(demoted, 0);
        lookup(&h, 100, 0x0, 0x10000, &promoted, &demoted);
        ASSERT_EQ(promoted, 0);
        /* one byte in at either end is */
        lookup(&h, 100, 0x2ffff, 0x40000, &promoted, &demoted);
        ASSERT_EQ(promoted, 10);
        ASSERT_EQ(demoted, 0);
        lookup(&h, 100, 0x0, 0x10001, &promoted, &demoted);
        ASSERT_EQ(promoted, 10);
        /* inside, and around */
        lookup(&h, 100, 0x18000, 0x20000, &promoted, &demoted);
        ASSERT_EQ(promoted, 10);
        lookup(&h, 100, 0x0, 0x100000, &promoted, &demoted);
        ASSERT_EQ(promoted, 10);
}

TEST(history_latest_per_direction_of_this_pid)
{
        PlacerResidency entries[] = {
                {.pid = 100, .start = 0x10000, .end = 0x20000, .usec = 10, .direction = POLICY_PROMOTE},
                {.pid = 100, .start = 0x18000, .end = 0x28000, .usec = 30, .direction = POLICY_PROMOTE},
                {.pid = 100, .start = 0x10000, .end = 0x20000, .usec = 20, .direction = POLICY_PROMOTE},
                {.pid = 100, .start = 0x10000, .end = 0x20000, .usec = 7, .direction = POLICY_DEMOTE},
                {.pid = 100, .start = 0x10000, .end = 0x20000, .usec = 5, .direction = POLICY_DEMOTE},
                {.pid = 200, .start = 0x10000, .end = 0x20000, .usec = 99, .direction = POLICY_PROMOTE},
                {.pid = 200, .start = 0x10000, .end = 0x20000, .usec = 98, .direction = POLICY_DEMOTE},
                {.pid = 100, .start = 0x40000, .end = 0x50000, .usec = 50, .direction = POLICY_DEMOTE},
        };
        PlacerHistory h = {.entries = entries, .n = ELEMENTSOF(entries)};
        uint64_t promoted, demoted;

        /* promotions at 10, 30, 20: the latest, 30, not the last; demotions 7 and 5: 7; pid 200's 99 and 98 and
         * the demotion at 50 elsewhere are not this range's */
        lookup(&h, 100, 0x10000, 0x20000, &promoted, &demoted);
        ASSERT_EQ(promoted, 30);
        ASSERT_EQ(demoted, 7);
        /* only the second entry and the one at 0x40000 reach here: a demotion later than every promotion
         * stays a demotion */
        lookup(&h, 100, 0x20000, 0x48000, &promoted, &demoted);
        ASSERT_EQ(promoted, 30);
        ASSERT_EQ(demoted, 50);
        lookup(&h, 200, 0x10000, 0x20000, &promoted, &demoted);
        ASSERT_EQ(promoted, 99);
        ASSERT_EQ(demoted, 98);
        lookup(&h, 300, 0x10000, 0x20000, &promoted, &demoted);
        ASSERT_EQ(promoted, 0);
        ASSERT_EQ(demoted, 0);
}

TEST(history_prune_old_and_gone)
{
        PlacerResidency entries[] = {
                {.pid = 100, .start = 0x10000, .usec = 95 * SEC},     /* 95 + 5 = 100 >= 100: kept, just */
                {.pid = 100, .start = 0x20000, .usec = 95 * SEC - 1}, /* a microsecond older: dropped */
                {.pid = 300, .start = 0x30000, .usec = 99 * SEC},     /* recent, but 300 left: dropped */
                {.pid = 200, .start = 0x40000, .usec = 99 * SEC},     /* kept */
                {.pid = 100, .start = 0x50000, .usec = 100 * SEC},    /* kept */
        };
        PlacerHistory h = {.entries = entries, .n = ELEMENTSOF(entries)};
        const pid_t pids[] = {100, 200};

        placer_history_prune(&h, 100 * SEC, 5 * SEC, pids, ELEMENTSOF(pids));
        ASSERT_EQ(h.n, 3);
        ASSERT_EQ(h.entries[0].start, 0x10000);
        ASSERT_EQ(h.entries[1].start, 0x40000);
        ASSERT_EQ(h.entries[2].start, 0x50000);

        /* without workloads nothing stays */
        placer_history_prune(&h, 100 * SEC, 5 * SEC, NULL, 0);
        ASSERT_EQ(h.n, 0);
}

TEST(history_records_every_range_of_a_job)
{
        _cleanup_(placer_history_done) PlacerHistory h = {};
        MigrateRange ranges[] = {{.start = 0x10000, .end = 0x20000, .node = 0},
                                 {.start = 0x40000, .end = 0x50000, .node = 0}};
        PlacerJob promote = {.pid = 100, .direction = POLICY_PROMOTE, .from_node = 1, .ranges = ranges, .n_ranges = 2};
        PlacerJob demote = {.pid = 100, .direction = POLICY_DEMOTE, .to_node = 1, .ranges = ranges + 1, .n_ranges = 1};
        uint64_t promoted, demoted;

        ASSERT_OK(placer_history_record(&h, &promote, 42));
        ASSERT_OK(placer_history_record(&h, &demote, 43));
        ASSERT_EQ(h.n, 3);
        ASSERT_EQ(h.entries[0].pid, 100);
        ASSERT_EQ(h.entries[0].start, 0x10000);
        ASSERT_EQ(h.entries[0].end, 0x20000);
        ASSERT_EQ(h.entries[0].usec, 42);
        ASSERT_EQ(h.entries[0].direction, POLICY_PROMOTE);
        ASSERT_EQ(h.entries[1].start, 0x40000);
        ASSERT_EQ(h.entries[2].start, 0x40000);
        ASSERT_EQ(h.entries[2].usec, 43);
        ASSERT_EQ(h.entries[2].direction, POLICY_DEMOTE);

        lookup(&h, 100, 0x10000, 0x20000, &promoted, &demoted);
        ASSERT_EQ(promoted, 42);
        ASSERT_EQ(demoted, 0);
        lookup(&h, 100, 0x48000, 0x49000, &promoted, &demoted);
        ASSERT_EQ(promoted, 42);
        ASSERT_EQ(demoted, 43);
}

static void assert_job(const PlacerJob *j, pid_t pid, PolicyDirection direction, unsigned from, unsigned to,
                       size_t n_ranges)
{
        ASSERT_EQ(j->pid, pid);
        ASSERT_EQ(j->direction, direction);
        ASSERT_EQ(j->from_node, from);
        ASSERT_EQ(j->to_node, to);
        ASSERT_EQ(j->n_ranges, n_ranges);
}

TEST(queue_groups_consecutive_moves)
{
        PolicyMove moves[] = {
                make_move(100, 0x10000000, 0x14000000, 0, 1, 64 * MiB),
                make_move(100, 0x20000000, 0x21000000, 0, 1, 16 * MiB), /* same job */
                make_move(100, 0x30000000, 0x31000000, 0, 2, 16 * MiB), /* another target */
                make_move(100, 0x40000000, 0x41000000, 3, 2, 16 * MiB), /* another source */
                make_move(200, 0x40000000, 0x41000000, 3, 2, 16 * MiB), /* another pid */
                make_move(200, 0x50000000, 0x51000000, 3, 2, 16 * MiB), /* same job */
                make_move(200, 0x60000000, 0x61000000, 3, 2, 16 * MiB), /* the other direction */
                make_move(100, 0x70000000, 0x71000000, 0, 1, 16 * MiB), /* as the first, but not next to it */
        };
        moves[6].direction = POLICY_PROMOTE; /* not a pair the policy would make, but a key of its own */
        PlacerJob *jobs = NULL;
        size_t n = 0;

        ASSERT_OK(placer_queue_moves(moves, ELEMENTSOF(moves), &jobs, &n));
        ASSERT_EQ(n, 6);
        assert_job(&jobs[0], 100, POLICY_DEMOTE, 0, 1, 2);
        ASSERT_EQ(jobs[0].ranges[0].start, 0x10000000);
        ASSERT_EQ(jobs[0].ranges[0].end, 0x14000000);
        ASSERT_EQ(jobs[0].ranges[0].node, 1);
        ASSERT_EQ(jobs[0].ranges[0].max_bytes, 64 * MiB);
        ASSERT_EQ(jobs[0].ranges[1].start, 0x20000000);
        ASSERT_EQ(jobs[0].ranges[1].end, 0x21000000);
        ASSERT_EQ(jobs[0].ranges[1].max_bytes, 16 * MiB);
        assert_job(&jobs[1], 100, POLICY_DEMOTE, 0, 2, 1);
        ASSERT_EQ(jobs[1].ranges[0].node, 2);
        assert_job(&jobs[2], 100, POLICY_DEMOTE, 3, 2, 1);
        assert_job(&jobs[3], 200, POLICY_DEMOTE, 3, 2, 2);
        ASSERT_EQ(jobs[3].ranges[1].start, 0x50000000);
        assert_job(&jobs[4], 200, POLICY_PROMOTE, 3, 2, 1);
        ASSERT_EQ(jobs[4].ranges[0].start, 0x60000000);
        assert_job(&jobs[5], 100, POLICY_DEMOTE, 0, 1, 1);
        ASSERT_EQ(jobs[5].ranges[0].start, 0x70000000);
        placer_jobs_free(jobs, n);
}

TEST(queue_caps_ranges_at_the_planned_bytes)
{
        /* A region's part on node 1 goes in two moves: each range is the whole region, capped at its bytes (the
         * engine moves the first pages not on the target, up to that many bytes). */
        PolicyMove moves[] = {
                make_move(100, 0x10000000, 0x14000000, 1, 0, 8 * MiB),
                make_move(100, 0x10000000, 0x14000000, 1, 3, 16 * MiB),
        };
        moves[0].direction = POLICY_PROMOTE;
        PlacerJob *jobs = NULL;
        size_t n = 0;

        ASSERT_OK(placer_queue_moves(moves, 2, &jobs, &n));
        ASSERT_EQ(n, 2);
        assert_job(&jobs[0], 100, POLICY_PROMOTE, 1, 0, 1);
        ASSERT_EQ(jobs[0].ranges[0].start, 0x10000000);
        ASSERT_EQ(jobs[0].ranges[0].end, 0x14000000);
        ASSERT_EQ(jobs[0].ranges[0].node, 0);
        ASSERT_EQ(jobs[0].ranges[0].max_bytes, 8 * MiB);
        assert_job(&jobs[1], 100, POLICY_DEMOTE, 1, 3, 1);
        ASSERT_EQ(jobs[1].ranges[0].end, 0x14000000);
        ASSERT_EQ(jobs[1].ranges[0].node, 3);
        ASSERT_EQ(jobs[1].ranges[0].max_bytes, 16 * MiB);
        placer_jobs_free(jobs, n);

        ASSERT_OK(placer_queue_moves(NULL, 0, &jobs, &n));
        ASSERT_EQ(n, 0);
        placer_jobs_free(jobs, n);
}

TESTS_MAIN(TEST_ENTRY(sample_pages_spread_from_first_to_last_page), TEST_ENTRY(shares_of_mixed_nodes_and_missing_pages),
           TEST_ENTRY(cpu_map_from_cpulists), TEST_ENTRY(cpu_map_without_nodes), TEST_ENTRY(history_overlap_edges),
           TEST_ENTRY(history_latest_per_direction_of_this_pid), TEST_ENTRY(history_prune_old_and_gone),
           TEST_ENTRY(history_records_every_range_of_a_job), TEST_ENTRY(queue_groups_consecutive_moves),
           TEST_ENTRY(queue_caps_ranges_at_the_planned_bytes))
