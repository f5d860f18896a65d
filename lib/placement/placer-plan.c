/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The placer's pure parts: sampling arithmetic, the cpu map, the residency history, cutting moves into jobs. */
#include <errno.h>
#include <stdlib.h>

#include "macro.h"
#include "parse.h"
#include "pids.h"
#include "placer-plan.h"

void placer_sample_pages(const HotnessRegion *regions, size_t n, void **ret_pages)
{
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
                const HotnessRegion *hr = &regions[i];
                uint64_t first = hr->start / PLACER_PAGE_SIZE, last = (hr->end - 1) / PLACER_PAGE_SIZE;
                uint64_t span = last - first + 1;
                for (unsigned s = 0; s < PLACER_SAMPLES_PER_REGION; s++)
                        ret_pages[k++] =
                                (void *)(uintptr_t)((first + span * s / PLACER_SAMPLES_PER_REGION) * PLACER_PAGE_SIZE);
        }
}

size_t placer_regions_from_samples(const HotnessRegion *hotness, size_t n, const int *status, PolicyRegion *ret,
                                   PolicyNodeBytes *node_bytes)
{
        size_t used = 0;
        for (size_t i = 0; i < n; i++) {
                const HotnessRegion *hr = &hotness[i];
                unsigned count[PLACER_SAMPLES_PER_REGION];
                int node[PLACER_SAMPLES_PER_REGION];
                unsigned distinct = 0;

                for (unsigned s = 0; s < PLACER_SAMPLES_PER_REGION; s++) {
                        int st = status[i * PLACER_SAMPLES_PER_REGION + s];
                        if (st < 0)
                                continue;
                        unsigned d = 0;
                        while (d < distinct && node[d] != st)
                                d++;
                        if (d == distinct) {
                                node[distinct] = st;
                                count[distinct++] = 0;
                        }
                        count[d]++;
                }
                ret[i] = (PolicyRegion){.start = hr->start,
                                        .end = hr->end,
                                        .nr_accesses = hr->nr_accesses,
                                        .age = hr->age,
                                        .nodes = node_bytes + used,
                                        .n_nodes = distinct};
                for (unsigned d = 0; d < distinct; d++)
                        node_bytes[used++] = (PolicyNodeBytes){
                                .node = (unsigned)node[d],
                                .bytes = (hr->end - hr->start) / PLACER_SAMPLES_PER_REGION * count[d],
                        };
        }
        return used;
}

int placer_cpu_map_new(const Topology *t, PlacerCpuMap **ret)
{
        PlacerCpuMap *m = malloc(sizeof(PlacerCpuMap));
        if (!m)
                return -ENOMEM;
        for (size_t cpu = 0; cpu < PLACER_MAX_CPUS; cpu++)
                m->node[cpu] = -1;

        for (size_t i = 0; i < t->n_nodes; i++) {
                const TopoNode *n = &t->nodes[i];
                uint64_t words[PLACER_MAX_CPUS / 64];
                if (!n->cpulist || parse_id_list(n->cpulist, PLACER_MAX_CPUS, words, NULL) < 0)
                        continue;
                for (size_t cpu = 0; cpu < PLACER_MAX_CPUS; cpu++)
                        if (m->node[cpu] < 0 && (words[cpu / 64] & (UINT64_C(1) << (cpu % 64))))
                                m->node[cpu] = (int)n->id;
        }
        *ret = m;
        return 0;
}

int placer_cpu_map_node(const PlacerCpuMap *m, int cpu)
{
        if (cpu < 0 || cpu >= PLACER_MAX_CPUS)
                return -1;
        return m->node[cpu];
}

void placer_history_done(PlacerHistory *h)
{
        free(h->entries);
        *h = (PlacerHistory){};
}

void placer_history_lookup(const PlacerHistory *h, pid_t pid, uint64_t start, uint64_t end, uint64_t *ret_promoted,
                           uint64_t *ret_demoted)
{
        *ret_promoted = *ret_demoted = 0;
        for (size_t i = 0; i < h->n; i++) {
                const PlacerResidency *e = &h->entries[i];
                if (e->pid != pid || e->end <= start || e->start >= end)
                        continue;
                uint64_t *when = e->direction == POLICY_PROMOTE ? ret_promoted : ret_demoted;
                *when = MAX(*when, e->usec);
        }
}

void placer_history_prune(PlacerHistory *h, uint64_t now, uint64_t keep_usec, const pid_t *pids, size_t n_pids)
{
        size_t k = 0;
        for (size_t i = 0; i < h->n; i++)
                if (h->entries[i].usec + keep_usec >= now &&
                    pid_bsearch(h->entries[i].pid, pids, n_pids, sizeof(pid_t)))
                        h->entries[k++] = h->entries[i];
        h->n = k;
}

int placer_history_record(PlacerHistory *h, const PlacerJob *job, uint64_t now)
{
        if (GREEDY_REALLOC(h->entries, h->allocated, h->n + job->n_ranges) < 0)
                return -ENOMEM;
        for (size_t i = 0; i < job->n_ranges; i++)
                h->entries[h->n++] = (PlacerResidency){.pid = job->pid,
                                                       .start = job->ranges[i].start,
                                                       .end = job->ranges[i].end,
                                                       .usec = now,
                                                       .direction = job->direction};
        return 0;
}

void placer_jobs_free(PlacerJob *jobs, size_t n)
{
        for (size_t i = 0; i < n; i++)
                free(jobs[i].ranges);
        free(jobs);
}

static bool same_job(const PlacerJob *j, const PolicyMove *m)
{
        return j->pid == m->pid && j->direction == m->direction && j->from_node == m->from_node &&
               j->to_node == m->to_node;
}

int placer_queue_moves(const PolicyMove *moves, size_t n_moves, PlacerJob **ret, size_t *ret_n)
{
        PlacerJob *jobs = calloc(MAX(n_moves, (size_t)1), sizeof(PlacerJob));
        size_t n = 0;
        if (!jobs)
                return -ENOMEM;

        for (size_t i = 0; i < n_moves; i++) {
                const PolicyMove *m = &moves[i];
                PlacerJob *j = n > 0 ? &jobs[n - 1] : NULL;
                if (!j || !same_job(j, m)) {
                        j = &jobs[n++];
                        *j = (PlacerJob){.pid = m->pid,
                                         .direction = m->direction,
                                         .from_node = m->from_node,
                                         .to_node = m->to_node};
                }
                if (GREEDY_REALLOC(j->ranges, j->allocated, j->n_ranges + 1) < 0) {
                        placer_jobs_free(jobs, n);
                        return -ENOMEM;
                }
                j->ranges[j->n_ranges++] = (MigrateRange){
                        .start = m->start, .end = m->end, .node = (int)m->to_node, .max_bytes = m->bytes};
        }
        *ret = jobs;
        *ret_n = n;
        return 0;
}
