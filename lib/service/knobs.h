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
} Knobs;

/*
 * state_path (may be NULL) keeps the original values while any knob is changed, so that an instance started
 * after a crash or SIGKILL restores the administrator's values, not the ones the dead instance wrote.  Originals
 * found there are adopted as this instance's own.
 */
int knobs_new(const char *root, const char *state_path, Knobs **ret);
Knobs *knobs_free(Knobs *k);
DEFINE_TRIVIAL_CLEANUP_FUNC(Knobs *, knobs_free);

/* Pure: the value config wants written to a knob, or NULL for "keep" (also in observe mode). */
const char *knobs_desired(const Config *c, KnobId id, char *buf, size_t size);
const char *knob_name(KnobId id);
const char *knob_path(KnobId id);

/* Bring every knob to what c wants; knobs now at "keep" go back to their saved value.  Returns the number of
 * knobs that could not be set (each logged), or -ENOMEM. */
int knobs_apply(Knobs *k, const Config *c);
/* Restore every changed knob; returns the number that failed (each logged). */
int knobs_restore(Knobs *k);
