/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "migrate-stats.h"
#include "policy.h"

/* What placement did: plain data, for the report part (which sees no sysfs reader). */
/* The page outcomes that are not a success, as the stats count them. */
typedef struct PlacerCounts {
        uint64_t promoted_pages, demoted_pages;
        uint64_t failed_pages[_MIGRATE_REASON_MAX]; /* MIGRATE_MOVED and MIGRATE_ALREADY_THERE stay 0 */
        uint64_t moved_bytes;
} PlacerCounts;

typedef struct PlacerWorkload {
        pid_t pid;
        uint64_t start_time;
        char comm[16]; /* TASK_COMM_LEN */
        char *rule;
        int home_node;
        PlacerCounts counts;
        uint64_t regions, hot_regions; /* in the last hotness reading */
        bool alive;                    /* in the last resolved scope */
        bool logged_exit;
} PlacerWorkload;

typedef struct PlacerNode {
        unsigned node;
        uint64_t promoted_in_pages, demoted_in_pages;   /* arrived on this node */
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
        uint64_t budget_bytes; /* what the plan could move (pace.h) */
        uint64_t planned_bytes;
        PlacerCounts counts; /* what its jobs did */
        const char *hotness; /* NULL, or why there was no hotness reading ("damon-busy", "no-damon", ...) */
} PlacerCycle;

typedef struct PlacerStats {
        size_t managed; /* processes in the last resolved scope */
        uint64_t cycles;
        uint64_t interval_usec;
        const PlacerCounts *totals;
        const PlacerCycle *last_cycle;
        const PlacerWorkload *workloads;
        size_t n_workloads;
        const PlacerNode *nodes;
        size_t n_nodes;
} PlacerStats;
