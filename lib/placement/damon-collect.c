/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reading the regions back: one stat scheme per tracked process, refreshed by a blocking state write. */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "damon-internal.h"
#include "damon.h"
#include "log.h"
#include "pids.h"

static uint64_t now_usec(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static int cmp_region(const void *a, const void *b)
{
        uint64_t x = ((const HotnessRegion *)a)->start, y = ((const HotnessRegion *)b)->start;
        return x < y ? -1 : x > y;
}

/* One tried region; 0 and *ok = false when it could not be used (the reader, or this, recorded why). */
static int read_region(DamonTracker *t, size_t scheme, uint64_t id, HotnessRegion *ret, bool *ok)
{
        unsigned k = t->record.kdamond;
        HotnessRegion g;
        int r;

        *ok = false;
        if ((r = sysfs_read_u64(t->root, &g.start, DAMON_CTX "/schemes/%zu/tried_regions/%" PRIu64 "/start", k, scheme,
                                id)) < 0 ||
            (r = sysfs_read_u64(t->root, &g.end, DAMON_CTX "/schemes/%zu/tried_regions/%" PRIu64 "/end", k, scheme,
                                id)) < 0 ||
            (r = sysfs_read_u32(t->root, &g.nr_accesses, DAMON_CTX "/schemes/%zu/tried_regions/%" PRIu64 "/nr_accesses",
                                k, scheme, id)) < 0 ||
            (r = sysfs_read_u32(t->root, &g.age, DAMON_CTX "/schemes/%zu/tried_regions/%" PRIu64 "/age", k, scheme,
                                id)) < 0)
                return r == -ENOMEM ? r : 0;
        if (g.start >= g.end) {
                char shown[PATH_MAX + 64];
                if (sysfs_root_describe(t->root, shown, sizeof shown, DAMON_CTX "/schemes/%zu/tried_regions/%" PRIu64,
                                        k, scheme, id) < 0)
                        return 0;
                if (t->root->warnings &&
                    warning_list_add(t->root->warnings, WARNING_MALFORMED_VALUE, -1,
                                     "%s: invalid value '%" PRIx64 "-%" PRIx64 "': region ends before it starts", shown,
                                     g.start, g.end) < 0)
                        return -ENOMEM;
                return 0;
        }
        *ret = g;
        *ok = true;
        return 0;
}

/* Scheme i's tried regions: slot i's process's regions, sorted by address. */
static int read_regions(DamonTracker *t, size_t scheme, HotnessProcess *p, size_t *skipped)
{
        _cleanup_free_ uint64_t *ids = NULL;
        size_t n_ids;
        int r;

        r = sysfs_list_ids(t->root, "", &ids, &n_ids, DAMON_CTX "/schemes/%zu/tried_regions", t->record.kdamond,
                           scheme);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                (*skipped)++;
                return 0;
        }
        p->regions = calloc(n_ids + 1, sizeof(HotnessRegion));
        if (!p->regions)
                return -ENOMEM;
        for (size_t j = 0; j < n_ids; j++) {
                bool ok;
                r = read_region(t, scheme, ids[j], &p->regions[p->n_regions], &ok);
                if (r < 0)
                        return r;
                if (ok)
                        p->n_regions++;
                else
                        (*skipped)++;
        }
        qsort(p->regions, p->n_regions, sizeof(HotnessRegion), cmp_region);
        return 0;
}

static int add_exited(HotnessSnapshot *s, pid_t pid)
{
        pid_t *v = reallocarray(s->exited, s->n_exited + 1, sizeof(pid_t));
        if (!v)
                return -ENOMEM;
        s->exited = v;
        s->exited[s->n_exited++] = pid;
        return 0;
}

/* The kernel stopped the kdamond: start it again for the processes still alive, or give it back. */
static int restart(DamonTracker *t, HotnessSnapshot *s)
{
        _cleanup_free_ DamonSlot *live = calloc(t->n_slots + 1, sizeof(DamonSlot));
        size_t n = 0;
        int error = 0;

        if (!live)
                return -ENOMEM;
        for (size_t i = 0; i < t->n_slots; i++) {
                if (t->slots[i].pid == 0)
                        continue;
                if (damon_slot_alive(t, &t->slots[i], &error))
                        live[n++] = t->slots[i];
                else if (error < 0 || add_exited(s, t->slots[i].pid) < 0)
                        return -ENOMEM;
        }
        if (n == 0)
                return damon_release(t);
        log_notice("DAMON kdamond %u had stopped (a tracked process exited); starting it again for %zu processes.",
                   t->record.kdamond, n);
        int r = damon_start(t, live, n);
        if (r < 0)
                return r;
        s->processes = calloc(n, sizeof(HotnessProcess));
        if (!s->processes)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++)
                s->processes[s->n_processes++] = (HotnessProcess){.pid = live[i].pid};
        return 0;
}

int damon_tracker_collect(DamonTracker *t, HotnessSnapshot **ret)
{
        uint64_t t0 = now_usec();
        _cleanup_(hotness_snapshot_freep) HotnessSnapshot *s = calloc(1, sizeof(HotnessSnapshot));
        bool running;
        int r;

        if (!s)
                return -ENOMEM;
        s->max_nr_accesses = (uint32_t)MIN(t->attrs.aggr_usec / MAX(t->attrs.sample_usec, 1u), UINT32_MAX);
        s->aggr_usec = t->attrs.aggr_usec;
        if (t->owned) {
                r = damon_check_owned(t, &running);
                if (r < 0)
                        return r;
                if (!running)
                        r = restart(t, s);
                else {
                        uint64_t t1 = now_usec();
                        r = damon_kd_write(t, "update_schemes_tried_regions", DAMON_KDAMONDS "/%u/state",
                                           t->record.kdamond);
                        s->update_usec = now_usec() - t1;
                        if (r < 0)
                                return r;
                        s->processes = calloc(t->n_slots + 1, sizeof(HotnessProcess));
                        if (!s->processes)
                                return -ENOMEM;
                        size_t skipped = 0;
                        for (size_t i = 0; i < t->n_slots; i++) {
                                int error = 0;
                                if (t->slots[i].pid == 0)
                                        continue;
                                /* A process that exited keeps its last regions in the kernel, all turning cold. */
                                if (!damon_slot_alive(t, &t->slots[i], &error)) {
                                        if (error < 0 || add_exited(s, t->slots[i].pid) < 0)
                                                return -ENOMEM;
                                        continue;
                                }
                                HotnessProcess *p = &s->processes[s->n_processes++];
                                p->pid = t->slots[i].pid;
                                r = read_regions(t, i, p, &skipped);
                                if (r < 0)
                                        return r;
                        }
                        if (skipped > 0)
                                log_warning("Skipped %zu unreadable or malformed DAMON regions of kdamond %u.", skipped,
                                            t->record.kdamond);
                }
                if (r < 0)
                        return r;
        }
        if (s->n_processes > 0) /* qsort() takes no NULL array, even empty */
                qsort(s->processes, s->n_processes, sizeof(HotnessProcess), pid_cmp);
        if (s->n_exited > 0)
                qsort(s->exited, s->n_exited, sizeof(pid_t), pid_cmp);
        s->collect_usec = now_usec() - t0;
        *ret = TAKE_PTR(s);
        return 0;
}
