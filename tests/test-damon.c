/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The DAMON hotness tracker on scratch trees shaped like Linux 6.12's admin tree (sys/kernel/mm/damon/admin).
 * The trees already hold the directories the kernel creates when nr_kdamonds, nr_targets, nr_schemes,
 * nr_filters and nr_regions are written (a plain file tree cannot grow them on a write), with the kernel's
 * defaults; a test plays the kernel's other part by hand: a state file reads "on" after "on" was written because
 * the tracker wrote that word there, and a test writes "off" where the kernel would have stopped the kdamond.
 * The real kernel's behaviour is checked by the VM test (tests/vm-systemd/damon-test.sh).
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include "capture.h"
#include "damon-tree.h"
#include "damon-internal.h"
#include "damon.h"
#include "hotness-reading.h"
#include "hotness.h"
#include "log.h"
#include "scratch-root.h"
#include "tests.h"

static char state_dir[PATH_MAX + 16], record[PATH_MAX + 32];
static SysfsRoot *sroot;
static WarningList warnings;

static void setup(void)
{
        make_root();
        putf("0", KD "/nr_kdamonds");
        put_kdamond(0);
        snprintf(state_dir, sizeof state_dir, "%s/run", root);
        ASSERT_OK(mkdir(state_dir, 0755));
        snprintf(record, sizeof record, "%s/damon-kdamond", state_dir);
        put_process(1001, 'S', 500);
        put_process(1002, 'R', 600);
        put_process(1003, 'S', 700);
        put_process(1004, 'S', 800);
        ASSERT_OK(sysfs_root_new(root, NULL, &sroot));
}

static void teardown(void)
{
        sroot = sysfs_root_free(sroot);
        warning_list_clear(&warnings);
        remove_root();
}

static bool exists(const char *path)
{
        return access(path, F_OK) == 0;
}

/* Every file below root/sys with its content and modification time: any write shows. */
static char *dump_buf;
static size_t dump_len, dump_size;

static int dump_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
        if (type != FTW_F)
                return 0;
        char text[4096] = "";
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
                ssize_t n = read(fd, text, sizeof text - 1);
                text[n > 0 ? n : 0] = '\0';
                close(fd);
        }
        char line[PATH_MAX + 4200];
        int n = snprintf(line, sizeof line, "%s %lld.%09ld %s\n", path, (long long)st->st_mtim.tv_sec,
                         st->st_mtim.tv_nsec, text);
        if (dump_len + (size_t)n + 1 > dump_size) {
                dump_size = (dump_len + (size_t)n + 1) * 2;
                dump_buf = realloc(dump_buf, dump_size);
        }
        memcpy(dump_buf + dump_len, line, (size_t)n + 1);
        dump_len += (size_t)n;
        return 0;
}

static char *dump_tree(void)
{
        char sys[PATH_MAX + 8];
        snprintf(sys, sizeof sys, "%s/sys", root);
        dump_buf = NULL;
        dump_len = dump_size = 0;
        ASSERT_OK(nftw(sys, dump_one, 16, FTW_PHYS));
        return dump_buf;
}

/* Stderr into a file while f runs: the log lines a call printed. */
static char *captured_log(int (*f)(DamonTracker *), DamonTracker *t, int *ret)
{
        capture_begin(root);
        *ret = f(t);
        return capture_end();
}

static const pid_t pids_1001_1002[] = {1002, 1001, 1002}; /* unsorted, one twice */

static int set_1001_1002(DamonTracker *t)
{
        return damon_tracker_set_pids(t, pids_1001_1002, ELEMENTSOF(pids_1001_1002));
}

static DamonTracker *new_tracker(void)
{
        DamonTracker *t = NULL;
        ASSERT_OK(damon_tracker_new(sroot, &warnings, state_dir, NULL, &t));
        return t;
}

/* ---- pure parts ---- */

static void assert_slots(const DamonSlot *v, size_t n, const char *expected)
{
        char text[256] = "";
        size_t len = 0;
        for (size_t i = 0; i < n; i++)
                len += (size_t)snprintf(text + len, sizeof text - len, "%s%d/%llu%s", i ? " " : "", (int)v[i].pid,
                                        (unsigned long long)v[i].starttime, v[i].reset ? "r" : "");
        ASSERT_STREQ(text, expected);
}

