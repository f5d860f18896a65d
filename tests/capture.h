/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Small files read whole, and stderr into a file for a while: what a call logged. */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "tests.h"

/* The file's text (up to 64 KiB), malloc'ed; NULL when it cannot be opened. */
static inline char *read_text(const char *path)
{
        FILE *f = fopen(path, "re");
        if (!f)
                return NULL;
        char *buf = calloc(1, 65536);
        ASSERT_TRUE(buf);
        size_t n = fread(buf, 1, 65535, f);
        buf[n] = '\0';
        fclose(f);
        return buf;
}

static char capture_path[PATH_MAX + 32];
static int capture_saved_stderr = -1;

/* From here, stderr goes to the file "stderr" in dir. */
static inline void capture_begin(const char *dir)
{
        fflush(stderr);
        snprintf(capture_path, sizeof capture_path, "%s/stderr", dir);
        int fd = open(capture_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        ASSERT_TRUE(fd >= 0);
        capture_saved_stderr = dup(STDERR_FILENO);
        ASSERT_TRUE(capture_saved_stderr >= 0);
        ASSERT_TRUE(dup2(fd, STDERR_FILENO) >= 0);
        close(fd);
}

/* Stderr back, and what went to it since capture_begin(), malloc'ed (also copied to stderr, for the test log). */
static inline char *capture_end(void)
{
        fflush(stderr);
        ASSERT_TRUE(dup2(capture_saved_stderr, STDERR_FILENO) >= 0);
        close(capture_saved_stderr);
        capture_saved_stderr = -1;
        char *s = read_text(capture_path);
        ASSERT_TRUE(s);
        fputs(s, stderr);
        return s;
}
