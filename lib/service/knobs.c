/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "escape.h"
#include "knobs.h"
#include "lockfile.h"
#include "log.h"
#include "parse.h"
#include "statefile.h"
#include "tierd-messages.h"

static bool valid_numa_balancing(const char *s)
{
        uint32_t v;
        return parse_u32(s, &v) >= 0 && v <= 3; /* NUMA_BALANCING_DISABLED .. NORMAL|MEMORY_TIERING */
}

static bool valid_bool_word(const char *s)
{
        return strcmp(s, "true") == 0 || strcmp(s, "false") == 0; /* what demotion_enabled prints */
}

static bool valid_int32(const char *s)
{
        uint64_t v;
        return parse_u64(s, &v) >= 0 && v <= INT32_MAX;
}

static bool valid_uint32(const char *s)
{
        uint32_t v;
        return parse_u32(s, &v) >= 0;
}

static const struct {
        const char *name, *path;
        bool (*valid)(const char *value); /* the values the kernel prints and accepts back */
} knob_table[_KNOB_MAX] = {
        [KNOB_NUMA_BALANCING] = {"numa_balancing", "proc/sys/kernel/numa_balancing", valid_numa_balancing},
        [KNOB_DEMOTION_ENABLED] = {"demotion_enabled", "sys/kernel/mm/numa/demotion_enabled", valid_bool_word},
        [KNOB_PROMOTE_RATE_LIMIT] = {"promote_rate_limit_MBps",
                                     "proc/sys/kernel/numa_balancing_promote_rate_limit_MBps", valid_int32},
        [KNOB_HOT_THRESHOLD] = {"hot_threshold_ms", "sys/kernel/debug/sched/numa_balancing/hot_threshold_ms",
                                valid_uint32},
};

const char *knob_name(KnobId id)
{
        return knob_table[id].name;
}

const char *knob_path(KnobId id)
{
        return knob_table[id].path;
}

/* NUMA_BALANCING_MEMORY_TIERING: the kernel promotes hot pages from slower tiers on NUMA hint faults. */
#define NUMA_BALANCING_TIERING_BIT 2u

bool knobs_kernel_promotes(const Config *c)
{
        return c->mode == TIERD_MODE_MIGRATE && c->placement_promotion == PROMOTION_KERNEL;
}

const char *knobs_desired(const Config *c, KnobId id, const char *original, char *buf, size_t size)
{
        if (c->mode == TIERD_MODE_OBSERVE)
                return NULL;
        switch (id) {
        case KNOB_NUMA_BALANCING:
                if (c->numa_balancing == NUMA_BALANCING_KEEP) {
                        uint32_t v;
                        /* The administrator's value, plus the tiering mode the placement relies on. */
                        if (!knobs_kernel_promotes(c) || !original || parse_u32(original, &v) < 0 || v > 3)
                                return NULL;
                        if (v & NUMA_BALANCING_TIERING_BIT)
                                return NULL;
                        snprintf(buf, size, "%u", v | NUMA_BALANCING_TIERING_BIT);
                        return buf;
                }
                /* off=0, normal=1 (NUMA_BALANCING_NORMAL), tiering=2 (NUMA_BALANCING_MEMORY_TIERING), both=3 */
                snprintf(buf, size, "%d", (int)c->numa_balancing - (int)NUMA_BALANCING_OFF);
                return buf;
        case KNOB_DEMOTION_ENABLED:
                if (c->demotion == DEMOTION_KEEP)
                        return NULL;
                return c->demotion == DEMOTION_ON ? "true" : "false";
        case KNOB_PROMOTE_RATE_LIMIT:
                if (c->promote_rate_limit_mbps == CONFIG_KEEP)
                        return NULL;
                snprintf(buf, size, "%" PRId64, c->promote_rate_limit_mbps);
                return buf;
        case KNOB_HOT_THRESHOLD:
                if (c->hot_threshold_msec == CONFIG_KEEP)
                        return NULL;
                snprintf(buf, size, "%" PRId64, c->hot_threshold_msec);
                return buf;
        default:
                return NULL;
        }
}

