/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sys/types.h>

/* libnuma's numa_move_pages(), returning a negative errno instead of -1.  A file of its own: <numa.h> declares
 * nodemask_* names of its own that clash with lib/shared/nodemask.h. */
long numa_move_pages_errno(pid_t pid, unsigned long count, void **pages, const int *nodes, int *status, int flags);
