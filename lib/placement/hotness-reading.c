/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "hotness-reading.h"

struct HotnessReading {
        DamonTracker *tracker;
        pid_t *pids;
        size_t n_pids;
        int event_fd;
        pthread_t thread;
        bool joined;
        /* written by the thread, read after the join */
        int result;
        HotnessSnapshot *snapshot;
};

static void *reading_thread(void *userdata)
{
        HotnessReading *r = userdata;
        r->result = damon_tracker_set_pids(r->tracker, r->pids, r->n_pids);
        if (r->result >= 0 && r->n_pids > 0)
                r->result = damon_tracker_collect(r->tracker, &r->snapshot);
        /* a full counter (never, with one write per reading) only means it is readable already */
        (void)!write(r->event_fd, &(uint64_t){1}, sizeof(uint64_t));
        return NULL;
}

static void join(HotnessReading *r)
{
        if (!r->joined)
                (void)pthread_join(r->thread, NULL);
        r->joined = true;
}

HotnessReading *hotness_reading_free(HotnessReading *r)
{
        if (!r)
                return NULL;
        join(r);
        hotness_snapshot_free(r->snapshot);
        if (r->event_fd >= 0)
                close(r->event_fd);
        free(r->pids);
        free(r);
        return NULL;
}

int hotness_reading_start(DamonTracker *tracker, const pid_t *pids, size_t n_pids, HotnessReading **ret)
{
        _cleanup_(hotness_reading_freep) HotnessReading *r = calloc(1, sizeof(HotnessReading));
        if (!r)
                return -ENOMEM;
        r->tracker = tracker;
        r->joined = true; /* until the thread runs */
        r->event_fd = -EBADF;
        r->pids = malloc(MAX(n_pids, (size_t)1) * sizeof(pid_t));
        if (!r->pids)
                return -ENOMEM;
        if (n_pids > 0)
                memcpy(r->pids, pids, n_pids * sizeof(pid_t));
        r->n_pids = n_pids;
        r->event_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (r->event_fd < 0)
                return -errno;

        /* Signals stay with the loop's thread (signalfd): the reader takes none. */
        sigset_t all, saved;
        sigfillset(&all);
        int e = -pthread_sigmask(SIG_SETMASK, &all, &saved);
        if (e == 0) {
                e = -pthread_create(&r->thread, NULL, reading_thread, r);
                (void)pthread_sigmask(SIG_SETMASK, &saved, NULL);
        }
        if (e < 0)
                return e;
        r->joined = false;
        *ret = TAKE_PTR(r);
        return 0;
}

int hotness_reading_fd(const HotnessReading *r)
{
        return r->event_fd;
}

int hotness_reading_finish(HotnessReading *r, HotnessSnapshot **ret)
{
        join(r);
        int result = r->result;
        *ret = result >= 0 ? TAKE_PTR(r->snapshot) : NULL;
        hotness_reading_free(r);
        return result;
}
