/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <sys/types.h>

#include "damon.h"
#include "hotness.h"
#include "macro.h"

/*
 * One DAMON hotness reading off the caller's thread: damon_tracker_set_pids() and, with processes,
 * damon_tracker_collect(), on a thread of its own, so that an event loop keeps answering while the kernel takes
 * its aggregation interval.  The tracker uses only the sysfs reader it owns; the caller must not touch it until
 * the reading is finished or freed.  An eventfd becomes readable when the reading is in.
 */
typedef struct HotnessReading HotnessReading;

/* pids are copied.  -ENOMEM, or the errno of creating the eventfd or the thread. */
int hotness_reading_start(DamonTracker *tracker, const pid_t *pids, size_t n_pids, HotnessReading **ret);
/* Readable (EPOLLIN) once the reading is in. */
int hotness_reading_fd(const HotnessReading *r);
/* Waits for the reading and frees it: the tracker's result (0, or its negative errno, see damon.h) and, on
 * success with processes, the snapshot (else NULL). */
int hotness_reading_finish(HotnessReading *r, HotnessSnapshot **ret);
/* Waits for the reading and drops it. */
HotnessReading *hotness_reading_free(HotnessReading *r);
DEFINE_TRIVIAL_CLEANUP_FUNC(HotnessReading *, hotness_reading_free);
