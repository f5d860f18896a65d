/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The placer's cycle end to end on a scratch tree: the scope from /proc, DAMON's regions from a fake admin tree,
 * where pages are and their moves through a simulated move_pages(2) (the page queries and the jobs), the plan on
 * a hand-built three-tier topology.  What the policy decides is tested on structs (test-policy*.c); this is
 * about carrying a plan out (which pages a move takes, the floor and the rate limit the jobs keep, what the stats
 * say while and after it runs) and what the placer keeps between cycles and reloads (when a region moved, which
 * regions were seen accessed lately, the statistics).
 */
#include <poll.h>
#include <string.h>

#include "damon-tree.h"
#include "log.h"
#include "placer.h"
#include "proc-tree.h"
#include "snapshot.h"
#include "tests.h"
#include "topo-builder.h"

#define N 1024 /* the process's pages, all present */
#define USEC_PER_SEC UINT64_C(1000000)
#define MIB (UINT64_C(1) << 20)

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

/* The placer's rate limit runs on CLOCK_MONOTONIC: the jobs see the same clock. */
static uint64_t real_now(void *userdata)
{
        return monotonic_usec();
}

static void put_meminfo(unsigned node, uint64_t free_kb)
{
        char p[64];
        snprintf(p, sizeof p, "sys/devices/system/node/node%u/meminfo", node);
        put(p, "Node %u MemTotal: 1048576 kB\nNode %u MemFree: %" PRIu64 " kB\n", node, node, free_kb);
}

