/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* topology_read() on broken trees: what becomes a warning, for which node, and what is left out. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "parse.h"
#include "tests.h"
#include "topology.h"
#include "scratch-root.h"

#define NODE "sys/devices/system/node/"

static const char *const figures[] = {"read_latency", "write_latency", "read_bandwidth", "write_bandwidth"};

/* Node 0 with CPUs, node 1 CPU-less; both with access1 figures and an initiator link to node 0. */
static void make_two_nodes(void)
{
        make_root();
        put("sys/devices/system/node/online", "0-1\n");
        put("sys/devices/system/node/has_cpu", "0\n");
        put("sys/devices/system/node/has_memory", "0-1\n");
        put(NODE "node0/cpulist", "0-3\n");
        put(NODE "node1/cpulist", "\n");
        put(NODE "node0/distance", "10 20\n");
        put(NODE "node1/distance", "20 10\n");
        put(NODE "node0/meminfo", "Node 0 MemTotal:  1024 kB\nNode 0 MemFree:  512 kB\n");
        put(NODE "node1/meminfo", "Node 1 MemTotal:  2048 kB\nNode 1 MemFree:  2000 kB\n");
        for (unsigned n = 0; n < 2; n++) {
                char p[128];
                for (int i = 0; i < 4; i++) {
                        snprintf(p, sizeof p, NODE "node%u/access1/initiators/%s", n, figures[i]);
                        put(p, "%u\n", i < 2 ? 100 + 150 * n : 20480 / (n + 1));
                }
                snprintf(p, sizeof p, NODE "node%u/access1/initiators/node0", n);
                put(p, "%s", "");
        }
}

static void replace(const char *path, const char *how)
{
        char p[PATH_MAX * 2];
        snprintf(p, sizeof p, "%s/%s", root, path);
        ASSERT_EQ(unlink(p), 0);
        if (strcmp(how, "fifo") == 0)
                ASSERT_EQ(mkfifo(p, 0600), 0);
        else if (strcmp(how, "dir") == 0)
                ASSERT_EQ(mkdir(p, 0755), 0);
        else if (strcmp(how, "loop") == 0)
                ASSERT_EQ(symlink(strrchr(p, '/') + 1, p), 0);
}

/* The warning of that code whose message contains needle, or NULL. */
static const Warning *find_warning(const WarningList *l, WarningCode code, const char *needle)
{
        for (size_t i = 0; i < l->n; i++)
                if (l->items[i].code == code && strstr(l->items[i].message, needle))
                        return &l->items[i];
        return NULL;
}

/* A warning's message starts with the file's full name: root prefix included. */
static void assert_names_file(const Warning *w, const char *path)
{
        ASSERT_TRUE(w);
        char full[PATH_MAX * 2];
        snprintf(full, sizeof full, "%s/%s: ", root, path);
        ASSERT_TRUE(strncmp(w->message, full, strlen(full)) == 0);
}

TEST(fifo_in_tree_does_not_hang)
{
        make_two_nodes();
        replace(NODE "node0/meminfo", "fifo");
        replace(NODE "node1/access1/initiators/read_latency", "fifo");
        alarm(10); /* a hang fails the test instead of stalling the suite */
        _cleanup_(topology_freep) Topology *t = NULL;
        ASSERT_OK(topology_read(root, &t));
        alarm(0);
        const Warning *w = find_warning(&t->warnings, WARNING_UNREADABLE, "node0/meminfo");
        assert_names_file(w, NODE "node0/meminfo");
        ASSERT_EQ(w->node, 0);
        ASSERT_TRUE(!t->nodes[0].has_meminfo);
        w = find_warning(&t->warnings, WARNING_UNREADABLE, "node1/access1/initiators/read_latency");
        assert_names_file(w, NODE "node1/access1/initiators/read_latency");
        ASSERT_EQ(w->node, 1);
        ASSERT_TRUE(!t->nodes[1].access[ACCESS_CPU].present);
        remove_root();
}

