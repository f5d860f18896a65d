/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* State files: "key=value" lines read back as written, invalid lines named, replaced atomically. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "capture.h"
#include "log.h"
#include "scratch-root.h"
#include "statefile.h"
#include "tests.h"

static char path[PATH_MAX + 16], tmp[PATH_MAX + 32];

static void setup(void)
{
        make_root();
        snprintf(path, sizeof path, "%s/state", root);
        snprintf(tmp, sizeof tmp, "%s.tmp", path);
}

static bool exists(const char *p)
{
        struct stat st;
        return lstat(p, &st) == 0;
}

/* What a reader was handed: "key=value;" for each line, and a way to refuse or fail on one key. */
typedef struct Seen {
        char text[8192];
        const char *refuse; /* this key gets -EINVAL */
        const char *fail;   /* this key gets -ENOMEM */
} Seen;

static int collect(const char *key, const char *value, void *userdata)
{
        Seen *s = userdata;
        if (s->refuse && strcmp(key, s->refuse) == 0)
                return -EINVAL;
        if (s->fail && strcmp(key, s->fail) == 0)
                return -ENOMEM;
        size_t len = strlen(s->text);
        snprintf(s->text + len, sizeof s->text - len, "%s=%s;", key, value);
        return 0;
}

/* Stderr into a file while the state file is loaded: the warnings it printed. */
static char *load_logged(StatefileMode mode, Seen *seen, int *ret)
{
        capture_begin(root);
        *ret = statefile_load(path, "test value", mode, collect, seen);
        return capture_end();
}

/* Whether the log has a warning naming line of the state file. */
static bool names_line(const char *log, unsigned line)
{
        char where[PATH_MAX + 64];
        snprintf(where, sizeof where, "%s:%u: not a valid test value", path, line);
        return strstr(log, where);
}

TEST(round_trip)
{
        setup();
        ASSERT_OK(statefile_write(path, "a=1\nname=two words\nempty=\nk=v=w\n", LOG_ERR));
        Seen seen = {};
        ASSERT_EQ(statefile_load(path, "test value", STATEFILE_LINES, collect, &seen), 1);
        ASSERT_STREQ(seen.text, "a=1;name=two words;empty=;k=v=w;");

        /* The same lines, whichever the mode; the last newline is optional. */
        Seen whole = {};
        ASSERT_EQ(statefile_load(path, "test value", STATEFILE_WHOLE, collect, &whole), 1);
        ASSERT_STREQ(whole.text, seen.text);
        put("state", "x=1\ny=2");
        Seen last = {};
        ASSERT_EQ(statefile_load(path, "test value", STATEFILE_LINES, collect, &last), 1);
        ASSERT_STREQ(last.text, "x=1;y=2;");

        /* An empty file is read, and has no lines. */
        ASSERT_OK(statefile_write(path, "", LOG_ERR));
        Seen none = {};
        ASSERT_EQ(statefile_load(path, "test value", STATEFILE_LINES, collect, &none), 1);
        ASSERT_STREQ(none.text, "");

        /* Written for the owner only. */
        struct stat st;
        ASSERT_EQ(lstat(path, &st), 0);
        ASSERT_TRUE(S_ISREG(st.st_mode));
        ASSERT_EQ(st.st_mode & 0777, 0600);
        remove_root();
}

TEST(malformed_line_names_line)
{
        setup();
        put("state", "a=1\nno equals sign\nb=2\n\nbad=refused\nc=3\n");

        /* Each line by itself: the invalid ones are named and skipped, the others taken. */
        Seen seen = {.refuse = "bad"};
        int r;
        char *log = load_logged(STATEFILE_LINES, &seen, &r);
        ASSERT_EQ(r, 1);
        ASSERT_STREQ(seen.text, "a=1;b=2;c=3;");
        ASSERT_TRUE(names_line(log, 2));
        ASSERT_TRUE(names_line(log, 4));
        ASSERT_TRUE(names_line(log, 5));
        ASSERT_TRUE(!names_line(log, 1) && !names_line(log, 3) && !names_line(log, 6));
        free(log);

        /* As a whole: the first invalid line is named and ends it. */
        Seen whole = {.refuse = "bad"};
        log = load_logged(STATEFILE_WHOLE, &whole, &r);
        ASSERT_EQ(r, -EINVAL);
        ASSERT_STREQ(whole.text, "a=1;");
        ASSERT_TRUE(names_line(log, 2));
        ASSERT_TRUE(strstr(log, "ignoring the file"));
        ASSERT_TRUE(!names_line(log, 4));
        free(log);

        /* A NUL byte makes its line invalid, rather than cutting it short. */
        char text[] = "a=1\nb=2\0junk\nc=3\n";
        int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
        ASSERT_TRUE(fd >= 0);
        ASSERT_EQ(write(fd, text, sizeof text - 1), (ssize_t)(sizeof text - 1));
        close(fd);
        Seen nul = {};
        log = load_logged(STATEFILE_LINES, &nul, &r);
        ASSERT_EQ(r, 1);
        ASSERT_STREQ(nul.text, "a=1;c=3;");
        ASSERT_TRUE(names_line(log, 2));
        free(log);

        /* Any other error of the reader stops at once, and is no invalid line. */
        put("state", "a=1\nstop=1\nc=3\n");
        Seen failing = {.fail = "stop"};
        log = load_logged(STATEFILE_LINES, &failing, &r);
        ASSERT_EQ(r, -ENOMEM);
        ASSERT_STREQ(failing.text, "a=1;");
        ASSERT_TRUE(!names_line(log, 2));
        free(log);

        /* Parsing text: the same lines, and without a name nothing is logged. */
        Seen parsed = {};
        static const char lines[] = "a=1\nnope\nb=2";
        ASSERT_OK(statefile_parse(lines, strlen(lines), NULL, NULL, STATEFILE_LINES, collect, &parsed));
        ASSERT_STREQ(parsed.text, "a=1;b=2;");
        remove_root();
}

