/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "numa-move.h"
#include "parse.h"
#include "placer.h"
#include "strv.h"
#include "zoneinfo.h"

/* Pages asked about per region to estimate where it is: enough to tell 1/16 apart, cheap for 1000 regions. */
#define SAMPLES_PER_REGION 16
#define PAGE_SIZE_BYTES UINT64_C(4096)

typedef struct Residency {
        pid_t pid;
        uint64_t start, end, usec;
        PolicyDirection direction;
} Residency;

typedef struct QueuedJob {
        pid_t pid;
        PolicyDirection direction;
        unsigned from_node, to_node;
        MigrateRange *ranges;
        size_t n_ranges, allocated;
} QueuedJob;

struct Placer {
        SysfsRoot *root;
        PlacerSettings settings;
        DamonTracker *tracker;
        RateLimit rate;

        Residency *residency;
        size_t n_residency, residency_allocated;

        PlacerWorkload *workloads; /* ascending pid */
        size_t n_workloads, workloads_allocated;
        PlacerNode *nodes; /* ascending node */
        size_t n_nodes, nodes_allocated;
        PlacerCounts totals;
        PlacerCycle cycle;
        size_t n_managed;

        QueuedJob *jobs;
        size_t n_jobs, next_job;
        MigrateJob *running;
        size_t running_index;

        /* what was logged already, so that a cause is logged once, and again only after it went away */
        bool logged_empty_scope;
        const char *logged_hotness;
        char **logged_missing_cgroups;
};