/* Errors other than a malformed value used to become a figure of 0 without a word. */
TEST(unreadable_figures_drop_the_access_class)
{
        make_two_nodes();
        replace(NODE "node1/access1/initiators/read_latency", "missing");
        replace(NODE "node0/access1/initiators/write_bandwidth", "dir");
        replace(NODE "node0/cpulist", "loop");
        _cleanup_(topology_freep) Topology *t = NULL;
        ASSERT_OK(topology_read(root, &t));

        const Warning *w = find_warning(&t->warnings, WARNING_UNREADABLE, "node1/access1/initiators/read_latency");
        assert_names_file(w, NODE "node1/access1/initiators/read_latency");
        ASSERT_TRUE(strstr(w->message, strerror(ENOENT)));
        ASSERT_EQ(w->node, 1);
        w = find_warning(&t->warnings, WARNING_UNREADABLE, "node0/access1/initiators/write_bandwidth");
        assert_names_file(w, NODE "node0/access1/initiators/write_bandwidth");
        ASSERT_EQ(w->node, 0);
        w = find_warning(&t->warnings, WARNING_UNREADABLE, "node0/cpulist");
        assert_names_file(w, NODE "node0/cpulist");
        ASSERT_TRUE(strstr(w->message, strerror(ELOOP)));
        ASSERT_EQ(w->node, 0);

        /* Neither class is half-read: both nodes are tiered as without HMAT data. */
        for (unsigned n = 0; n < 2; n++) {
                const AccessFigures *a = &t->nodes[n].access[ACCESS_CPU];
                ASSERT_TRUE(!a->present);
                ASSERT_EQ(a->read_latency + a->write_latency + a->read_bandwidth + a->write_bandwidth, 0);
        }
        ASSERT_TRUE(!t->hmat);
        ASSERT_TRUE(t->nodes[0].cpulist == NULL);
        remove_root();
}

TEST(missing_features_are_silent)
{
        /* No knobs, no memory_tiering, no access0, no memory blocks, no dax: none of these is a warning. */
        make_two_nodes();
        _cleanup_(topology_freep) Topology *t = NULL;
        ASSERT_OK(topology_read(root, &t));
        ASSERT_EQ(t->warnings.n, 0);
        ASSERT_TRUE(t->nodes[1].access[ACCESS_CPU].present);
        ASSERT_EQ(t->nodes[1].access[ACCESS_CPU].read_latency, 250);
        ASSERT_TRUE(nodemask_test(&t->nodes[1].access[ACCESS_CPU].initiators, 0));
        ASSERT_EQ(t->n_blocks, 0);
        remove_root();
}

TEST(tier_without_nodelist)
{
        make_two_nodes();
        put("sys/devices/virtual/memory_tiering/memory_tier4/nodelist", "0-1\n");
        char p[PATH_MAX * 2];
        snprintf(p, sizeof p, "%s/sys/devices/virtual/memory_tiering/memory_tier22", root);
        ASSERT_EQ(mkdir(p, 0755), 0);
        _cleanup_(topology_freep) Topology *t = NULL;
        ASSERT_OK(topology_read(root, &t));
        const Warning *w = find_warning(&t->warnings, WARNING_UNREADABLE, "memory_tier22/nodelist");
        assert_names_file(w, "sys/devices/virtual/memory_tiering/memory_tier22/nodelist");
        ASSERT_EQ(w->node, -1);
        ASSERT_EQ(t->n_kernel_tiers, 1);
        remove_root();
}

/* `explain N` shows the warnings of node N: a malformed value in node N's files must say so. */
TEST(malformed_values_carry_their_node)
{
        make_two_nodes();
        put(NODE "node1/distance", "20 1x0\n");
        put(NODE "node0/access1/initiators/read_bandwidth", "-5\n");
        put("proc/sys/kernel/numa_balancing", "x\n");
        _cleanup_(topology_freep) Topology *t = NULL;
        ASSERT_OK(topology_read(root, &t));
        const Warning *w = find_warning(&t->warnings, WARNING_MALFORMED_VALUE, "node1/distance");
        ASSERT_TRUE(w);
        ASSERT_EQ(w->node, 1);
        w = find_warning(&t->warnings, WARNING_MALFORMED_VALUE, "node0/access1/initiators/read_bandwidth");
        ASSERT_TRUE(w);
        ASSERT_EQ(w->node, 0);
        ASSERT_TRUE(!t->nodes[0].access[ACCESS_CPU].present);
        w = find_warning(&t->warnings, WARNING_MALFORMED_VALUE, "numa_balancing");
        ASSERT_TRUE(w);
        ASSERT_EQ(w->node, -1);
        remove_root();
}

