/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "policy.h"

/*
 * What DAMON read as accessed in the last few cycles.  A cycle sees one aggregation of each region (the one
 * before its collection), and DAMON samples one page of a region per sampling interval: a hot set of 4 KiB pages
 * each touched a few times a second (a large set touched at random, or a slow machine) reads 0 in most
 * aggregations and would be seen in one cycle out of three or four.  The placer lifts a region to the highest
 * reading of a recent region that covered at least half of it, so that one sighting is enough, and a region
 * that read 0 all along stays cold.  Pure: the caller gives the clock.
 */
typedef struct HeatSighting {
        pid_t pid;
        uint64_t start, end;
        uint64_t usec;
        uint32_t nr_accesses;
} HeatSighting;

typedef struct HeatMemory {
        HeatSighting *v;
        size_t n, allocated;
} HeatMemory;

void heat_memory_done(HeatMemory *m);
/* Forget the sightings older than keep_usec at now, and those of processes not in pids (ascending, n_pids). */
void heat_memory_prune(HeatMemory *m, uint64_t now, uint64_t keep_usec, const pid_t *pids, size_t n_pids);
/* The highest nr_accesses of pid's sightings that cover at least half of [start, end), 0: none. */
uint32_t heat_memory_recall(const HeatMemory *m, pid_t pid, uint64_t start, uint64_t end);
/* Remember pid's regions that read accessed (nr_accesses > 0) at now.  -ENOMEM, remembering none. */
int heat_memory_note(HeatMemory *m, pid_t pid, const PolicyRegion *regions, size_t n, uint64_t now);