TEST(plan_slots)
{
        const DamonSlot a = {.pid = 101, .starttime = 1}, b = {.pid = 102, .starttime = 2},
                        c = {.pid = 103, .starttime = 3}, d = {.pid = 104, .starttime = 4},
                        a2 = {.pid = 101, .starttime = 9};
        DamonSlot *v = NULL;
        size_t n;

        ASSERT_OK(damon_plan_slots(NULL, 0, (DamonSlot[]){a, b}, 2, &v, &n));
        assert_slots(v, n, "101/1 102/2"); /* a fresh kdamond: new targets, nothing to reset */
        free(v);
        ASSERT_OK(damon_plan_slots((DamonSlot[]){a, b, c}, 3, (DamonSlot[]){a, c}, 2, &v, &n));
        assert_slots(v, n, "101/1 0/0 103/3"); /* 103 keeps index 2 */
        free(v);
        ASSERT_OK(damon_plan_slots((DamonSlot[]){a, {.pid = 0}, c}, 3, (DamonSlot[]){a, c, d}, 3, &v, &n));
        assert_slots(v, n, "101/1 104/4r 103/3"); /* the placeholder is reused, its regions dropped */
        free(v);
        ASSERT_OK(damon_plan_slots((DamonSlot[]){a, b, c}, 3, (DamonSlot[]){a, b, c, d}, 4, &v, &n));
        assert_slots(v, n, "101/1 102/2 103/3 104/4"); /* appended: a new target starts without regions */
        free(v);
        ASSERT_OK(damon_plan_slots((DamonSlot[]){a, b, c}, 3, (DamonSlot[]){a}, 1, &v, &n));
        assert_slots(v, n, "101/1"); /* placeholders at the end go */
        free(v);
        ASSERT_OK(damon_plan_slots((DamonSlot[]){a, b}, 2, (DamonSlot[]){a2, b}, 2, &v, &n));
        assert_slots(v, n, "101/9r 102/2"); /* a reused pid is another process */
        free(v);
        ASSERT_OK(damon_plan_slots((DamonSlot[]){a, b}, 2, NULL, 0, &v, &n));
        ASSERT_EQ(n, 0);
        free(v);
}

TEST(proc_stat)
{
        char state;
        uint64_t starttime;

        ASSERT_OK(damon_parse_proc_stat("1234 (bash) S 1 1234 1234 34816 1234 4194560 1000 0 0 0 1 2 0 0 20 0 1 0 "
                                        "5678 10000 300\n",
                                        &state, &starttime));
        ASSERT_EQ(state, 'S');
        ASSERT_EQ(starttime, 5678);
        /* comm holds spaces and parentheses: fields count from the last ')' */
        ASSERT_OK(damon_parse_proc_stat("77 (a) (b c) Z 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 99", &state,
                                        &starttime));
        ASSERT_EQ(state, 'Z');
        ASSERT_EQ(starttime, 99);
        ASSERT_EQ(damon_parse_proc_stat("77 (a) S 1 2 3", &state, &starttime), -EINVAL);
        ASSERT_EQ(
                damon_parse_proc_stat("77 (a) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 x9 1", &state, &starttime),
                -EINVAL);
        ASSERT_EQ(damon_parse_proc_stat("77 a S 1", &state, &starttime), -EINVAL);
        ASSERT_EQ(damon_parse_proc_stat("77 (a)S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 99", &state, &starttime),
                  -EINVAL);
}

