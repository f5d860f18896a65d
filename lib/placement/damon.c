/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "damon-internal.h"
#include "damon.h"
#include "log.h"
#include "pids.h"

static void forget_slots(DamonTracker *t)
{
        free(t->slots);
        t->slots = NULL;
        t->n_slots = 0;
}

/* The path is formatted here, once, so that a failure can name the file in full. */
_printf_(3, 0) static int kd_vwrite(DamonTracker *t, const char *value, const char *fmt, va_list ap)
{
        char path[PATH_MAX];
        int n = vsnprintf(path, sizeof path, fmt, ap);
        if (n < 0 || (size_t)n >= sizeof path)
                return -ENAMETOOLONG;
        int r = sysfs_write_string(t->root, value, "%s", path);
        if (r < 0) {
                char shown[PATH_MAX + 64];
                if (sysfs_root_describe(t->root, shown, sizeof shown, "%s", path) < 0)
                        snprintf(shown, sizeof shown, "%s", path);
                return log_error_errno(r, "Failed to write '%s' to %s: %m", value, shown);
        }
        return 0;
}

/* Write one file of the admin tree; a failure is logged with the file's full name. */
_printf_(3, 4) int damon_kd_write(DamonTracker *t, const char *value, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        int r = kd_vwrite(t, value, fmt, ap);
        va_end(ap);
        return r;
}

_printf_(3, 4) static int kd_write_u64(DamonTracker *t, uint64_t value, const char *fmt, ...)
{
        char v[24];
        snprintf(v, sizeof v, "%" PRIu64, value);
        va_list ap;
        va_start(ap, fmt);
        int r = kd_vwrite(t, v, fmt, ap);
        va_end(ap);
        return r;
}

/* A read that must succeed, logged with the file (the reader has also recorded why, as a warning). */
static int log_read_error(DamonTracker *t, int r, const char *path)
{
        char shown[PATH_MAX + 64];
        if (r == -ENOMEM)
                return r;
        if (sysfs_root_describe(t->root, shown, sizeof shown, "%s", path) < 0)
                snprintf(shown, sizeof shown, "%s", path);
        return log_error_errno(r, "Failed to read %s: %m", shown);
}

static int read_nr_kdamonds(DamonTracker *t, uint64_t *ret)
{
        int r = sysfs_read_u64(t->root, ret, DAMON_KDAMONDS "/nr_kdamonds");
        if (r == -ENOENT)
                return log_full_errno(LOG_NOTICE, -EOPNOTSUPP,
                                      "DAMON's sysfs interface (/sys/kernel/mm/damon/admin) is missing: no hotness "
                                      "tracking.");
        if (r < 0)
                return log_read_error(t, r, DAMON_KDAMONDS "/nr_kdamonds");
        return 0;
}

/* Kdamond k as it is now; an unreadable file is an error (nothing may be decided on a guess). */
static int inspect_kdamond(DamonTracker *t, unsigned k, DamonFound *ret, uint64_t *ret_nr)
{
        char path[PATH_MAX];
        DamonFound f = {};
        uint64_t nr;
        int r;

        r = read_nr_kdamonds(t, &nr);
        if (r < 0)
                return r;
        f.exists = k < nr;
        if (f.exists) {
                snprintf(path, sizeof path, DAMON_KDAMONDS "/%u/state", k);
                r = sysfs_read_bool(t->root, &f.running, "%s", path);
                if (r < 0)
                        return log_read_error(t, r, path);
                snprintf(path, sizeof path, DAMON_KDAMONDS "/%u/contexts/nr_contexts", k);
                r = sysfs_read_u64(t->root, &f.nr_contexts, "%s", path);
                if (r < 0)
                        return log_read_error(t, r, path);
                snprintf(path, sizeof path, DAMON_CTX "/schemes/0/watermarks/interval_us", k);
                r = sysfs_read_u64(t->root, &f.cookie, "%s", path);
                if (r < 0 && r != -ENOENT)
                        return log_read_error(t, r, path);
                int pid;
                if (f.running && f.cookie == 0 && sysfs_read_int(t->root, &pid, DAMON_KDAMONDS "/%u/pid", k) >= 0 &&
                    pid > 0)
                        f.pid = pid;
        }
        *ret = f;
        if (ret_nr)
                *ret_nr = nr;
        return 0;
}

/*
 * Give the kdamond back: off, then nr_kdamonds back to what it was before tierd added one (only when nothing was
 * added behind it), then the record goes.  A kdamond that is no longer ours is left as it is; verify false: one
 * known to be ours already (just added and never turned on, its mark perhaps not written yet; or just recognised
 * after a crash).  On failure the record stays, for a later call or the next instance.
 */
