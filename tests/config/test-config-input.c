/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The configuration loader on hostile input: special files, huge files and lines, bytes that are not text. */
#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config-test.h"
#include "config.h"
#include "tests.h"

static void write_repeated(const char *path, const char *head, char ch, size_t n, const char *tail)
{
        char chunk[65536];
        FILE *f = fopen(path, "we");
        ASSERT_TRUE(f);
        memset(chunk, ch, sizeof chunk);
        ASSERT_TRUE(fputs(head, f) >= 0);
        for (size_t left = n; left > 0;) {
                size_t k = MIN(left, sizeof chunk);
                ASSERT_TRUE(fwrite(chunk, 1, k, f) == k);
                left -= k;
        }
        ASSERT_TRUE(fputs(tail, f) >= 0);
        ASSERT_EQ(fclose(f), 0);
}

static long max_rss_kb(void)
{
        struct rusage ru;
        ASSERT_EQ(getrusage(RUSAGE_SELF, &ru), 0);
        return ru.ru_maxrss;
}

/* How much loading path raises the peak memory use, in kB: in a child, whose peak starts from the parent's
 * current size so that earlier cases do not hide it, and which first loads a small file so that the code and
 * libraries it pages in do not count. */
static long load_growth_kb(const char *path)
{
        char warm[PATH_MAX];
        format_path(warm, sizeof warm, "%s.warm", path);
        write_file(warm, "[Daemon]\n# comment\nMode=kernel\nLogLevel=x\n");
        int fds[2];
        ASSERT_EQ(pipe(fds), 0);
        fflush(NULL); /* else a child that exits under valgrind writes our buffered TAP lines again */
        pid_t pid = fork();
        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                Config *c = NULL;
                (void)config_load(warm, &c, NULL);
                long before = max_rss_kb();
                (void)config_load(path, &c, NULL);
                long grown = max_rss_kb() - before;
                _exit(write(fds[1], &grown, sizeof grown) == sizeof grown ? 0 : 1);
        }
        close(fds[1]);
        long grown = -1;
        ASSERT_TRUE(read(fds[0], &grown, sizeof grown) == sizeof grown);
        close(fds[0]);
        int status;
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        if (grown > 256)
                fprintf(stderr, "loading %s grew the process by %ld kB\n", path, grown);
        return grown;
}

/* config_load(path) must fail with r and exactly "PATH: message". */
static void check_file_rejected(const char *path, int r, const char *message)
{
        char *error = NULL, *expected = NULL;
        Config *c = &sentinel;

        ASSERT_EQ(config_load(path, &c, &error), r);
        ASSERT_TRUE(asprintf(&expected, "%s: %s", path, message) >= 0);
        ASSERT_STREQ(error, expected);
        ASSERT_TRUE(c == &sentinel);
        free(expected);
        free(error);
}

TEST(special_files_refused)
{
        char dir[PATH_MAX], path[PATH_MAX], dropins[PATH_MAX], file[PATH_MAX];

        /* A FIFO would block the open or the read forever: refused at once (the alarm ends a hang). */
        alarm(10);
        make_dir(dir, sizeof dir);
        format_path(path, sizeof path, "%s/tierd.conf", dir);
        ASSERT_EQ(mkfifo(path, 0644), 0);
        check_file_rejected(path, -EBADFD, "not a regular file");
        ASSERT_EQ(unlink(path), 0);

        /* The same for drop-ins, also behind a symlink; /dev/zero would grow the process without end. */
        write_file(path, "[Daemon]\nMode=kernel\n");
        format_path(dropins, sizeof dropins, "%s.d", path);
        ASSERT_EQ(mkdir(dropins, 0755), 0);
        format_path(file, sizeof file, "%s/50-fifo.conf", dropins);
        ASSERT_EQ(mkfifo(file, 0644), 0);
        check_file_rejected(file, -EBADFD, "not a regular file");
        ASSERT_EQ(unlink(file), 0);
        format_path(file, sizeof file, "%s/50-zero.conf", dropins);
        ASSERT_EQ(symlink("/dev/zero", file), 0);
        check_file_rejected(file, -EBADFD, "not a regular file");
        ASSERT_EQ(unlink(file), 0);
        alarm(0);

        /* A symlink to a regular file is fine. */
        char target[PATH_MAX];
        format_path(target, sizeof target, "%s/elsewhere", dir);
        write_file(target, "[Daemon]\nMode=migrate\n");
        ASSERT_EQ(symlink(target, file), 0);
        Config *c = NULL;
        ASSERT_OK(config_load(path, &c, NULL));
        ASSERT_EQ(c->mode, TIERD_MODE_MIGRATE);
        ASSERT_EQ(c->n_sources, 2);
        config_free(c);
}

