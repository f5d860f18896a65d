/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench-classify: time `tierctl classify` on synthetic sysfs trees of 8, 64 and 1024 nodes.
 * Prints a table; asserts nothing.  "read+classify" is what tierctl and a daemon rescan pay (sysfs reads
 * included); "compute" is the engine alone on an in-memory topology.  The target: 1024 nodes < 50 ms.
 *
 * Usage: bench-classify [ITERATIONS]   (default 20)
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "snapshot.h"
#include "tree.h"
#include "memtier.h"

static char root[PATH_MAX];

static void put_or_die(int r)
{
        if (r < 0) {
                fprintf(stderr, "Failed to write the synthetic tree below %s: %s\n", root, strerror(-r));
                exit(1);
        }
}
#define put(path, ...) put_or_die(tree_put(root, path, __VA_ARGS__))

/* One socket in four nodes: DRAM with CPUs; the rest CXL-like expanders of a few speeds. */
static void make_tree(unsigned nodes)
{
        const unsigned blocks_per_node = 4;
        snprintf(root, sizeof root, "%s/tierd-bench-XXXXXX", getenv("TMPDIR") ?: "/tmp");
        if (!mkdtemp(root)) {
                perror("mkdtemp");
                exit(1);
        }
        put("proc/sys/kernel/osrelease", "6.12.107+deb12-amd64\n");
        put("sys/devices/system/node/online", "0-%u\n", nodes - 1);
        put("sys/devices/system/node/possible", "0-%u\n", nodes - 1);
        put("sys/devices/system/node/has_memory", "0-%u\n", nodes - 1);
        put("sys/devices/system/memory/block_size_bytes", "8000000\n");

        char *cpus = calloc(nodes, 8), *row = malloc((size_t)nodes * 4 + 2);
        size_t clen = 0;
        for (unsigned n = 0; n < nodes; n += 4)
                clen += (size_t)sprintf(cpus + clen, "%s%u", clen ? "," : "", n);
        put("sys/devices/system/node/has_cpu", "%s\n", cpus);

        for (unsigned n = 0; n < nodes; n++) {
                bool cpu = n % 4 == 0;
                unsigned socket = n / 4;
                char dir[64];
                snprintf(dir, sizeof dir, "sys/devices/system/node/node%u", n);
                char p[128];
                snprintf(p, sizeof p, "%s/cpulist", dir);
                if (cpu)
                        put(p, "%u-%u\n", socket * 8, socket * 8 + 7);
                else
                        put(p, "\n");
                snprintf(p, sizeof p, "%s/meminfo", dir);
                put(p, "Node %u MemTotal:  %u kB\nNode %u MemFree:  %u kB\n", n, 524288, n, 262144);
                size_t len = 0;
                for (unsigned m = 0; m < nodes; m++) {
                        unsigned d = m == n ? 10 : m / 4 == socket ? 14 : (m % 4 == 0 && cpu) ? 21 : 24;
                        len += (size_t)sprintf(row + len, "%s%u", m ? " " : "", d);
                }
                snprintf(p, sizeof p, "%s/distance", dir);
                put(p, "%s\n", row);
                unsigned lat = cpu ? 100 : 200 + 50 * (n % 4), bw = cpu ? 100000 : 40000 / (n % 4);
                static const char *const figs[] = {"read_latency", "write_latency", "read_bandwidth",
                                                   "write_bandwidth"};
                for (int a = 0; a < 2; a++)
                        for (int f = 0; f < 4; f++) {
                                snprintf(p, sizeof p, "%s/access%d/initiators/%s", dir, a, figs[f]);
                                put(p, "%u\n", f < 2 ? lat : bw);
                        }
                for (unsigned b = 0; b < blocks_per_node; b++) {
                        unsigned id = n * blocks_per_node + b;
                        snprintf(p, sizeof p, "sys/devices/system/memory/memory%u/phys_index", id);
                        put(p, "%08x\n", id);
                        snprintf(p, sizeof p, "sys/devices/system/memory/memory%u/state", id);
                        put(p, "online\n");
                        snprintf(p, sizeof p, "sys/devices/system/memory/memory%u/valid_zones", id);
                        put(p, "%s\n", cpu ? "Normal" : "Movable");
                        snprintf(p, sizeof p, "%s/memory%u", dir, id);
                        put(p, "%s", "");
                }
        }
        free(cpus);
        free(row);
}

static double now_ms(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int main(int argc, char *argv[])
{
        static const unsigned sizes[] = {8, 64, 1024};
        int iterations = argc > 1 ? atoi(argv[1]) : 20;
        if (iterations <= 0)
                iterations = 20;

        printf("%-6s %-6s %-9s %-9s %-11s %-18s\n", "NODES", "TIERS", "WARNINGS", "READ ms", "COMPUTE ms",
               "READ+CLASSIFY ms");
        for (size_t s = 0; s < ELEMENTSOF(sizes); s++) {
                make_tree(sizes[s]);
                double best_full = 1e18, best_read = 1e18, best_compute = 1e18;
                size_t tiers = 0, warnings = 0;
                for (int i = 0; i < iterations; i++) {
                        Topology *t = NULL;
                        _cleanup_(snapshot_unrefp) Snapshot *c = NULL;
                        double t0 = now_ms();
                        if (topology_read(root, &t) < 0) {
                                fprintf(stderr, "reading %s failed\n", root);
                                return 1;
                        }
                        double t1 = now_ms();
                        /* Tiers, demotion targets and the comparison with the kernel: everything a rescan computes. */
                        if (snapshot_new(t, NULL, &c) < 0)
                                return 1;
                        double t2 = now_ms();
                        best_read = MIN(best_read, t1 - t0);
                        best_compute = MIN(best_compute, t2 - t1);
                        best_full = MIN(best_full, t2 - t0);
                        tiers = c->map->n_tiers;
                        warnings = c->warnings.n;
                }
                printf("%-6u %-6zu %-9zu %-9.3f %-11.3f %-18.3f\n", sizes[s], tiers, warnings, best_read, best_compute,
                       best_full);
                char cmd[PATH_MAX + 16];
                snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
                (void)!system(cmd);
        }
        printf("(best of %d runs each; target: 1024 nodes read+classify < 50 ms)\n", iterations);
        return 0;
}
