/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The placer's cycle end to end on a scratch tree: the scope from /proc, DAMON's regions from a fake admin tree,
 * where pages are and their moves through a simulated move_pages(2) (the page queries and the jobs), the plan on
 * a hand-built three-tier topology.  What the policy decides is tested on structs (test-policy*.c); this is
 * about carrying a plan out (which pages a move takes, what the stats say while and after it runs) and what the
 * placer keeps between cycles (when a region moved, which regions were seen accessed lately).
 */
#include <poll.h>
#include <time.h>

#include "damon-tree.h"
#include "log.h"
#include "placer.h"
#include "proc-tree.h"
#include "snapshot.h"
#include "tests.h"
#include "topo-builder.h"

#define N 1024 /* the process's pages, all present */
#define USEC_PER_SEC UINT64_C(1000000)

typedef struct Fake {
        int node[N];
        uint64_t moved; /* pages moved so far */
        unsigned move_calls;
} Fake;

static Fake f;
static uint64_t pm[N];

/* Frames as proc-tree.h's memory blocks map them (128 MiB each): node n's block n. */
static uint64_t frame_of(int page, int node)
{
        return (uint64_t)node * 0x8000 + 0x100 + (uint64_t)page;
}

static void set_page(int page, int node)
{
        f.node[page] = node;
        pm[page] = PM_PRESENT | frame_of(page, node);
        put_pagemap(BASE + (uint64_t)page * PAGE, &pm[page], 1);
}

static long fake_move_pages(void *userdata, pid_t pid, unsigned long n, void **pages, const int *nodes, int *status,
                            int flags)
{
        if (pid != TEST_PID)
                return -ESRCH;
        if (nodes)
                f.move_calls++;
        for (unsigned long i = 0; i < n; i++) {
                uint64_t a = (uint64_t)(uintptr_t)pages[i];
                if (a < BASE || a >= BASE + N * (uint64_t)PAGE) {
                        status[i] = -EFAULT;
                        continue;
                }
                int p = (int)((a - BASE) / PAGE);
                if (nodes && f.node[p] != nodes[i]) {
                        set_page(p, nodes[i]);
                        f.moved++;
                }
                status[i] = f.node[p];
        }
        return 0;
}

static uint64_t fake_now(void *userdata)
{
        return 1;
}

static void put_meminfo(unsigned node, uint64_t free_kb)
{
        char p[64];
        snprintf(p, sizeof p, "sys/devices/system/node/node%u/meminfo", node);
        put(p, "Node %u MemTotal: 1048576 kB\nNode %u MemFree: %" PRIu64 " kB\n", node, node, free_kb);
}

static void put_heat(const char *nr_accesses, const char *age)
{
        char start[32], end[32];
        snprintf(start, sizeof start, "%" PRIu64, BASE);
        snprintf(end, sizeof end, "%" PRIu64, BASE + N * (uint64_t)PAGE);
        put_region(0, 0, start, end, nr_accesses, age);
}

/*
 * Node 0 with the CPUs, node 1 a tier below, node 2 a tier below that (though nearer by SLIT: node 0's demotion
 * target is node 1 all the same, as in test-demotion.c), 1 GiB each, node 0 with free_kb free.  Process
 * TEST_PID ("hotshift"): N pages, 0-511 on node low_half, 512-1023 on node high_half, one DAMON region over them
 * all with that heat.
 */
static Snapshot *make_world(uint64_t free_kb, int low_half, int high_half, const char *nr_accesses, const char *age,
                            char *state_dir, size_t size)
{
        static const uint32_t slit[] = {10, 30, 20, 30, 10, 30, 20, 30, 10};
        const TierOverride ov[] = {{.node = 1, .by_tier = true, .value = 10},
                                   {.node = 2, .by_tier = true, .value = 20}};
        TierOptions o = {.overrides = ov, .n_overrides = ELEMENTSOF(ov)};
        Topology *t = topology_new();
        Snapshot *s = NULL;

        ASSERT_TRUE(t);
        add_node(t, 0, true, true);
        add_node(t, 1, false, true);
        add_node(t, 2, false, true);
        set_slit(t, slit);
        ASSERT_OK(snapshot_new(t, &o, &s));
        ASSERT_EQ(s->map->n_tiers, 3);

        make_proc_tree();
        put("sys/devices/system/node/node2/memory2/online", "1\n");
        put_meminfo(0, free_kb);
        put_meminfo(1, 900 * 1024);
        put_meminfo(2, 900 * 1024);
        put("proc/4242/stat", "4242 (hotshift) S 1 4242 4242 0 -1 4194560 100 0 0 0 5 6 0 0 20 0 1 0 500 1000000 50"
                              " 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n");
        for (int i = 0; i < N; i++)
                set_page(i, i < 512 ? low_half : high_half);

        putf("0", KD "/nr_kdamonds");
        put_kdamond(0);
        put_heat(nr_accesses, age);
        put("run/.keep", "\n");
        snprintf(state_dir, size, "%s/run", root);
        f.moved = f.move_calls = 0;
        return s;
}

