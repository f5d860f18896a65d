/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "damon.h"
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

/* The page outcomes that are not a success, as the stats count them. */
typedef struct PlacerCounts {
        uint64_t promoted_pages, demoted_pages;
        uint64_t failed_pages[_MIGRATE_REASON_MAX]; /* MIGRATE_MOVED and MIGRATE_ALREADY_THERE stay 0 */
        uint64_t moved_bytes;
} PlacerCounts;

typedef struct PlacerWorkload {
        pid_t pid;
        uint64_t start_time;
        char comm[SCOPE_COMM_MAX];
        char *rule;
        int home_node;
        PlacerCounts counts;
        uint64_t regions, hot_regions; /* in the last hotness reading */
        bool alive;                    /* in the last resolved scope */
        bool logged_exit;
} PlacerWorkload;

typedef struct PlacerNode {
        unsigned node;
        uint64_t promoted_in_pages, demoted_in_pages;  /* arrived on this node */
        uint64_t promoted_out_pages, demoted_out_pages; /* left this node */
        uint64_t failed_pages[_MIGRATE_REASON_MAX];     /* of moves towards this node */
        uint64_t total_bytes, free_bytes;               /* at the last cycle's start */
        unsigned last_notes;                            /* PolicyNote bits of the last plan */
} PlacerNode;

typedef struct PlacerCycle {
        uint64_t number;
        uint64_t started_usec, planned_usec, ended_usec; /* CLOCK_MONOTONIC; ended 0 while jobs run */
        uint64_t collect_usec;                           /* DAMON's part */
        PolicyOutcome outcome;
        size_t n_moves, n_jobs;
        uint64_t planned_bytes;
        PlacerCounts counts; /* what its jobs did */
        const char *hotness; /* NULL, or why there was no hotness reading ("damon-busy", "no-damon", ...) */
} PlacerCycle;

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
 * 1 when the cycle is over (see placer_last_cycle()), -ENOMEM.
 */
int placer_step(Placer *p, uint64_t *ret_next_usec);
bool placer_busy(const Placer *p);

const PlacerCycle *placer_last_cycle(const Placer *p);
const PlacerWorkload *placer_workloads(const Placer *p, size_t *ret_n);
const PlacerNode *placer_nodes(const Placer *p, size_t *ret_n);
const PlacerCounts *placer_totals(const Placer *p);
uint64_t placer_cycles(const Placer *p);
/* Managed processes right now (the last resolved scope). */
size_t placer_n_managed(const Placer *p);
