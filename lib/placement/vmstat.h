/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>

/* The reader is needed only by vmstat_tiering_read(): the type is enough here, for parts that cannot see it. */
typedef struct SysfsRoot SysfsRoot;

/*
 * The kernel's own page movement between tiers, from /proc/vmstat: what NUMA-balancing promotion and reclaim-time
 * demotion did, so that tierd's stats show the kernel's share next to its own.  Counters the running kernel lacks
 * read as 0 (pgpromote_* exist since 5.18/6.1, pgdemote_khugepaged since 6.10).
 */
typedef struct VmstatTiering {
        uint64_t numa_hint_faults;
        uint64_t pgpromote_success;
        uint64_t pgpromote_candidate;
        uint64_t pgdemote_kswapd;
        uint64_t pgdemote_direct;
        uint64_t pgdemote_khugepaged;
        uint64_t pgmigrate_success;
        uint64_t pgmigrate_fail;
} VmstatTiering;

/* Parse the text of /proc/vmstat; a malformed line is -EINVAL. */
int vmstat_tiering_parse(const char *text, VmstatTiering *ret);
/* Read ROOT/proc/vmstat. */
int vmstat_tiering_read(SysfsRoot *root, VmstatTiering *ret);
/* b - a per counter (0 where a counter went backwards). */
void vmstat_tiering_delta(const VmstatTiering *a, const VmstatTiering *b, VmstatTiering *ret);
