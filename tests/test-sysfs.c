/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The root-prefixed reader and topology discovery on small trees made on the fly. */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "snapshot.h"
#include "sysfs.h"
#include "tests.h"
#include "tree.h"
#include "topology.h"

static char root[PATH_MAX];

/* Every put() in these tests must succeed: a failure is the test's own fault. */
#define put(path, ...) ASSERT_OK(tree_put(root, path, __VA_ARGS__))

static void make_root(void)
{
        snprintf(root, sizeof root, "%s/tierd-test-XXXXXX", getenv("TMPDIR") ?: "/tmp");
        ASSERT_TRUE(mkdtemp(root));
}

static void remove_root(void)
{
        char cmd[PATH_MAX + 16];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
        (void)!system(cmd);
}

/* A two-node host: node 0 with CPUs, node 1 CPU-less with HMAT figures. */
static void make_two_nodes(void)
{
        make_root();
        put("proc/sys/kernel/osrelease", "6.12.107+deb12-amd64\n");
        put("sys/devices/system/node/online", "0-1\n");
        put("sys/devices/system/node/possible", "0-1\n");
        put("sys/devices/system/node/has_cpu", "0\n");
        put("sys/devices/system/node/has_memory", "0-1\n");
        put("sys/devices/system/node/node0/cpulist", "0-3\n");
        put("sys/devices/system/node/node1/cpulist", "\n");
        put("sys/devices/system/node/node0/distance", "10 20\n");
        put("sys/devices/system/node/node1/distance", "20 10\n");
        put("sys/devices/system/node/node0/meminfo", "Node 0 MemTotal:  1024 kB\nNode 0 MemFree:  512 kB\n");
        put("sys/devices/system/node/node1/meminfo", "Node 1 MemTotal:  2048 kB\nNode 1 MemFree:  2000 kB\n");
        const char *figures[] = {"read_latency", "write_latency", "read_bandwidth", "write_bandwidth"};
        const char *n0[] = {"100", "100", "20480", "20480"}, *n1[] = {"250", "250", "4096", "4096"};
        for (int i = 0; i < 4; i++) {
                char p[128];
                snprintf(p, sizeof p, "sys/devices/system/node/node0/access1/initiators/%s", figures[i]);
                put(p, "%s\n", n0[i]);
                snprintf(p, sizeof p, "sys/devices/system/node/node1/access1/initiators/%s", figures[i]);
                put(p, "%s\n", n1[i]);
        }
        put("sys/devices/virtual/memory_tiering/memory_tier4/nodelist", "0\n");
        put("sys/devices/virtual/memory_tiering/memory_tier22/nodelist", "1\n");
}

static bool has_warning(const WarningList *l, const char *code, const char *needle)
{
        for (size_t i = 0; i < l->n; i++)
                if (strcmp(warning_code_to_string(l->items[i].code), code) == 0 && (!needle || strstr(l->items[i].message, needle)))
                        return true;
        return false;
}

TEST(reads_a_tree)
{
        make_two_nodes();
        _cleanup_(topology_freep) Topology *t = NULL;
        ASSERT_OK(topology_read(root, &t));
        ASSERT_EQ(t->n_nodes, 2);
        ASSERT_STREQ(t->kernel_release, "6.12.107+deb12-amd64");
        ASSERT_EQ(t->kernel_minor, 12);
        ASSERT_EQ(t->nodes[0].n_cpus, 4);
        ASSERT_EQ(t->nodes[1].n_cpus, 0);
        ASSERT_STREQ(t->nodes[1].cpulist, "");
        ASSERT_EQ(t->nodes[1].mem_total_kb, 2048);
        ASSERT_TRUE(t->nodes[1].access[ACCESS_CPU].present);
        ASSERT_TRUE(!t->nodes[1].access[ACCESS_LOCAL].present);
        ASSERT_EQ(t->nodes[1].access[ACCESS_CPU].read_latency, 250);
        ASSERT_EQ(topology_distance(t, 0, 1), 20);
        ASSERT_EQ(t->nodes[1].kernel_tier, 22);
        ASSERT_EQ(t->numa_balancing, -1); /* absent knob: recorded, not an error */
        ASSERT_EQ(t->demotion_enabled, -1);
        ASSERT_EQ(t->warnings.n, 0);
        remove_root();
}

