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
#include "scratch-root.h"
#include "topology.h"

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
                if (strcmp(warning_code_to_string(l->items[i].code), code) == 0 &&
                    (!needle || strstr(l->items[i].message, needle)))
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
        /* A node's own three files, and nothing else: no masks, HMAT, memory tiers, blocks, dax or /proc. */
        put("sys/devices/system/node/node0/cpulist", "0\n");
        put("sys/devices/system/node/node0/meminfo",
            "Node 0 MemTotal:       1024 kB\nNode 0 MemFree:         512 kB\n");
        put("sys/devices/system/node/node0/distance", "10\n");
        _cleanup_(topology_freep) Topology *t = NULL;
        ASSERT_OK(topology_read(root, &t));
        ASSERT_EQ(t->n_nodes, 1);
        ASSERT_TRUE(!t->hmat);
        ASSERT_TRUE(!t->memory_tiering);
        ASSERT_TRUE(t->kernel_release == NULL);
        ASSERT_EQ(t->warnings.n, 0);
        remove_root();
}

/* Every node directory of every kernel has these three: one missing is a broken tree, not an absent feature. */
TEST(missing_node_files_are_warned)
{
        make_root();
        put("sys/devices/system/node/online", "0-1\n");
        put("sys/devices/system/node/node0/cpulist", "0\n");
        put("sys/devices/system/node/node0/distance", "10 20\n");
        put("sys/devices/system/node/node1/meminfo",
            "Node 1 MemTotal:       1024 kB\nNode 1 MemFree:         512 kB\n");
        _cleanup_(topology_freep) Topology *t = NULL;
        ASSERT_OK(topology_read(root, &t));
        ASSERT_EQ(t->warnings.n, 3);
        ASSERT_TRUE(has_warning(&t->warnings, "unreadable-value", "node0/meminfo"));
        ASSERT_TRUE(has_warning(&t->warnings, "unreadable-value", "node1/cpulist"));
        ASSERT_TRUE(has_warning(&t->warnings, "unreadable-value", "node1/distance"));
        for (size_t i = 0; i < t->warnings.n; i++)
                ASSERT_EQ(t->warnings.items[i].node, strstr(t->warnings.items[i].message, "node0/") ? 0 : 1);
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

/* A FIFO where a file is expected must neither block nor be read as empty. */
TEST(fifo_is_refused)
{
        make_root();
        put("proc/sys/kernel/osrelease", "6.12.107+deb12-amd64\n");
        char p[PATH_MAX * 2];
        snprintf(p, sizeof p, "%s/proc/sys/kernel/numa_balancing", root);
        ASSERT_EQ(mkfifo(p, 0600), 0);
        WarningList w = {};
        _cleanup_(sysfs_root_freep) SysfsRoot *r = NULL;
        ASSERT_OK(sysfs_root_new(root, &w, &r));
        alarm(10); /* a hang fails the test instead of stalling the suite */
        _cleanup_free_ char *s = NULL;
        ASSERT_EQ(sysfs_read_string(r, &s, "proc/sys/kernel/numa_balancing"), -EBADFD);
        ASSERT_TRUE(has_warning(&w, "unreadable-value", "/proc/sys/kernel/numa_balancing: cannot read"));
        ASSERT_EQ(sysfs_write_string(r, "1", "proc/sys/kernel/numa_balancing"), -EBADFD);
        /* With a reader on the other end too (an open for writing would then succeed at once). */
        int rd = open(p, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        ASSERT_TRUE(rd >= 0);
        ASSERT_EQ(sysfs_write_string(r, "1", "proc/sys/kernel/numa_balancing"), -EBADFD);
        close(rd);
        /* A directory is not a value either. */
        ASSERT_EQ(sysfs_read_string(r, &s, "proc/sys"), -EISDIR);
        ASSERT_TRUE(has_warning(&w, "unreadable-value", "/proc/sys: cannot read"));
        alarm(0);
        warning_list_clear(&w);
        remove_root();
}

/* A long-lived root (the daemon's knobs) pins no directory; a scan's root keeps the last one. */
TEST(kept_directory)
{
        make_two_nodes();
        _cleanup_(sysfs_root_freep) SysfsRoot *r = NULL;
        ASSERT_OK(sysfs_root_new(root, NULL, &r));
        _cleanup_free_ char *a = NULL, *b = NULL;
        ASSERT_OK(sysfs_read_string(r, &a, "sys/devices/system/node/node0/cpulist"));
        ASSERT_TRUE(r->dir_fd < 0);
        r->keep_dir = true;
        ASSERT_OK(sysfs_read_string(r, &b, "sys/devices/system/node/node1/cpulist"));
        ASSERT_TRUE(r->dir_fd >= 0);
        ASSERT_STREQ(r->dir_path, "sys/devices/system/node/node1");
        remove_root();
}

TEST(empty_root_is_refused)
{
        SysfsRoot *r = NULL;
        ASSERT_EQ(sysfs_root_new("", NULL, &r), -EINVAL);
        ASSERT_TRUE(r == NULL);
        ASSERT_OK(sysfs_root_new(NULL, NULL, &r));
        ASSERT_STREQ(r->path, "/");
        sysfs_root_free(r);
}

static bool names_contain(char **names, const char *name)
{
        for (char **n = names; *n; n++)
                if (strcmp(*n, name) == 0)
                        return true;
        return false;
}

static bool have_openat2(void)
{
        struct open_how how = {.flags = O_PATH, .resolve = RESOLVE_IN_ROOT};
        int fd = (int)syscall(SYS_openat2, AT_FDCWD, ".", &how, sizeof(how));
        if (fd >= 0)
                close(fd);
        return fd >= 0 || errno != ENOSYS;
}

static void read_back(const char *path, char *buf, size_t size)
{
        FILE *f = fopen(path, "re");
        ASSERT_TRUE(f);
        size_t n = fread(buf, 1, size - 1, f);
        buf[n] = '\0';
        fclose(f);
}

/*
 * The tree lives in base/root; base also holds files that must never be reached through it.  Absolute links,
 * ".." runs and loops must resolve inside root (to the tree's own file) or fail, for every kind of access.
 */
/* The kernel follows at most 40 links in one lookup (MAXSYMLINKS); the user-space walk stops at the same count. */
static void check_link_chain(SysfsResolver resolver)
{
        make_root();
        put("sys/end", "42\n");
        char p[PATH_MAX * 2], target[32];
        for (int i = 1; i <= 41; i++) { /* link1 -> end, linkN -> link(N-1) */
                snprintf(p, sizeof p, "%s/sys/link%d", root, i);
                if (i == 1)
                        snprintf(target, sizeof target, "end");
                else
                        snprintf(target, sizeof target, "link%d", i - 1);
                ASSERT_EQ(symlink(target, p), 0);
        }
        _cleanup_(sysfs_root_freep) SysfsRoot *r = NULL;
        ASSERT_OK(sysfs_root_new(root, NULL, &r));
        sysfs_root_set_resolver(r, resolver);
        uint64_t v;
        ASSERT_OK(sysfs_read_u64(r, &v, "sys/link40"));
        ASSERT_EQ(v, 42);
        ASSERT_EQ(sysfs_read_u64(r, &v, "sys/link41"), -ELOOP);
        remove_root();
}

TEST(link_chain_limit)
{
        check_link_chain(SYSFS_RESOLVER_AUTO);
        check_link_chain(SYSFS_RESOLVER_USERSPACE);
}

static void check_containment(SysfsResolver resolver, bool keep_dir)
{
        char base[PATH_MAX], p[PATH_MAX * 2], buf[PATH_MAX * 2];
        make_root();
        snprintf(base, sizeof base, "%s", root);
        ASSERT_TRUE(strlen(base) + 6 < sizeof root);
        memcpy(root + strlen(base), "/root", 6);
        ASSERT_EQ(mkdir(root, 0755), 0);
        ASSERT_OK(tree_put(base, "secret", "outside\n"));
        ASSERT_OK(tree_put(base, "outside-link-dir/link", "%s", "")); /* replaced by a link below */
        put("secret", "inside\n");
        put("etc/passwd", "inside-passwd\n");
        put("sys/knob", "0\n");

        struct {
                const char *link, *target;
        } links[] = {
                {"sys/abs", "/etc/passwd"},                 /* the host's passwd outside, the tree's inside */
                {"sys/rel", "../../../../../../../secret"}, /* ".." clamps at the root */
                {"sys/up", "../../../.."},                  /* a directory link that would leave the tree */
                {"sys/loop1", "loop2"},
                {"sys/loop2", "loop1"},
                {"sys/driver", "../../../bus/drivers/kmem"},
        };
        for (size_t i = 0; i < ELEMENTSOF(links); i++) {
                snprintf(p, sizeof p, "%s/%s", root, links[i].link);
                ASSERT_EQ(symlink(links[i].target, p), 0);
        }
        /* An absolute link naming the outside file by its host path: inside the root that path does not exist. */
        snprintf(p, sizeof p, "%s/sys/hostpath", root);
        snprintf(buf, sizeof buf, "%s/secret", base);
        ASSERT_EQ(symlink(buf, p), 0);
        snprintf(p, sizeof p, "%s/outside-link-dir/link", base);
        ASSERT_EQ(unlink(p), 0);
        ASSERT_EQ(symlink("outside-driver", p), 0);

        WarningList w = {};
        _cleanup_(sysfs_root_freep) SysfsRoot *r = NULL;
        ASSERT_OK(sysfs_root_new(root, &w, &r));
        sysfs_root_set_resolver(r, resolver);
        r->keep_dir = keep_dir; /* siblings opened by name from the kept directory must be contained too */

        _cleanup_free_ char *s1 = NULL, *s2 = NULL, *s3 = NULL, *s4 = NULL, *l1 = NULL;
        ASSERT_OK(sysfs_read_string(r, &s1, "sys/abs"));
        ASSERT_STREQ(s1, "inside-passwd");
        ASSERT_OK(sysfs_read_string(r, &s2, "sys/rel"));
        ASSERT_STREQ(s2, "inside");
        ASSERT_OK(sysfs_read_string(r, &s3, "sys/up/secret"));
        ASSERT_STREQ(s3, "inside");
        ASSERT_OK(sysfs_read_string(r, &s4, "/../../sys/../../secret"));
        ASSERT_STREQ(s4, "inside");
        char *s = NULL;
        ASSERT_EQ(sysfs_read_string(r, &s, "sys/hostpath"), -ENOENT);
        ASSERT_EQ(sysfs_read_string(r, &s, "sys/loop1"), -ELOOP);
        ASSERT_TRUE(has_warning(&w, "unreadable-value", "/sys/loop1: cannot read"));

        /* A listing through the escaping link lists the tree's root, not base. */
        _cleanup_(strv_freep) char **names = NULL;
        size_t n;
        ASSERT_OK(sysfs_list_names(r, &names, &n, "sys/up"));
        ASSERT_TRUE(names_contain(names, "sys"));
        ASSERT_TRUE(!names_contain(names, "root") && !names_contain(names, "outside-link-dir"));

        /* readlink: the parent is found inside the root, so base's link is never read. */
        ASSERT_EQ(sysfs_readlink_basename(r, &l1, "sys/up/outside-link-dir/link"), -ENOENT);
        ASSERT_OK(sysfs_readlink_basename(r, &l1, "sys/up/sys/driver"));
        ASSERT_STREQ(l1, "kmem");

        /* Writes land in the tree's file or nowhere. */
        ASSERT_OK(sysfs_write_string(r, "1", "sys/rel"));
        ASSERT_EQ(sysfs_write_string(r, "1", "sys/hostpath"), -ENOENT);
        ASSERT_EQ(sysfs_write_string(r, "1", "sys/loop2"), -ELOOP);
        ASSERT_OK(sysfs_write_string(r, "2", "sys/up/sys/../sys/knob"));
        snprintf(p, sizeof p, "%s/secret", base);
        read_back(p, buf, sizeof buf);
        ASSERT_STREQ(buf, "outside\n");
        snprintf(p, sizeof p, "%s/secret", root);
        read_back(p, buf, sizeof buf);
        ASSERT_STREQ(buf, "1\n");
        snprintf(p, sizeof p, "%s/sys/knob", root);
        read_back(p, buf, sizeof buf);
        ASSERT_STREQ(buf, "2\n");

        warning_list_clear(&w);
        snprintf(root, sizeof root, "%s", base);
        remove_root();
}

TEST(containment_openat2)
{
        if (!have_openat2())
                TEST_SKIP("openat2() is not available here");
        check_containment(SYSFS_RESOLVER_AUTO, false);
        check_containment(SYSFS_RESOLVER_AUTO, true);
}

TEST(containment_userspace)
{
        check_containment(SYSFS_RESOLVER_USERSPACE, false);
        check_containment(SYSFS_RESOLVER_USERSPACE, true);
}

TESTS_MAIN(TEST_ENTRY(reads_a_tree), TEST_ENTRY(malformed_values_name_file_and_value),
           TEST_ENTRY(control_characters_are_escaped), TEST_ENTRY(binary_and_oversized_content),
           TEST_ENTRY(absolute_symlinks_stay_in_root), TEST_ENTRY(missing_files_are_normal),
           TEST_ENTRY(missing_node_files_are_warned), TEST_ENTRY(no_node_directory),
           TEST_ENTRY(dax_kmem_and_memory_blocks), TEST_ENTRY(classification_compares_with_kernel),
           TEST_ENTRY(fifo_is_refused), TEST_ENTRY(kept_directory), TEST_ENTRY(empty_root_is_refused),
           TEST_ENTRY(containment_openat2), TEST_ENTRY(containment_userspace), TEST_ENTRY(link_chain_limit))
