/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * An exclusive flock() on "<path>.lock" (a regular file, created 0600, links not followed), held while the
 * returned fd is open: one tierd owns the state recorded at path.  -EBUSY when another process holds it, logged
 * as "Another tierd holds LOCK, leaving WHAT alone."; other errors logged with the file's name.
 */
int lockfile_take(const char *path, const char *what, int *ret_fd);
