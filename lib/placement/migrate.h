/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "migrate-stats.h"
#include "nodemask.h"
#include "ratelimit.h"
#include "sysfs.h"

/*
 * The migration engine: move a process's pages to target nodes with move_pages(2) (libnuma's numa_move_pages),
 * in steps that never block an event loop.
 *
 * A job is one pid and a list of virtual ranges, each with a target node (or the whole process: every mapping of
 * /proc/PID/maps, as migratepages(8) does).  The job goes through the targets one node at a time, ranges in
 * address order, and finds the present pages with pagescan.h: one address per folio, so a THP is one entry
 * (counted as its 512 pages), holes are never sent, and with page frame numbers (CAP_SYS_ADMIN) a page already
 * on its target is counted without asking.  Without them, a query call (nodes NULL) first learns where the
 * batch is, so "moved" and "already there" stay apart.
 *
 * Each migrate_job_step() makes at most one move_pages(2) call, for one target node:
 *   - sized so that the call takes about 3/4 of the call budget (20 ms by default): the batch follows the time
 *     per page measured on the previous calls, growing at most twofold per call;
 *   - within the shared rate limit (ratelimit.h): when the bucket is empty the step says when to come back;
 *   - within the target's free memory: with a floor set, the node's MemFree (sysfs, through the root) is read
 *     before each batch and the batch cut so that MemFree stays above the floor; what cannot go counts as
 *     MIGRATE_NO_MEMORY (target out of memory).
 * The status array is pre-filled with a value the kernel never writes.  A batch the kernel fails (-ENOMEM, or a
 * positive count of pages not migrated) leaves its entries unwritten and those after it not attempted: the
 * unattempted ones are sent again, the failed batch is queried in the next step (on the target: moved, else
 * busy or out of memory); pages answering -EBUSY are queried the same way, since the second address of a huge
 * page the kernel did not know as one answers -EBUSY and then moves with its head.  Unwritten entries are never
 * counted as moved.  Without any knowledge of a large folio (neither kpageflags nor PAGEMAP_SCAN), its pages
 * asked about after it moved with an earlier batch count as already there.
 *
 * A process that exits (ESRCH, or EINVAL: no address space) ends the job; a target node without memory (ENODEV)
 * or outside the task's cpuset (EACCES) ends that node's part, the job going on with the other nodes.  Pages
 * queued then count as not attempted (denied for EACCES/EPERM).  The job never logs: the end reason and error
 * are in the stats, and the caller logs them once (migrate_end_to_string()).
 *
 * Dry run (MigrateOptions.dry_run): query only (nodes NULL): where the pages are, per node.
 */
#define MIGRATE_CALL_BUDGET_USEC_DEFAULT 20000

typedef struct MigrateRange {
        uint64_t start, end; /* [start, end), rounded out to pages */
        int node;            /* target; ignored in a dry run */
        /* 0: every page.  Else the range ends, in address order, once this many bytes of pages to move (not
         * already on the target, on a source node) are queued (a huge page counts whole; without frame numbers every
         * present page counts, since where it is is learnt only later).  Ignored in a dry run. */
        uint64_t max_bytes;
} MigrateRange;

/* The kernel, replaceable for tests: move_pages(2) returning a negative errno instead of -1, and the clock. */
typedef struct MigrateOps {
        long (*move_pages)(void *userdata, pid_t pid, unsigned long count, void **pages, const int *nodes, int *status,
                           int flags);
        uint64_t (*now_usec)(void *userdata); /* CLOCK_MONOTONIC */
        void *userdata;
} MigrateOps;

typedef struct MigrateOptions {
        bool dry_run;
        bool move_all;             /* MPOL_MF_MOVE_ALL: pages shared with other processes too (CAP_SYS_NICE) */
        RateLimit *rate_limit;     /* shared by jobs, not owned; NULL: no limit */
        uint64_t free_floor_bytes; /* keep at least this much free on a target node; 0: no check */
        /* Move only pages found on these nodes; empty: from any node.  Pages on other nodes are left alone and
         * not counted, like addresses outside the ranges, nor towards max_bytes where frame numbers show their
         * node.  Ignored in a dry run. */
        NodeMask from_nodes;
        uint64_t call_budget_usec; /* 0: MIGRATE_CALL_BUDGET_USEC_DEFAULT */
        const MigrateOps *ops;     /* NULL: numa_move_pages() and CLOCK_MONOTONIC */
} MigrateOptions;

typedef struct MigrateJob MigrateJob;

/*
 * root: the tree for /proc and /sys (not owned; must outlive the job).  Overlapping ranges are merged when they
 * have the same target (their max_bytes add up, 0 winning) and refused (-EINVAL) otherwise; a negative target
 * outside a dry run is -EINVAL.
 * -ESRCH when the process does not exist, -EACCES/-EPERM without ptrace access to it.
 */
int migrate_job_new(SysfsRoot *root, pid_t pid, const MigrateRange *ranges, size_t n_ranges,
                    const MigrateOptions *options, MigrateJob **ret);
/* Every mapping of /proc/PID/maps to node (ignored in a dry run). */
int migrate_job_new_process(SysfsRoot *root, pid_t pid, int node, const MigrateOptions *options, MigrateJob **ret);
MigrateJob *migrate_job_free(MigrateJob *j);
DEFINE_TRIVIAL_CLEANUP_FUNC(MigrateJob *, migrate_job_free);

/*
 * One step: at most one move_pages(2) call.  Returns 0 when there is more to do, *ret_next_usec (CLOCK_MONOTONIC,
 * may be NULL) telling when the next step may run (now, or later for the rate limit); 1 when the job has ended
 * (see its stats); -ENOMEM.  Steps after the end return 1 again.
 */
int migrate_job_step(MigrateJob *j, uint64_t *ret_next_usec);
/* Step until the end, sleeping as the rate limit says (for tierctl; the real clock). 0 or -ENOMEM. */
int migrate_job_run(MigrateJob *j);
const MigrateStats *migrate_job_stats(const MigrateJob *j);