/*
 * "name=value" lines; rewritten atomically on every change (statefile_write()), removed when nothing is changed
 * any more.  The lock keeps other instances away from it.
 */
static int save_state(Knobs *k)
{
        if (!k->state_path)
                return 0;
        bool any = false;
        for (KnobId id = 0; id < _KNOB_MAX; id++)
                any = any || k->saved[id];
        if (!any)
                return statefile_remove(k->state_path, LOG_WARNING);

        char text[STATEFILE_SIZE_MAX];
        size_t n = 0;
        for (KnobId id = 0; id < _KNOB_MAX; id++) {
                if (!k->saved[id])
                        continue;
                int m = snprintf(text + n, sizeof text - n, "%s=%s\n", knob_name(id), k->saved[id]);
                if (m < 0 || (size_t)m >= sizeof text - n)
                        return log_warning_errno(-E2BIG, "Saved knob values do not fit %s.", k->state_path);
                n += (size_t)m;
        }
        return statefile_write(k->state_path, text, LOG_WARNING);
}

/* Takes one line of the record; a bad one is only warned about (by the reader), never written to the kernel. */
static int load_state_line(const char *key, const char *value, void *userdata)
{
        Knobs *k = userdata;
        KnobId id = 0;

        while (id < _KNOB_MAX && strcmp(key, knob_name(id)) != 0)
                id++;
        if (id == _KNOB_MAX || !knob_table[id].valid(value))
                return -EINVAL;
        free(k->saved[id]);
        k->saved[id] = strdup(value);
        if (!k->saved[id])
                return -ENOMEM;
        log_notice("A previous tierd left kernel knob %s changed; its original value %s will be restored.",
                   knob_name(id), k->saved[id]);
        return 0;
}

/* Reads the record left by an earlier instance: each valid line is adopted, each other one dropped. */
static int load_state(Knobs *k)
{
        int r = statefile_load(k->state_path, "saved knob value", STATEFILE_LINES, load_state_line, k);
        return r < 0 ? r : 0;
}

/* The record belongs to one instance at a time: an exclusive lock on "<state>.lock", held until knobs_free(). */
int knobs_new(const char *root, const char *state_path, Knobs **ret)
{
        _cleanup_(knobs_freep) Knobs *k = calloc(1, sizeof(Knobs));
        if (!k)
                return -ENOMEM;
        k->lock_fd = -EBADF;
        int r = sysfs_root_new(root, NULL, &k->root);
        if (r < 0)
                return r;
        if (state_path) {
                k->state_path = strdup(state_path);
                if (!k->state_path)
                        return -ENOMEM;
                r = lockfile_take(k->state_path, "its saved knob values", &k->lock_fd);
                if (r < 0)
                        return r;
                r = load_state(k);
                if (r < 0) {
                        /* Leave the record as found for whoever sorts it out: nothing adopted, nothing to restore. */
                        for (KnobId id = 0; id < _KNOB_MAX; id++)
                                free(TAKE_PTR(k->saved[id]));
                        return r;
                }
        }
        *ret = TAKE_PTR(k);
        return 0;
}

static void knob_log(int level, const char *message_id, KnobId id, const char *value, const char *what)
{
        char f_knob[128], f_value[160];
        snprintf(f_knob, sizeof f_knob, "TIERD_KNOB=%s", knob_name(id));
        snprintf(f_value, sizeof f_value, "TIERD_KNOB_VALUE=%s", value);
        const char *fields[] = {f_knob, f_value, NULL};
        log_struct(level, message_id, fields, "%s kernel knob %s (/%s) to %s.", what, knob_name(id), knob_path(id),
                   value);
}

static int knob_write(Knobs *k, KnobId id, const char *value)
{
        int r = sysfs_write_string(k->root, value, "%s", knob_path(id));
        if (r == -ENOENT) {
                log_notice("Kernel knob /%s does not exist on this kernel, leaving it alone.", knob_path(id));
                return r;
        }
        if (r < 0)
                return log_warning_errno(r, "Failed to write '%s' to /%s: %m", value, knob_path(id));
        return 0;
}

