/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Placement scope: cgroup rules with descendants, comm rules, exclusions, kernel threads, on hand-built trees. */
#include <errno.h>
#include <string.h>

#include "scope.h"
#include "scratch-root.h"
#include "strv.h"
#include "tests.h"

#define KTHREAD 0x00208040 /* PF_KTHREAD | PF_NOFREEZE | PF_FORKNOEXEC, as a kworker shows */

static void put_process(int pid, const char *comm, char state, unsigned flags, unsigned long start)
{
        char path[64];
        snprintf(path, sizeof path, "proc/%d/stat", pid);
        /* The 52 fields of proc_pid_stat(5), as 6.12 prints them; comm, state (3), flags (9), starttime (22) and
         * processor (39: here the pid's last digit) matter. */
        put(path,
            "%d (%s) %c 1 %d %d 0 -1 %u 120 0 0 0 3 4 0 0 20 0 1 0 %lu 12345678 300 18446744073709551615 1 2 3 0 0 0 0 "
            "0 0 0 0 0 17 %d 0 0 0 0 0 4 5 6 7 8 8 9 0\n",
            pid, comm, state, pid, pid, flags, start, pid % 10);
        snprintf(path, sizeof path, "proc/%d/comm", pid);
        put(path, "%s\n", comm);
}

static void put_tree(void)
{
        make_root();
        put("proc/self/mountinfo",
            "22 1 0:21 / /proc rw,nosuid - proc proc rw\n"
            "30 24 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw\n");
        put("sys/fs/cgroup/cgroup.procs", "1\n");
        put("sys/fs/cgroup/system.slice/cgroup.procs", "%s", "");
        put("sys/fs/cgroup/system.slice/cgroup.controllers", "cpu memory\n");
        put("sys/fs/cgroup/system.slice/pg.service/cgroup.procs", "100\n101\n");
        put("sys/fs/cgroup/system.slice/pg.service/memory.current", "4096\n");
        put("sys/fs/cgroup/system.slice/pg.service/workers/cgroup.procs", "102\n");
        put("sys/fs/cgroup/system.slice/pg.service/workers/deep/cgroup.procs", "103\n");
        put("sys/fs/cgroup/system.slice/other.service/cgroup.procs", "200\n");
        put_process(1, "systemd", 'S', 0x400100, 1);
        put_process(100, "postgres", 'S', 0x400140, 1000);
        put_process(101, "postgres", 'Z', 0x400140, 1001); /* a zombie: no memory to manage */
        put_process(102, "pg worker", 'R', 0x400040, 1002);
        put_process(103, "logger", 'S', 0x400040, 1003);
        put_process(200, "redis-server", 'S', 0x400140, 2000);
        put_process(300, "kworker/0:1", 'I', KTHREAD, 5);
        put_process(301, "redis-server", 'S', 0x400140, 3000);
        put_process(302, "a_very_long_process_name", 'S', 0x400140, 3001); /* the kernel shows 15 characters */
        put("proc/302/stat", "302 (a_very_long_pro) S 1 302 302 0 -1 4194624 0 0 0 0 0 0 0 0 20 0 1 0 3001 0 0 0 0 "
                             "0 0 0 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n");
}

static Scope *resolve(char **cgroups, char **processes, char **exclude, pid_t self)
{
        SysfsRoot *r = NULL;
        Scope *s = NULL;
        ScopeRules rules = {.cgroups = cgroups, .processes = processes, .exclude_processes = exclude};
        WarningList warnings = {};

        ASSERT_OK(sysfs_root_new(root, &warnings, &r));
        ASSERT_OK(scope_resolve(r, &rules, self, &s));
        /* Nothing in these trees is unreadable: only directories are walked as cgroups, only pids read. */
        for (size_t i = 0; i < warnings.n; i++)
                fprintf(stderr, "  warning: %s\n", warnings.items[i].message);
        ASSERT_EQ(warnings.n, 0u);
        warning_list_clear(&warnings);
        sysfs_root_free(r);
        return s;
}

