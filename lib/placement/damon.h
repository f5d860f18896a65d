/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "hotness.h"
#include "macro.h"
#include "sysfs.h"

/*
 * The hotness tracker: DAMON's virtual-address monitoring of a set of processes through its sysfs admin
 * interface (sys/kernel/mm/damon/admin), read back through one `stat` scheme per process whose `target` filter
 * keeps only that process's regions (a tried region does not say which target it belongs to).
 *
 * Ownership: tierd drives only a kdamond it created itself, and only when DAMON's admin tree was empty: writing
 * nr_kdamonds removes and recreates every kdamond's directory, so tierd never writes it while another tool has a
 * kdamond there (running or only configured), nor starts while DAMON_RECLAIM or DAMON_LRU_SORT run (their
 * kdamonds are exclusive: the kernel would refuse ours).  Its kdamond carries a random mark (the stat scheme's
 * watermarks interval, unused with the "none" metric) that is also kept, with the kdamond's index, in a record
 * under the state directory, written before the kdamond is created and removed once it is gone again.  A tracker
 * started after a crash finds its predecessor's kdamond there, turns it off and removes it; a kdamond without the
 * mark is never touched.
 *
 * A tracker is used by one thread at a time; it has no global state, so a worker thread may own one.
 */
typedef struct DamonTracker DamonTracker;

/*
 * Monitoring attributes (DAMON's units).  The defaults, for tiering:
 *   sample 10 ms, aggregation 200 ms: nr_accesses ranges over 0..20 per aggregation, enough to rank regions.
 *     Tiering calls a page hot when it is used a few times a second (NUMA balancing's threshold is 1 s), not
 *     within DAMON's 5 ms: at 10 ms a sample sees such a page twice as often, for half the kdamond's work.  A
 *     collection blocks until the kdamond has applied its schemes once more, which the kernel's sysfs command
 *     polls for every 100 ms (0.25-0.6 s a collection in a 6.12 guest under emulation);
 *   update 1 s (the kernel's default is 60 s): a process that joins a running kdamond has no region until the
 *     next update, and new mappings of tracked processes are picked up within a second;
 *   10..200 regions: the kdamond's work per sample, and a collection's reads (four files a region), grow with
 *     the number of regions (with 200 the kdamond took 7% of a vCPU under emulation).  Regions split where
 *     their parts differ, so 200 still trace a hot set's edges; the merge limit (the monitored span / min) lets
 *     a tenth of it be told apart.
 */
typedef struct DamonAttrs {
        uint64_t sample_usec;
        uint64_t aggr_usec;
        uint64_t update_usec;
        uint64_t min_nr_regions;
        uint64_t max_nr_regions;
} DamonAttrs;

#define DAMON_ATTRS_DEFAULT                                                                                            \
        ((DamonAttrs){                                                                                                 \
                .sample_usec = 10000,                                                                                  \
                .aggr_usec = 200000,                                                                                   \
                .update_usec = 1000000,                                                                                \
                .min_nr_regions = 10,                                                                                  \
                .max_nr_regions = 200,                                                                                 \
        })

/*
 * root: the tree to drive ("/" live, a scratch tree in tests); the tracker works on its own clone of it, whose
 * reader warnings (a malformed or unreadable file, named with its path) go to warnings (may be NULL).
 * state_dir: where the record lives ("damon-kdamond", locked through "damon-kdamond.lock" while the tracker
 * exists).  attrs: NULL for DAMON_ATTRS_DEFAULT.
 *
 * Takes the lock (-EBUSY when another tracker, e.g. another tierd, holds it: nothing is touched), then cleans up
 * after a predecessor that did not stop its kdamond (a crash, SIGKILL).  Creates no kdamond itself.
 */
int damon_tracker_new(SysfsRoot *root, WarningList *warnings, const char *state_dir, const DamonAttrs *attrs,
                      DamonTracker **ret);
/* Stops and removes the tracker's kdamond, if any (damon_tracker_stop()), and releases the lock. */
DamonTracker *damon_tracker_free(DamonTracker *t);
DEFINE_TRIVIAL_CLEANUP_FUNC(DamonTracker *, damon_tracker_free);

/*
 * Track exactly these processes from now on.  Pids that do not exist (or are zombies) are left out.  The first
 * call with a live process creates and starts the kdamond; later changes are committed to the running kdamond,
 * which keeps what it learned about the processes that stay.  No live process stops and removes it.
 * Returns 0; -EBUSY when DAMON is used by another tool (logged, naming what was found; nothing was written: try
 * again later); -EOPNOTSUPP without DAMON's sysfs interface; -ENOMEM; or the error of a sysfs write (logged with
 * the file).
 */
int damon_tracker_set_pids(DamonTracker *t, const pid_t *pids, size_t n);

/*
 * Refresh and read the regions of every tracked process (blocks for about one aggregation interval).  A kdamond
 * the kernel stopped (every target exited, or one exited while a change was being committed) is started again
 * for the processes still alive; they then have no regions in this snapshot.  Errors as for set_pids.
 */
int damon_tracker_collect(DamonTracker *t, HotnessSnapshot **ret);

/* Turn the kdamond off and remove it, as if tierd had never added it; the next set_pids starts over. */
int damon_tracker_stop(DamonTracker *t);