static int release_full(DamonTracker *t, bool verify)
{
        unsigned k = t->record.kdamond;
        DamonFound f;
        uint64_t nr;
        int r;

        if (!t->owned)
                return 0;
        r = inspect_kdamond(t, k, &f, &nr);
        if (r < 0 && r != -EOPNOTSUPP)
                return r;
        if (r == 0 && (damon_kdamond_is_ours(&t->record, &f) || (!verify && f.exists))) {
                if (f.running) {
                        r = damon_kd_write(t, "off", DAMON_KDAMONDS "/%u/state", k);
                        if (r < 0 && r != -EPERM) /* EPERM: it stopped by itself meanwhile */
                                return r;
                }
                if (nr == (uint64_t)k + 1) {
                        r = kd_write_u64(t, k, DAMON_KDAMONDS "/nr_kdamonds");
                        if (r < 0)
                                return r;
                } else
                        log_notice("DAMON now has %" PRIu64 " kdamonds: leaving tierd's kdamond %u there, turned off.",
                                   nr, k);
        } else if (r == 0 && f.exists)
                log_notice("DAMON kdamond %u no longer carries tierd's mark (another tool recreated it): leaving it "
                           "alone.",
                           k);
        r = damon_record_remove(t->record_path);
        if (r < 0)
                return r;
        t->owned = false;
        forget_slots(t);
        return 0;
}

int damon_release(DamonTracker *t)
{
        return release_full(t, true);
}

/* A predecessor's kdamond, left by a crash: turned off and removed if it is still the one its record names. */
static int recover(DamonTracker *t)
{
        DamonRecord rec;
        DamonFound f;
        bool found;
        int r;

        r = damon_record_load(t->record_path, &rec, &found);
        if (r < 0 || !found)
                return r;
        r = inspect_kdamond(t, rec.kdamond, &f, NULL);
        if (r == -EOPNOTSUPP)
                return damon_record_remove(t->record_path);
        if (r < 0)
                return r;
        if (!damon_kdamond_is_ours(&rec, &f)) {
                if (f.exists)
                        log_notice("DAMON kdamond %u is not the one a previous tierd left (its mark is gone): "
                                   "another tool has it, leaving it alone.",
                                   rec.kdamond);
                return damon_record_remove(t->record_path);
        }
        log_notice("A previous tierd left DAMON kdamond %u %s; removing it.", rec.kdamond,
                   f.running ? "running" : "behind");
        t->record = rec;
        t->owned = true;
        return release_full(t, false); /* just found to be ours, mark or not */
}

int damon_tracker_new(SysfsRoot *root, WarningList *warnings, const char *state_dir, const DamonAttrs *attrs,
                      DamonTracker **ret)
{
        if (!state_dir)
                return -EINVAL;
        _cleanup_(damon_tracker_freep) DamonTracker *t = calloc(1, sizeof(*t));
        if (!t)
                return -ENOMEM;
        t->lock_fd = -EBADF;
        t->attrs = attrs ? *attrs : DAMON_ATTRS_DEFAULT;
        int r = sysfs_root_clone(root, warnings, &t->root);
        if (r < 0)
                return r;
        if (asprintf(&t->record_path, "%s/damon-kdamond", state_dir) < 0) {
                t->record_path = NULL;
                return -ENOMEM;
        }
        r = damon_record_lock(t->record_path, &t->lock_fd);
        if (r < 0)
                return r;
        r = recover(t);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(t);
        return 0;
}

DamonTracker *damon_tracker_free(DamonTracker *t)
{
        if (!t)
                return NULL;
        if (t->root)
                (void)damon_release(t);
        free(t->slots);
        free(t->record_path);
        sysfs_root_free(t->root);
        if (t->lock_fd >= 0)
                close(t->lock_fd); /* last: the record is ours until here */
        free(t);
        return NULL;
}

int damon_tracker_stop(DamonTracker *t)
{
        return damon_release(t);
}

/* Another tool's kdamonds are there: say what they are doing, touch nothing. */
static int log_other_user(DamonTracker *t, uint64_t nr)
{
        char states[256] = "";
        size_t len = 0;

        for (uint64_t k = 0; k < nr && k < 8 && len < sizeof states; k++) {
                bool on;
                int r = sysfs_read_bool(t->root, &on, DAMON_KDAMONDS "/%" PRIu64 "/state", k);
                if (r == -ENOMEM)
                        return r;
                int n = snprintf(states + len, sizeof states - len, "%s%" PRIu64 ": %s", k ? ", " : "", k,
                                 r < 0 ? "unreadable"
                                 : on  ? "on"
                                       : "off");
                len += n > 0 ? (size_t)n : 0;
        }
        return log_warning_errno(-EBUSY,
                                 "DAMON is used by another tool: %" PRIu64 " kdamond(s) in "
                                 "/sys/kernel/mm/damon/admin/kdamonds (%s%s); leaving them alone, hotness tracking "
                                 "paused.",
                                 nr, states, nr > 8 ? ", ..." : "");
}