static uint64_t now_usec(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static void settings_done(PlacerSettings *s)
{
        strv_free(s->rules.cgroups);
        strv_free(s->rules.processes);
        strv_free(s->rules.exclude_processes);
        *s = (PlacerSettings){};
}

static int settings_copy(const PlacerSettings *from, PlacerSettings *to)
{
        PlacerSettings s = *from;
        s.rules = (ScopeRules){};
        if (strv_copy(from->rules.cgroups, &s.rules.cgroups) < 0 ||
            strv_copy(from->rules.processes, &s.rules.processes) < 0 ||
            strv_copy(from->rules.exclude_processes, &s.rules.exclude_processes) < 0) {
                settings_done(&s);
                return -ENOMEM;
        }
        settings_done(to);
        *to = s;
        return 0;
}

static void jobs_clear(Placer *p)
{
        p->running = migrate_job_free(p->running);
        for (size_t i = 0; i < p->n_jobs; i++)
                free(p->jobs[i].ranges);
        free(p->jobs);
        p->jobs = NULL;
        p->n_jobs = p->next_job = 0;
}

Placer *placer_free(Placer *p)
{
        if (!p)
                return NULL;
        jobs_clear(p);
        damon_tracker_free(p->tracker);
        for (size_t i = 0; i < p->n_workloads; i++)
                free(p->workloads[i].rule);
        free(p->workloads);
        free(p->nodes);
        free(p->residency);
        strv_free(p->logged_missing_cgroups);
        settings_done(&p->settings);
        free(p);
        return NULL;
}

int placer_configure(Placer *p, const PlacerSettings *settings)
{
        const char *field = NULL;
        int r = policy_params_validate(&settings->params, &field);
        if (r < 0)
                return log_error_errno(r, "Invalid placement parameter %s.", field ?: "?");
        r = settings_copy(settings, &p->settings);
        if (r < 0)
                return r;
        ratelimit_init(&p->rate, settings->rate_bytes_per_sec, 0, now_usec());
        p->logged_empty_scope = false;
        return 0;
}

int placer_new(SysfsRoot *root, const char *state_dir, const PlacerSettings *settings, Placer **ret)
{
        _cleanup_(placer_freep) Placer *p = calloc(1, sizeof(Placer));
        int r;

        if (!p)
                return -ENOMEM;
        p->root = root;
        r = placer_configure(p, settings);
        if (r < 0)
                return r;
        r = damon_tracker_new(root, NULL, state_dir, NULL, &p->tracker);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(p);
        return 0;
}

bool placer_busy(const Placer *p)
{
        return p->running || p->next_job < p->n_jobs;
}

static PlacerWorkload *find_workload(Placer *p, pid_t pid)
{
        for (size_t i = 0; i < p->n_workloads; i++)
                if (p->workloads[i].pid == pid)
                        return &p->workloads[i];
        return NULL;
}

static PlacerNode *get_node(Placer *p, unsigned node)
{
        for (size_t i = 0; i < p->n_nodes; i++)
                if (p->nodes[i].node == node)
                        return &p->nodes[i];
        if (GREEDY_REALLOC(p->nodes, p->nodes_allocated, p->n_nodes + 1) < 0)
                return NULL;
        size_t i = p->n_nodes;
        while (i > 0 && p->nodes[i - 1].node > node) {
                p->nodes[i] = p->nodes[i - 1];
                i--;
        }
        p->nodes[i] = (PlacerNode){.node = node};
        p->n_nodes++;
        return &p->nodes[i];
}

/* The workloads become the resolved scope: new ones start from zero, a reused pid too; gone ones are dropped. */
static int update_workloads(Placer *p, const Scope *scope)
{
        _cleanup_free_ PlacerWorkload *next = calloc(MAX(scope->n_processes, (size_t)1), sizeof(PlacerWorkload));
        if (!next)
                return -ENOMEM;
        for (size_t i = 0; i < scope->n_processes; i++) {
                const ScopeProcess *sp = &scope->processes[i];
                PlacerWorkload *old = find_workload(p, sp->pid);
                PlacerWorkload *w = &next[i];

                /* the old entry keeps its rule text, freed with the old list below */
                *w = old && old->start_time == sp->start_time
                             ? *old
                             : (PlacerWorkload){.pid = sp->pid, .start_time = sp->start_time};
                w->rule = strdup(sp->rule);
                if (!w->rule) {
                        for (size_t k = 0; k < i; k++)
                                free(next[k].rule);
                        return -ENOMEM;
                }
                memcpy(w->comm, sp->comm, sizeof w->comm);
                w->alive = true;
                w->home_node = -1;
        }
        for (size_t i = 0; i < p->n_workloads; i++)
                free(p->workloads[i].rule);
        free(p->workloads);
        p->workloads = TAKE_PTR(next);
        p->n_workloads = p->workloads_allocated = scope->n_processes;
        p->n_managed = scope->n_processes;
        return 0;
}

static void log_scope_changes(Placer *p, const Scope *scope)
{
        if (scope_rules_empty(&p->settings.rules)) {
                if (!p->logged_empty_scope)
                        log_notice("Placement: no Cgroups= or Processes= in [Placement]: managing no process.");
                p->logged_empty_scope = true;
                return;
        }
        p->logged_empty_scope = false;
        for (size_t i = 0; i < scope->n_missing_cgroups; i++) {
                bool known = false;
                for (char **m = p->logged_missing_cgroups; m && *m; m++)
                        known = known || strcmp(*m, scope->missing_cgroups[i]) == 0;
                if (!known)
                        log_warning("Placement: cgroup %s does not exist (removed?); its processes are not managed.",
                                    scope->missing_cgroups[i]);
        }
        _cleanup_(strv_freep) char **now = NULL;
        if (strv_copy(scope->missing_cgroups, &now) >= 0) {
                strv_free(p->logged_missing_cgroups);
                p->logged_missing_cgroups = TAKE_PTR(now);
        }
}

static void note_hotness(Placer *p, const char *why, int error)
{
        p->cycle.hotness = why;
        if (why && p->logged_hotness != why) {
                if (error == -EBUSY)
                        log_warning("Placement: DAMON is used by another tool; hotness tracking paused, nothing moves "
                                    "until it is free.");
                else
                        log_warning_errno(error, "Placement: no hotness from DAMON (%s): %m; nothing moves.", why);
        } else if (!why && p->logged_hotness)
                log_info("Placement: hotness tracking from DAMON works again.");
        p->logged_hotness = why;
}

/* The node whose CPUs include cpu, -1 when none says so. */
static int cpu_node(const Topology *t, int cpu)
{
        uint64_t words[(4096 + 63) / 64];
        if (cpu < 0 || cpu >= 4096)
                return -1;
        for (size_t i = 0; i < t->n_nodes; i++) {
                const TopoNode *n = &t->nodes[i];
                unsigned count;
                memset(words, 0, sizeof words);
                if (!n->cpulist || parse_id_list(n->cpulist, 4096, words, &count) < 0)
                        continue;
                if (words[cpu / 64] & (UINT64_C(1) << (cpu % 64)))
                        return (int)n->id;
        }
        return -1;
}

static void residency_lookup(const Placer *p, pid_t pid, uint64_t start, uint64_t end, uint64_t *promoted,
                             uint64_t *demoted)
{
        *promoted = *demoted = 0;
        for (size_t i = 0; i < p->n_residency; i++) {
                const Residency *e = &p->residency[i];
                if (e->pid != pid || e->end <= start || e->start >= end)
                        continue;
                uint64_t *when = e->direction == POLICY_PROMOTE ? promoted : demoted;
                *when = MAX(*when, e->usec);
        }
}

static void residency_prune(Placer *p, uint64_t now)
{
        uint64_t keep = p->settings.params.min_residency_usec;
        size_t k = 0;
        for (size_t i = 0; i < p->n_residency; i++)
                if (p->residency[i].usec + keep >= now && find_workload(p, p->residency[i].pid))
                        p->residency[k++] = p->residency[i];
        p->n_residency = k;
}

/*
 * Where a process's regions are: SAMPLES_PER_REGION pages of each, spread over it, asked with move_pages(2)
 * without target nodes.  Each sample stands for 1/SAMPLES_PER_REGION of the region: a node gets the share of
 * the samples found on it; samples not present count for no node.
 */
static int sample_regions(pid_t pid, const HotnessProcess *hp, PolicyRegion *regions, PolicyNodeBytes *node_bytes,
                          size_t *ret_used)
{
        size_t n = hp->n_regions, total = n * SAMPLES_PER_REGION, used = 0;
        _cleanup_free_ void **pages = calloc(MAX(total, (size_t)1), sizeof(void *));
        _cleanup_free_ int *status = calloc(MAX(total, (size_t)1), sizeof(int));
        if (!pages || !status)
                return -ENOMEM;

        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
                const HotnessRegion *hr = &hp->regions[i];
                uint64_t first = hr->start / PAGE_SIZE_BYTES, last = (hr->end - 1) / PAGE_SIZE_BYTES;
                uint64_t span = last - first + 1;
                for (unsigned s = 0; s < SAMPLES_PER_REGION; s++)
                        pages[k++] = (void *)(uintptr_t)((first + span * s / SAMPLES_PER_REGION) * PAGE_SIZE_BYTES);
        }
        for (size_t i = 0; i < total; i++)
                status[i] = INT32_MIN;
        long asked = numa_move_pages_errno(pid, total, pages, NULL, status, 0);
        if (asked < 0)
                return (int)asked;

        for (size_t i = 0; i < n; i++) {
                const HotnessRegion *hr = &hp->regions[i];
                PolicyRegion *r = &regions[i];
                unsigned count[SAMPLES_PER_REGION];
                int node[SAMPLES_PER_REGION];
                unsigned distinct = 0;

                for (unsigned s = 0; s < SAMPLES_PER_REGION; s++) {
                        int st = status[i * SAMPLES_PER_REGION + s];
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
                *r = (PolicyRegion){.start = hr->start,
                                    .end = hr->end,
                                    .nr_accesses = hr->nr_accesses,
                                    .age = hr->age,
                                    .nodes = node_bytes + used,
                                    .n_nodes = distinct};
                for (unsigned d = 0; d < distinct; d++)
                        node_bytes[used++] = (PolicyNodeBytes){
                                .node = (unsigned)node[d],
                                .bytes = (hr->end - hr->start) / SAMPLES_PER_REGION * count[d],
                        };
        }
        *ret_used = used;
        return 0;
}

static int refresh_free_memory(Placer *p, PolicyNode *nodes, size_t n)
{
        _cleanup_free_ ZoneReserve *reserves = NULL;
        size_t n_reserves = 0;
        /* The kernel's own watermarks and reserves: free memory below them cannot take migrated pages. */
        int r = zoneinfo_reserved_read(p->root, &reserves, &n_reserves);
        if (r == -ENOMEM)
                return r;
        for (size_t i = 0; i < n; i++)
                for (size_t k = 0; k < n_reserves; k++)
                        if (reserves[k].node == nodes[i].id)
                                nodes[i].reserved_bytes = reserves[k].reserved_bytes;

        for (size_t i = 0; i < n; i++) {
                uint64_t kb;
                if (nodes[i].total_bytes == 0)
                        continue;
                r = sysfs_read_meminfo_kb(p->root, 1, (const char *const[]){"MemFree"}, (uint64_t *const[]){&kb},
                                          "sys/devices/system/node/node%u/meminfo", nodes[i].id);
                if (r == -ENOMEM)
                        return r;
                if (r >= 0)
                        nodes[i].free_bytes = kb > UINT64_MAX / 1024 ? UINT64_MAX : kb * 1024;
                PlacerNode *pn = get_node(p, nodes[i].id);
                if (!pn)
                        return -ENOMEM;
                pn->free_bytes = nodes[i].free_bytes;
                pn->total_bytes = nodes[i].total_bytes;
        }
        return 0;
}

/*
 * The part of a move's range the engine gets: the policy means "the first `bytes` of this range that are on
 * from_node"; the engine moves every page of a range, so the range is cut where, by the sampled share of
 * from_node in the region, `bytes` of it should have been passed.
 */
static uint64_t move_end(const PolicyMove *m, const PolicyWorkload *workloads, size_t n_workloads)
{
        for (size_t i = 0; i < n_workloads; i++) {
                if (workloads[i].pid != m->pid)
                        continue;
                for (size_t k = 0; k < workloads[i].n_regions; k++) {
                        const PolicyRegion *r = &workloads[i].regions[k];
                        if (m->start < r->start || m->start >= r->end)
                                continue;
                        uint64_t on_from = 0;
                        for (size_t n = 0; n < r->n_nodes; n++)
                                if (r->nodes[n].node == m->from_node)
                                        on_from += r->nodes[n].bytes;
                        uint64_t size = r->end - r->start;
                        if (on_from == 0 || m->bytes >= on_from)
                                return m->end;
                        /* bytes / share, rounded up to a 2 MiB huge page so that a THP is not split by the cut */
                        uint64_t len = (uint64_t)((double)m->bytes * (double)size / (double)on_from);
                        uint64_t end = (m->start + len + (UINT64_C(2) << 20) - 1) & ~((UINT64_C(2) << 20) - 1);
                        return MIN(MAX(end, m->start + PAGE_SIZE_BYTES), m->end);
                }
        }
        return m->end;
}

static int queue_moves(Placer *p, const PolicyPlan *plan, const PolicyWorkload *workloads, size_t n_workloads)
{
        p->jobs = calloc(MAX(plan->n_moves, (size_t)1), sizeof(QueuedJob));
        if (!p->jobs)
                return -ENOMEM;
        for (size_t i = 0; i < plan->n_moves; i++) {
                const PolicyMove *m = &plan->moves[i];
                QueuedJob *j = p->n_jobs > 0 ? &p->jobs[p->n_jobs - 1] : NULL;
                if (!j || j->pid != m->pid || j->direction != m->direction || j->from_node != m->from_node ||
                    j->to_node != m->to_node) {
                        j = &p->jobs[p->n_jobs++];
                        *j = (QueuedJob){.pid = m->pid,
                                         .direction = m->direction,
                                         .from_node = m->from_node,
                                         .to_node = m->to_node};
                }
                if (GREEDY_REALLOC(j->ranges, j->allocated, j->n_ranges + 1) < 0)
                        return -ENOMEM;
                j->ranges[j->n_ranges++] = (MigrateRange){
                        .start = m->start, .end = move_end(m, workloads, n_workloads), .node = (int)m->to_node};
                p->cycle.planned_bytes += m->bytes;
        }
        p->cycle.n_jobs = p->n_jobs;
        return 0;
}

int placer_cycle_start(Placer *p, const Snapshot *snapshot, uint64_t now)
{
        _cleanup_(scope_freep) Scope *scope = NULL;
        _cleanup_(hotness_snapshot_freep) HotnessSnapshot *hs = NULL;
        _cleanup_(policy_plan_freep) PolicyPlan *plan = NULL;
        _cleanup_free_ PolicyNode *nodes = NULL;
        _cleanup_free_ PolicyWorkload *workloads = NULL;
        _cleanup_free_ PolicyRegion *regions = NULL;
        _cleanup_free_ PolicyNodeBytes *node_bytes = NULL;
        size_t n_nodes = 0, n_workloads = 0;
        int r;

        if (placer_busy(p))
                return -EBUSY;
        jobs_clear(p);
        p->cycle = (PlacerCycle){.number = p->cycle.number + 1, .started_usec = now};

        r = scope_resolve(p->root, &p->settings.rules, getpid(), &scope);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                log_warning_errno(r, "Placement: failed to resolve the scope: %m");
                r = scope_resolve(p->root, &(ScopeRules){}, getpid(), &scope);
                if (r < 0)
                        return r;
        }
        log_scope_changes(p, scope);
        r = update_workloads(p, scope);
        if (r < 0)
                return r;
        residency_prune(p, now);

        _cleanup_free_ pid_t *pids = calloc(MAX(p->n_workloads, (size_t)1), sizeof(pid_t));
        if (!pids)
                return -ENOMEM;
        for (size_t i = 0; i < p->n_workloads; i++)
                pids[i] = p->workloads[i].pid;
        r = damon_tracker_set_pids(p->tracker, pids, p->n_workloads);
        if (r >= 0 && p->n_workloads > 0)
                r = damon_tracker_collect(p->tracker, &hs);
        if (r == -ENOMEM)
                return r;
        note_hotness(p, r == -EBUSY ? "damon-busy" : r == -EOPNOTSUPP ? "no-damon" : r < 0 ? "damon-error" : NULL, r);
        if (hs)
                p->cycle.collect_usec = hs->collect_usec;

        r = policy_nodes_from_snapshot(snapshot, &nodes, &n_nodes);
        if (r < 0)
                return r;
        r = refresh_free_memory(p, nodes, n_nodes);
        if (r < 0)
                return r;

        size_t total_regions = 0;
        for (size_t i = 0; hs && i < hs->n_processes; i++)
                total_regions += hs->processes[i].n_regions;
        workloads = calloc(MAX(p->n_workloads, (size_t)1), sizeof(PolicyWorkload));
        regions = calloc(MAX(total_regions, (size_t)1), sizeof(PolicyRegion));
        node_bytes = calloc(MAX(total_regions * SAMPLES_PER_REGION, (size_t)1), sizeof(PolicyNodeBytes));
        if (!workloads || !regions || !node_bytes)
                return -ENOMEM;

        size_t region_at = 0, bytes_at = 0;
        for (size_t i = 0; hs && i < p->n_workloads; i++) {
                PlacerWorkload *w = &p->workloads[i];
                const HotnessProcess *hp = hotness_snapshot_find(hs, w->pid);
                if (!hp || hp->n_regions == 0)
                        continue;

                size_t used = 0;
                r = sample_regions(w->pid, hp, regions + region_at, node_bytes + bytes_at, &used);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        continue; /* exited meanwhile: the next cycle's scope drops it */
                w->regions = hp->n_regions;
                w->hot_regions = 0;
                for (size_t k = 0; k < hp->n_regions; k++) {
                        PolicyRegion *pr = &regions[region_at + k];
                        residency_lookup(p, w->pid, pr->start, pr->end, &pr->promoted_usec, &pr->demoted_usec);
                        w->hot_regions += pr->nr_accesses > 0;
                }
                const ScopeProcess *sp = scope_find(scope, w->pid);
                w->home_node = sp ? cpu_node(snapshot->topology, sp->processor) : -1;
                workloads[n_workloads++] = (PolicyWorkload){
                        .pid = w->pid,
                        .home_node = w->home_node,
                        .max_nr_accesses = hs->max_nr_accesses,
                        .aggr_interval_usec = hs->aggr_usec,
                        .regions = regions + region_at,
                        .n_regions = hp->n_regions,
                };
                region_at += hp->n_regions;
                bytes_at += used;
        }

        PolicyInput in = {
                .now_usec = now,
                .nodes = nodes,
                .n_nodes = n_nodes,
                .workloads = workloads,
                .n_workloads = n_workloads,
        };
        r = policy_plan(&in, &p->settings.params, &plan);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return log_error_errno(r, "Placement: the policy refused its input: %m");
        p->cycle.outcome = plan->outcome;
        p->cycle.n_moves = plan->n_moves;
        for (size_t i = 0; i < plan->n_nodes; i++) {
                PlacerNode *pn = get_node(p, plan->nodes[i].node);
                if (!pn)
                        return -ENOMEM;
                pn->last_notes = plan->nodes[i].notes;
        }
        r = queue_moves(p, plan, workloads, n_workloads);
        if (r < 0)
                return r;
        p->cycle.planned_usec = now_usec();
        return 0;
}