TEST(record_text)
{
        char buf[128];
        DamonRecord r;

        ASSERT_OK(damon_record_format(&(DamonRecord){.kdamond = 0, .cookie = 2147483649u}, buf, sizeof buf));
        ASSERT_STREQ(buf, "kdamond=0\ncookie=2147483649\n");
        ASSERT_OK(damon_record_format(&(DamonRecord){.kdamond = 2, .cookie = 7, .pid = 392}, buf, sizeof buf));
        ASSERT_STREQ(buf, "kdamond=2\ncookie=7\npid=392\n");
        ASSERT_EQ(damon_record_format(&(DamonRecord){.kdamond = 2, .cookie = 7, .pid = 392}, buf, 20), -ENOBUFS);
        ASSERT_EQ(damon_record_format(&(DamonRecord){.kdamond = 2, .cookie = 7, .pid = 392}, buf, 26), -ENOBUFS);

        ASSERT_OK(damon_record_parse("kdamond=2\ncookie=7\npid=392\n", &r));
        ASSERT_EQ(r.kdamond, 2);
        ASSERT_EQ(r.cookie, 7);
        ASSERT_EQ(r.pid, 392);
        ASSERT_OK(damon_record_parse("cookie=9\nkdamond=0", &r)); /* any order, last newline optional */
        ASSERT_EQ(r.kdamond, 0);
        ASSERT_EQ(r.cookie, 9);
        ASSERT_EQ(r.pid, 0);
        static const char *const bad[] = {
                "kdamond=0\n",                      /* no mark */
                "cookie=9\n",                       /* no index */
                "kdamond=0\ncookie=0\n",            /* 0 is no mark */
                "kdamond=0\ncookie=9\npid=0\n",     /* not a thread */
                "kdamond=0\ncookie=9\npid=-5\n",    /* not a thread */
                "kdamond=0\nkdamond=1\ncookie=9\n", /* twice */
                "kdamond=0\ncookie=9\nnr=1\n",      /* unknown */
                "kdamond=0\n\ncookie=9\n",          /* an empty line */
                "kdamond=x\ncookie=9\n",
                "kdamond=0\ncookie=99999999999999999999999999999999\n",
                "kdamond 0\ncookie=9\n",
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                ASSERT_EQ(damon_record_parse(bad[i], &r), -EINVAL);
}

TEST(kdamond_is_ours)
{
        const DamonRecord rec = {.kdamond = 0, .cookie = 0x80000001, .pid = 392};
        const DamonRecord rec_before_on = {.kdamond = 0, .cookie = 0x80000001};

        ASSERT_TRUE(!damon_kdamond_is_ours(&rec, &(DamonFound){.exists = false, .cookie = 0x80000001}));
        ASSERT_TRUE(damon_kdamond_is_ours(
                &rec, &(DamonFound){.exists = true, .running = true, .cookie = 0x80000001, .nr_contexts = 1}));
        ASSERT_TRUE(damon_kdamond_is_ours(&rec, &(DamonFound){.exists = true, .cookie = 0x80000001, .nr_contexts = 1}));
        /* another mark: never ours, whatever else matches */
        ASSERT_TRUE(!damon_kdamond_is_ours(
                &rec, &(DamonFound){.exists = true, .running = true, .cookie = 5, .pid = 392, .nr_contexts = 1}));
        ASSERT_TRUE(!damon_kdamond_is_ours(&rec, &(DamonFound){.exists = true, .cookie = 5}));
        /* no mark, running: the thread the record saw, only that */
        ASSERT_TRUE(damon_kdamond_is_ours(
                &rec, &(DamonFound){.exists = true, .running = true, .pid = 392, .nr_contexts = 1}));
        ASSERT_TRUE(!damon_kdamond_is_ours(
                &rec, &(DamonFound){.exists = true, .running = true, .pid = 393, .nr_contexts = 1}));
        ASSERT_TRUE(!damon_kdamond_is_ours(&rec_before_on,
                                           &(DamonFound){.exists = true, .running = true, .nr_contexts = 1}));
        /* no mark, off: an empty shell only */
        ASSERT_TRUE(damon_kdamond_is_ours(&rec, &(DamonFound){.exists = true, .nr_contexts = 0}));
        ASSERT_TRUE(!damon_kdamond_is_ours(&rec, &(DamonFound){.exists = true, .nr_contexts = 1}));
}

TEST(snapshot_find)
{
        HotnessProcess p[] = {{.pid = 3}, {.pid = 8}, {.pid = 20}, {.pid = 21}, {.pid = 400}};
        HotnessSnapshot s = {.processes = p, .n_processes = ELEMENTSOF(p)};

        for (size_t i = 0; i < ELEMENTSOF(p); i++)
                ASSERT_TRUE(hotness_snapshot_find(&s, p[i].pid) == &p[i]);
        ASSERT_TRUE(!hotness_snapshot_find(&s, 1));
        ASSERT_TRUE(!hotness_snapshot_find(&s, 9));
        ASSERT_TRUE(!hotness_snapshot_find(&s, 500));
        s.n_processes = 1;
        ASSERT_TRUE(hotness_snapshot_find(&s, 3) == &p[0]);
        ASSERT_TRUE(!hotness_snapshot_find(&s, 8));
        s.n_processes = 0;
        ASSERT_TRUE(!hotness_snapshot_find(&s, 3));
        ASSERT_TRUE(!hotness_snapshot_free(NULL));
}

/* ---- another DAMON user ---- */

static void assert_refused_untouched(void)
{
        char *before = dump_tree();
        DamonTracker *t = new_tracker();
        int r;
        char *log = captured_log(set_1001_1002, t, &r);
        ASSERT_EQ(r, -EBUSY);
        ASSERT_TRUE(strstr(log, "DAMON is used by another tool"));
        ASSERT_TRUE(!exists(record));
        damon_tracker_free(t);
        char *after = dump_tree();
        ASSERT_STREQ(after, before);
        free(before);
        free(after);
        free(log);
}

TEST(other_user_running)
{
        setup();
        putf("1", KD "/nr_kdamonds");
        putf("on", KD "/0/state");
        putf("4242", KD "/0/pid");
        putf("1", KD "/0/contexts/nr_contexts");
        putf("1", CTX "/targets/nr_targets");
        putf("1001", CTX "/targets/0/pid_target");
        assert_refused_untouched();
        teardown();
}

TEST(other_user_configured_off)
{
        /* Only configured, not running: writing nr_kdamonds would still wipe that tool's setup. */
        setup();
        putf("1", KD "/nr_kdamonds");
        putf("1", KD "/0/contexts/nr_contexts");
        putf("paddr", CTX "/operations");
        assert_refused_untouched();
        teardown();
}

TEST(other_user_exclusive_module)
{
        setup();
        put("sys/module/damon_lru_sort/parameters/enabled", "N\n");
        put("sys/module/damon_reclaim/parameters/enabled", "Y\n");
        char *before = dump_tree();
        DamonTracker *t = new_tracker();
        int r;
        char *log = captured_log(set_1001_1002, t, &r);
        ASSERT_EQ(r, -EBUSY);
        ASSERT_TRUE(strstr(log, "damon_reclaim"));
        damon_tracker_free(t);
        char *after = dump_tree();
        ASSERT_STREQ(after, before);
        free(before);
        free(after);
        free(log);
        teardown();
}

/* A tracker on a tree without DAMON's sysfs interface, process 1001 alive. */
static DamonTracker *tracker_without_damon(void)
{
        DamonTracker *t = NULL;
        make_root();
        put("proc/1001/stat", "1001 (x) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5 0 0\n");
        snprintf(state_dir, sizeof state_dir, "%s", root);
        ASSERT_OK(sysfs_root_new(root, NULL, &sroot));
        ASSERT_OK(damon_tracker_new(sroot, NULL, state_dir, NULL, &t));
        return t;
}

TEST(no_damon)
{
        DamonTracker *t = tracker_without_damon();
        ASSERT_EQ(damon_tracker_set_pids(t, (pid_t[]){1001}, 1), -EOPNOTSUPP);
        damon_tracker_free(t);
        teardown();
}

/* ---- the kdamond's configuration ---- */

TEST(start_writes_everything)
{
        setup();
        const DamonAttrs attrs = {.sample_usec = 2000,
                                  .aggr_usec = 50000,
                                  .update_usec = 500000,
                                  .min_nr_regions = 12,
                                  .max_nr_regions = 345};
        DamonTracker *t = NULL;
        ASSERT_OK(damon_tracker_new(sroot, &warnings, state_dir, &attrs, &t));
        putf("4321", KD "/0/pid"); /* what the kernel shows once the thread runs */
        ASSERT_OK(set_1001_1002(t));

        ASSERT_STREQ(get(KD "/nr_kdamonds"), "1");
        ASSERT_STREQ(get(KD "/0/contexts/nr_contexts"), "1");
        ASSERT_STREQ(get(CTX "/operations"), "vaddr");
        ASSERT_STREQ(get(CTX "/monitoring_attrs/intervals/sample_us"), "2000");
        ASSERT_STREQ(get(CTX "/monitoring_attrs/intervals/aggr_us"), "50000");
        ASSERT_STREQ(get(CTX "/monitoring_attrs/intervals/update_us"), "500000");
        ASSERT_STREQ(get(CTX "/monitoring_attrs/nr_regions/min"), "12");
        ASSERT_STREQ(get(CTX "/monitoring_attrs/nr_regions/max"), "345");
        ASSERT_STREQ(get(CTX "/targets/nr_targets"), "2");
        ASSERT_STREQ(get(CTX "/targets/0/pid_target"), "1001");
        ASSERT_STREQ(get(CTX "/targets/1/pid_target"), "1002");
        ASSERT_STREQ(get(CTX "/targets/0/regions/nr_regions"), "0");
        ASSERT_STREQ(get(CTX "/schemes/nr_schemes"), "2");
        for (unsigned i = 0; i < 2; i++) {
                char idx[8];
                snprintf(idx, sizeof idx, "%u", i);
                ASSERT_STREQ(get(CTX "/schemes/%u/action", i), "stat");
                /* every minimum and maximum: a new scheme's ranges are 0..0 and would match nothing */
                ASSERT_STREQ(get(CTX "/schemes/%u/access_pattern/sz/min", i), "0");
                ASSERT_STREQ(get(CTX "/schemes/%u/access_pattern/sz/max", i), "18446744073709551615");
                ASSERT_STREQ(get(CTX "/schemes/%u/access_pattern/nr_accesses/min", i), "0");
                ASSERT_STREQ(get(CTX "/schemes/%u/access_pattern/nr_accesses/max", i), "4294967295");
                ASSERT_STREQ(get(CTX "/schemes/%u/access_pattern/age/min", i), "0");
                ASSERT_STREQ(get(CTX "/schemes/%u/access_pattern/age/max", i), "4294967295");
                /* target i's regions only: what does not match target i is filtered out */
                ASSERT_STREQ(get(CTX "/schemes/%u/filters/nr_filters", i), "1");
                ASSERT_STREQ(get(CTX "/schemes/%u/filters/0/type", i), "target");
                ASSERT_STREQ(get(CTX "/schemes/%u/filters/0/damon_target_idx", i), idx);
                ASSERT_STREQ(get(CTX "/schemes/%u/filters/0/matching", i), "N");
                ASSERT_STREQ(get(CTX "/schemes/%u/watermarks/metric", i), "none");
        }
        ASSERT_STREQ(get(KD "/0/state"), "on");

        /* The record names kdamond 0 and the mark it carries. */
        DamonRecord rec;
        bool found;
        ASSERT_OK(damon_record_load(record, &rec, &found));
        ASSERT_TRUE(found);
        ASSERT_EQ(rec.kdamond, 0);
        char cookie[24];
        snprintf(cookie, sizeof cookie, "%llu", (unsigned long long)rec.cookie);
        ASSERT_STREQ(get(CTX "/schemes/0/watermarks/interval_us"), cookie);
        ASSERT_TRUE(rec.cookie >= 0x80000000u && rec.cookie <= 0xffffffffu);
        ASSERT_EQ(rec.pid, 4321); /* the thread, should a crash leave it without its mark */

        /* The same set again commits nothing. */
        putf("on", KD "/0/state");
        ASSERT_OK(damon_tracker_set_pids(t, (pid_t[]){1001, 1002}, 2));
        ASSERT_STREQ(get(KD "/0/state"), "on");

        damon_tracker_free(t);
        ASSERT_STREQ(get(KD "/0/state"), "off");
        ASSERT_STREQ(get(KD "/nr_kdamonds"), "0");
        ASSERT_TRUE(!exists(record));
        teardown();
}

TEST(record_before_kdamond)
{
        /* No record, no kdamond: a record that cannot be written stops everything before nr_kdamonds. */
        setup();
        char tmp[PATH_MAX + 64];
        snprintf(tmp, sizeof tmp, "%s.tmp", record);
        ASSERT_OK(mkdir(tmp, 0755));
        char *before = dump_tree();
        DamonTracker *t = new_tracker();
        ASSERT_TRUE(set_1001_1002(t) < 0);
        ASSERT_TRUE(!exists(record));
        damon_tracker_free(t);
        char *after = dump_tree();
        ASSERT_STREQ(after, before);
        free(before);
        free(after);
        teardown();
}

static void assert_write_failure(const char *file, const char *value)
{
        setup();
        char path[PATH_MAX * 2];
        snprintf(path, sizeof path, "%s/%s", root, file);
        ASSERT_OK(unlink(path));
        DamonTracker *t = new_tracker();
        int r;
        char *log = captured_log(set_1001_1002, t, &r);
        ASSERT_EQ(r, -ENOENT);
        char expected[PATH_MAX * 2 + 64];
        snprintf(expected, sizeof expected, "Failed to write '%s' to %s", value, path);
        ASSERT_TRUE(strstr(log, expected));
        /* what was half set up is given back, the mark written or not yet */
        ASSERT_STREQ(get(KD "/nr_kdamonds"), "0");
        ASSERT_STREQ(get(KD "/0/state"), "off");
        ASSERT_TRUE(!exists(record));
        damon_tracker_free(t);
        free(log);
        teardown();
}

TEST(write_failure_names_file)
{
        assert_write_failure(CTX "/schemes/1/filters/0/type", "target");
        assert_write_failure(CTX "/schemes/nr_schemes", "2");
}

/* ---- crashes ---- */

/* A tracker that started its kdamond and died without stopping it (SIGKILL). */
static void crash_after_start(void)
{
        fflush(stdout);
        pid_t child = fork();
        ASSERT_TRUE(child >= 0);
        if (child == 0) {
                DamonTracker *t = NULL;
                if (damon_tracker_new(sroot, NULL, state_dir, NULL, &t) < 0 || set_1001_1002(t) < 0)
                        _exit(1);
                _exit(0);
        }
        int status;
        ASSERT_EQ(waitpid(child, &status, 0), child);
        ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        ASSERT_TRUE(exists(record));
        ASSERT_STREQ(get(KD "/0/state"), "on");
        ASSERT_STREQ(get(KD "/nr_kdamonds"), "1");
}

TEST(recovery_removes_ours)
{
        setup();
        crash_after_start();
        DamonTracker *t = new_tracker();
        ASSERT_STREQ(get(KD "/0/state"), "off");
        ASSERT_STREQ(get(KD "/nr_kdamonds"), "0");
        ASSERT_TRUE(!exists(record));
        damon_tracker_free(t);
        teardown();
}

TEST(recovery_stopped_by_itself)
{
        setup();
        crash_after_start();
        putf("off", KD "/0/state"); /* its processes all exited: the kernel stopped it */
        DamonTracker *t = new_tracker();
        ASSERT_STREQ(get(KD "/nr_kdamonds"), "0");
        ASSERT_TRUE(!exists(record));
        damon_tracker_free(t);
        teardown();
}

TEST(recovery_leaves_a_taken_over_kdamond)
{
        setup();
        crash_after_start();
        /* Another tool recreated kdamond 0 after ours had stopped, and runs it. */
        putf("5000000", CTX "/schemes/0/watermarks/interval_us");
        putf("on", KD "/0/state");
        putf("5555", KD "/0/pid");
        char *before = dump_tree();
        DamonTracker *t = new_tracker();
        char *after = dump_tree();
        ASSERT_STREQ(after, before);
        ASSERT_TRUE(!exists(record));
        damon_tracker_free(t);
        free(before);
        free(after);
        teardown();
}

TEST(recovery_mark_lost_while_rewriting)
{
        /* The crash came while the schemes were being rewritten: no mark, but the thread the record saw. */
        setup();
        crash_after_start();
        put(record + strlen(root) + 1, "kdamond=0\ncookie=2147483650\npid=4321\n");
        putf("0", CTX "/schemes/0/watermarks/interval_us");
        putf("4321", KD "/0/pid");
        DamonTracker *t = new_tracker();
        ASSERT_STREQ(get(KD "/0/state"), "off");
        ASSERT_STREQ(get(KD "/nr_kdamonds"), "0");
        damon_tracker_free(t);
        teardown();
}

TEST(second_tracker_refused)
{
        setup();
        DamonTracker *t = new_tracker(), *t2 = NULL;
        ASSERT_OK(set_1001_1002(t));
        putf("on", KD "/0/state");
        char *before = dump_tree();
        ASSERT_EQ(damon_tracker_new(sroot, NULL, state_dir, NULL, &t2), -EBUSY);
        char *after = dump_tree();
        ASSERT_STREQ(after, before);
        ASSERT_TRUE(exists(record));
        damon_tracker_free(t);
        free(before);
        free(after);
        teardown();
}

TEST(invalid_record_ignored)
{
        setup();
        putf("1", KD "/nr_kdamonds");
        putf("on", KD "/0/state");
        put(record + strlen(root) + 1, "kdamond=0\ncookie=banana\n");
        char *before = dump_tree();
        DamonTracker *t = new_tracker();
        char *after = dump_tree();
        ASSERT_STREQ(after, before);
        damon_tracker_free(t);
        free(before);
        free(after);
        teardown();
}

/* ---- collecting ---- */

TEST(collect_per_target)
{
        setup();
        DamonTracker *t = new_tracker();
        HotnessSnapshot *s = NULL;

        ASSERT_OK(damon_tracker_collect(t, &s)); /* nothing tracked yet */
        ASSERT_EQ(s->n_processes, 0);
        s = hotness_snapshot_free(s);

        ASSERT_OK(set_1001_1002(t));
        /* The kernel numbers tried regions across schemes; scheme 0's are 1001's, scheme 1's are 1002's. */
        put_region(0, 0, "140737488289792", "140737488355328", "2", "7"); /* 0x7fffffff0000-0x800000000000 */
        put_region(0, 1, "4194304", "8388608", "20", "3");                /* 0x400000-0x800000 */
        put_region(0, 2, "8388608", "12582912", "0", "41");
        put_region(1, 3, "4194304", "6291456", "5", "1");
        put_region(1, 4, "6291456", "7340032", "x", "1");  /* malformed: skipped */
        put_region(1, 5, "9437184", "9437184", "1", "1");  /* empty: skipped */
        put_region(1, 6, "7340032", "8388608", "11", "0"); /* id 6 after 5: listed numerically */

        ASSERT_OK(damon_tracker_collect(t, &s));
        ASSERT_STREQ(get(KD "/0/state"), "update_schemes_tried_regions");
        ASSERT_EQ(s->max_nr_accesses, 20);
        ASSERT_EQ(s->aggr_usec, 200000); /* the default: 20 samples of 10 ms */
        ASSERT_EQ(s->n_processes, 2);
        ASSERT_EQ(s->n_exited, 0);
        const HotnessProcess *a = hotness_snapshot_find(s, 1001), *b = hotness_snapshot_find(s, 1002);
        ASSERT_TRUE(a && b);
        ASSERT_EQ(a->n_regions, 3);
        ASSERT_EQ(a->regions[0].start, 0x400000);
        ASSERT_EQ(a->regions[0].end, 0x800000);
        ASSERT_EQ(a->regions[0].nr_accesses, 20);
        ASSERT_EQ(a->regions[0].age, 3);
        ASSERT_EQ(a->regions[1].start, 0x800000);
        ASSERT_EQ(a->regions[1].nr_accesses, 0);
        ASSERT_EQ(a->regions[1].age, 41);
        ASSERT_EQ(a->regions[2].start, 0x7fffffff0000);
        ASSERT_EQ(a->regions[2].end, 0x800000000000);
        ASSERT_EQ(b->n_regions, 2);
        ASSERT_EQ(b->regions[0].start, 0x400000);
        ASSERT_EQ(b->regions[0].end, 0x600000);
        ASSERT_EQ(b->regions[0].nr_accesses, 5);
        ASSERT_EQ(b->regions[1].start, 0x700000);
        ASSERT_EQ(b->regions[1].nr_accesses, 11);
        ASSERT_TRUE(warning_list_contains(&warnings, WARNING_MALFORMED_VALUE, -1));
        bool named_bad = false, named_empty = false;
        for (size_t i = 0; i < warnings.n; i++) {
                named_bad = named_bad || strstr(warnings.items[i].message, "/schemes/1/tried_regions/4/nr_accesses");
                named_empty = named_empty || strstr(warnings.items[i].message, "/schemes/1/tried_regions/5:");
        }
        ASSERT_TRUE(named_bad && named_empty);
        hotness_snapshot_free(s);
        putf("on", KD "/0/state");
        damon_tracker_free(t);
        ASSERT_STREQ(get(KD "/nr_kdamonds"), "0");
        teardown();
}

/* A reading on a thread of its own: the pids set and the regions read there, the eventfd readable once it is in,
 * the caller's signal mask as it was. */
TEST(reading_on_a_thread)
{
        setup();
        DamonTracker *t = new_tracker();
        HotnessReading *rd = NULL;
        HotnessSnapshot *s = NULL;
        sigset_t before, after;

        put_region(0, 0, "4194304", "8388608", "20", "3");
        put_region(1, 1, "4194304", "6291456", "5", "1");
        ASSERT_EQ(pthread_sigmask(SIG_SETMASK, NULL, &before), 0);
        ASSERT_OK(hotness_reading_start(t, pids_1001_1002, ELEMENTSOF(pids_1001_1002), &rd));
        ASSERT_EQ(pthread_sigmask(SIG_SETMASK, NULL, &after), 0);
        for (int sig = 1; sig < NSIG; sig++)
                ASSERT_EQ(sigismember(&before, sig), sigismember(&after, sig));
        struct pollfd p = {.fd = hotness_reading_fd(rd), .events = POLLIN};
        ASSERT_EQ(poll(&p, 1, 60000), 1);
        ASSERT_OK(hotness_reading_finish(rd, &s));
        ASSERT_STREQ(get(KD "/0/state"), "update_schemes_tried_regions");
        ASSERT_EQ(s->n_processes, 2);
        const HotnessProcess *a = hotness_snapshot_find(s, 1001), *b = hotness_snapshot_find(s, 1002);
        ASSERT_TRUE(a && b && a->n_regions == 1 && b->n_regions == 1);
        ASSERT_EQ(a->regions[0].nr_accesses, 20);
        ASSERT_EQ(b->regions[0].end, 0x600000);
        hotness_snapshot_free(s);
        putf("on", KD "/0/state");
        damon_tracker_free(t);
        teardown();
}

/* Without DAMON the reading says so, and a reading dropped unfinished is waited for. */
TEST(reading_without_damon)
{
        DamonTracker *t = tracker_without_damon();
        HotnessReading *rd = NULL;
        HotnessSnapshot *s = NULL;
        ASSERT_OK(hotness_reading_start(t, (pid_t[]){1001}, 1, &rd));
        ASSERT_EQ(hotness_reading_finish(rd, &s), -EOPNOTSUPP);
        ASSERT_TRUE(s == NULL);
        ASSERT_OK(hotness_reading_start(t, (pid_t[]){1001}, 1, &rd));
        hotness_reading_free(rd);
        damon_tracker_free(t);
        teardown();
}

TEST(exit_and_join)
{
        setup();
        DamonTracker *t = new_tracker();
        HotnessSnapshot *s = NULL;
        char self[16];
        snprintf(self, sizeof self, "%d", (int)getpid());

        ASSERT_OK(damon_tracker_set_pids(t, (pid_t[]){1001, 1002, 1003}, 3));
        putf("on", KD "/0/state");

        /* 1002 exits, 1003 turns into a zombie: both reported gone, their last regions not used. */
        remove_process(1002);
        put_process(1003, 'Z', 700);
        put_region(1, 0, "4194304", "8388608", "0", "9");
        ASSERT_OK(damon_tracker_collect(t, &s));
        ASSERT_EQ(s->n_processes, 1);
        ASSERT_EQ(s->processes[0].pid, 1001);
        ASSERT_EQ(s->n_exited, 2);
        ASSERT_EQ(s->exited[0], 1002);
        ASSERT_EQ(s->exited[1], 1003);
        s = hotness_snapshot_free(s);
        put_process(1003, 'S', 700);
        putf("on", KD "/0/state");

        /* 1002 leaves a placeholder (the tracker's own process): 1003 keeps index 2. */
        ASSERT_OK(damon_tracker_set_pids(t, (pid_t[]){1001, 1002, 1003}, 3));
        ASSERT_STREQ(get(KD "/0/state"), "commit");
        ASSERT_STREQ(get(CTX "/targets/nr_targets"), "3");
        ASSERT_STREQ(get(CTX "/targets/1/pid_target"), self);
        ASSERT_STREQ(get(CTX "/targets/2/pid_target"), "1003");
        ASSERT_STREQ(get(CTX "/schemes/nr_schemes"), "3");
        putf("on", KD "/0/state");

        /* 1004 joins into the placeholder: the kernel is told to drop the regions it had at index 1. */
        putf("0", CTX "/targets/2/regions/nr_regions");
        ASSERT_OK(damon_tracker_set_pids(t, (pid_t[]){1001, 1003, 1004}, 3));
        ASSERT_STREQ(get(KD "/0/state"), "commit");
        ASSERT_STREQ(get(CTX "/targets/1/pid_target"), "1004");
        ASSERT_STREQ(get(CTX "/targets/1/regions/nr_regions"), "1");
        ASSERT_STREQ(get(CTX "/targets/1/regions/0/start"), "0");
        ASSERT_STREQ(get(CTX "/targets/1/regions/0/end"), "4096");
        ASSERT_STREQ(get(CTX "/targets/2/regions/nr_regions"), "0"); /* 1003 keeps what the kernel learned */
        putf("on", KD "/0/state");

        /* A reused pid is another process. */
        put_process(1004, 'S', 801);
        put_region(0, 0, "4194304", "8388608", "3", "9");
        put_region(2, 1, "4194304", "8388608", "4", "9");
        ASSERT_OK(damon_tracker_collect(t, &s));
        ASSERT_EQ(s->n_exited, 1);
        ASSERT_EQ(s->exited[0], 1004);
        ASSERT_EQ(s->n_processes, 2);
        ASSERT_EQ(s->processes[1].pid, 1003);
        ASSERT_EQ(s->processes[1].regions[0].nr_accesses, 4);
        s = hotness_snapshot_free(s);
        putf("on", KD "/0/state");

        /* Only the first stays: the placeholders behind it go. */
        ASSERT_OK(damon_tracker_set_pids(t, (pid_t[]){1001}, 1));
        ASSERT_STREQ(get(CTX "/targets/nr_targets"), "1");
        ASSERT_STREQ(get(CTX "/schemes/nr_schemes"), "1");
        putf("on", KD "/0/state");

        /* Nobody left: the kdamond is given back. */
        ASSERT_OK(damon_tracker_set_pids(t, (pid_t[]){1002}, 1));
        ASSERT_STREQ(get(KD "/0/state"), "off");
        ASSERT_STREQ(get(KD "/nr_kdamonds"), "0");
        ASSERT_TRUE(!exists(record));
        damon_tracker_free(t);
        teardown();
}

TEST(restart_after_kernel_stop)
{
        setup();
        DamonTracker *t = new_tracker();
        HotnessSnapshot *s = NULL;

        ASSERT_OK(damon_tracker_set_pids(t, (pid_t[]){1001, 1002, 1003}, 3));
        /* 1001 exited while a change was committed: the kernel stopped the kdamond. */
        putf("off", KD "/0/state");
        remove_process(1001);
        ASSERT_OK(damon_tracker_collect(t, &s));
        ASSERT_STREQ(get(KD "/0/state"), "on");
        ASSERT_STREQ(get(CTX "/targets/nr_targets"), "2");
        ASSERT_STREQ(get(CTX "/targets/0/pid_target"), "1002");
        ASSERT_STREQ(get(CTX "/targets/1/pid_target"), "1003");
        ASSERT_EQ(s->n_exited, 1);
        ASSERT_EQ(s->exited[0], 1001);
        ASSERT_EQ(s->n_processes, 2);
        ASSERT_EQ(s->processes[0].n_regions, 0); /* started over */
        s = hotness_snapshot_free(s);

        /* All of them exited: the kernel stopped it, the tracker gives it back. */
        putf("off", KD "/0/state");
        remove_process(1002);
        remove_process(1003);
        ASSERT_OK(damon_tracker_collect(t, &s));
        ASSERT_EQ(s->n_processes, 0);
        ASSERT_EQ(s->n_exited, 2);
        ASSERT_STREQ(get(KD "/nr_kdamonds"), "0");
        ASSERT_TRUE(!exists(record));
        s = hotness_snapshot_free(s);
        damon_tracker_free(t);
        teardown();
}

TEST(taken_over_while_stopped)
{
        setup();
        DamonTracker *t = new_tracker();
        HotnessSnapshot *s = NULL;

        ASSERT_OK(set_1001_1002(t));
        /* Ours stopped; another tool wrote nr_kdamonds (recreating kdamond 0) and configured its own. */
        putf("off", KD "/0/state");
        putf("1", KD "/0/contexts/nr_contexts");
        putf("0", CTX "/schemes/0/watermarks/interval_us");
        putf("1", CTX "/targets/nr_targets");
        putf("1", CTX "/targets/0/pid_target");
        char *before = dump_tree();
        ASSERT_EQ(damon_tracker_collect(t, &s), -EBUSY);
        ASSERT_EQ(damon_tracker_set_pids(t, (pid_t[]){1001}, 1), -EBUSY);
        damon_tracker_free(t);
        char *after = dump_tree();
        ASSERT_STREQ(after, before);
        ASSERT_TRUE(!exists(record));
        free(before);
        free(after);
        teardown();
}

TEST(taken_over_then_freed)
{
        setup();
        DamonTracker *t = new_tracker();
        ASSERT_OK(set_1001_1002(t));
        putf("off", KD "/0/state");
        putf("0", CTX "/schemes/0/watermarks/interval_us");
        putf("1", KD "/0/contexts/nr_contexts");
        char *before = dump_tree();
        damon_tracker_free(t);
        char *after = dump_tree();
        ASSERT_STREQ(after, before);
        free(before);
        free(after);
        teardown();
}

TEST(set_pids_restarts_a_stopped_kdamond)
{
        setup();
        DamonTracker *t = new_tracker();
        ASSERT_OK(damon_tracker_set_pids(t, (pid_t[]){1001}, 1));
        putf("off", KD "/0/state");
        ASSERT_OK(damon_tracker_set_pids(t, (pid_t[]){1001, 1002}, 2));
        ASSERT_STREQ(get(KD "/0/state"), "on");
        ASSERT_STREQ(get(CTX "/targets/nr_targets"), "2");
        damon_tracker_free(t);
        ASSERT_STREQ(get(KD "/nr_kdamonds"), "0");
        teardown();
}

TEST(stop_gives_back)
{
        setup();
        DamonTracker *t = new_tracker();
        ASSERT_OK(set_1001_1002(t));
        ASSERT_OK(damon_tracker_stop(t));
        ASSERT_STREQ(get(KD "/0/state"), "off");
        ASSERT_STREQ(get(KD "/nr_kdamonds"), "0");
        ASSERT_TRUE(!exists(record));
        /* and starts over on the next set */
        putf("0", CTX "/targets/nr_targets");
        ASSERT_OK(damon_tracker_set_pids(t, (pid_t[]){1003}, 1));
        ASSERT_STREQ(get(KD "/nr_kdamonds"), "1");
        ASSERT_STREQ(get(CTX "/targets/0/pid_target"), "1003");
        damon_tracker_free(t);
        ASSERT_STREQ(get(KD "/nr_kdamonds"), "0");
        teardown();
}

int main(void)
{
        static const TestCase cases[] = {
                TEST_ENTRY(plan_slots),
                TEST_ENTRY(proc_stat),
                TEST_ENTRY(record_text),
                TEST_ENTRY(kdamond_is_ours),
                TEST_ENTRY(snapshot_find),
                TEST_ENTRY(other_user_running),
                TEST_ENTRY(other_user_configured_off),
                TEST_ENTRY(other_user_exclusive_module),
                TEST_ENTRY(no_damon),
                TEST_ENTRY(start_writes_everything),
                TEST_ENTRY(record_before_kdamond),
                TEST_ENTRY(write_failure_names_file),
                TEST_ENTRY(recovery_removes_ours),
                TEST_ENTRY(recovery_stopped_by_itself),
                TEST_ENTRY(recovery_leaves_a_taken_over_kdamond),
                TEST_ENTRY(recovery_mark_lost_while_rewriting),
                TEST_ENTRY(second_tracker_refused),
                TEST_ENTRY(invalid_record_ignored),
                TEST_ENTRY(collect_per_target),
                TEST_ENTRY(exit_and_join),
                TEST_ENTRY(restart_after_kernel_stop),
                TEST_ENTRY(taken_over_while_stopped),
                TEST_ENTRY(taken_over_then_freed),
                TEST_ENTRY(set_pids_restarts_a_stopped_kdamond),
                TEST_ENTRY(stop_gives_back),
                TEST_ENTRY(reading_on_a_thread),
                TEST_ENTRY(reading_without_damon),
        };
        log_set_journal(false);
        log_set_max_level(LOG_DEBUG);
        return tests_run(cases, ELEMENTSOF(cases));
}

jmp_buf test_failed;