TEST(malformed_values_name_file_and_value)
{
        make_two_nodes();
        put("sys/devices/system/node/node1/distance", "20 1x0\n");
        put("sys/devices/system/node/node1/access1/initiators/read_bandwidth", "-5\n");
        put("sys/devices/system/node/node0/cpulist", "0-99999999\n");
        put("sys/devices/virtual/memory_tiering/memory_tier22/nodelist", "garbage\n");
        _cleanup_(topology_freep) Topology *t = NULL;
        ASSERT_OK(topology_read(root, &t));
        ASSERT_TRUE(has_warning(&t->warnings, "malformed-value", "node1/distance: invalid value '20 1x0'"));
        ASSERT_TRUE(has_warning(&t->warnings, "malformed-value",
                                "node1/access1/initiators/read_bandwidth: invalid "
                                "value '-5'"));
        ASSERT_TRUE(has_warning(&t->warnings, "malformed-value", "node0/cpulist: invalid value '0-99999999'"));
        ASSERT_TRUE(has_warning(&t->warnings, "malformed-value", "memory_tier22/nodelist: invalid value 'garbage'"));
        /* What could be read is still there; the bad items are absent. */
        ASSERT_EQ(t->n_nodes, 2);
        ASSERT_EQ(t->nodes[1].n_distance, 0);
        ASSERT_EQ(t->nodes[1].access[ACCESS_CPU].read_bandwidth, 0);
        ASSERT_EQ(t->nodes[1].kernel_tier, -1);
        ASSERT_EQ(t->nodes[1].mem_total_kb, 2048);
        remove_root();
}

TEST(control_characters_are_escaped)
{
        make_two_nodes();
        put("proc/sys/kernel/numa_balancing", "1\033[2J\n");
        _cleanup_(topology_freep) Topology *t = NULL;
        ASSERT_OK(topology_read(root, &t));
        ASSERT_TRUE(has_warning(&t->warnings, "malformed-value", "'1\\x1b[2J'"));
        remove_root();
}

TEST(binary_and_oversized_content)
{
        make_two_nodes();
        char p[PATH_MAX * 2];
        snprintf(p, sizeof p, "%s/proc/sys/kernel/numa_balancing", root);
        FILE *f = fopen(p, "w");
        ASSERT_TRUE(f);
        fwrite("1\0\n", 1, 3, f);
        fclose(f);
        snprintf(p, sizeof p, "%s/sys/devices/system/node/node0/cpulist", root);
        f = fopen(p, "w");
        ASSERT_TRUE(f);
        for (int i = 0; i < SYSFS_VALUE_MAX / 8 + 1; i++)
                fputs("1,1,1,1,", f);
        fclose(f);
        _cleanup_(topology_freep) Topology *t = NULL;
        ASSERT_OK(topology_read(root, &t));
        ASSERT_EQ(t->numa_balancing, -1);
        ASSERT_TRUE(has_warning(&t->warnings, "malformed-value", "numa_balancing"));
        ASSERT_TRUE(has_warning(&t->warnings, "malformed-value", "node0/cpulist"));
        remove_root();
}

TEST(absolute_symlinks_stay_in_root)
{
        /* The guarantee rests on openat2(RESOLVE_IN_ROOT); valgrind 3.19 and pre-5.6 kernels lack it. */
        struct open_how how = {.flags = O_PATH, .resolve = RESOLVE_IN_ROOT};
        int fd = (int)syscall(SYS_openat2, AT_FDCWD, ".", &how, sizeof(how));
        if (fd < 0 && errno == ENOSYS)
                TEST_SKIP("openat2() is not available here");
        if (fd >= 0)
                close(fd);
        make_two_nodes();
        /* A captured tree may hold an absolute link; it must resolve inside the tree, never on the host. */
        put("elsewhere/osrelease", "9.9.9-inside\n");
        char link[PATH_MAX * 2];
        snprintf(link, sizeof link, "%s/proc/sys/kernel/osrelease", root);
        ASSERT_EQ(unlink(link), 0);
        ASSERT_EQ(symlink("/elsewhere/osrelease", link), 0);
        _cleanup_(topology_freep) Topology *t = NULL;
        ASSERT_OK(topology_read(root, &t));
        ASSERT_STREQ(t->kernel_release, "9.9.9-inside");
        remove_root();
}

