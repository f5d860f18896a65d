/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <sys/types.h>

/*
 * Arrays sorted by pid: of pid_t, or of structs whose first member is their pid_t (HotnessProcess, ScopeProcess;
 * their headers assert it).
 */

/* The ascending order of pids, for qsort() and bsearch(). */
int pid_cmp(const void *a, const void *b);

/* The element of base (n elements of size bytes, in pid_cmp() order) whose pid is pid; NULL when none is. */
const void *pid_bsearch(pid_t pid, const void *base, size_t n, size_t size);
