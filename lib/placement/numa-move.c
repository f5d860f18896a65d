/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <numa.h>

#include "numa-move.h"

long numa_move_pages_errno(pid_t pid, unsigned long count, void **pages, const int *nodes, int *status, int flags)
{
        long r = numa_move_pages(pid, count, pages, nodes, status, flags);
        return r < 0 ? (errno > 0 ? -errno : -EIO) : r;
}
