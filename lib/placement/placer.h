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
 * before the promotions that use the room they make.  The caller owns the clock and the loop: it begins a cycle,
 * finishes it once DAMON's reading is in, then calls placer_step() whenever placer_step() said, so that an event
 * loop never blocks on DAMON or a job.
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
        const MigrateOps *ops;       /* the kernel for the page queries and jobs, NULL: move_pages(2) (tests) */
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
 * A cycle in two halves, so that the caller's loop never waits for DAMON.  placer_cycle_begin() resolves the
 * scope and starts reading DAMON's hotness of those processes on a thread of its own (hotness-reading.h), and
 * gives an fd that becomes readable when the reading is in; placer_cycle_finish() then reads where the regions'
 * pages are, plans on the topology of snapshot and queues the cycle's jobs.  -EBUSY from begin while the
 * previous cycle's reading or jobs are not done (nothing done); -EINVAL from finish without a begun cycle;
 * -ENOMEM.
 */
int placer_cycle_begin(Placer *p, uint64_t now_usec, int *ret_fd);
int placer_cycle_finish(Placer *p, const Snapshot *snapshot, uint64_t now_usec);
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
