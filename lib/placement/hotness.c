/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdlib.h>

#include "hotness.h"

HotnessSnapshot *hotness_snapshot_free(HotnessSnapshot *s)
{
        if (!s)
                return NULL;
        for (size_t i = 0; i < s->n_processes; i++)
                free(s->processes[i].regions);
        free(s->processes);
        free(s->exited);
        free(s);
        return NULL;
}

const HotnessProcess *hotness_snapshot_find(const HotnessSnapshot *s, pid_t pid)
{
        size_t lo = 0, hi = s->n_processes;

        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;

                if (s->processes[mid].pid == pid)
                        return &s->processes[mid];
                if (s->processes[mid].pid < pid)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return NULL;
}
