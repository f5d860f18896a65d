/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "lockfile.h"
#include "log.h"
#include "macro.h"

int lockfile_take(const char *path, const char *what, int *ret_fd)
{
        _cleanup_free_ char *lock = NULL;
        if (asprintf(&lock, "%s.lock", path) < 0) {
                lock = NULL;
                return -ENOMEM;
        }
        _cleanup_close_ int fd = open(lock, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY, 0600);
        if (fd < 0)
                return log_error_errno(negative_errno(), "Failed to open %s: %m", lock);
        struct stat st;
        if (fstat(fd, &st) < 0)
                return log_error_errno(negative_errno(), "Failed to stat %s: %m", lock);
        if (!S_ISREG(st.st_mode))
                return log_error_errno(-EBADFD, "%s is not a regular file, refusing it.", lock);
        if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
                if (errno == EWOULDBLOCK)
                        return log_error_errno(-EBUSY, "Another tierd holds %s, leaving %s alone.", lock, what);
                return log_error_errno(negative_errno(), "Failed to lock %s: %m", lock);
        }
        *ret_fd = TAKE_FD(fd);
        return 0;
}
