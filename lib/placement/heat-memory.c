/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>

#include "heat-memory.h"
#include "macro.h"
#include "pids.h"

void heat_memory_done(HeatMemory *m)
{
        free(m->v);
        *m = (HeatMemory){};
}

void heat_memory_prune(HeatMemory *m, uint64_t now, uint64_t keep_usec, const pid_t *pids, size_t n_pids)
{
        size_t k = 0;
        for (size_t i = 0; i < m->n; i++)
                if (m->v[i].usec + keep_usec >= now && pid_bsearch(m->v[i].pid, pids, n_pids, sizeof(pid_t)))
                        m->v[k++] = m->v[i];
        m->n = k;
}

uint32_t heat_memory_recall(const HeatMemory *m, pid_t pid, uint64_t start, uint64_t end)
{
        uint32_t best = 0;
        for (size_t i = 0; i < m->n; i++) {
                const HeatSighting *s = &m->v[i];
                if (s->pid != pid || s->end <= start || s->start >= end)
                        continue;
                uint64_t overlap = MIN(s->end, end) - MAX(s->start, start);
                /* less than half: the sighting may have been of the rest of that older, larger region */
                if (overlap < (end - start) - overlap)
                        continue;
                best = MAX(best, s->nr_accesses);
        }
        return best;
}

int heat_memory_note(HeatMemory *m, pid_t pid, const PolicyRegion *regions, size_t n, uint64_t now)
{
        size_t accessed = 0;
        for (size_t i = 0; i < n; i++)
                accessed += regions[i].nr_accesses > 0;
        if (accessed == 0)
                return 0;
        if (GREEDY_REALLOC(m->v, m->allocated, m->n + accessed) < 0)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++)
                if (regions[i].nr_accesses > 0)
                        m->v[m->n++] = (HeatSighting){.pid = pid,
                                                      .start = regions[i].start,
                                                      .end = regions[i].end,
                                                      .usec = now,
                                                      .nr_accesses = regions[i].nr_accesses};
        return 0;
}
