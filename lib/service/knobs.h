/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "macro.h"
#include "sysfs.h"

/*
 * The kernel's own tiering knobs, as tierd drives them: set what the configuration asks, remember what was there
 * first, and put it back — on reload when a knob returns to "keep", and on every exit (knobs_free() restores
 * whatever is still changed, so a cleanup handler covers error paths too).  A knob the kernel lacks is logged,
 * never fatal.
 */
typedef enum KnobId {
        KNOB_NUMA_BALANCING,
        KNOB_DEMOTION_ENABLED,
        KNOB_PROMOTE_RATE_LIMIT,
        KNOB_HOT_THRESHOLD,
        _KNOB_MAX,
} KnobId;

typedef struct Knobs {
        SysfsRoot *root;
        char *saved[_KNOB_MAX]; /* original value while tierd has it changed, else NULL */
        char *state_path;       /* where the originals survive a crash; NULL: nowhere */
        int lock_fd;            /* holds the exclusive lock on "<state_path>.lock"; -EBADF without a state path */
        bool restored;          /* knobs_restore() ran since the last knobs_apply(): knobs_free() need not */
} Knobs;

/*
 * state_path (may be NULL) keeps the original values while any knob is changed, so that an instance started
 * after a crash or SIGKILL restores the administrator's values, not the ones the dead instance wrote.  Originals
 * found there are adopted as this instance's own; lines that are not a valid value for their knob are warned
 * about (FILE:LINE) and dropped, never written to the kernel.  The record must be a regular file (links are not
 * followed).
 *
 * With a state path, knobs_new() first takes an exclusive lock on "<state_path>.lock" (held until knobs_free()),
 * so that a second instance can neither adopt nor delete a running one's record: it gets -EBUSY, and nothing is
 * changed.  Other errors: -ENOMEM, or the error reading the record (logged).
 */
int knobs_new(const char *root, const char *state_path, Knobs **ret);
Knobs *knobs_free(Knobs *k);
DEFINE_TRIVIAL_CLEANUP_FUNC(Knobs *, knobs_free);

/*
 * Pure: the value config wants written to a knob, or NULL for "keep" (also in observe mode).  original is the
 * administrator's value (the one saved while tierd has the knob changed, else the kernel's; NULL: unknown): with
 * Promotion=kernel in migrate mode and NumaBalancing=keep, numa_balancing becomes original with the tiering mode
 * added (0 -> 2, 1 -> 3), since that promotion is what the placement leaves to the kernel.
 */
const char *knobs_desired(const Config *c, KnobId id, const char *original, char *buf, size_t size);
/* Migrate mode with Promotion=kernel. */
bool knobs_kernel_promotes(const Config *c);
const char *knob_name(KnobId id);
const char *knob_path(KnobId id);

/*
 * Bring every knob to what c wants; knobs now at "keep" go back to their saved value.  A knob's original is
 * recorded in the state file before the knob is written: if that fails, the knob is left alone (and counted).
 * Returns the number of knobs that could not be set or restored (each logged), or -ENOMEM.
 */
int knobs_apply(Knobs *k, const Config *c);
/*
 * Restore every changed knob.  An entry leaves the record only once the kernel took the original back; one that
 * could not be restored stays there, for a later call or the next instance.  Each failure is logged once, here:
 * knobs_free() after knobs_restore() (with no knobs_apply() in between) does not try, nor log, again.
 * Returns the number of knobs that could not be restored, or -ENOMEM; a caller about to exit should exit
 * non-zero when that is not 0.
 */
int knobs_restore(Knobs *k);
