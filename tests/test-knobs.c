/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The kernel knobs: what config asks for, apply and restore on a hand-built root, the saved-knobs record. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include "capture.h"
#include "config.h"
#include "knobs.h"
#include "log.h"
#include "tests.h"
#include "tree.h"

static char root[PATH_MAX], state[PATH_MAX + 32];

static void remove_root(void)
{
        char cmd[PATH_MAX + 16];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
        (void)!system(cmd);
}

static const char *const originals[_KNOB_MAX] = {"0", "false", "65536", "1000"};

/* A root with the four knob files at the values above, and a state directory. */
static void make_root(void)
{
        if (root[0])
                remove_root();
        snprintf(root, sizeof root, "%s/tierd-test-knobs-XXXXXX", getenv("TMPDIR") ?: "/tmp");
        ASSERT_TRUE(mkdtemp(root));
        for (KnobId id = 0; id < _KNOB_MAX; id++)
                ASSERT_OK(tree_put(root, knob_path(id), "%s\n", originals[id]));
        ASSERT_OK(tree_put(root, "run/.keep", "\n"));
        snprintf(state, sizeof state, "%s/run/saved-knobs", root);
}

/* The knob's file content without its newline. */
static char *knob_value(KnobId id)
{
        char path[PATH_MAX * 2];
        snprintf(path, sizeof path, "%s/%s", root, knob_path(id));
        char *s = read_text(path);
        ASSERT_TRUE(s);
        s[strcspn(s, "\n")] = '\0';
        return s;
}

static void assert_knob(KnobId id, const char *expected)
{
        char *v = knob_value(id);
        ASSERT_STREQ(v, expected);
        free(v);
}

static void assert_originals(void)
{
        for (KnobId id = 0; id < _KNOB_MAX; id++)
                assert_knob(id, originals[id]);
}

static Config *kernel_config(void)
{
        Config *c = config_new();
        ASSERT_TRUE(c);
        c->mode = TIERD_MODE_KERNEL;
        c->numa_balancing = NUMA_BALANCING_TIERING;
        c->demotion = DEMOTION_ON;
        c->promote_rate_limit_mbps = 100;
        c->hot_threshold_msec = 500;
        return c;
}

static const char *const wanted[_KNOB_MAX] = {"2", "true", "100", "500"};

static unsigned count(const char *haystack, const char *needle)
{
        unsigned n = 0;
        for (const char *p = haystack; (p = strstr(p, needle)); p++)
                n++;
        return n;
}

TEST(desired)
{
        static const struct {
                NumaBalancingSetting setting;
                const char *value;
        } numa[] = {{NUMA_BALANCING_KEEP, NULL},
                    {NUMA_BALANCING_OFF, "0"},
                    {NUMA_BALANCING_NORMAL, "1"},
                    {NUMA_BALANCING_TIERING, "2"},
                    {NUMA_BALANCING_BOTH, "3"}};
        static const struct {
                DemotionSetting setting;
                const char *value;
        } demotion[] = {{DEMOTION_KEEP, NULL}, {DEMOTION_ON, "true"}, {DEMOTION_OFF, "false"}};
        static const struct {
                int64_t setting;
                const char *value;
        } numbers[] = {
                {CONFIG_KEEP, NULL}, {0, "0"}, {100, "100"}, {INT32_MAX, "2147483647"}, {UINT32_MAX, "4294967295"}};
        char buf[64];
        Config *c = config_new();
        ASSERT_TRUE(c);

        for (TierdMode mode = 0; mode < _TIERD_MODE_MAX; mode++) {
                c->mode = mode;
                bool observe = mode == TIERD_MODE_OBSERVE;
                for (size_t i = 0; i < ELEMENTSOF(numa); i++) {
                        c->numa_balancing = numa[i].setting;
                        const char *v = knobs_desired(c, KNOB_NUMA_BALANCING, "1", buf, sizeof buf);
                        if (observe || !numa[i].value)
                                ASSERT_TRUE(!v);
                        else
                                ASSERT_STREQ(v, numa[i].value);
                }
                for (size_t i = 0; i < ELEMENTSOF(demotion); i++) {
                        c->demotion = demotion[i].setting;
                        const char *v = knobs_desired(c, KNOB_DEMOTION_ENABLED, NULL, buf, sizeof buf);
                        if (observe || !demotion[i].value)
                                ASSERT_TRUE(!v);
                        else
                                ASSERT_STREQ(v, demotion[i].value);
                }
                for (size_t i = 0; i < ELEMENTSOF(numbers); i++) {
                        c->promote_rate_limit_mbps = numbers[i].setting;
                        c->hot_threshold_msec = numbers[i].setting;
                        const char *v = knobs_desired(c, KNOB_PROMOTE_RATE_LIMIT, NULL, buf, sizeof buf);
                        if (observe || !numbers[i].value)
                                ASSERT_TRUE(!v);
                        else
                                ASSERT_STREQ(v, numbers[i].value);
                        v = knobs_desired(c, KNOB_HOT_THRESHOLD, NULL, buf, sizeof buf);
                        if (observe || !numbers[i].value)
                                ASSERT_TRUE(!v);
                        else
                                ASSERT_STREQ(v, numbers[i].value);
                }
        }
        config_free(c);

        ASSERT_STREQ(knob_name(KNOB_NUMA_BALANCING), "numa_balancing");
        ASSERT_STREQ(knob_path(KNOB_HOT_THRESHOLD), "sys/kernel/debug/sched/numa_balancing/hot_threshold_ms");
}

