/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * What a migration job did, page by page: plain data, readable by the report part without the sysfs reader.
 * Every present page the job looked at (of the nodes it moves from) is counted under exactly one outcome.
 */
typedef enum MigrateReason {
        MIGRATE_MOVED,         /* on its target now, moved by this job */
        MIGRATE_ALREADY_THERE, /* was on its target */
        MIGRATE_BUSY,          /* the kernel could not isolate or migrate it now (-EBUSY, a failed batch) */
        MIGRATE_NOT_PRESENT,   /* never touched, swapped out, or unmapped meanwhile (-ENOENT) */
        MIGRATE_FAULT,         /* the zero page, or no migratable mapping there (-EFAULT) */
        MIGRATE_NO_MEMORY,     /* the target is out of memory (-ENOMEM) or held back at the free-memory floor */
        MIGRATE_DENIED,        /* shared without MPOL_MF_MOVE_ALL, or the node is outside the task's cpuset */
        MIGRATE_NOT_ATTEMPTED, /* the job ended first (process exited, node gone) */
        MIGRATE_OTHER,         /* any other error the kernel reported */
        _MIGRATE_REASON_MAX,
} MigrateReason;

typedef enum MigrateEnd {
        MIGRATE_END_RUNNING,
        MIGRATE_END_DONE,           /* every range was gone through */
        MIGRATE_END_PROCESS_EXITED, /* ESRCH, or no address space any more (a zombie: EINVAL) */
        MIGRATE_END_DENIED,         /* the process (EPERM) or, for a node's part, the node (EACCES: cpuset) */
        MIGRATE_END_NODE_GONE,      /* a node's part: the node has no memory (any more): ENODEV */
        MIGRATE_END_FAILED,         /* an unexpected error, in end_error */
        _MIGRATE_END_MAX,
} MigrateEnd;

typedef struct MigrateCounts {
        uint64_t pages[_MIGRATE_REASON_MAX]; /* base pages; a 2 MiB THP is 512 */
        uint64_t huge[_MIGRATE_REASON_MAX];  /* of which the huge pages (THP, hugetlb), by number */
} MigrateCounts;

typedef struct MigrateNodeStats {
        int node;
        MigrateEnd end;       /* this node's part; RUNNING until it is done */
        int end_error;        /* the negative errno that ended it, or 0 */
        MigrateCounts sent;   /* migration: the pages whose target is this node, by outcome */
        uint64_t found_pages; /* dry run: pages the kernel reports on this node */
        uint64_t found_huge;
} MigrateNodeStats;

typedef struct MigrateStats {
        pid_t pid;
        bool dry_run;
        uint64_t page_size;
        MigrateCounts total;
        MigrateNodeStats *nodes; /* sorted by node: the targets, or (dry run) where pages were found */
        size_t n_nodes;
        uint64_t move_calls, query_calls;
        uint64_t call_usec;         /* spent inside move_pages(2) */
        uint64_t max_call_usec;     /* the longest single call */
        uint64_t calls_over_budget; /* calls that took longer than the call budget */
        uint64_t elapsed_usec;      /* first step to the end */
        MigrateEnd end;
        int end_error;
        /* How pages were found (pagescan.h). */
        bool pfns, kpageflags, scan_ioctl;
} MigrateStats;

/* "moved", "already_there", ... (JSON keys); "done", "process_exited", ... */
const char *migrate_reason_to_string(MigrateReason r);
const char *migrate_end_to_string(MigrateEnd e);

/* The pages of a job that count as the process's memory: all but not present and the zero page. */
uint64_t migrate_counts_present(const MigrateCounts *c);
/* Every present page is on its target: moved or already there, nothing else. */
bool migrate_counts_all_placed(const MigrateCounts *c);
/* A job's present pages: its counts', and in a dry run those found on the nodes. */
uint64_t migrate_stats_present(const MigrateStats *s);
