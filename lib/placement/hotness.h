/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "macro.h"

/*
 * How often each part of a process's address space was accessed lately: plain data from the hotness tracker
 * (damon.h) for the placement policy.  Regions are DAMON's adaptive regions of the process's virtual address
 * space, sorted by start and not overlapping.
 */
typedef struct HotnessRegion {
        uint64_t start, end;  /* [start, end), virtual addresses */
        uint32_t nr_accesses; /* samples of the last aggregation interval that saw an access: 0..max_nr_accesses */
        uint32_t age;         /* aggregation intervals the region's access rate has stayed about the same */
} HotnessRegion;

typedef struct HotnessProcess {
        pid_t pid;
        HotnessRegion *regions;
        size_t n_regions; /* 0 right after a process joined: the monitor has not looked at it yet */
} HotnessProcess;
_Static_assert(offsetof(HotnessProcess, pid) == 0, "sorted and found by its leading pid (pids.h)");

typedef struct HotnessSnapshot {
        HotnessProcess *processes; /* sorted by pid */
        size_t n_processes;
        pid_t *exited; /* tracked processes found gone (or a zombie, or their pid reused), sorted */
        size_t n_exited;
        uint32_t max_nr_accesses; /* aggregation / sampling interval: what "accessed in every sample" reads as */
        uint64_t aggr_usec;       /* the aggregation interval, the unit of age */
        uint64_t update_usec;     /* how long the kernel took to refresh the regions (a blocking write) */
        uint64_t collect_usec;    /* the whole collection, refresh and reading back included */
} HotnessSnapshot;

HotnessSnapshot *hotness_snapshot_free(HotnessSnapshot *s);
DEFINE_TRIVIAL_CLEANUP_FUNC(HotnessSnapshot *, hotness_snapshot_free);

/* The process with this pid, or NULL. */
const HotnessProcess *hotness_snapshot_find(const HotnessSnapshot *s, pid_t pid);