TEST(kernel_promotion_adds_tiering_mode)
{
        static const struct {
                const char *original, *want;
        } cases[] = {
                {"0", "2"}, {"1", "3"}, {"2", NULL}, {"3", NULL}, {"4", NULL}, {"x", NULL}, {NULL, NULL},
        };
        char buf[64];
        Config *c = config_new();
        ASSERT_TRUE(c);

        c->mode = TIERD_MODE_MIGRATE;
        c->placement_promotion = PROMOTION_KERNEL;
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                const char *v = knobs_desired(c, KNOB_NUMA_BALANCING, cases[i].original, buf, sizeof buf);
                if (cases[i].want)
                        ASSERT_STREQ(v, cases[i].want);
                else
                        ASSERT_TRUE(!v);
        }
        /* An explicit setting wins; tierd's own promotion, or kernel mode, adds nothing. */
        c->numa_balancing = NUMA_BALANCING_NORMAL;
        ASSERT_STREQ(knobs_desired(c, KNOB_NUMA_BALANCING, "0", buf, sizeof buf), "1");
        c->numa_balancing = NUMA_BALANCING_KEEP;
        c->placement_promotion = PROMOTION_TIERD;
        ASSERT_TRUE(!knobs_desired(c, KNOB_NUMA_BALANCING, "1", buf, sizeof buf));
        c->placement_promotion = PROMOTION_KERNEL;
        c->mode = TIERD_MODE_KERNEL;
        ASSERT_TRUE(!knobs_desired(c, KNOB_NUMA_BALANCING, "1", buf, sizeof buf));

        /* Applied: the kernel's value with the tiering bit, the administrator's value saved and put back; a
         * second apply keeps the first original (the kernel's value is tierd's own by then). */
        make_root();
        ASSERT_OK(tree_put(root, knob_path(KNOB_NUMA_BALANCING), "1\n"));
        Knobs *k = NULL;
        ASSERT_OK(knobs_new(root, state, &k));
        c->mode = TIERD_MODE_MIGRATE;
        ASSERT_EQ(knobs_apply(k, c), 0);
        assert_knob(KNOB_NUMA_BALANCING, "3");
        ASSERT_EQ(knobs_apply(k, c), 0);
        assert_knob(KNOB_NUMA_BALANCING, "3");
        char *record = read_text(state);
        ASSERT_STREQ(record, "numa_balancing=1\n");
        free(record);
        c->placement_promotion = PROMOTION_TIERD;
        ASSERT_EQ(knobs_apply(k, c), 0);
        assert_knob(KNOB_NUMA_BALANCING, "1");
        c->placement_promotion = PROMOTION_KERNEL;
        ASSERT_EQ(knobs_apply(k, c), 0);
        knobs_free(k);
        assert_knob(KNOB_NUMA_BALANCING, "1");
        config_free(c);
}

