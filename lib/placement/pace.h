/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>

/*
 * How much one placement cycle plans: as much as the migrations of past cycles show can be moved in about one
 * interval, never more than the configured budget (the rate limit times the interval).  A plan that takes
 * several intervals to carry out is stale before it ends: the hot set it was made for has moved on, and no
 * cycle that would see that starts while it runs.  How fast pages move depends on the machine (page copies
 * at memory speed on hardware, 10-50x slower under emulation) and on the pages (huge pages move as one), so it
 * is measured, not configured.  Pure: the caller gives the clock readings.
 */
typedef struct MigrationPace {
        uint64_t max_bytes;       /* the configured budget */
        uint64_t budget_bytes;    /* the next cycle's */
        uint64_t planned_per_sec; /* planned bytes carried out per second, smoothed; 0: not measured yet */
        uint64_t overhead_usec;   /* a cycle's fixed work before its migrations, smoothed */
} MigrationPace;

/* Planned bytes below this say little about the pace, and a cycle always may move at least this much. */
#define PACE_MIN_BYTES (UINT64_C(4) << 20)
/* The first cycle's budget, before anything was measured (at most max_bytes). */
#define PACE_START_BYTES (UINT64_C(32) << 20)

void pace_init(MigrationPace *p, uint64_t max_bytes);
/* A new configured budget; what was measured stays. */
void pace_set_max(MigrationPace *p, uint64_t max_bytes);
/*
 * A cycle spent overhead_usec on its fixed work (scope, DAMON's collection, where the pages are, the plan) and then
 * carried out a plan of planned_bytes in usec (from the end of planning to the end of its last job), cycles being
 * interval_usec apart.  The next budget aims at 80% of the interval, so that the jobs end before the next cycle is
 * due, or at twice the overhead when that is longer: where the fixed work is slow (DAMON's collection alone takes
 * most of a second under emulation), short plans would leave migration idle for most of each cycle.  It shrinks at
 * once and grows at most twofold per cycle.  Small plans are ignored.
 */
void pace_record(MigrationPace *p, uint64_t planned_bytes, uint64_t usec, uint64_t overhead_usec,
                 uint64_t interval_usec);

/*
 * When the next cycle is due: an interval after the last one started, so that cycles with little to do keep the
 * interval, but never sooner than a tenth of an interval after the last one's work (planning, and its migrations
 * if it queued any) ended at now_usec.  A cycle whose work outlasts the interval is followed at once by the next,
 * which sees the pages where they now are; the gap leaves the event loop to work of lower priority, which cycles
 * back to back would starve (a cycle's start blocks: DAMON's collection takes an aggregation interval, and most of
 * a second on a loaded machine).
 */
uint64_t pace_next_cycle_usec(uint64_t started_usec, uint64_t now_usec, uint64_t interval_usec);
