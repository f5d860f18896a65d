/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>

/*
 * How much one placement cycle plans: as much as the migrations of past cycles show can be moved in about one
 * interval, never more than the configured budget (the rate limit times the interval).  A plan that takes
 * several intervals to carry out is stale before it ends: the hot set it was made for has moved on, and the
 * cycles that would see that are skipped while it runs.  How fast pages move depends on the machine (page copies
 * at memory speed on hardware, 10-50x slower under emulation) and on the pages (huge pages move as one), so it
 * is measured, not configured.  Pure: the caller gives the clock readings.
 */
typedef struct MigrationPace {
        uint64_t max_bytes;       /* the configured budget */
        uint64_t budget_bytes;    /* the next cycle's */
        uint64_t planned_per_sec; /* planned bytes carried out per second, smoothed; 0: not measured yet */
} MigrationPace;

/* Planned bytes below this say little about the pace, and a cycle always may move at least this much. */
#define PACE_MIN_BYTES (UINT64_C(4) << 20)
/* The first cycle's budget, before anything was measured (at most max_bytes). */
#define PACE_START_BYTES (UINT64_C(32) << 20)

void pace_init(MigrationPace *p, uint64_t max_bytes);
/* A new configured budget; what was measured stays. */
void pace_set_max(MigrationPace *p, uint64_t max_bytes);
/*
 * A cycle carried out a plan of planned_bytes in usec (from the end of planning to the end of its last job),
 * cycles being interval_usec apart: the next budget aims at 80% of the interval, so that the jobs end before the
 * next cycle is due.  It shrinks at once and grows at most twofold per cycle.  Small plans are ignored.
 */
void pace_record(MigrationPace *p, uint64_t planned_bytes, uint64_t usec, uint64_t interval_usec);