static void add_counts(PlacerCounts *to, const PlacerCounts *from)
{
        to->promoted_pages += from->promoted_pages;
        to->demoted_pages += from->demoted_pages;
        to->moved_bytes += from->moved_bytes;
        for (size_t i = 0; i < _MIGRATE_REASON_MAX; i++)
                to->failed_pages[i] += from->failed_pages[i];
}

static void finish_job(Placer *p, const QueuedJob *q, const MigrateStats *st, uint64_t now)
{
        PlacerWorkload *w = find_workload(p, q->pid);
        PlacerCounts c = {};
        uint64_t moved = st->total.pages[MIGRATE_MOVED];

        if (q->direction == POLICY_PROMOTE)
                c.promoted_pages = moved;
        else
                c.demoted_pages = moved;
        c.moved_bytes = moved * st->page_size;
        for (size_t i = 0; i < _MIGRATE_REASON_MAX; i++)
                if (i != MIGRATE_MOVED && i != MIGRATE_ALREADY_THERE)
                        c.failed_pages[i] = st->total.pages[i];

        add_counts(&p->totals, &c);
        add_counts(&p->cycle.counts, &c);
        if (w)
                add_counts(&w->counts, &c);
        PlacerNode *to = get_node(p, q->to_node), *from = get_node(p, q->from_node);
        if (to && from) {
                if (q->direction == POLICY_PROMOTE) {
                        to->promoted_in_pages += moved;
                        from->promoted_out_pages += moved;
                } else {
                        to->demoted_in_pages += moved;
                        from->demoted_out_pages += moved;
                }
                for (size_t i = 0; i < _MIGRATE_REASON_MAX; i++)
                        to->failed_pages[i] += c.failed_pages[i];
        }

        for (size_t i = 0; i < q->n_ranges; i++)
                if (GREEDY_REALLOC(p->residency, p->residency_allocated, p->n_residency + 1) >= 0)
                        p->residency[p->n_residency++] = (Residency){.pid = q->pid,
                                                                     .start = q->ranges[i].start,
                                                                     .end = q->ranges[i].end,
                                                                     .usec = now,
                                                                     .direction = q->direction};

        switch (st->end) {
        case MIGRATE_END_PROCESS_EXITED:
                if (w && !w->logged_exit)
                        log_info("Placement: process %d (%s) exited during a migration; its job ended.", (int)q->pid,
                                 w->comm);
                if (w)
                        w->logged_exit = true;
                break;
        case MIGRATE_END_DONE:
                break;
        default:
                log_warning_errno(st->end_error ?: -EIO,
                                  "Placement: migrating process %d to node %u ended early (%s): %m", (int)q->pid,
                                  q->to_node, migrate_end_to_string(st->end));
        }
        for (size_t i = 0; i < st->n_nodes; i++)
                if (st->nodes[i].end == MIGRATE_END_NODE_GONE)
                        log_warning("Placement: node %d went away while pages of process %d moved to it.",
                                    st->nodes[i].node, (int)q->pid);
}

