/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdlib.h>

#include "hotness.h"
#include "pids.h"

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
        return pid_bsearch(pid, s->processes, s->n_processes, sizeof(s->processes[0]));
}
