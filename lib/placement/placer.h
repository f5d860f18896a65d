/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "damon.h"
#include "placer-stats.h"
#include "macro.h"
#include "migrate.h"
#include "policy.h"
#include "ratelimit.h"
#include "scope.h"
#include "snapshot.h"
#include "sysfs.h"

/*
 * Placement, one cycle after another: resolve the scope, let DAMON track exactly those processes, read how hot
 * their regions are, estimate where each region's pages are (move_pages(2) queries on a sample of its pages),
 * plan the cycle (policy.h), and carry the plan out as migration jobs, one step at a time (migrate.h), demotions
 * before the promotions that use the room they make.  The caller owns the clock and the loop: it starts a
 * cycle, then calls placer_step() whenever placer_step() said, so that an event loop never blocks on a job.
 *
 * The placer keeps what must survive a reload or a cycle: the kdamond (damon.h, stopped in placer_free()), when
 * each range was last moved (minimum residency), the shared rate limit, and the statistics.  It logs once per
 * cause: a process that exited during a job, a removed cgroup, DAMON in use by another tool, an empty scope.
 */
typedef struct PlacerSettings {
        ScopeRules rules; /* copied */
        PolicyParams params;
        uint64_t interval_usec;
        uint64_t rate_bytes_per_sec; /* 0: unlimited */
} PlacerSettings;

typedef struct Placer Placer;

/* root: procfs/sysfs; state_dir: DAMON's crash record ("/run/tierd"); -EBUSY when another tracker holds it. */
int placer_new(SysfsRoot *root, const char *state_dir, const PlacerSettings *settings, Placer **ret);
/* Stops the kdamond and every job. */
Placer *placer_free(Placer *p);
DEFINE_TRIVIAL_CLEANUP_FUNC(Placer *, placer_free);

/* New scope and tunables, keeping the kdamond, the residency history and the stats. */
int placer_configure(Placer *p, const PlacerSettings *settings);

/*
 * Resolve, read hotness, plan and queue the cycle's jobs on the topology of snapshot.  Blocks for about one DAMON
 * aggregation interval.  -EBUSY while the previous cycle's jobs still run (nothing done); -ENOMEM.
 */
int placer_cycle_start(Placer *p, const Snapshot *snapshot, uint64_t now_usec);
/*
 * One migration step of the running cycle.  Returns 0 and *ret_next_usec when there is more (call again then),
 * 1 when the cycle is over (see placer_last_cycle()), or a negative errno (-ENOMEM; the cycle's remaining
 * migrations are then dropped).
 */
int placer_step(Placer *p, uint64_t *ret_next_usec);
bool placer_busy(const Placer *p);

/* A view of the statistics, valid until the placer is next changed. */
void placer_stats(const Placer *p, PlacerStats *ret);
/* The pages of c that could not be moved: every failure reason but MIGRATE_NOT_PRESENT.  DAMON's regions span the
 * gaps between mappings and memory never touched, and a page that is not there is no page that failed to move. */
uint64_t placer_counts_not_moved(const PlacerCounts *c);
