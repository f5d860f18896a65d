/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The daemon's reaction to hotplug uevents, under umockdev: the manager runs in-process with its libudev monitor
 * fed by umockdev's synthetic uevents.  A burst of memory-block and node "add" events must cause exactly one
 * rescan, scheduled RescanDebounceMSec after the last event (not after the first), and the new node must appear
 * in the tier map.
 * Runs under umockdev-wrapper (LD_PRELOAD); its testbed root doubles as the sysfs root tierd reads.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <umockdev.h>

#include "log.h"
#include "manager.h"
#include "tests.h"
#include "tree.h"

static char root[PATH_MAX];

#define put(path, ...) ASSERT_OK(tree_put(root, path, __VA_ARGS__))

static void put_node(unsigned id, const char *cpus, unsigned rl, unsigned bw, const char *distance)
{
        char p[128];
        snprintf(p, sizeof p, "sys/devices/system/node/node%u/cpulist", id);
        put(p, "%s\n", cpus);
        snprintf(p, sizeof p, "sys/devices/system/node/node%u/meminfo", id);
        put(p, "Node %u MemTotal: 1048576 kB\nNode %u MemFree: 1000000 kB\n", id, id);
        snprintf(p, sizeof p, "sys/devices/system/node/node%u/distance", id);
        put(p, "%s\n", distance);
        static const char *const figs[] = {"read_latency", "write_latency", "read_bandwidth", "write_bandwidth"};
        for (int f = 0; f < 4; f++) {
                snprintf(p, sizeof p, "sys/devices/system/node/node%u/access1/initiators/%s", id, figs[f]);
                put(p, "%u\n", f < 2 ? rl : bw);
        }
}

/* Run the loop until cond holds or 2000 iterations (each waits at most 100 ms) pass. */
#define RUN_UNTIL(m, cond)                                                                                             \
        do {                                                                                                           \
                for (int _i_ = 0; _i_ < 2000 && !(cond); _i_++)                                                        \
                        ASSERT_TRUE(sd_event_run((m)->event, 100000) >= 0);                                            \
                ASSERT_TRUE(cond);                                                                                     \
        } while (0)

TEST(burst_of_uevents_is_one_rescan)
{
        const char *preload = getenv("LD_PRELOAD");
        if (!preload || !strstr(preload, "umockdev"))
                TEST_SKIP("not running under umockdev-wrapper");

        UMockdevTestbed *tb = umockdev_testbed_new();
        gchar *tbroot = umockdev_testbed_get_root_dir(tb);
        snprintf(root, sizeof root, "%s", tbroot);

        /* Node 0: CPUs and DRAM; node 1: CPU-less CXL-like memory.  Node 2 comes later. */
        put("proc/sys/kernel/osrelease", "6.12.107+deb12-amd64\n");
        put("sys/devices/system/node/online", "0-1\n");
        put("sys/devices/system/node/has_cpu", "0\n");
        put("sys/devices/system/node/has_memory", "0-1\n");
        put_node(0, "0-1", 100, 20480, "10 20");
        put_node(1, "", 250, 4096, "20 10");
        char conf[PATH_MAX + 16];
        snprintf(conf, sizeof conf, "%s/tierd.conf", root);
        FILE *f = fopen(conf, "w");
        ASSERT_TRUE(f);
        /* Long enough that draining the burst event by event never lets the timer fire in between. */
        fputs("[Daemon]\nRescanDebounceMSec=1000\n", f);
        fclose(f);

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
        ASSERT_TRUE(m->monitor_source); /* the monitor works under umockdev */
        ASSERT_EQ(m->snapshot->generation, 1);
        ASSERT_EQ(m->rescans, 1);

        /* Hot-add: the tree gains node 2 with slower memory, then the kernel's burst of uevents. */
        put("sys/devices/system/node/online", "0-2\n");
        put("sys/devices/system/node/has_memory", "0-2\n");
        put("sys/devices/system/node/node0/distance", "10 20 30\n");
        put("sys/devices/system/node/node1/distance", "20 10 30\n");
        put_node(2, "", 400, 2048, "30 30 10");
        const unsigned blocks = 8;
        for (unsigned i = 0; i < blocks; i++) {
                char name[32];
                snprintf(name, sizeof name, "memory%u", 40 + i);
                gchar *sys = umockdev_testbed_add_device(tb, "memory", name, NULL, "state", "online", NULL, NULL);
                ASSERT_TRUE(sys);
                /* umockdev's uevent socket is small: let the monitor read as the kernel's would be read. */
                umockdev_testbed_uevent(tb, sys, "add");
                ASSERT_TRUE(sd_event_run(m->event, 0) >= 0);
                umockdev_testbed_uevent(tb, sys, "online");
                ASSERT_TRUE(sd_event_run(m->event, 0) >= 0);
                g_free(sys);
        }
        gchar *node = umockdev_testbed_add_device(tb, "node", "node2", NULL, NULL, NULL);
        ASSERT_TRUE(node);
        umockdev_testbed_uevent(tb, node, "add");
        g_free(node);

        /* Drain the burst (umockdev also announces each added device itself, so count at least ours). */
        int k;
        while ((k = sd_event_run(m->event, 0)) > 0)
                ;
        ASSERT_TRUE(k >= 0);
        uint64_t burst = m->uevents;
        ASSERT_TRUE(burst >= 2 * blocks + 1);
        /* No rescan yet: it is due one debounce interval after the last event, not after the first. */
        ASSERT_EQ(m->rescans, 1);
        uint64_t now, due;
        ASSERT_OK(sd_event_now(m->event, CLOCK_MONOTONIC, &now));
        ASSERT_TRUE(m->debounce_source);
        ASSERT_OK(sd_event_source_get_time(m->debounce_source, &due));
        ASSERT_TRUE(due > now && due <= now + 1000 * 1000);

        /* An event of another subsystem is neither counted nor pushes the deadline. */
        gchar *other = umockdev_testbed_add_device(tb, "usb", "usb9", NULL, NULL, NULL);
        umockdev_testbed_uevent(tb, other, "add");
        g_free(other);
        while ((k = sd_event_run(m->event, 0)) > 0)
                ;
        uint64_t due_after;
        ASSERT_OK(sd_event_source_get_time(m->debounce_source, &due_after));
        ASSERT_EQ(m->uevents, burst);
        ASSERT_TRUE(due_after == due);

        RUN_UNTIL(m, m->rescans == 2);
        /* Give any stray extra rescan a chance to happen, then count. */
        for (int i = 0; i < 5; i++)
                ASSERT_TRUE(sd_event_run(m->event, 30000) >= 0);
        ASSERT_EQ(m->uevents, burst);
        ASSERT_EQ(m->rescans, 2); /* one rescan for the whole burst */
        ASSERT_EQ(m->snapshot->generation, 2);
        const NodeTier *nt = tier_map_find(m->snapshot->map, 2);
        ASSERT_TRUE(nt && nt->has_memory);
        /* 576 * 800 / 200 = 2304; 2304 * 40960 / 4096 = 23040 -> tier 180 */
        ASSERT_EQ(nt->adistance, 23040);
        ASSERT_EQ(nt->tier, 180);

        manager_free(m);
        g_free(tbroot);
        g_object_unref(tb);
}

TESTS_MAIN(TEST_ENTRY(burst_of_uevents_is_one_rescan))