TEST(apply_and_restore)
{
        make_root();
        Knobs *k = NULL;
        ASSERT_OK(knobs_new(root, state, &k));
        Config *c = kernel_config();

        ASSERT_EQ(knobs_apply(k, c), 0);
        for (KnobId id = 0; id < _KNOB_MAX; id++)
                assert_knob(id, wanted[id]);
        char *record = read_text(state);
        ASSERT_STREQ(record, "numa_balancing=0\ndemotion_enabled=false\npromote_rate_limit_MBps=65536\n"
                             "hot_threshold_ms=1000\n");
        free(record);

        /* Applying again changes nothing and keeps the first originals. */
        ASSERT_EQ(knobs_apply(k, c), 0);
        record = read_text(state);
        ASSERT_TRUE(strstr(record, "numa_balancing=0\n"));
        free(record);

        /* A knob back at keep is restored at once, and leaves the record. */
        c->demotion = DEMOTION_KEEP;
        ASSERT_EQ(knobs_apply(k, c), 0);
        assert_knob(KNOB_DEMOTION_ENABLED, "false");
        record = read_text(state);
        ASSERT_TRUE(!strstr(record, "demotion_enabled"));
        free(record);

        ASSERT_EQ(knobs_restore(k), 0);
        assert_originals();
        ASSERT_TRUE(access(state, F_OK) < 0 && errno == ENOENT);
        knobs_free(k);
        config_free(c);

        /* Without a state path the knobs are still driven, and restored by knobs_free() too. */
        c = kernel_config();
        ASSERT_OK(knobs_new(root, NULL, &k));
        ASSERT_EQ(knobs_apply(k, c), 0);
        assert_knob(KNOB_NUMA_BALANCING, "2");
        knobs_free(k);
        assert_originals();
        config_free(c);
}

TEST(missing_knob_not_fatal)
{
        make_root();
        char path[PATH_MAX * 2];
        snprintf(path, sizeof path, "%s/%s", root, knob_path(KNOB_HOT_THRESHOLD));
        ASSERT_EQ(unlink(path), 0);

        Knobs *k = NULL;
        ASSERT_OK(knobs_new(root, state, &k));
        Config *c = kernel_config();
        ASSERT_EQ(knobs_apply(k, c), 1);
        assert_knob(KNOB_NUMA_BALANCING, "2");
        char *record = read_text(state);
        ASSERT_TRUE(record && !strstr(record, "hot_threshold_ms"));
        free(record);
        ASSERT_EQ(knobs_restore(k), 0);
        assert_knob(KNOB_NUMA_BALANCING, "0");
        knobs_free(k);
        config_free(c);
}

TEST(crash_then_restore)
{
        make_root();
        /* A child applies and dies without restoring, as after SIGKILL. */
        fflush(NULL); /* else a child that exits under valgrind writes our buffered TAP lines again */
        pid_t pid = fork();
        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                Knobs *k = NULL;
                Config *c = kernel_config();
                _exit(knobs_new(root, state, &k) == 0 && knobs_apply(k, c) == 0 ? 0 : 1);
        }
        int status;
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        for (KnobId id = 0; id < _KNOB_MAX; id++)
                assert_knob(id, wanted[id]);

        /* The next instance adopts the record: the administrator's values come back, not the dead one's. */
        Knobs *k = NULL;
        ASSERT_OK(knobs_new(root, state, &k));
        Config *c = kernel_config();
        ASSERT_EQ(knobs_apply(k, c), 0);
        ASSERT_EQ(knobs_restore(k), 0);
        assert_originals();
        ASSERT_TRUE(access(state, F_OK) < 0 && errno == ENOENT);
        knobs_free(k);
        config_free(c);
}