TEST(file_size_bounded)
{
        char dir[PATH_MAX], path[PATH_MAX], message[128];

        make_dir(dir, sizeof dir);
        format_path(path, sizeof path, "%s/tierd.conf", dir);

        /* A 10 MB line: refused from its size, without reading it into memory. */
        const size_t big = 10 * 1024 * 1024;
        write_repeated(path, "[Daemon]\nMode=", 'x', big, "\n");
        ASSERT_TRUE(load_growth_kb(path) <= 256);
        snprintf(message, sizeof message, "too large (%zu bytes, at most %d)", big + strlen("[Daemon]\nMode=\n"),
                 CONFIG_FILE_SIZE_MAX);
        check_file_rejected(path, -EFBIG, message);

        /* Exactly the bound loads (a long comment is fine), one byte more does not. */
        const char *head = "[Daemon]\nMode=kernel\n#", *tail = "\n";
        size_t fill = CONFIG_FILE_SIZE_MAX - strlen(head) - strlen(tail);
        write_repeated(path, head, 'c', fill, tail);
        Config *c = NULL;
        ASSERT_OK(config_load(path, &c, NULL));
        ASSERT_EQ(c->mode, TIERD_MODE_KERNEL);
        config_free(c);
        write_repeated(path, head, 'c', fill + 1, tail);
        snprintf(message, sizeof message, "too large (%d bytes, at most %d)", CONFIG_FILE_SIZE_MAX + 1,
                 CONFIG_FILE_SIZE_MAX);
        check_file_rejected(path, -EFBIG, message);
}

TEST(long_lines_bounded)
{
        char dir[PATH_MAX], path[PATH_MAX], *error = NULL, *expected = NULL;
        Config *c = &sentinel;

        /* A line of almost the whole size bound fails at the line bound, and memory does not grow with it. */
        make_dir(dir, sizeof dir);
        format_path(path, sizeof path, "%s/tierd.conf", dir);
        write_repeated(path, "[Daemon]\nMode=", 'x', CONFIG_FILE_SIZE_MAX - 100, "\n");
        ASSERT_TRUE(load_growth_kb(path) <= 256);
        ASSERT_EQ(config_load(path, &c, &error), -EINVAL);
        ASSERT_TRUE(asprintf(&expected, "%s:2: line too long (at most %d characters)", path, INI_MAX_LINE - 1) >= 0);
        ASSERT_STREQ(error, expected);
        ASSERT_TRUE(c == &sentinel);
        free(expected);
        free(error);

        /* Whitespace around a line of exactly the bound does not count, however much of it there is. */
        char line[INI_MAX_LINE];
        const char *key = "HotThresholdMSec=";
        size_t width = INI_MAX_LINE - 1;
        memset(line, '0', width);
        memcpy(line, key, strlen(key));
        line[width - 1] = '7';
        line[width] = '\0';
        FILE *f = fopen(path, "we");
        ASSERT_TRUE(f);
        fputs("[Kernel]\n", f);
        for (int i = 0; i < 1000; i++)
                fputs(" \t", f);
        fputs(line, f);
        for (int i = 0; i < 1000; i++)
                fputs("\t ", f);
        fputs("\r\n", f);
        ASSERT_EQ(fclose(f), 0);
        c = NULL;
        ASSERT_OK(config_load(path, &c, NULL));
        ASSERT_EQ(c->hot_threshold_msec, 7);
        config_free(c);

        /* A comment of 100000 characters is dropped, a NUL byte far into one is still found. */
        write_repeated(path, "[Daemon]\n   ;", 'c', 100000, "\nMode=kernel\n");
        c = NULL;
        ASSERT_OK(config_load(path, &c, NULL));
        ASSERT_EQ(c->mode, TIERD_MODE_KERNEL);
        config_free(c);
        size_t n = 100000;
        char *nul = malloc(n);
        ASSERT_TRUE(nul);
        memset(nul, 'c', n);
        memcpy(nul, "[Daemon]\n#", 10);
        nul[n - 2] = '\0';
        nul[n - 1] = '\n';
        check_rejected(nul, n, 2, "line contains a NUL byte");
        free(nul);
}

static bool printable_ascii(const char *s)
{
        for (; *s; s++)
                if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
                        return false;
        return true;
}