TEST(missing_file)
{
        setup();
        Seen seen = {};
        ASSERT_EQ(statefile_load(path, "test value", STATEFILE_LINES, collect, &seen), 0);
        ASSERT_EQ(statefile_load(path, "test value", STATEFILE_WHOLE, collect, &seen), 0);
        ASSERT_STREQ(seen.text, "");
        ASSERT_OK(statefile_remove(path, LOG_ERR));

        ASSERT_OK(statefile_write(path, "a=1\n", LOG_ERR));
        ASSERT_OK(statefile_remove(path, LOG_ERR));
        ASSERT_TRUE(!exists(path));

        /* What cannot be removed is an error. */
        ASSERT_OK(mkdir(path, 0755));
        put("state/inside", "x\n");
        ASSERT_TRUE(statefile_remove(path, LOG_ERR) < 0);
        remove_root();
}

TEST(atomic_replace)
{
        setup();
        ASSERT_OK(statefile_write(path, "a=1\n", LOG_ERR));
        ASSERT_OK(statefile_write(path, "a=2\nb=3\n", LOG_ERR));
        Seen seen = {};
        ASSERT_EQ(statefile_load(path, "test value", STATEFILE_LINES, collect, &seen), 1);
        ASSERT_STREQ(seen.text, "a=2;b=3;");
        ASSERT_TRUE(!exists(tmp));

        /* A temporary file planted as a link to elsewhere is neither followed nor left. */
        char victim[PATH_MAX + 16];
        snprintf(victim, sizeof victim, "%s/victim", root);
        put("victim", "precious\n");
        ASSERT_OK(symlink(victim, tmp));
        ASSERT_OK(statefile_write(path, "a=4\n", LOG_ERR));
        ASSERT_TRUE(!exists(tmp));
        char *text = read_text(victim);
        ASSERT_STREQ(text, "precious\n");
        free(text);
        text = read_text(path);
        ASSERT_STREQ(text, "a=4\n");
        free(text);

        /* A replacement that fails keeps the old file and leaves no temporary one. */
        char dir[PATH_MAX + 16];
        snprintf(dir, sizeof dir, "%s/dir", root);
        put("dir/inside", "x\n");
        snprintf(path, sizeof path, "%s", dir);
        snprintf(tmp, sizeof tmp, "%s.tmp", dir);
        ASSERT_TRUE(statefile_write(path, "a=5\n", LOG_ERR) < 0);
        ASSERT_TRUE(!exists(tmp));
        ASSERT_TRUE(exists(dir));
        remove_root();
}

TEST(size_and_type)
{
        setup();
        /* Exactly STATEFILE_SIZE_MAX bytes is still ours. */
        char *big = malloc(STATEFILE_SIZE_MAX + 2);
        ASSERT_TRUE(big);
        memset(big, 'x', STATEFILE_SIZE_MAX + 1);
        memcpy(big, "a=", 2);
        big[STATEFILE_SIZE_MAX - 1] = '\n';
        big[STATEFILE_SIZE_MAX] = '\0';
        put("state", "%s", big);
        Seen seen = {};
        ASSERT_EQ(statefile_load(path, "test value", STATEFILE_LINES, collect, &seen), 1);
        ASSERT_EQ(strlen(seen.text), STATEFILE_SIZE_MAX); /* "a=" and the x's, then ';' for the newline */

        /* One more byte is not: refused line by line, invalid as a whole. */
        big[STATEFILE_SIZE_MAX] = 'x';
        big[STATEFILE_SIZE_MAX + 1] = '\0';
        put("state", "%s", big);
        free(big);
        Seen none = {};
        ASSERT_EQ(statefile_load(path, "test value", STATEFILE_LINES, collect, &none), -EFBIG);
        ASSERT_EQ(statefile_load(path, "test value", STATEFILE_WHOLE, collect, &none), -EINVAL);
        ASSERT_STREQ(none.text, "");

        /* A link is not followed, a FIFO not waited for. */
        ASSERT_OK(unlink(path));
        char victim[PATH_MAX + 16];
        snprintf(victim, sizeof victim, "%s/victim", root);
        put("victim", "a=1\n");
        ASSERT_OK(symlink(victim, path));
        ASSERT_TRUE(statefile_load(path, "test value", STATEFILE_LINES, collect, &none) < 0);
        ASSERT_OK(unlink(path));
        ASSERT_OK(mkfifo(path, 0600));
        alarm(10);
        ASSERT_EQ(statefile_load(path, "test value", STATEFILE_LINES, collect, &none), -EBADFD);
        alarm(0);
        ASSERT_STREQ(none.text, "");
        remove_root();
}

int main(void)
{
        log_set_journal(false);
        log_set_max_level(LOG_DEBUG);
        static const TestCase cases[] = {
                TEST_ENTRY(round_trip),    TEST_ENTRY(malformed_line_names_line),
                TEST_ENTRY(missing_file),  TEST_ENTRY(atomic_replace),
                TEST_ENTRY(size_and_type),
        };
        return tests_run(cases, ELEMENTSOF(cases));
}
jmp_buf test_failed;