TEST(slit_length_warning_names_root)
{
        make_two_nodes();
        put(NODE "node1/distance", "20 10 30\n");
        _cleanup_(topology_freep) Topology *t = NULL;
        ASSERT_OK(topology_read(root, &t));
        const Warning *w = find_warning(&t->warnings, WARNING_MALFORMED_VALUE, "3 entries for 2 online nodes");
        assert_names_file(w, NODE "node1/distance");
        ASSERT_EQ(w->node, 1);
        remove_root();
}

/* kB * 1024 must fit the int64 of the JSON output; a unit-less value is taken as kB (HugePages_* have none). */
TEST(meminfo_bounds)
{
        uint64_t kb;
        ASSERT_EQ(parse_meminfo_kb("MemTotal: 18446744073709551615\n", "MemTotal", &kb), -ERANGE);
        ASSERT_EQ(parse_meminfo_kb("MemTotal: 9007199254740992 kB\n", "MemTotal", &kb), -ERANGE);
        ASSERT_OK(parse_meminfo_kb("MemTotal: 9007199254740991 kB\n", "MemTotal", &kb));
        ASSERT_EQ(kb, INT64_MAX / 1024);
        ASSERT_OK(parse_meminfo_kb("Node 0 MemTotal: 1024\n", "MemTotal", &kb));
        ASSERT_EQ(kb, 1024);

        make_two_nodes();
        put(NODE "node0/meminfo", "Node 0 MemTotal:  18446744073709551615\nNode 0 MemFree:  5 kB\n");
        put(NODE "node2/meminfo", "Node 2 MemTotal:  5 kB\n"); /* no MemFree: broken, not absent */
        put("sys/devices/system/node/online", "0-2\n");
        put(NODE "node0/distance", "10 20 20\n");
        put(NODE "node1/distance", "20 10 20\n");
        put(NODE "node1/meminfo", "Node 1 MemTotal:  2048\nNode 1 MemFree:  2000 kB\n");
        _cleanup_(topology_freep) Topology *t = NULL;
        ASSERT_OK(topology_read(root, &t));
        const Warning *w = find_warning(&t->warnings, WARNING_MALFORMED_VALUE, "node0/meminfo");
        assert_names_file(w, NODE "node0/meminfo");
        ASSERT_EQ(w->node, 0);
        ASSERT_TRUE(!t->nodes[0].has_meminfo);
        ASSERT_EQ(t->nodes[0].mem_total_kb, 0);
        ASSERT_TRUE(t->nodes[1].has_meminfo);
        ASSERT_EQ(t->nodes[1].mem_total_kb, 2048);
        w = find_warning(&t->warnings, WARNING_MALFORMED_VALUE, "node2/meminfo");
        assert_names_file(w, NODE "node2/meminfo");
        ASSERT_TRUE(strstr(w->message, "MemFree"));
        ASSERT_EQ(w->node, 2);
        ASSERT_TRUE(!t->nodes[2].has_meminfo);
        ASSERT_EQ(t->nodes[2].mem_total_kb, 0);
        remove_root();
}