/* DAMON_RECLAIM and DAMON_LRU_SORT run exclusive kdamonds: while one is enabled the kernel starts no other. */
static int check_exclusive_modules(DamonTracker *t)
{
        static const char *const modules[] = {"damon_reclaim", "damon_lru_sort"};

        for (size_t i = 0; i < ELEMENTSOF(modules); i++) {
                bool enabled;
                int r = sysfs_read_bool(t->root, &enabled, "sys/module/%s/parameters/enabled", modules[i]);
                if (r == -ENOMEM)
                        return r;
                if (r == 0 && enabled)
                        return log_warning_errno(-EBUSY,
                                                 "DAMON is used by %s (/sys/module/%s/parameters/enabled is Y), "
                                                 "whose kdamond excludes all others; hotness tracking paused.",
                                                 modules[i], modules[i]);
        }
        return 0;
}

static int new_cookie(uint64_t *ret)
{
        uint32_t v;
        if (getrandom(&v, sizeof v, 0) != (ssize_t)sizeof v)
                return log_error_errno(negative_errno(), "Failed to get a random mark for the kdamond: %m");
        /* 32 bits so that a 32-bit kernel's unsigned long takes it; the top bit keeps it far from real intervals. */
        *ret = v | UINT32_C(0x80000000);
        return 0;
}

/* Add a kdamond of our own to an empty admin tree, its record on disk first. */
static int acquire(DamonTracker *t)
{
        uint64_t nr, cookie = 0;
        int r;

        r = read_nr_kdamonds(t, &nr);
        if (r < 0)
                return r;
        if (nr > 0)
                return log_other_user(t, nr);
        r = check_exclusive_modules(t);
        if (r < 0)
                return r;
        r = new_cookie(&cookie);
        if (r < 0)
                return r;
        t->record = (DamonRecord){.kdamond = (unsigned)nr, .cookie = cookie};
        if ((r = damon_record_save(t->record_path, &t->record)) < 0)
                return r;
        t->owned = true;
        r = kd_write_u64(t, nr + 1, DAMON_KDAMONDS "/nr_kdamonds");
        if (r < 0) {
                t->owned = false;
                (void)damon_record_remove(t->record_path);
        }
        return r;
}

/* Whether the kdamond is still ours, and running.  One that another tool took over is forgotten, untouched. */
int damon_check_owned(DamonTracker *t, bool *ret_running)
{
        DamonFound f;
        int r = inspect_kdamond(t, t->record.kdamond, &f, NULL);
        if (r < 0)
                return r;
        if (!damon_kdamond_is_ours(&t->record, &f)) {
                log_warning("DAMON kdamond %u was taken over by another tool; leaving it alone, hotness tracking "
                            "paused.",
                            t->record.kdamond);
                t->owned = false;
                forget_slots(t);
                (void)damon_record_remove(t->record_path);
                return -EBUSY;
        }
        *ret_running = f.running;
        return 0;
}

static int write_scheme(DamonTracker *t, unsigned k, size_t i)
{
        /* A new scheme's ranges are 0..0: every minimum and maximum is written, or the scheme matches nothing. */
        static const struct {
                const char *name, *max;
        } ranges[] = {
                {"sz", "18446744073709551615"},
                {"nr_accesses", "4294967295"},
                {"age", "4294967295"},
        };
        int r;

        if ((r = damon_kd_write(t, "stat", DAMON_CTX "/schemes/%zu/action", k, i)) < 0)
                return r;
        for (size_t j = 0; j < ELEMENTSOF(ranges); j++)
                if ((r = damon_kd_write(t, "0", DAMON_CTX "/schemes/%zu/access_pattern/%s/min", k, i, ranges[j].name)) <
                            0 ||
                    (r = damon_kd_write(t, ranges[j].max, DAMON_CTX "/schemes/%zu/access_pattern/%s/max", k, i,
                                        ranges[j].name)) < 0)
                        return r;
        /* Keep target i's regions only: filter out what does not match it. */
        if ((r = damon_kd_write(t, "1", DAMON_CTX "/schemes/%zu/filters/nr_filters", k, i)) < 0 ||
            (r = damon_kd_write(t, "target", DAMON_CTX "/schemes/%zu/filters/0/type", k, i)) < 0 ||
            (r = kd_write_u64(t, i, DAMON_CTX "/schemes/%zu/filters/0/damon_target_idx", k, i)) < 0 ||
            (r = damon_kd_write(t, "N", DAMON_CTX "/schemes/%zu/filters/0/matching", k, i)) < 0)
                return r;
        return 0;
}