/* TEST_PID's /proc stat: "hotshift", started at start_time, last on CPU 1. */
static void put_stat(unsigned start_time)
{
        char p[64];
        snprintf(p, sizeof p, "proc/%d/stat", TEST_PID);
        put(p,
            "%d (hotshift) S 1 %d %d 0 -1 4194560 100 0 0 0 5 6 0 0 20 0 1 0 %u 1000000 50"
            " 0 0 0 0 0 0 0 0 0 0 0 0 0 0 1 0 0 0\n",
            TEST_PID, TEST_PID, TEST_PID, start_time);
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
        ASSERT_TRUE((add_node(t, 0, true, true)->cpulist = strdup("0-1")));
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
        put_stat(500);
        for (int i = 0; i < N; i++) {
                f.node[i] = i < 512 ? low_half : high_half;
                pm[i] = PM_PRESENT | frame_of(i, f.node[i]);
        }
        put_pagemap(BASE, pm, N);

        putf("0", KD "/nr_kdamonds");
        put_kdamond(0);
        put_heat(nr_accesses, age);
        put("run/.keep", "\n");
        snprintf(state_dir, size, "%s/run", root);
        f.moved = f.move_calls = 0;
        return s;
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

/* Node 0's free memory and the region's heat as given, then a cycle planned at now: its number of jobs. */
static size_t replan(Placer *p, const Snapshot *s, uint64_t free_kb, const char *nr_accesses, const char *age,
                     uint64_t now)
{
        PlacerStats st;
        put_meminfo(0, free_kb);
        put_heat(nr_accesses, age);
        plan_cycle(p, s, now);
        placer_stats(p, &st);
        return st.last_cycle->n_jobs;
}

static const PlacerNode *stats_node(const PlacerStats *st, unsigned node)
{
        for (size_t i = 0; i < st->n_nodes; i++)
                if (st->nodes[i].node == node)
                        return &st->nodes[i];
        ASSERT_TRUE(false);
        return NULL;
}

static const MigrateOps fake_ops = {.move_pages = fake_move_pages, .now_usec = real_now};

typedef struct World {
        char state_dir[PATH_MAX + 16];
        Snapshot *snapshot;
        SysfsRoot *root;
        Placer *placer;
        PlacerStats stats;     /* after the first cycle was planned */
        uint64_t started_usec; /* the first cycle's now */
} World;

/* A placer managing "hotshift" with the defaults, on the simulated kernel. */
static PlacerSettings settings(uint64_t rate_bytes_per_sec)
{
        static char *processes[] = {(char *)"hotshift", NULL};
        return (PlacerSettings){
                .rules.processes = processes,
                .params = policy_params_default(),
                .interval_usec = 1000000,
                .rate_bytes_per_sec = rate_bytes_per_sec,
                .ops = &fake_ops,
        };
}

/* make_world()'s tree, such a placer, and its first cycle planned. */
static void world_start_rate(World *w, uint64_t free_kb, int low_half, int high_half, const char *nr_accesses,
                             const char *age, uint64_t rate_bytes_per_sec)
{
        PlacerSettings set = settings(rate_bytes_per_sec);
        w->snapshot = make_world(free_kb, low_half, high_half, nr_accesses, age, w->state_dir, sizeof w->state_dir);
        ASSERT_OK(sysfs_root_new(root, NULL, &w->root));
        ASSERT_OK(placer_new(w->root, w->state_dir, &set, &w->placer));
        w->started_usec = monotonic_usec();
        plan_cycle(w->placer, w->snapshot, w->started_usec);
        placer_stats(w->placer, &w->stats);
        ASSERT_EQ(w->stats.managed, 1);
}

static void world_start(World *w, uint64_t free_kb, int low_half, int high_half, const char *nr_accesses,
                        const char *age)
{
        world_start_rate(w, free_kb, low_half, high_half, nr_accesses, age, 0);
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
        const PlacerCycle *c = w.stats.last_cycle;
        ASSERT_EQ(c->number, 1);
        ASSERT_EQ(c->outcome, POLICY_OUTCOME_MOVES);
        ASSERT_EQ(c->n_moves, 1);
        ASSERT_EQ(c->n_jobs, 1);
        ASSERT_EQ(c->budget_bytes, UINT64_C(32) << 20);    /* the pace's first budget, not the configured 256 MiB */
        ASSERT_EQ(c->planned_bytes, 512 * (uint64_t)PAGE); /* 8 of the region's 16 samples on node 0 */
        ASSERT_TRUE(c->collect_usec > 0);
        ASSERT_EQ(c->ended_usec, 0);
        ASSERT_EQ(w.stats.n_workloads, 1);
        ASSERT_TRUE(w.stats.workloads[0].alive);
        ASSERT_EQ(w.stats.workloads[0].home_node, 0); /* CPU 1 is node 0's */
        ASSERT_EQ(w.stats.workloads[0].regions, 1);
        ASSERT_EQ(w.stats.workloads[0].hot_regions, 0);
        ASSERT_TRUE(stats_node(&w.stats, 0)->last_notes & POLICY_NOTE_BELOW_LOW);
        ASSERT_EQ(stats_node(&w.stats, 0)->free_bytes, 10 * MIB);
        ASSERT_EQ(stats_node(&w.stats, 0)->total_bytes, 1024 * MIB);
        ASSERT_TRUE(run_cycle(w.placer, false) > 0);
        ASSERT_TRUE(f.move_calls > 1);
        placer_stats(w.placer, &st);
        ASSERT_TRUE(st.last_cycle->ended_usec >= st.last_cycle->planned_usec && st.last_cycle->planned_usec > 0);
        ASSERT_EQ(st.last_cycle->counts.demoted_pages, 512);

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
        ASSERT_EQ(w.stats.workloads[0].hot_regions, 1);
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
        f.moved = 0;
        ASSERT_EQ(replan(w.placer, w.snapshot, 10 * 1024, "0", "1000", w.started_usec + 4 * USEC_PER_SEC), 0);
        ASSERT_EQ(replan(w.placer, w.snapshot, 10 * 1024, "0", "1000", monotonic_usec() + 6 * USEC_PER_SEC), 1);
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

        /* hot on node 1, no room on node 0: nothing to do */
        world_start(&w, 10 * 1024, 1, 1, "20", "10");
        ASSERT_EQ(w.stats.last_cycle->n_jobs, 0);
        ASSERT_EQ(w.stats.last_cycle->outcome, POLICY_OUTCOME_BLOCKED);
        /* 5 s on, idle, room: the sighting is forgotten */
        ASSERT_EQ(replan(w.placer, w.snapshot, 900 * 1024, "0", "10", w.started_usec + 5 * USEC_PER_SEC), 0);
        /* hot again without room, then idle with room a cycle later: promoted */
        ASSERT_EQ(replan(w.placer, w.snapshot, 10 * 1024, "20", "10", w.started_usec + 6 * USEC_PER_SEC), 0);
        ASSERT_EQ(replan(w.placer, w.snapshot, 900 * 1024, "0", "10", w.started_usec + 7 * USEC_PER_SEC), 1);
        ASSERT_TRUE(run_cycle(w.placer, true) > 0);
        ASSERT_EQ(f.moved, N);
        world_end(&w);
}

/* The plan saw room that was gone when the job ran: the engine keeps the target's low watermark (2% of 1 GiB)
 * and counts what it held back. */
TEST(memory_gone_meanwhile_holds_the_job_at_the_floor)
{
        World w = {};
        PlacerStats st;

        world_start(&w, 900 * 1024, 1, 1, "20", "10");
        ASSERT_EQ(w.stats.last_cycle->n_jobs, 1);
        put_meminfo(0, 10 * 1024);
        ASSERT_EQ(run_cycle(w.placer, true), 0);
        ASSERT_EQ(f.moved, 0);
        placer_stats(w.placer, &st);
        ASSERT_EQ(st.totals->failed_pages[MIGRATE_NO_MEMORY], N);
        ASSERT_EQ(placer_counts_not_moved(st.totals), N);
        ASSERT_EQ(stats_node(&st, 0)->failed_pages[MIGRATE_NO_MEMORY], N);
        world_end(&w);
}

/* The rate limit paces the jobs: at 1 MiB/s (a 2 MiB burst), 4 MiB of promotions are told to wait, and steps
 * taken without waiting move no more than the burst and the rate allow for the time they took. */
TEST(rate_limit_spaces_the_steps)
{
        World w = {};
        bool told_to_wait = false;

        world_start_rate(&w, 900 * 1024, 1, 1, "20", "10", MIB);
        uint64_t t0 = monotonic_usec();
        for (unsigned i = 0; i < 200; i++) {
                uint64_t next = 0;
                int r = placer_step(w.placer, &next);
                ASSERT_OK(r);
                if (r == 1)
                        break; /* only on a machine slow enough for the rate to let it all go */
                told_to_wait = told_to_wait || next > monotonic_usec();
        }
        uint64_t elapsed = monotonic_usec() - t0;
        ASSERT_TRUE(told_to_wait);
        ASSERT_TRUE(f.moved > 0);
        ASSERT_TRUE(f.moved * PAGE <= 2 * MIB + MIB * elapsed / USEC_PER_SEC + 4096);
        world_end(&w);
}

/* A reload keeps the stats and takes the new budget at once; a new process under an old pid starts from zero. */
TEST(reload_and_a_reused_pid)
{
        World w = {};
        PlacerStats st;

        world_start(&w, 900 * 1024, 1, 1, "20", "10");
        run_cycle(w.placer, true);
        PlacerSettings set = settings(0);
        set.params.budget_bytes = MIB;
        ASSERT_OK(placer_configure(w.placer, &set));
        placer_stats(w.placer, &st);
        ASSERT_EQ(st.totals->promoted_pages, N);
        ASSERT_EQ(st.workloads[0].counts.promoted_pages, N);
        for (int i = 0; i < N; i++)
                set_page(i, 1);
        plan_cycle(w.placer, w.snapshot, monotonic_usec());
        placer_stats(w.placer, &st);
        ASSERT_EQ(st.last_cycle->budget_bytes, MIB);
        ASSERT_EQ(st.workloads[0].counts.promoted_pages, N); /* the same process */
        f.moved = 0;
        run_cycle(w.placer, true);
        ASSERT_EQ(f.moved, 256);

        /* pid 4242 again, started later: another process.  (The tracker restarts the kdamond for it, which the
         * scratch tree cannot play: this cycle reads no hotness, and needs none.) */
        put_stat(900);
        plan_cycle(w.placer, w.snapshot, monotonic_usec());
        placer_stats(w.placer, &st);
        ASSERT_EQ(st.n_workloads, 1);
        ASSERT_EQ(st.workloads[0].start_time, 900);
        ASSERT_EQ(st.workloads[0].counts.promoted_pages, 0);
        ASSERT_EQ(st.totals->promoted_pages, N + 256);
        world_end(&w);
}

TESTS_MAIN(TEST_ENTRY(demotion_takes_the_pages_of_its_source_and_counts_them_as_they_move),
           TEST_ENTRY(promotion_from_two_tiers), TEST_ENTRY(a_recent_sighting_promotes_on_an_idle_reading),
           TEST_ENTRY(memory_gone_meanwhile_holds_the_job_at_the_floor), TEST_ENTRY(rate_limit_spaces_the_steps),
           TEST_ENTRY(reload_and_a_reused_pid))
