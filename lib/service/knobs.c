/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "knobs.h"
#include "log.h"
#include "tierd-messages.h"

static const struct {
        const char *name, *path;
} knob_table[_KNOB_MAX] = {
        [KNOB_NUMA_BALANCING] = {"numa_balancing", "proc/sys/kernel/numa_balancing"},
        [KNOB_DEMOTION_ENABLED] = {"demotion_enabled", "sys/kernel/mm/numa/demotion_enabled"},
        [KNOB_PROMOTE_RATE_LIMIT] = {"promote_rate_limit_MBps",
                                     "proc/sys/kernel/numa_balancing_promote_rate_limit_MBps"},
        [KNOB_HOT_THRESHOLD] = {"hot_threshold_ms", "sys/kernel/debug/sched/numa_balancing/hot_threshold_ms"},
};

const char *knob_name(KnobId id)
{
        return knob_table[id].name;
}

const char *knob_path(KnobId id)
{
        return knob_table[id].path;
}

const char *knobs_desired(const Config *c, KnobId id, char *buf, size_t size)
{
        if (c->mode == TIERD_MODE_OBSERVE)
                return NULL;
        switch (id) {
        case KNOB_NUMA_BALANCING:
                if (c->numa_balancing == NUMA_BALANCING_KEEP)
                        return NULL;
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

/* "name=value" lines; rewritten atomically on every change, removed when nothing is changed any more. */
static int save_state(Knobs *k)
{
        if (!k->state_path)
                return 0;
        bool any = false;
        for (KnobId id = 0; id < _KNOB_MAX; id++)
                any = any || k->saved[id];
        if (!any) {
                if (unlink(k->state_path) < 0 && errno != ENOENT)
                        return log_warning_errno(negative_errno(), "Failed to remove %s: %m", k->state_path);
                return 0;
        }

        _cleanup_free_ char *tmp = NULL;
        if (asprintf(&tmp, "%s.tmp", k->state_path) < 0)
                return -ENOMEM;
        FILE *f = fopen(tmp, "we");
        if (!f)
                return log_warning_errno(negative_errno(),
                                         "Failed to write %s, a crash would lose the original "
                                         "knob values: %m",
                                         tmp);
        for (KnobId id = 0; id < _KNOB_MAX; id++)
                if (k->saved[id])
                        fprintf(f, "%s=%s\n", knob_name(id), k->saved[id]);
        if (fflush(f) != 0 || ferror(f) || fsync(fileno(f)) < 0) {
                int r = negative_errno();
                fclose(f);
                (void)unlink(tmp);
                return log_warning_errno(r, "Failed to write %s: %m", tmp);
        }
        fclose(f);
        if (rename(tmp, k->state_path) < 0)
                return log_warning_errno(negative_errno(), "Failed to install %s: %m", k->state_path);
        return 0;
}

static int load_state(Knobs *k)
{
        _cleanup_(fclosep) FILE *f = fopen(k->state_path, "re");
        if (!f)
                return errno == ENOENT ? 0
                                       : log_warning_errno(negative_errno(), "Failed to read %s: %m", k->state_path);
        char line[256];
        unsigned n = 0;
        while (fgets(line, sizeof line, f)) {
                n++;
                line[strcspn(line, "\n")] = '\0';
                char *eq = strchr(line, '=');
                KnobId id = 0;
                if (eq) {
                        *eq = '\0';
                        while (id < _KNOB_MAX && strcmp(line, knob_name(id)) != 0)
                                id++;
                }
                if (!eq || id == _KNOB_MAX || eq[1] == '\0') {
                        log_warning("%s:%u: not a saved knob value, ignoring it.", k->state_path, n);
                        continue;
                }
                free(k->saved[id]);
                k->saved[id] = strdup(eq + 1);
                if (!k->saved[id])
                        return -ENOMEM;
                log_notice("A previous tierd left kernel knob %s changed; its original value %s will be restored.",
                           knob_name(id), k->saved[id]);
        }
        return 0;
}

int knobs_new(const char *root, const char *state_path, Knobs **ret)
{
        _cleanup_(knobs_freep) Knobs *k = calloc(1, sizeof(Knobs));
        if (!k)
                return -ENOMEM;
        int r = sysfs_root_new(root, NULL, &k->root);
        if (r < 0)
                return r;
        if (state_path) {
                k->state_path = strdup(state_path);
                if (!k->state_path)
                        return -ENOMEM;
                r = load_state(k);
                if (r < 0)
                        return r;
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

static int knob_restore_one(Knobs *k, KnobId id)
{
        if (!k->saved[id])
                return 0;
        int r = knob_write(k, id, k->saved[id]);
        if (r < 0)
                return r; /* keep the saved value: a later restore may still succeed */
        knob_log(LOG_INFO, TIERD_MESSAGE_KNOB_RESTORED, id, k->saved[id], "Restored");
        free(k->saved[id]);
        k->saved[id] = NULL;
        return save_state(k) == -ENOMEM ? -ENOMEM : 0;
}

int knobs_apply(Knobs *k, const Config *c)
{
        int failed = 0;
        for (KnobId id = 0; id < _KNOB_MAX; id++) {
                char buf[64];
                const char *want = knobs_desired(c, id, buf, sizeof buf);
                if (!want) {
                        if (knob_restore_one(k, id) < 0)
                                failed++;
                        continue;
                }

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
                        failed++;
                        continue;
                }
                if (strcmp(now, want) == 0)
                        continue;
                r = knob_write(k, id, want);
                if (r < 0) {
                        failed++;
                        continue;
                }
                if (!k->saved[id]) {
                        k->saved[id] = TAKE_PTR(now);
                        if (save_state(k) == -ENOMEM)
                                return -ENOMEM;
                }
                knob_log(LOG_NOTICE, TIERD_MESSAGE_KNOB_CHANGED, id, want, "Set");
        }
        return failed;
}

int knobs_restore(Knobs *k)
{
        int failed = 0;
        for (KnobId id = 0; id < _KNOB_MAX; id++)
                if (knob_restore_one(k, id) < 0)
                        failed++;
        return failed;
}

Knobs *knobs_free(Knobs *k)
{
        if (!k)
                return NULL;
        if (k->root)
                (void)knobs_restore(k);
        for (KnobId id = 0; id < _KNOB_MAX; id++)
                free(k->saved[id]);
        free(k->state_path);
        sysfs_root_free(k->root);
        free(k);
        return NULL;
}
