/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * damon-probe STATE_DIR: drives the DAMON hotness tracker on the live system, for the VM test
 * (tests/vm-systemd/damon-test.sh).  Reads commands from stdin, one per line, and answers each with lines on
 * stdout ending in "ok CMD ..." or "error CMD ERRNO":
 *   pids [PID...]   track exactly these processes        -> ok pids usec=N
 *   collect         refresh and read their regions       -> region PID START END NR_ACCESSES AGE,
 *                                                           process PID N_REGIONS, exited PID,
 *                                                           ok collect processes=N exited=N max_nr_accesses=N
 *                                                              update_usec=N collect_usec=N
 *   stop            give the kdamond back                 -> ok stop usec=N
 *   quit            free the tracker and exit             -> ok quit usec=N
 * The tracker's own log goes to stderr.  Built for tests only, never installed.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "damon.h"
#include "log.h"

static uint64_t now_usec(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void answer(const char *cmd, int r, uint64_t t0)
{
        if (r < 0)
                printf("error %s %d\n", cmd, -r);
        else
                printf("ok %s usec=%" PRIu64 "\n", cmd, now_usec() - t0);
        fflush(stdout);
}

static int collect(DamonTracker *t)
{
        HotnessSnapshot *s = NULL;
        int r = damon_tracker_collect(t, &s);
        if (r < 0)
                return r;
        for (size_t i = 0; i < s->n_processes; i++) {
                const HotnessProcess *p = &s->processes[i];
                for (size_t j = 0; j < p->n_regions; j++)
                        printf("region %d %" PRIu64 " %" PRIu64 " %" PRIu32 " %" PRIu32 "\n", (int)p->pid,
                               p->regions[j].start, p->regions[j].end, p->regions[j].nr_accesses, p->regions[j].age);
                printf("process %d %zu\n", (int)p->pid, p->n_regions);
        }
        for (size_t i = 0; i < s->n_exited; i++)
                printf("exited %d\n", (int)s->exited[i]);
        printf("ok collect processes=%zu exited=%zu max_nr_accesses=%" PRIu32 " update_usec=%" PRIu64
               " collect_usec=%" PRIu64 "\n",
               s->n_processes, s->n_exited, s->max_nr_accesses, s->update_usec, s->collect_usec);
        fflush(stdout);
        hotness_snapshot_free(s);
        return 0;
}

int main(int argc, char **argv)
{
        SysfsRoot *root = NULL;
        DamonTracker *t = NULL;
        char line[4096];
        int r;

        if (argc != 2) {
                fprintf(stderr, "usage: %s STATE_DIR\n", argv[0]);
                return 2;
        }
        log_set_journal(false);
        log_set_max_level(LOG_DEBUG);
        uint64_t t0 = now_usec();
        r = sysfs_root_new("/", NULL, &root);
        if (r >= 0)
                r = damon_tracker_new(root, NULL, argv[1], NULL, &t);
        answer("new", r, t0);
        if (r < 0)
                return 1;

        while (fgets(line, sizeof line, stdin)) {
                char *cmd = strtok(line, " \n");
                t0 = now_usec();
                if (!cmd)
                        continue;
                if (strcmp(cmd, "pids") == 0) {
                        pid_t pids[256];
                        size_t n = 0;
                        for (char *a; n < 256 && (a = strtok(NULL, " \n"));)
                                pids[n++] = (pid_t)atoi(a);
                        answer(cmd, damon_tracker_set_pids(t, pids, n), t0);
                } else if (strcmp(cmd, "collect") == 0) {
                        r = collect(t);
                        if (r < 0)
                                answer(cmd, r, t0);
                } else if (strcmp(cmd, "stop") == 0)
                        answer(cmd, damon_tracker_stop(t), t0);
                else if (strcmp(cmd, "quit") == 0)
                        break;
                else
                        answer(cmd, -EINVAL, t0);
        }
        t0 = now_usec();
        damon_tracker_free(t);
        sysfs_root_free(root);
        answer("quit", 0, t0);
        return 0;
}