TEST(missing_files_are_normal)
{
        make_root();
        put("sys/devices/system/node/node0/cpulist", "0\n"); /* no masks, no meminfo, nothing else */
        _cleanup_(topology_freep) Topology *t = NULL;
        ASSERT_OK(topology_read(root, &t));
        ASSERT_EQ(t->n_nodes, 1);
        ASSERT_TRUE(!t->hmat);
        ASSERT_TRUE(!t->memory_tiering);
        ASSERT_TRUE(t->kernel_release == NULL);
        ASSERT_EQ(t->warnings.n, 0);
        remove_root();
}

TEST(no_node_directory)
{
        make_root();
        _cleanup_(topology_freep) Topology *t = NULL;
        ASSERT_EQ(topology_read(root, &t), -ENOENT);
        ASSERT_EQ(topology_read("/nonexistent/tierd/root", &t), -ENOENT);
        remove_root();
}

TEST(dax_kmem_and_memory_blocks)
{
        make_two_nodes();
        put("sys/devices/system/memory/block_size_bytes", "8000000\n");
        put("sys/devices/system/memory/memory32/phys_index", "00000020\n");
        put("sys/devices/system/memory/memory32/state", "online\n");
        put("sys/devices/system/memory/memory32/valid_zones", "Movable\n");
        put("sys/devices/system/memory/memory33/phys_index", "00000021\n");
        put("sys/devices/system/memory/memory33/state", "offline\n");
        put("sys/devices/system/node/node1/memory32", "%s", "");
        put("sys/devices/system/node/node1/memory33", "%s", "");
        put("sys/bus/dax/devices/dax0.0/target_node", "1\n");
        put("sys/bus/dax/devices/dax0.0/resource", "0x100000000\n");
        put("sys/bus/dax/devices/dax0.0/size", "268435456\n");
        char link[PATH_MAX * 2];
        snprintf(link, sizeof link, "%s/sys/bus/dax/devices/dax0.0/driver", root);
        ASSERT_EQ(symlink("../../../../bus/dax/drivers/kmem", link), 0);

        _cleanup_(topology_freep) Topology *t = NULL;
        ASSERT_OK(topology_read(root, &t));
        ASSERT_EQ(t->block_size, 128 << 20);
        ASSERT_EQ(t->n_blocks, 2);
        ASSERT_EQ(t->blocks[0].node, 1);
        ASSERT_EQ(t->blocks[0].state, MEMORY_BLOCK_ONLINE);
        ASSERT_STREQ(t->blocks[0].valid_zones, "Movable");
        ASSERT_EQ(t->n_dax, 1);
        ASSERT_STREQ(t->dax[0].driver, "kmem");
        ASSERT_TRUE(t->nodes[1].dax_kmem);
        ASSERT_EQ(t->nodes[1].online_bytes, 128 << 20);
        ASSERT_EQ(t->nodes[1].kmem_bytes, 128 << 20);
        remove_root();
}

TEST(classification_compares_with_kernel)
{
        make_two_nodes();
        put("proc/sys/kernel/osrelease", "6.1.0-56-amd64\n");
        put("sys/devices/virtual/memory_tiering/memory_tier4/nodelist", "0-1\n");
        char p[PATH_MAX * 2];
        snprintf(p, sizeof p, "%s/sys/devices/virtual/memory_tiering/memory_tier22", root);
        char cmd[PATH_MAX * 2 + 16];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", p);
        ASSERT_EQ(system(cmd), 0);
        _cleanup_(snapshot_unrefp) Snapshot *c = NULL;
        ASSERT_OK(snapshot_read(root, NULL, &c));
        /* 576 * 500 / 200 = 1440; 1440 * 40960 / 8192 = 7200 -> tier 56; the 6.1 kernel kept it in tier 4. */
        ASSERT_EQ(tier_map_find(c->map, 1)->tier, 56);
        ASSERT_TRUE(has_warning(&c->warnings, "kernel-pre-6.10", "node 1"));
        remove_root();
}

TESTS_MAIN(TEST_ENTRY(reads_a_tree), TEST_ENTRY(malformed_values_name_file_and_value),
           TEST_ENTRY(control_characters_are_escaped), TEST_ENTRY(binary_and_oversized_content),
           TEST_ENTRY(absolute_symlinks_stay_in_root), TEST_ENTRY(missing_files_are_normal),
           TEST_ENTRY(no_node_directory), TEST_ENTRY(dax_kmem_and_memory_blocks),
           TEST_ENTRY(classification_compares_with_kernel))