/* A rejection message is short printable ASCII whatever the file holds, so that D-Bus can carry it. */
static void check_rejected_safely(const char *text, size_t length, unsigned line, const char *message)
{
        check_rejected(text, length, line, message);
        ASSERT_TRUE(printable_ascii(message));
        ASSERT_TRUE(strlen(message) < 400);
}

#define REJECT_SAFELY(text, line, message) check_rejected_safely(text, sizeof(text) - 1, line, message)

TEST(rejections_quoted_safely)
{
        REJECT_SAFELY("[Daemon]\nMode=\xff\xfe\n", 2,
                      "invalid value '\\xff\\xfe' for Mode= (expected observe, kernel or migrate)");
        REJECT_SAFELY("[Daemon]\nMode=it's \"x\"\\\n", 2,
                      "invalid value 'it\\x27s \\x22x\\x22\\x5c' for Mode= (expected observe, kernel or migrate)");
        REJECT_SAFELY("[Daemon]\nMo\x01\x7f"
                      "de=1\n",
                      2, "unknown key 'Mo\\x01\\x7fde' in section [Daemon]");
        REJECT_SAFELY("[Da\xc3(]\n", 1, "unknown section [Da\\xc3(]");
        REJECT_SAFELY("[Daemon]\nMode\x1b[2J observe\n", 2,
                      "invalid line 'Mode\\x1b[2J observe' (expected [Section], Key=Value or a comment)");

        /* Long values, keys and lines are cut after 64 characters. */
        char text[512], message[512], x64[65];
        memset(x64, 'x', 64);
        x64[64] = '\0';
        snprintf(text, sizeof text, "[Daemon]\nMode=%s%s\n", x64, x64);
        snprintf(message, sizeof message, "invalid value '%s...' for Mode= (expected observe, kernel or migrate)", x64);
        check_rejected_safely(text, strlen(text), 2, message);
        snprintf(text, sizeof text, "[Daemon]\n%s%s=1\n", x64, x64);
        snprintf(message, sizeof message, "unknown key '%s...' in section [Daemon]", x64);
        check_rejected_safely(text, strlen(text), 2, message);
        snprintf(text, sizeof text, "[Daemon]\n%s %s\n", x64, x64);
        snprintf(message, sizeof message, "invalid line '%s...' (expected [Section], Key=Value or a comment)", x64);
        check_rejected_safely(text, strlen(text), 2, message);
        snprintf(text, sizeof text, "[Daemon]\n[%s%s]\n", x64, x64);
        snprintf(message, sizeof message, "unknown section [%s...]", x64);
        check_rejected_safely(text, strlen(text), 2, message);
        snprintf(text, sizeof text, "[Node %s%s]\n", x64, x64);
        snprintf(message, sizeof message, "invalid node id in section [Node %s...]", x64 + 5);
        check_rejected_safely(text, strlen(text), 1, message);

        /* File names are escaped the same way, in syntax errors and I/O errors alike. */
        char dir[PATH_MAX], odd[PATH_MAX], path[PATH_MAX], *error = NULL, *expected = NULL;
        Config *c = &sentinel;
        make_dir(dir, sizeof dir);
        format_path(odd, sizeof odd, "%s/new\nline\xff", dir);
        ASSERT_EQ(mkdir(odd, 0755), 0);
        format_path(path, sizeof path, "%s/tierd.conf", odd);
        write_file(path, "[Daemon]\nMode=x\n");
        ASSERT_EQ(config_load(path, &c, &error), -EINVAL);
        ASSERT_TRUE(asprintf(&expected,
                             "%s/new\\x0aline\\xff/tierd.conf:2: invalid value 'x' for Mode= (expected "
                             "observe, kernel or migrate)",
                             dir) >= 0);
        ASSERT_STREQ(error, expected);
        free(expected);
        free(error);
        format_path(path, sizeof path, "%s/missing.conf", odd);
        ASSERT_EQ(config_load(path, &c, &error), -ENOENT);
        ASSERT_TRUE(asprintf(&expected, "%s/new\\x0aline\\xff/missing.conf: No such file or directory", dir) >= 0);
        ASSERT_STREQ(error, expected);
        ASSERT_TRUE(printable_ascii(error));
        ASSERT_TRUE(c == &sentinel);
        free(expected);
        free(error);
}

TESTS_MAIN(TEST_ENTRY(special_files_refused), TEST_ENTRY(file_size_bounded), TEST_ENTRY(long_lines_bounded),
           TEST_ENTRY(rejections_quoted_safely))
