/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "escape.h"
#include "log.h"
#include "macro.h"
#include "statefile.h"

/* One line, copied so that key and value can be NUL-terminated; -EINVAL when it is not "key=value". */
static int parse_line(const char *start, size_t length, StatefileLineFn fn, void *userdata)
{
        char line[STATEFILE_SIZE_MAX + 1];

        if (length >= sizeof line || memchr(start, '\0', length))
                return -EINVAL;
        memcpy(line, start, length);
        line[length] = '\0';
        char *eq = strchr(line, '=');
        if (!eq)
                return -EINVAL;
        *eq = '\0';
        return fn(line, eq + 1, userdata);
}

int statefile_parse(const char *text, size_t n, const char *name, const char *what, StatefileMode mode,
                    StatefileLineFn fn, void *userdata)
{
        unsigned number = 0;

        for (size_t start = 0; start < n;) {
                const char *nl = memchr(text + start, '\n', n - start);
                size_t end = nl ? (size_t)(nl - text) : n;
                int r = parse_line(text + start, end - start, fn, userdata);
                start = end + 1;
                number++;
                if (r == -EINVAL && name)
                        log_warning("%s:%u: not a valid %s, ignoring %s.", name, number, what,
                                    mode == STATEFILE_WHOLE ? "the file" : "it");
                if (r == -EINVAL && mode == STATEFILE_LINES)
                        continue;
                if (r < 0)
                        return r;
        }
        return 0;
}

int statefile_load(const char *path, const char *what, StatefileMode mode, StatefileLineFn fn, void *userdata)
{
        _cleanup_free_ char *name = escape_bounded(path, ESCAPE_PATH_MAX);
        if (!name)
                return -ENOMEM;
        /* Not through a link, and without blocking on a FIFO planted under the name. */
        _cleanup_close_ int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
        if (fd < 0) {
                if (errno == ENOENT)
                        return 0;
                return log_error_errno(negative_errno(), "Failed to open %s: %m", name);
        }
        struct stat st;
        if (fstat(fd, &st) < 0)
                return log_error_errno(negative_errno(), "Failed to stat %s: %m", name);
        if (!S_ISREG(st.st_mode))
                return log_error_errno(-EBADFD, "%s is not a regular file, refusing it.", name);

        char text[STATEFILE_SIZE_MAX + 1];
        size_t n = 0;
        for (;;) {
                ssize_t k = read(fd, text + n, sizeof text - n);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return log_error_errno(negative_errno(), "Failed to read %s: %m", name);
                }
                if (k == 0)
                        break;
                n += (size_t)k;
                if (n > STATEFILE_SIZE_MAX) {
                        if (mode == STATEFILE_WHOLE)
                                return log_warning_errno(-EINVAL, "%s is larger than %d bytes, ignoring it.", name,
                                                         STATEFILE_SIZE_MAX);
                        return log_error_errno(-EFBIG, "%s is larger than %d bytes, refusing it.", name,
                                               STATEFILE_SIZE_MAX);
                }
        }
        int r = statefile_parse(text, n, name, what, mode, fn, userdata);
        return r < 0 ? r : 1;
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

int statefile_write(const char *path, const char *text, int level)
{
        _cleanup_free_ char *tmp = NULL;
        if (asprintf(&tmp, "%s.tmp", path) < 0) {
                tmp = NULL;
                return -ENOMEM;
        }
        /* Always a new file of our own: whatever had the name (a stale file, a planted link) goes first. */
        if (unlink(tmp) < 0 && errno != ENOENT)
                return log_full_errno(level, negative_errno(), "Failed to remove stale %s: %m", tmp);
        _cleanup_close_ int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
        if (fd < 0)
                return log_full_errno(level, negative_errno(), "Failed to create %s: %m", tmp);
        int r = write_all(fd, text, strlen(text));
        if (r == 0 && fsync(fd) < 0)
                r = negative_errno();
        if (r == 0 && close(TAKE_FD(fd)) < 0)
                r = negative_errno();
        if (r == 0 && rename(tmp, path) < 0)
                r = negative_errno();
        if (r < 0) {
                (void)unlink(tmp);
                return log_full_errno(level, r, "Failed to write %s: %m", path);
        }
        return 0;
}

int statefile_remove(const char *path, int level)
{
        if (unlink(path) < 0 && errno != ENOENT)
                return log_full_errno(level, negative_errno(), "Failed to remove %s: %m", path);
        return 0;
}
