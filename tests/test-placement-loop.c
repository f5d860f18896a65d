/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Migrate mode's cycle timer on the manager's loop: the manager in-process, without a bus, on a scratch tree
 * without DAMON.  A cycle that runs late -- as after one whose work held the loop up for longer than the interval,
 * which DAMON's collection did on a loaded machine before it moved to a thread -- is followed by the next one an
 * interval after it, never by
 * a burst of catch-up cycles that would leave the timer always due and starve the sources of lower priority (the
 * MigrateProcess() steps).  Seen in the placement VM test: a 64 MiB MigrateProcess() took 159 s.
 */
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "manager.h"
#include "scratch-root.h"

#define INTERVAL_USEC UINT64_C(100000)

static uint64_t cycles(const Manager *m)
{
        PlacerStats st;
        placer_stats(m->placer, &st);
        return st.cycles;
}

static void put_node(unsigned id, const char *cpus, const char *distance)
{
        char p[128];
        snprintf(p, sizeof p, "sys/devices/system/node/node%u/cpulist", id);
        put(p, "%s\n", cpus);
        snprintf(p, sizeof p, "sys/devices/system/node/node%u/meminfo", id);
        put(p, "Node %u MemTotal: 1048576 kB\nNode %u MemFree: 1000000 kB\n", id, id);
        snprintf(p, sizeof p, "sys/devices/system/node/node%u/distance", id);
        put(p, "%s\n", distance);
}

TEST(late_cycle_is_not_caught_up)
{
        make_root();
        put("proc/sys/kernel/osrelease", "6.12.117+deb12-amd64\n");
        put("sys/devices/system/node/online", "0-1\n");
        put("sys/devices/system/node/has_cpu", "0\n");
        put("sys/devices/system/node/has_memory", "0-1\n");
        put_node(0, "0-1", "10 20");
        put_node(1, "", "20 10");
        put("etc/tierd.conf", "[Daemon]\nMode=migrate\n[Placement]\nIntervalMSec=%" PRIu64 "\n", INTERVAL_USEC / 1000);
        put("run/.keep", "\n");
        char conf[PATH_MAX + 16], rundir[PATH_MAX + 16];
        snprintf(conf, sizeof conf, "%s/etc/tierd.conf", root);
        snprintf(rundir, sizeof rundir, "%s/run", root);
        ASSERT_OK(setenv("RUNTIME_DIRECTORY", rundir, 1));

        /* As tierd's main() does: the loop takes its signals through signalfd. */
        sigset_t mask;
        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGHUP);
        ASSERT_EQ(sigprocmask(SIG_BLOCK, &mask, NULL), 0);

        ManagerOptions o = {.root = root, .config_path = conf, .no_bus = true};
        Manager *m = NULL;
        ASSERT_OK(manager_new(&o, &m));
        ASSERT_OK(manager_start(m, &o));
        ASSERT_TRUE(m->placer && m->placement_cycle_source);

        /* Two cycles, the second one's DAMON reading in (the cycle timer is armed only then). */
        for (int i = 0; i < 100 && (cycles(m) < 2 || placer_busy(m->placer)); i++)
                ASSERT_TRUE(sd_event_run(m->event, INTERVAL_USEC) >= 0);
        ASSERT_TRUE(cycles(m) >= 2 && !placer_busy(m->placer));

        /* The loop is held up for more than four intervals, then drained of everything due, the overdue cycle's
         * reading included. */
        uint64_t before = cycles(m);
        usleep(4 * INTERVAL_USEC + INTERVAL_USEC / 2);
        uint64_t resumed = monotonic_usec();
        int k;
        while ((k = sd_event_run(m->event, placer_busy(m->placer) ? INTERVAL_USEC : 0)) > 0 || placer_busy(m->placer))
                ASSERT_TRUE(k >= 0);
        ASSERT_TRUE(k >= 0);
        ASSERT_EQ(cycles(m), before + 1); /* the overdue cycle once, no catch-up */
        uint64_t due;
        ASSERT_OK(sd_event_source_get_time(m->placement_cycle_source, &due));
        ASSERT_TRUE(due >= resumed + INTERVAL_USEC);

        /* And the cycles go on at the interval. */
        for (int i = 0; i < 100 && cycles(m) < before + 2; i++)
                ASSERT_TRUE(sd_event_run(m->event, INTERVAL_USEC) >= 0);
        ASSERT_EQ(cycles(m), before + 2);

        manager_free(m);
        ASSERT_OK(unsetenv("RUNTIME_DIRECTORY"));
        remove_root();
}

TESTS_MAIN(TEST_ENTRY(late_cycle_is_not_caught_up))
