/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

/*
 * Small state files of "key=value" lines that outlive tierd, so that the next instance can clean up after a
 * crash: the saved kernel knob values (lib/service/knobs.c) and the record of tierd's DAMON kdamond
 * (lib/placement/damon-record.c).  One instance at a time owns such a file (lockfile.h); this only reads,
 * replaces and removes it.
 */

/* The most a state file holds; a larger one is not ours. */
#define STATEFILE_SIZE_MAX 4096

/*
 * Takes one line "key=value": key is what comes before the first '=', value the rest (either may be empty).
 * Returns 0 when the line is taken, -EINVAL when it is not valid, any other negative errno to stop reading.
 */
typedef int (*StatefileLineFn)(const char *key, const char *value, void *userdata);

/* What an invalid line, or a file too large, does to the rest. */
typedef enum StatefileMode {
        /* Each line stands alone: an invalid one is warned about and skipped.  A file too large is refused:
         * -EFBIG, logged as an error. */
        STATEFILE_LINES,
        /* The file is valid as a whole or not at all: an invalid line, or a file too large, is warned about and
         * ends the reading with -EINVAL. */
        STATEFILE_WHOLE,
} StatefileMode;

/*
 * Hands each line of text (n bytes; the last newline optional) to fn.  A line without '=', with a NUL byte or
 * longer than STATEFILE_SIZE_MAX is invalid without fn seeing it; so is one fn refuses with -EINVAL.  Each
 * invalid line is warned about as "NAME:LINE: not a valid WHAT, ignoring ..." (name NULL: nothing is logged,
 * and nothing else here logs either).  Returns 0, -EINVAL (STATEFILE_WHOLE: the first invalid line), or the
 * other error of fn that stopped it.
 */
int statefile_parse(const char *text, size_t n, const char *name, const char *what, StatefileMode mode,
                    StatefileLineFn fn, void *userdata);

/*
 * Reads the state file at path and parses it as above, naming the file (escaped) in every message.  It must be
 * a regular file (a link is not followed, a FIFO not waited for) of at most STATEFILE_SIZE_MAX bytes.  Returns 1
 * when it was read, 0 when there is none, -EFBIG or -EINVAL as the mode says, the errors of statefile_parse(),
 * -ENOMEM, or the error opening or reading it (logged).
 */
int statefile_load(const char *path, const char *what, StatefileMode mode, StatefileLineFn fn, void *userdata);

/*
 * Replaces the state file at path with text, atomically: text goes to a new file "<path>.tmp" of our own
 * (O_EXCL|O_NOFOLLOW, mode 0600, after whatever had that name is removed, so that a planted file or link is
 * neither followed nor trusted), which is fsync()ed and then renamed over path.  A failure is logged at level
 * (LOG_WARNING, LOG_ERR, ...) with the file's name, and leaves no temporary file of ours behind.
 */
int statefile_write(const char *path, const char *text, int level);

/* Removes the state file at path, when there is one; a failure is logged at level. */
int statefile_remove(const char *path, int level);