/* Writes the original back; only once the kernel took it does the record forget it. */
static int knob_restore_one(Knobs *k, KnobId id)
{
        if (!k->saved[id])
                return 0;
        int r = knob_write(k, id, k->saved[id]);
        if (r < 0)
                return r; /* keep the saved value: a later restore, or the next instance, may still succeed */
        knob_log(LOG_INFO, TIERD_MESSAGE_KNOB_RESTORED, id, k->saved[id], "Restored");
        free(TAKE_PTR(k->saved[id]));
        /* Should the record keep the entry, a later restore writes the same value again: harmless. */
        return save_state(k) == -ENOMEM ? -ENOMEM : 0;
}

/* Changes one knob to want, recording its original first: no knob is changed whose original is not on disk. */
static int knob_set(Knobs *k, KnobId id, const char *want)
{
        _cleanup_free_ char *now = NULL;
        int r = sysfs_read_string(k->root, &now, "%s", knob_path(id));
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                if (r == -ENOENT)
                        log_notice("Kernel knob /%s does not exist on this kernel, not setting it to %s.",
                                   knob_path(id), want);
                else
                        log_warning_errno(r, "Failed to read /%s: %m", knob_path(id));
                return r;
        }
        if (strcmp(now, want) == 0)
                return 0;

        bool recorded = false;
        if (!k->saved[id]) {
                if (!knob_table[id].valid(now)) {
                        _cleanup_free_ char *q = escape_bounded(now, ESCAPE_VALUE_MAX);
                        if (!q)
                                return -ENOMEM;
                        log_warning("Kernel knob /%s holds '%s', which could not be restored; leaving it alone.",
                                    knob_path(id), q);
                        return -EINVAL;
                }
                k->saved[id] = TAKE_PTR(now);
                r = save_state(k);
                if (r < 0) {
                        free(TAKE_PTR(k->saved[id]));
                        if (r != -ENOMEM)
                                log_warning("Not setting kernel knob %s: its original value could not be recorded.",
                                            knob_name(id));
                        return r;
                }
                recorded = true;
        }

        r = knob_write(k, id, want);
        if (r < 0) {
                if (recorded) { /* unchanged after all: nothing to restore */
                        free(TAKE_PTR(k->saved[id]));
                        if (save_state(k) == -ENOMEM)
                                return -ENOMEM;
                }
                return r;
        }
        knob_log(LOG_NOTICE, TIERD_MESSAGE_KNOB_CHANGED, id, want, "Set");
        return 0;
}

int knobs_apply(Knobs *k, const Config *c)
{
        int failed = 0;
        k->restored = false;
        for (KnobId id = 0; id < _KNOB_MAX; id++) {
                _cleanup_free_ char *now = NULL;
                const char *original = k->saved[id];
                char buf[64];

                if (!original && id == KNOB_NUMA_BALANCING && knobs_kernel_promotes(c)) {
                        int r = sysfs_read_string(k->root, &now, "%s", knob_path(id));
                        if (r == -ENOMEM)
                                return r;
                        if (r < 0)
                                log_warning_errno(r,
                                                  "Failed to read /%s, the kernel's NUMA-balancing promotion "
                                                  "stays as it is: %m",
                                                  knob_path(id));
                        original = now;
                }
                const char *want = knobs_desired(c, id, original, buf, sizeof buf);
                int r = want ? knob_set(k, id, want) : knob_restore_one(k, id);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        failed++;
        }
        return failed;
}

int knobs_restore(Knobs *k)
{
        int failed = 0;
        for (KnobId id = 0; id < _KNOB_MAX; id++) {
                int r = knob_restore_one(k, id);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        failed++;
        }
        k->restored = true;
        return failed;
}

Knobs *knobs_free(Knobs *k)
{
        if (!k)
                return NULL;
        if (k->root && !k->restored)
                (void)knobs_restore(k);
        for (KnobId id = 0; id < _KNOB_MAX; id++)
                free(k->saved[id]);
        free(k->state_path);
        sysfs_root_free(k->root);
        if (k->lock_fd >= 0)
                close(k->lock_fd); /* last: the record is ours until here */
        free(k);
        return NULL;
}