/*
 * Everything the kernel reads at "on" and "commit": the monitoring attributes, one target and one scheme per slot.
 * Writing nr_schemes and nr_targets recreates every scheme and target directory, so all of them are written;
 * the mark first, to keep the time the kdamond's schemes go without it short.  A slot given to another process
 * gets a one-page initial region at address 0, which no process maps: at commit the kernel drops every region it
 * had for the slot, and the next update builds them afresh from the new process's mappings.
 */
static int write_config(DamonTracker *t, const DamonSlot *slots, size_t n, bool commit)
{
        unsigned k = t->record.kdamond;
        int r;

        if (!commit && (r = damon_kd_write(t, "1", DAMON_KDAMONDS "/%u/contexts/nr_contexts", k)) < 0)
                return r;
        if ((r = kd_write_u64(t, n, DAMON_CTX "/schemes/nr_schemes", k)) < 0 ||
            (r = kd_write_u64(t, t->record.cookie, DAMON_CTX "/schemes/0/watermarks/interval_us", k)) < 0)
                return r;
        if ((r = damon_kd_write(t, "vaddr", DAMON_CTX "/operations", k)) < 0 ||
            (r = kd_write_u64(t, t->attrs.sample_usec, DAMON_CTX "/monitoring_attrs/intervals/sample_us", k)) < 0 ||
            (r = kd_write_u64(t, t->attrs.aggr_usec, DAMON_CTX "/monitoring_attrs/intervals/aggr_us", k)) < 0 ||
            (r = kd_write_u64(t, t->attrs.update_usec, DAMON_CTX "/monitoring_attrs/intervals/update_us", k)) < 0 ||
            (r = kd_write_u64(t, t->attrs.min_nr_regions, DAMON_CTX "/monitoring_attrs/nr_regions/min", k)) < 0 ||
            (r = kd_write_u64(t, t->attrs.max_nr_regions, DAMON_CTX "/monitoring_attrs/nr_regions/max", k)) < 0)
                return r;
        for (size_t i = 0; i < n; i++)
                if ((r = write_scheme(t, k, i)) < 0)
                        return r;
        if ((r = kd_write_u64(t, n, DAMON_CTX "/targets/nr_targets", k)) < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                pid_t pid = slots[i].pid ?: getpid();
                if ((r = kd_write_u64(t, (uint64_t)pid, DAMON_CTX "/targets/%zu/pid_target", k, i)) < 0)
                        return r;
                if (commit && slots[i].reset &&
                    ((r = damon_kd_write(t, "1", DAMON_CTX "/targets/%zu/regions/nr_regions", k, i)) < 0 ||
                     (r = damon_kd_write(t, "0", DAMON_CTX "/targets/%zu/regions/0/start", k, i)) < 0 ||
                     (r = damon_kd_write(t, "4096", DAMON_CTX "/targets/%zu/regions/0/end", k, i)) < 0))
                        return r;
        }
        return 0;
}

static void take_slots(DamonTracker *t, DamonSlot *slots, size_t n)
{
        free(t->slots);
        t->slots = slots;
        t->n_slots = n;
}

/* Start the (stopped) kdamond afresh for these processes (a copy is kept); on failure it is given back. */
int damon_start(DamonTracker *t, const DamonSlot *want, size_t n)
{
        unsigned k = t->record.kdamond;
        _cleanup_free_ DamonSlot *slots = calloc(n + 1, sizeof(DamonSlot));
        if (!slots)
                return -ENOMEM;
        memcpy(slots, want, n * sizeof(DamonSlot));
        int r = write_config(t, want, n, false);
        if (r >= 0)
                r = damon_kd_write(t, "on", DAMON_KDAMONDS "/%u/state", k);
        if (r < 0) {
                if (r == -EBUSY)
                        log_warning("The kernel refused to start DAMON kdamond %u: another tool's kdamond excludes it; "
                                    "hotness tracking paused.",
                                    k);
                if (release_full(t, false) == -ENOMEM)
                        return -ENOMEM;
                return r;
        }
        take_slots(t, TAKE_PTR(slots), n);
        /* The thread's pid identifies the kdamond should a crash leave it without its mark. */
        int pid;
        if (sysfs_read_int(t->root, &pid, DAMON_KDAMONDS "/%u/pid", k) >= 0 && pid > 0) {
                t->record.pid = pid;
                r = damon_record_save(t->record_path, &t->record);
                if (r == -ENOMEM)
                        return r;
        }
        return 0;
}