TEST(record_before_write)
{
        make_root();
        Knobs *k = NULL;
        ASSERT_OK(knobs_new(root, state, &k));

        /* The record cannot be written: then no knob may change, or a crash would lose its original. */
        char dir[PATH_MAX * 2], moved[PATH_MAX * 2];
        snprintf(dir, sizeof dir, "%s/run", root);
        snprintf(moved, sizeof moved, "%s/run.away", root);
        ASSERT_EQ(rename(dir, moved), 0);
        Config *c = kernel_config();
        ASSERT_EQ(knobs_apply(k, c), _KNOB_MAX);
        assert_originals();

        /* Once it can be written, the knobs follow. */
        ASSERT_EQ(rename(moved, dir), 0);
        ASSERT_EQ(knobs_apply(k, c), 0);
        assert_knob(KNOB_NUMA_BALANCING, "2");
        ASSERT_EQ(knobs_restore(k), 0);
        assert_originals();
        knobs_free(k);
        config_free(c);
}

TEST(second_instance_locked_out)
{
        make_root();
        Knobs *first = NULL, *second = NULL;
        ASSERT_OK(knobs_new(root, state, &first));
        Config *c = kernel_config();
        ASSERT_EQ(knobs_apply(first, c), 0);
        char *before = read_text(state);
        ASSERT_TRUE(before);

        ASSERT_EQ(knobs_new(root, state, &second), -EBUSY);
        ASSERT_TRUE(!second);
        char *after = read_text(state);
        ASSERT_STREQ(after, before);
        for (KnobId id = 0; id < _KNOB_MAX; id++)
                assert_knob(id, wanted[id]);
        free(after);
        free(before);

        /* Without a state path there is no lock to take. */
        ASSERT_OK(knobs_new(root, NULL, &second));
        knobs_free(second);

        knobs_free(first);
        assert_originals();
        ASSERT_OK(knobs_new(root, state, &second));
        knobs_free(second);
        config_free(c);
}

TEST(saved_values_validated)
{
        make_root();
        ASSERT_OK(tree_put(root, "run/saved-knobs",
                           "numa_balancing=7\n"
                           "demotion_enabled=maybe\n"
                           "promote_rate_limit_MBps=-1\n"
                           "hot_threshold_ms=4294967296\n"
                           "bogus=1\n"
                           "numa_balancing=\n"
                           "no equals sign\n"
                           "demotion_enabled=true\n"
                           "promote_rate_limit_MBps=2147483647\n"));
        /* The current values, which garbage must not overwrite. */
        ASSERT_OK(tree_put(root, knob_path(KNOB_NUMA_BALANCING), "2\n"));
        ASSERT_OK(tree_put(root, knob_path(KNOB_HOT_THRESHOLD), "500\n"));

        capture_begin(root);
        Knobs *k = NULL;
        int r = knobs_new(root, state, &k);
        char *log = capture_end();
        ASSERT_OK(r);
        for (unsigned line = 1; line <= 7; line++) {
                char where[PATH_MAX + 64];
                snprintf(where, sizeof where, "%s:%u: ", state, line);
                if (!strstr(log, where))
                        fprintf(stderr, "no warning for %s\n", where);
                ASSERT_TRUE(strstr(log, where));
        }
        free(log);

        ASSERT_EQ(knobs_restore(k), 0);
        assert_knob(KNOB_NUMA_BALANCING, "2");
        assert_knob(KNOB_DEMOTION_ENABLED, "true");
        assert_knob(KNOB_PROMOTE_RATE_LIMIT, "2147483647");
        assert_knob(KNOB_HOT_THRESHOLD, "500");
        knobs_free(k);

        /* What the kernel prints is accepted back. */
        ASSERT_OK(tree_put(root, "run/saved-knobs", "numa_balancing=3\ndemotion_enabled=false\nhot_threshold_ms=0\n"));
        ASSERT_OK(knobs_new(root, state, &k));
        ASSERT_EQ(knobs_restore(k), 0);
        assert_knob(KNOB_NUMA_BALANCING, "3");
        assert_knob(KNOB_DEMOTION_ENABLED, "false");
        assert_knob(KNOB_HOT_THRESHOLD, "0");
        knobs_free(k);
}