static uint64_t monotonic_usec(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* A cycle begun at now (the placer stamps what its jobs moved with CLOCK_MONOTONIC), its reading waited for
 * (the placer is busy meanwhile), and finished. */
static void plan_cycle(Placer *p, const Snapshot *s, uint64_t now)
{
        int fd = -1, fd2 = -1;
        putf("on", KD "/0/state"); /* the kdamond running, as the kernel shows it between readings */
        ASSERT_TRUE(!placer_busy(p));
        ASSERT_OK(placer_cycle_begin(p, now, &fd));
        ASSERT_TRUE(placer_busy(p));
        ASSERT_EQ(placer_cycle_begin(p, now, &fd2), -EBUSY);
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        ASSERT_EQ(poll(&pfd, 1, 60000), 1);
        ASSERT_OK(placer_cycle_finish(p, s, now));
}

static const PlacerNode *stats_node(const PlacerStats *st, unsigned node)
{
        for (size_t i = 0; i < st->n_nodes; i++)
                if (st->nodes[i].node == node)
                        return &st->nodes[i];
        ASSERT_TRUE(false);
        return NULL;
}

static const MigrateOps fake_ops = {.move_pages = fake_move_pages, .now_usec = fake_now};

typedef struct World {
        char state_dir[PATH_MAX + 16];
        Snapshot *snapshot;
        SysfsRoot *root;
        Placer *placer;
        PlacerStats stats;     /* after the first cycle was planned */
        uint64_t started_usec; /* the first cycle's now */
} World;

/* make_world()'s tree, a placer managing "hotshift" with the defaults, and its first cycle planned. */
static void world_start(World *w, uint64_t free_kb, int low_half, int high_half, const char *nr_accesses,
                        const char *age)
{
        PlacerSettings set = {
                .rules.processes = (char *[]){(char *)"hotshift", NULL},
                .params = policy_params_default(),
                .interval_usec = 1000000,
                .ops = &fake_ops,
        };
        w->snapshot = make_world(free_kb, low_half, high_half, nr_accesses, age, w->state_dir, sizeof w->state_dir);
        ASSERT_OK(sysfs_root_new(root, NULL, &w->root));
        ASSERT_OK(placer_new(w->root, w->state_dir, &set, &w->placer));
        w->started_usec = monotonic_usec();
        plan_cycle(w->placer, w->snapshot, w->started_usec);
        placer_stats(w->placer, &w->stats);
        ASSERT_EQ(w->stats.managed, 1);
}

static void world_end(World *w)
{
        putf("on", KD "/0/state");
        placer_free(w->placer);
        sysfs_root_free(w->root);
        snapshot_unref(w->snapshot);
        remove_root();
}

/* Step the cycle to its end; the stats' promoted or demoted pages grow by what has moved (f.moved, from 0) at
 * every step, not only when a job ends.  Returns the steps after which pages had moved and more were to come. */
static unsigned run_cycle(Placer *p, bool promoting)
{
        unsigned steps_midway = 0;
        PlacerStats st;
        placer_stats(p, &st);
        uint64_t promoted = st.totals->promoted_pages, demoted = st.totals->demoted_pages;
        ASSERT_EQ(f.moved, 0);
        for (unsigned i = 0;; i++) {
                ASSERT_TRUE(i < 1000);
                uint64_t next = 0;
                int r = placer_step(p, &next);
                ASSERT_OK(r);
                placer_stats(p, &st);
                ASSERT_EQ(st.totals->promoted_pages, promoted + (promoting ? f.moved : 0));
                ASSERT_EQ(st.totals->demoted_pages, demoted + (promoting ? 0 : f.moved));
                if (r == 1) {
                        ASSERT_TRUE(!placer_busy(p));
                        return steps_midway;
                }
                steps_midway += f.moved > 0;
        }
}

/* Node 0 below its low watermark (10 MiB free of 1 GiB) and a cold region half on it, half on node 2. */
TEST(demotion_takes_the_pages_of_its_source_and_counts_them_as_they_move)
{
        World w = {};
        PlacerStats st;

        world_start(&w, 10 * 1024, 2, 0, "0", "1000");
        ASSERT_EQ(w.stats.last_cycle->n_jobs, 1);
        ASSERT_TRUE(run_cycle(w.placer, false) > 0);
        ASSERT_TRUE(f.move_calls > 1);
        placer_stats(w.placer, &st);

        /* Node 0's 512 pages went to node 1, the next tier; node 2's stayed where they were, uncounted. */
        ASSERT_EQ(f.moved, 512);
        for (int i = 0; i < N; i++)
                ASSERT_EQ(f.node[i], i < 512 ? 2 : 1);
        ASSERT_EQ(st.n_workloads, 1);
        ASSERT_EQ(st.workloads[0].counts.demoted_pages, 512);
        ASSERT_EQ(placer_counts_not_moved(st.totals), 0);
        ASSERT_EQ(stats_node(&st, 0)->demoted_out_pages, 512);
        ASSERT_EQ(stats_node(&st, 1)->demoted_in_pages, 512);
        ASSERT_EQ(stats_node(&st, 2)->demoted_in_pages + stats_node(&st, 2)->demoted_out_pages, 0);
        world_end(&w);
}

/* Room on node 0 (900 MiB free) and a hot region half on node 1, half on node 2: one job from each. */
TEST(promotion_from_two_tiers)
{
        World w = {};
        PlacerStats st;

        world_start(&w, 900 * 1024, 1, 2, "20", "10");
        ASSERT_EQ(w.stats.last_cycle->n_jobs, 2);
        ASSERT_TRUE(run_cycle(w.placer, true) > 0);
        ASSERT_EQ(f.moved, N);
        for (int i = 0; i < N; i++)
                ASSERT_EQ(f.node[i], 0);
        placer_stats(w.placer, &st);
        ASSERT_EQ(st.workloads[0].counts.promoted_pages, N);
        ASSERT_EQ(st.last_cycle->counts.promoted_pages, N);
        ASSERT_EQ(stats_node(&st, 0)->promoted_in_pages, N);
        ASSERT_EQ(stats_node(&st, 1)->promoted_out_pages, 512);
        ASSERT_EQ(stats_node(&st, 2)->promoted_out_pages, 512);
        ASSERT_EQ(st.totals->moved_bytes, N * (uint64_t)PAGE);

        /* Node 0 under pressure and the region cold now, but promoted just now: it stays for the minimum
         * residency (5 s), then it goes down.  4 s on, the reading from the first cycle is forgotten (heat
         * memory keeps three cycles' worth). */
        put_meminfo(0, 10 * 1024);
        put_heat("0", "1000");
        f.moved = 0;
        plan_cycle(w.placer, w.snapshot, w.started_usec + 4 * USEC_PER_SEC);
        placer_stats(w.placer, &st);
        ASSERT_EQ(st.last_cycle->n_jobs, 0);
        plan_cycle(w.placer, w.snapshot, monotonic_usec() + 6 * USEC_PER_SEC);
        placer_stats(w.placer, &st);
        ASSERT_EQ(st.last_cycle->n_jobs, 1);
        ASSERT_TRUE(run_cycle(w.placer, false) > 0);
        for (int i = 0; i < (int)f.moved; i++)
                ASSERT_EQ(f.node[i], 1);
        world_end(&w);
}

/* A region seen accessed in one of the last three cycles counts as accessed on a reading that found it idle
 * (DAMON samples one page of a region per sampling interval). */
TEST(a_recent_sighting_promotes_on_an_idle_reading)
{
        World w = {};
        PlacerStats st;

        /* hot on node 1, no room on node 0: nothing to do */
        world_start(&w, 10 * 1024, 1, 1, "20", "10");
        ASSERT_EQ(w.stats.last_cycle->n_jobs, 0);
        /* 5 s on, idle, room: the sighting is forgotten */
        put_meminfo(0, 900 * 1024);
        put_heat("0", "10");
        plan_cycle(w.placer, w.snapshot, w.started_usec + 5 * USEC_PER_SEC);
        placer_stats(w.placer, &st);
        ASSERT_EQ(st.last_cycle->n_jobs, 0);
        /* hot again without room, then idle with room a cycle later: promoted */
        put_meminfo(0, 10 * 1024);
        put_heat("20", "10");
        plan_cycle(w.placer, w.snapshot, w.started_usec + 6 * USEC_PER_SEC);
        placer_stats(w.placer, &st);
        ASSERT_EQ(st.last_cycle->n_jobs, 0);
        put_meminfo(0, 900 * 1024);
        put_heat("0", "10");
        plan_cycle(w.placer, w.snapshot, w.started_usec + 7 * USEC_PER_SEC);
        ASSERT_TRUE(run_cycle(w.placer, true) > 0);
        ASSERT_EQ(f.moved, N);
        world_end(&w);
}

TESTS_MAIN(TEST_ENTRY(demotion_takes_the_pages_of_its_source_and_counts_them_as_they_move),
           TEST_ENTRY(promotion_from_two_tiers), TEST_ENTRY(a_recent_sighting_promotes_on_an_idle_reading))