/* The engine's floor on a target: its low watermark, which the plan keeps; it holds if memory went meanwhile. */
static uint64_t floor_bytes(const Placer *p, unsigned node)
{
        for (size_t i = 0; i < p->n_nodes; i++)
                if (p->nodes[i].node == node)
                        return p->nodes[i].total_bytes / 1000 * p->settings.params.free_low_permille;
        return 0;
}

int placer_step(Placer *p, uint64_t *ret_next_usec)
{
        for (;;) {
                if (!p->running) {
                        if (p->next_job >= p->n_jobs) {
                                if (p->cycle.ended_usec == 0)
                                        p->cycle.ended_usec = now_usec();
                                return 1;
                        }
                        QueuedJob *q = &p->jobs[p->next_job];
                        MigrateOptions o = {
                                .rate_limit = &p->rate,
                                .free_floor_bytes = floor_bytes(p, q->to_node),
                        };
                        p->running_index = p->next_job++;
                        int r = migrate_job_new(p->root, q->pid, q->ranges, q->n_ranges, &o, &p->running);
                        if (r == -ENOMEM)
                                return r;
                        if (r < 0) {
                                PlacerWorkload *w = find_workload(p, q->pid);
                                if (r == -ESRCH && w && !w->logged_exit) {
                                        log_info("Placement: process %d (%s) exited before its migration.", (int)q->pid,
                                                 w->comm);
                                        w->logged_exit = true;
                                } else if (r != -ESRCH)
                                        log_warning_errno(r, "Placement: cannot migrate process %d: %m", (int)q->pid);
                                continue;
                        }
                }
                uint64_t next = 0;
                int r = migrate_job_step(p->running, &next);
                if (r < 0)
                        return r;
                if (r == 0) {
                        if (ret_next_usec)
                                *ret_next_usec = next;
                        return 0;
                }
                finish_job(p, &p->jobs[p->running_index], migrate_job_stats(p->running), now_usec());
                p->running = migrate_job_free(p->running);
        }
}

uint64_t placer_counts_not_moved(const PlacerCounts *c)
{
        uint64_t n = 0;
        for (size_t i = 0; i < _MIGRATE_REASON_MAX; i++)
                if (i != MIGRATE_NOT_PRESENT)
                        n += c->failed_pages[i];
        return n;
}

void placer_stats(const Placer *p, PlacerStats *ret)
{
        *ret = (PlacerStats){
                .managed = p->n_managed,
                .cycles = p->cycle.number,
                .interval_usec = p->settings.interval_usec,
                .totals = &p->totals,
                .last_cycle = &p->cycle,
                .workloads = p->workloads,
                .n_workloads = p->n_workloads,
                .nodes = p->nodes,
                .n_nodes = p->n_nodes,
        };
}