TEST(record_files_not_followed)
{
        make_root();
        char victim[PATH_MAX + 32], tmp[PATH_MAX + 64];
        snprintf(victim, sizeof victim, "%s/victim", root);
        ASSERT_OK(tree_put(root, "victim", "precious\n"));

        /* A planted temporary file (a link to elsewhere) is neither followed nor trusted. */
        snprintf(tmp, sizeof tmp, "%s.tmp", state);
        ASSERT_EQ(symlink(victim, tmp), 0);
        Knobs *k = NULL;
        ASSERT_OK(knobs_new(root, state, &k));
        Config *c = kernel_config();
        ASSERT_EQ(knobs_apply(k, c), 0);
        char *text = read_text(victim);
        ASSERT_STREQ(text, "precious\n");
        free(text);
        struct stat st;
        ASSERT_EQ(lstat(state, &st), 0);
        ASSERT_TRUE(S_ISREG(st.st_mode));
        ASSERT_EQ(st.st_mode & 0077, 0);
        knobs_free(k);
        assert_originals();

        /* The record itself as a link, or a FIFO, is refused, and without hanging. */
        ASSERT_EQ(symlink(victim, state), 0);
        k = NULL;
        ASSERT_TRUE(knobs_new(root, state, &k) < 0);
        ASSERT_TRUE(!k);
        ASSERT_EQ(unlink(state), 0);
        ASSERT_EQ(mkfifo(state, 0600), 0);
        alarm(10);
        ASSERT_TRUE(knobs_new(root, state, &k) < 0);
        alarm(0);
        ASSERT_TRUE(!k);
        ASSERT_EQ(unlink(state), 0);
        config_free(c);
}

TEST(restore_failure_reported_once)
{
        make_root();
        Knobs *k = NULL;
        ASSERT_OK(knobs_new(root, state, &k));
        Config *c = kernel_config();
        ASSERT_EQ(knobs_apply(k, c), 0);

        /* The knob can no longer be written. */
        char path[PATH_MAX * 2];
        snprintf(path, sizeof path, "%s/%s", root, knob_path(KNOB_PROMOTE_RATE_LIMIT));
        ASSERT_EQ(unlink(path), 0);
        ASSERT_EQ(mkdir(path, 0755), 0);

        capture_begin(root);
        int r = knobs_restore(k);
        knobs_free(k);
        char *log = capture_end();
        ASSERT_EQ(r, 1);
        ASSERT_EQ(count(log, "numa_balancing_promote_rate_limit_MBps"), 1);
        free(log);

        /* The others are back, and the record keeps the one that is not, for the next instance. */
        assert_knob(KNOB_NUMA_BALANCING, originals[KNOB_NUMA_BALANCING]);
        assert_knob(KNOB_HOT_THRESHOLD, originals[KNOB_HOT_THRESHOLD]);
        char *record = read_text(state);
        ASSERT_STREQ(record, "promote_rate_limit_MBps=65536\n");
        free(record);
        config_free(c);
}

TEST(cleanup)
{
        remove_root();
}

int main(void)
{
        log_set_journal(false);
        log_set_max_level(LOG_DEBUG);
        static const TestCase cases[] = {
                TEST_ENTRY(desired),
                TEST_ENTRY(kernel_promotion_adds_tiering_mode),
                TEST_ENTRY(apply_and_restore),
                TEST_ENTRY(missing_knob_not_fatal),
                TEST_ENTRY(crash_then_restore),
                TEST_ENTRY(record_before_write),
                TEST_ENTRY(second_instance_locked_out),
                TEST_ENTRY(saved_values_validated),
                TEST_ENTRY(record_files_not_followed),
                TEST_ENTRY(restore_failure_reported_once),
                TEST_ENTRY(cleanup),
        };
        return tests_run(cases, ELEMENTSOF(cases));
}
jmp_buf test_failed;
