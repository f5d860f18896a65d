/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdlib.h>

#include "pids.h"

int pid_cmp(const void *a, const void *b)
{
        pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;
        return x < y ? -1 : x > y;
}

const void *pid_bsearch(pid_t pid, const void *base, size_t n, size_t size)
{
        /* An empty array may have no storage, and bsearch() wants a pointer. */
        return n > 0 ? bsearch(&pid, base, n, size, pid_cmp) : NULL;
}