static void assert_pids(const Scope *s, const int *want, size_t n)
{
        for (size_t i = 0; i < s->n_processes; i++)
                fprintf(stderr, "  got pid %d (%s) rule %s\n", (int)s->processes[i].pid, s->processes[i].comm,
                        s->processes[i].rule);
        ASSERT_EQ(s->n_processes, n);
        for (size_t i = 0; i < n; i++)
                ASSERT_EQ(s->processes[i].pid, want[i]);
}

TEST(cgroup_with_descendants)
{
        put_tree();
        Scope *s = resolve((char *[]){"/system.slice/pg.service", NULL}, NULL, NULL, 0);
        /* 101 is a zombie; 102 and 103 are in descendants. */
        assert_pids(s, (int[]){100, 102, 103}, 3);
        ASSERT_STREQ(s->processes[0].comm, "postgres");
        ASSERT_STREQ(s->processes[1].comm, "pg worker");
        ASSERT_STREQ(s->processes[0].rule, "/system.slice/pg.service");
        ASSERT_EQ(s->processes[2].start_time, 1003u);
        ASSERT_EQ(s->processes[2].processor, 3);
        ASSERT_EQ(s->n_missing_cgroups, 0u);
        ASSERT_TRUE(scope_find(s, 102) == &s->processes[1]);
        ASSERT_TRUE(scope_find(s, 101) == NULL);
        ASSERT_TRUE(scope_find(s, 99) == NULL);
        scope_free(s);
        remove_root();
}

TEST(processes_by_comm_and_exclusions)
{
        put_tree();
        Scope *s = resolve(NULL, (char *[]){"redis-server", "a_very_long_process_name", "kworker/0:1", NULL}, NULL, 0);
        /* the kernel thread is never managed, though its comm matches */
        assert_pids(s, (int[]){200, 301, 302}, 3);
        ASSERT_STREQ(s->processes[2].rule, "a_very_long_process_name");
        scope_free(s);

        s = resolve((char *[]){"/system.slice", NULL}, (char *[]){"redis-server", NULL}, (char *[]){"logger", NULL},
                    301);
        /* the whole slice (cgroup rule first), minus the excluded logger and the caller itself (301) */
        assert_pids(s, (int[]){100, 102, 200}, 3);
        ASSERT_STREQ(s->processes[2].rule, "/system.slice");
        scope_free(s);

        /* a prefix of a comm is not the comm */
        s = resolve(NULL, (char *[]){"redis", "postgres2", NULL}, NULL, 0);
        assert_pids(s, NULL, 0);
        scope_free(s);
        remove_root();
}

TEST(missing_cgroup_and_root_cgroup)
{
        put_tree();
        Scope *s =
                resolve((char *[]){"/system.slice/gone.service", "/system.slice/other.service", NULL}, NULL, NULL, 0);
        assert_pids(s, (int[]){200}, 1);
        ASSERT_EQ(s->n_missing_cgroups, 1u);
        ASSERT_STREQ(s->missing_cgroups[0], "/system.slice/gone.service");
        scope_free(s);

        s = resolve((char *[]){"/", NULL}, NULL, NULL, 0);
        assert_pids(s, (int[]){1, 100, 102, 103, 200}, 5);
        scope_free(s);
        remove_root();
}

TEST(cgroup_mount_elsewhere)
{
        put_tree();
        put("proc/self/mountinfo", "30 24 0:26 / /run/my\\040cgroup rw - cgroup2 cgroup2 rw\n");
        put("run/my cgroup/app/cgroup.procs", "200\n");
        Scope *s = resolve((char *[]){"/app", NULL}, NULL, NULL, 0);
        assert_pids(s, (int[]){200}, 1);
        scope_free(s);
        remove_root();
}

