/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The tracker's crash record: which kdamond is tierd's and the mark it carries, on disk before that kdamond is
 * created, so that the next instance can remove it after a crash.  The same pattern as the saved kernel knobs
 * (lib/service/knobs.c): an exclusive lock, a new temporary file renamed over the record, a record that is not a
 * regular file or not valid refused.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "damon-internal.h"
#include "escape.h"
#include "lockfile.h"
#include "log.h"

/* The record holds three short lines; anything much bigger is not ours. */
#define RECORD_SIZE_MAX 4096

int damon_record_lock(const char *path, int *ret_fd)
{
        return lockfile_take(path, "its DAMON kdamond", ret_fd);
}

int damon_record_load(const char *path, DamonRecord *ret, bool *ret_found)
{
        _cleanup_free_ char *shown = escape_bounded(path, ESCAPE_PATH_MAX);
        if (!shown)
                return -ENOMEM;
        *ret_found = false;
        _cleanup_close_ int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
        if (fd < 0) {
                if (errno == ENOENT)
                        return 0;
                return log_error_errno(negative_errno(), "Failed to open %s: %m", shown);
        }
        struct stat st;
        if (fstat(fd, &st) < 0)
                return log_error_errno(negative_errno(), "Failed to stat %s: %m", shown);
        if (!S_ISREG(st.st_mode))
                return log_error_errno(-EBADFD, "%s is not a regular file, refusing it.", shown);

        char text[RECORD_SIZE_MAX + 1];
        size_t n = 0;
        for (;;) {
                ssize_t k = read(fd, text + n, sizeof text - 1 - n);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return log_error_errno(negative_errno(), "Failed to read %s: %m", shown);
                }
                if (k == 0)
                        break;
                n += (size_t)k;
                if (n == sizeof text - 1) {
                        log_warning("%s is larger than %d bytes, ignoring it.", shown, RECORD_SIZE_MAX);
                        return 0;
                }
        }
        text[n] = '\0';
        if (memchr(text, '\0', n) || damon_record_parse(text, ret) < 0) {
                log_warning("%s is not a valid DAMON record, ignoring it: no kdamond is touched on its account.",
                            shown);
                return 0;
        }
        *ret_found = true;
        return 0;
}

static int write_all(int fd, const char *buf, size_t n)
{
        while (n > 0) {
                ssize_t w = write(fd, buf, n);
                if (w < 0) {
                        if (errno == EINTR)
                                continue;
                        return negative_errno();
                }
                buf += w;
                n -= (size_t)w;
        }
        return 0;
}

int damon_record_save(const char *path, const DamonRecord *rec)
{
        char text[128];
        int r = damon_record_format(rec, text, sizeof text);
        if (r < 0)
                return log_error_errno(r, "Failed to format the DAMON record: %m");

        _cleanup_free_ char *tmp = NULL;
        if (asprintf(&tmp, "%s.tmp", path) < 0) {
                tmp = NULL;
                return -ENOMEM;
        }
        if (unlink(tmp) < 0 && errno != ENOENT)
                return log_error_errno(negative_errno(), "Failed to remove stale %s: %m", tmp);
        _cleanup_close_ int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
        if (fd < 0)
                return log_error_errno(negative_errno(), "Failed to create %s: %m", tmp);
        r = write_all(fd, text, strlen(text));
        if (r == 0 && fsync(fd) < 0)
                r = negative_errno();
        if (r == 0 && close(TAKE_FD(fd)) < 0)
                r = negative_errno();
        if (r == 0 && rename(tmp, path) < 0)
                r = negative_errno();
        if (r < 0) {
                (void)unlink(tmp);
                return log_error_errno(r, "Failed to write %s: %m", path);
        }
        return 0;
}

int damon_record_remove(const char *path)
{
        if (unlink(path) < 0 && errno != ENOENT)
                return log_error_errno(negative_errno(), "Failed to remove %s: %m", path);
        return 0;
}