/* The process's starttime; -ESRCH when it is gone or a zombie (nothing left to monitor). */
static int read_process(DamonTracker *t, pid_t pid, uint64_t *ret_starttime)
{
        _cleanup_free_ char *text = NULL;
        int r = sysfs_read_string(t->root, &text, "proc/%d/stat", (int)pid);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return -ESRCH;
        char state;
        if (damon_parse_proc_stat(text, &state, ret_starttime) < 0) {
                char shown[PATH_MAX + 64];
                if (sysfs_root_describe(t->root, shown, sizeof shown, "proc/%d/stat", (int)pid) < 0)
                        return -ENAMETOOLONG;
                if (t->root->warnings && warning_list_add(t->root->warnings, WARNING_MALFORMED_VALUE, -1,
                                                          "%s: not a process's stat line", shown) < 0)
                        return -ENOMEM;
                return -ESRCH;
        }
        return state == 'Z' || state == 'X' ? -ESRCH : 0;
}

bool damon_slot_alive(DamonTracker *t, const DamonSlot *s, int *error)
{
        uint64_t starttime;
        int r = read_process(t, s->pid, &starttime);
        if (r == -ENOMEM)
                *error = r;
        return r == 0 && starttime == s->starttime;
}

/* The live processes among pids, each once, sorted, with their starttime. */
static int live_processes(DamonTracker *t, const pid_t *pids, size_t n, DamonSlot **ret, size_t *ret_n)
{
        _cleanup_free_ pid_t *sorted = calloc(n + 1, sizeof(pid_t));
        _cleanup_free_ DamonSlot *v = calloc(n + 1, sizeof(DamonSlot));
        size_t m = 0;

        if (!sorted || !v)
                return -ENOMEM;
        memcpy(sorted, pids, n * sizeof(pid_t));
        qsort(sorted, n, sizeof(pid_t), pid_cmp);
        for (size_t i = 0; i < n; i++) {
                if (sorted[i] <= 0 || (i > 0 && sorted[i] == sorted[i - 1]))
                        continue;
                uint64_t starttime;
                int r = read_process(t, sorted[i], &starttime);
                if (r == -ENOMEM)
                        return r;
                if (r < 0) {
                        log_debug("Process %d is gone, not tracking it.", (int)sorted[i]);
                        continue;
                }
                v[m++] = (DamonSlot){.pid = sorted[i], .starttime = starttime};
        }
        *ret = TAKE_PTR(v);
        *ret_n = m;
        return 0;
}

static bool same_slots(const DamonSlot *a, size_t n_a, const DamonSlot *b, size_t n_b)
{
        if (n_a != n_b)
                return false;
        for (size_t i = 0; i < n_a; i++)
                if (a[i].pid != b[i].pid || a[i].starttime != b[i].starttime || b[i].reset)
                        return false;
        return true;
}

int damon_tracker_set_pids(DamonTracker *t, const pid_t *pids, size_t n)
{
        _cleanup_free_ DamonSlot *want = NULL, *plan = NULL;
        size_t n_want, n_plan;
        bool running;
        int r;

        r = live_processes(t, pids, n, &want, &n_want);
        if (r < 0)
                return r;
        if (n_want == 0)
                return damon_release(t);
        if (!t->owned) {
                r = acquire(t);
                if (r < 0)
                        return r;
                return damon_start(t, want, n_want);
        }
        r = damon_check_owned(t, &running);
        if (r < 0)
                return r;
        if (!running) {
                log_notice("DAMON kdamond %u had stopped; starting it again.", t->record.kdamond);
                return damon_start(t, want, n_want);
        }
        r = damon_plan_slots(t->slots, t->n_slots, want, n_want, &plan, &n_plan);
        if (r < 0)
                return r;
        if (same_slots(t->slots, t->n_slots, plan, n_plan))
                return 0;
        /* A commit that names a process which exited meanwhile makes the kernel stop the kdamond (and the write
         * still succeeds): the next collection finds it off and starts it again. */
        r = write_config(t, plan, n_plan, true);
        if (r >= 0)
                r = damon_kd_write(t, "commit", DAMON_KDAMONDS "/%u/state", t->record.kdamond);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n_plan; i++)
                plan[i].reset = false;
        take_slots(t, TAKE_PTR(plan), n_plan);
        return 0;
}
