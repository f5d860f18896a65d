/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The tracker's parts below its public surface (damon.h): pure decisions and the crash record.  For damon*.c and
 * the tests only. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "damon.h"
#include "macro.h"

/*
 * One target of the kdamond: target i and scheme i (whose filter keeps target i's regions only) go together, and
 * the kernel matches targets by position when a change is committed, keeping what it learned for each index.
 */
typedef struct DamonSlot {
        pid_t pid;          /* 0: a placeholder (no process of ours; the tracker's own process stands in) */
        uint64_t starttime; /* /proc/PID/stat's starttime: tells the process that joined from a reused pid */
        bool reset;         /* just given to another process: the kernel must drop the regions it has there */
} DamonSlot;

/*
 * The slots after a change: processes that stay keep their index; a process that left leaves a placeholder (so
 * that no index behind it shifts); a process that joins takes the first placeholder (reset) or a new slot at the
 * end; placeholders at the end are dropped.  want: the processes to track, no pid twice.  A process is matched by
 * pid and starttime.  Pure.  -ENOMEM only.
 */
int damon_plan_slots(const DamonSlot *old, size_t n_old, const DamonSlot *want, size_t n_want, DamonSlot **ret,
                     size_t *ret_n);

/* The state letter and the starttime (field 22) of a /proc/PID/stat text; -EINVAL when malformed.  Pure. */
int damon_parse_proc_stat(const char *text, char *ret_state, uint64_t *ret_starttime);

/* What the crash record holds: "kdamond=K\ncookie=C\n[pid=P\n]". */
typedef struct DamonRecord {
        unsigned kdamond; /* its index, which is also how many kdamonds there were before tierd added it */
        uint64_t cookie;  /* the mark, in kdamonds/K/contexts/0/schemes/0/watermarks/interval_us; never 0 */
        pid_t pid;        /* the kdamond thread once it was seen running, else 0 */
} DamonRecord;

/* Pure.  format: -ENOBUFS when size is too small.  parse: every line valid and each key at most once, kdamond
 * and cookie present, else -EINVAL. */
int damon_record_format(const DamonRecord *r, char *buf, size_t size);
int damon_record_parse(const char *text, DamonRecord *ret);

/* The same, a line at a time, for a StatefileLineFn (statefile.h) with the userdata lines: damon_record_line()
 * takes one line (-EINVAL when not valid), damon_record_finish() the whole (-EINVAL without kdamond or cookie). */
typedef struct DamonRecordLines {
        DamonRecord rec;
        bool seen[3]; /* kdamond, cookie, pid */
} DamonRecordLines;
int damon_record_line(const char *key, const char *value, void *userdata);
int damon_record_finish(const DamonRecordLines *lines, DamonRecord *ret);

/* Kdamond K as found in sysfs. */
typedef struct DamonFound {
        bool exists;          /* K < nr_kdamonds */
        bool running;         /* its state reads "on" */
        uint64_t cookie;      /* the mark's file, 0 when missing or unreadable */
        pid_t pid;            /* its thread, 0 when off or unreadable */
        uint64_t nr_contexts; /* 0: an empty shell that nobody has configured */
} DamonFound;

/*
 * Whether the kdamond found is the one the record describes: it carries the mark; or, without any mark, it is the
 * thread the record saw running (a crash while its schemes were being rewritten), or an empty shell that is off
 * (a crash right after it was added).  Pure.
 */
bool damon_kdamond_is_ours(const DamonRecord *r, const DamonFound *f);

/*
 * The record file "<state_dir>/damon-kdamond" and its lock "<path>.lock" (flock, held for the tracker's life).
 * lock: -EBUSY when another process holds it.  load: 0 and *ret_found = false when there is no record or it is
 * not valid (warned about, naming the line where one is at fault, and ignored: nothing is touched on its
 * account).  save: written to a new temporary file and renamed over the record (statefile_write()).  All log
 * their failures with the file.
 */
int damon_record_lock(const char *path, int *ret_fd);
int damon_record_load(const char *path, DamonRecord *ret, bool *ret_found);
int damon_record_save(const char *path, const DamonRecord *r);
int damon_record_remove(const char *path);

/* qsort() order of pid_t. */
int damon_cmp_pid(const void *a, const void *b);

/* ---- the tracker itself, shared by damon.c (setting up, ownership) and damon-collect.c ---- */

#define DAMON_KDAMONDS "sys/kernel/mm/damon/admin/kdamonds"
#define DAMON_CTX DAMON_KDAMONDS "/%u/contexts/0"

struct DamonTracker {
        SysfsRoot *root;
        DamonAttrs attrs;
        char *record_path;
        int lock_fd;
        bool owned;         /* kdamond record.kdamond is tierd's, and the record says so on disk */
        DamonRecord record; /* while owned */
        DamonSlot *slots;   /* the targets as last written to the kernel */
        size_t n_slots;
};

/* Write one file of the admin tree; a failure is logged with the file's full name. */
int damon_kd_write(DamonTracker *t, const char *value, const char *fmt, ...) _printf_(3, 4);
/* Whether the kdamond is still ours, and running; -EBUSY (and forgotten, untouched) when another tool has it. */
int damon_check_owned(DamonTracker *t, bool *ret_running);
/* Whether the slot's process still exists (same starttime, not a zombie); *error = -ENOMEM when that is why not. */
bool damon_slot_alive(DamonTracker *t, const DamonSlot *s, int *error);
/* Start the stopped kdamond afresh for these processes; on failure it is given back. */
int damon_start(DamonTracker *t, const DamonSlot *want, size_t n);
/* Turn the kdamond off and remove it (when still ours), then the record. */
int damon_release(DamonTracker *t);