TEST(initiators_must_be_online_nodes)
{
        make_two_nodes();
        put(NODE "node1/access1/initiators/node5", "%s", "");
        put(NODE "node1/access1/initiators/node2000", "%s", "");
        _cleanup_(topology_freep) Topology *t = NULL;
        ASSERT_OK(topology_read(root, &t));
        const AccessFigures *a = &t->nodes[1].access[ACCESS_CPU];
        ASSERT_TRUE(a->present);
        ASSERT_EQ(nodemask_weight(&a->initiators), 1);
        ASSERT_TRUE(nodemask_test(&a->initiators, 0));
        const Warning *w = find_warning(&t->warnings, WARNING_MALFORMED_VALUE, "initiators/node5");
        assert_names_file(w, NODE "node1/access1/initiators/node5");
        ASSERT_EQ(w->node, 1);
        w = find_warning(&t->warnings, WARNING_MALFORMED_VALUE, "initiators/node2000");
        assert_names_file(w, NODE "node1/access1/initiators/node2000");
        ASSERT_EQ(w->node, 1);
        remove_root();
}

TEST(node_directories_beyond_the_limit)
{
        make_root();
        put(NODE "node0/cpulist", "0\n");
        put(NODE "node1024/cpulist", "1\n");
        put(NODE "node4294967296/cpulist", "2\n");
        _cleanup_(topology_freep) Topology *t = NULL;
        ASSERT_OK(topology_read(root, &t));
        ASSERT_EQ(t->n_nodes, 1);
        ASSERT_EQ(t->nodes[0].id, 0);
        assert_names_file(find_warning(&t->warnings, WARNING_MALFORMED_VALUE, "node1024"), NODE "node1024");
        assert_names_file(find_warning(&t->warnings, WARNING_MALFORMED_VALUE, "node4294967296"), NODE "node4294967296");
        remove_root();
}

/* Large hosts are read by two threads: the result and the warnings' order must not show it. */
TEST(many_nodes_in_parallel)
{
        make_root();
        const unsigned nodes = 300;
        put("sys/devices/system/node/online", "0-%u\n", nodes - 1);
        put("sys/devices/system/node/has_cpu", "0\n");
        for (unsigned n = 0; n < nodes; n++) {
                char p[128];
                snprintf(p, sizeof p, NODE "node%u/cpulist", n);
                if (n == 10 || n == 290)
                        put(p, "garbage%u\n", n);
                else
                        put(p, "%u\n", n);
        }
        _cleanup_(topology_freep) Topology *t = NULL;
        ASSERT_OK(topology_read(root, &t));
        ASSERT_EQ(t->n_nodes, nodes);
        for (unsigned n = 0; n < nodes; n++) {
                ASSERT_EQ(t->nodes[n].id, n);
                ASSERT_EQ(t->nodes[n].n_cpus, n == 10 || n == 290 ? 0 : 1);
        }
        /* The tree has no meminfo or distance files (two unreadable-value warnings per node): look at the rest. */
        const Warning *malformed[3];
        size_t n_malformed = 0;
        for (size_t i = 0; i < t->warnings.n; i++)
                if (t->warnings.items[i].code == WARNING_MALFORMED_VALUE && n_malformed < ELEMENTSOF(malformed))
                        malformed[n_malformed++] = &t->warnings.items[i];
        ASSERT_EQ(n_malformed, 2);
        ASSERT_EQ(malformed[0]->node, 10);
        ASSERT_TRUE(strstr(malformed[0]->message, "node10/cpulist: invalid value 'garbage10'"));
        ASSERT_EQ(malformed[1]->node, 290);
        ASSERT_TRUE(strstr(malformed[1]->message, "node290/cpulist: invalid value 'garbage290'"));
        /* In node order whichever thread read them. */
        for (size_t i = 1; i < t->warnings.n; i++)
                ASSERT_TRUE(t->warnings.items[i - 1].node <= t->warnings.items[i].node);
        remove_root();
}

TESTS_MAIN(TEST_ENTRY(fifo_in_tree_does_not_hang), TEST_ENTRY(unreadable_figures_drop_the_access_class),
           TEST_ENTRY(missing_features_are_silent), TEST_ENTRY(tier_without_nodelist),
           TEST_ENTRY(malformed_values_carry_their_node), TEST_ENTRY(slit_length_warning_names_root),
           TEST_ENTRY(meminfo_bounds), TEST_ENTRY(initiators_must_be_online_nodes),
           TEST_ENTRY(node_directories_beyond_the_limit), TEST_ENTRY(many_nodes_in_parallel))