TEST(parse_stat)
{
        ScopeStat st;

        /* /proc/self/stat of cat(1) on 6.12, comm changed to one with spaces and parentheses */
        ASSERT_OK(
                scope_parse_stat("26286 (a) b) c) R 26284 26284 22367 0 -1 4194304 100 0 0 0 0 0 0 0 20 0 1 0 1251477 "
                                 "3133440 389 18446744073709551615 94337550331904 94337550351785 140730064486704 0 0 "
                                 "0 0 0 0 0 0 0 17 3 0 0 0 0 0 94337550367792 94337550369408 94338091110400 "
                                 "140730064489099 140730064489119 140730064489119 140730064490475 0\n",
                                 &st));
        ASSERT_STREQ(st.comm, "a) b) c");
        ASSERT_EQ(st.state, 'R');
        ASSERT_EQ(st.flags, 4194304u);
        ASSERT_EQ(st.start_time, 1251477u);
        ASSERT_EQ(st.processor, 3);
        ASSERT_EQ(scope_parse_stat("42 (x) R 1 2 3\n", &st), -EINVAL); /* too short */
        ASSERT_EQ(scope_parse_stat("42 x R 1\n", &st), -EINVAL);
        ASSERT_EQ(scope_parse_stat("42 (x) R 1 42 42 0 -1 zz 0 0 0 0 0 0 0 0 20 0 1 0 777 0 0 0 0 0 0 0 0 0 0 0 0 0 0 "
                                   "0 0 0 17 1\n",
                                   &st),
                  -EINVAL);
        ASSERT_EQ(scope_parse_stat("42 (0123456789abcdef) R 1 42 42 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 7 0 0 0 0 0 0 0 0 "
                                   "0 0 0 0 0 0 0 0 0 17 1\n",
                                   &st),
                  -EINVAL);
}

TEST(cgroup2_mount)
{
        char *m = NULL;
        ASSERT_OK(scope_cgroup2_mount("1 0 0:1 / / rw - ext4 /dev/vda rw\n"
                                      "2 1 0:2 / /sys/fs/cgroup rw shared:1 master:2 - cgroup2 cgroup2 rw\n",
                                      &m));
        ASSERT_STREQ(m, "sys/fs/cgroup");
        free(m);
        /* cgroup v1 hierarchies are not the unified tree */
        ASSERT_EQ(scope_cgroup2_mount("2 1 0:2 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n", &m), -ENOENT);
        ASSERT_EQ(scope_cgroup2_mount("", &m), -ENOENT);
}

TEST(rules)
{
        ASSERT_OK(scope_cgroup_path_valid("/"));
        ASSERT_OK(scope_cgroup_path_valid("/system.slice/postgresql.service"));
        ASSERT_OK(scope_cgroup_path_valid("/a..b/.c"));
        ASSERT_EQ(scope_cgroup_path_valid("system.slice"), -EINVAL);
        ASSERT_EQ(scope_cgroup_path_valid("/system.slice/../x"), -EINVAL);
        ASSERT_EQ(scope_cgroup_path_valid("/."), -EINVAL);
        ASSERT_EQ(scope_cgroup_path_valid(""), -EINVAL);
        ASSERT_TRUE(scope_rules_empty(&(ScopeRules){}));
        ASSERT_TRUE(scope_rules_empty(&(ScopeRules){.exclude_processes = (char *[]){"x", NULL}}));
        ASSERT_TRUE(!scope_rules_empty(&(ScopeRules){.processes = (char *[]){"x", NULL}}));
        ASSERT_TRUE(!scope_rules_empty(&(ScopeRules){.cgroups = (char *[]){"/", NULL}}));
}

TESTS_MAIN(TEST_ENTRY(cgroup_with_descendants), TEST_ENTRY(processes_by_comm_and_exclusions),
           TEST_ENTRY(missing_cgroup_and_root_cgroup), TEST_ENTRY(cgroup_mount_elsewhere), TEST_ENTRY(parse_stat),
           TEST_ENTRY(cgroup2_mount), TEST_ENTRY(rules))
