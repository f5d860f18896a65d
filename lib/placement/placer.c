/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "numa-move.h"
#include "heat-memory.h"
#include "hotness-reading.h"
#include "pace.h"
#include "placer-plan.h"
#include "placer.h"
#include "strv.h"
#include "zoneinfo.h"

/* How many cycles a sighting of an accessed region is remembered (heat-memory.h). */
#define HEAT_MEMORY_CYCLES 3

struct Placer {
        SysfsRoot *root;
        PlacerSettings settings;
        DamonTracker *tracker;
        HotnessReading *reading; /* the cycle's, while DAMON is read */
        Scope *reading_scope;    /* what the cycle resolved, for when the reading is in */
        RateLimit rate;
        MigrationPace pace;

        PlacerHistory history;
        HeatMemory heat;

        PlacerWorkload *workloads; /* ascending pid */
        size_t n_workloads, workloads_allocated;
        PlacerNode *nodes; /* ascending node */
        size_t n_nodes, nodes_allocated;
        PlacerCounts totals;
        PlacerCycle cycle;
        size_t n_managed;

        PlacerJob *jobs;
        size_t n_jobs, next_job;
        MigrateJob *running;
        size_t running_index;
        MigrateCounts running_counted; /* what of the running job's outcomes the stats hold already */

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
        placer_jobs_free(p->jobs, p->n_jobs);
        p->jobs = NULL;
        p->n_jobs = p->next_job = 0;
}

Placer *placer_free(Placer *p)
{
        if (!p)
                return NULL;
        jobs_clear(p);
        hotness_reading_free(p->reading); /* before the tracker it uses */
        scope_free(p->reading_scope);
        damon_tracker_free(p->tracker);
        for (size_t i = 0; i < p->n_workloads; i++)
                free(p->workloads[i].rule);
        free(p->workloads);
        free(p->nodes);
        placer_history_done(&p->history);
        heat_memory_done(&p->heat);
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
        if (p->pace.max_bytes == 0)
                pace_init(&p->pace, settings->params.budget_bytes);
        else
                pace_set_max(&p->pace, settings->params.budget_bytes);
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
        return p->reading || p->running || p->next_job < p->n_jobs;
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

/* Where a process's regions are: a sample of the pages of each, asked with move_pages(2) without target nodes. */
static int sample_regions(const Placer *p, pid_t pid, const HotnessProcess *hp, PolicyRegion *regions,
                          PolicyNodeBytes *node_bytes, size_t *ret_used)
{
        size_t total = hp->n_regions * PLACER_SAMPLES_PER_REGION;
        _cleanup_free_ void **pages = calloc(MAX(total, (size_t)1), sizeof(void *));
        _cleanup_free_ int *status = calloc(MAX(total, (size_t)1), sizeof(int));
        if (!pages || !status)
                return -ENOMEM;

        placer_sample_pages(hp->regions, hp->n_regions, pages);
        for (size_t i = 0; i < total; i++)
                status[i] = INT32_MIN;
        const MigrateOps *ops = p->settings.ops;
        long asked = ops ? ops->move_pages(ops->userdata, pid, total, pages, NULL, status, 0)
                         : numa_move_pages_errno(pid, total, pages, NULL, status, 0);
        if (asked < 0)
                return (int)asked;
        *ret_used = placer_regions_from_samples(hp->regions, hp->n_regions, status, regions, node_bytes);
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

int placer_cycle_begin(Placer *p, uint64_t now, int *ret_fd)
{
        _cleanup_(scope_freep) Scope *scope = NULL;
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

        _cleanup_free_ pid_t *pids = calloc(MAX(p->n_workloads, (size_t)1), sizeof(pid_t));
        if (!pids)
                return -ENOMEM;
        for (size_t i = 0; i < p->n_workloads; i++)
                pids[i] = p->workloads[i].pid;
        placer_history_prune(&p->history, now, p->settings.params.min_residency_usec, pids, p->n_workloads);
        heat_memory_prune(&p->heat, now, HEAT_MEMORY_CYCLES * p->settings.interval_usec, pids, p->n_workloads);
        r = hotness_reading_start(p->tracker, pids, p->n_workloads, &p->reading);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return log_error_errno(r, "Placement: failed to start reading DAMON: %m");
        p->reading_scope = TAKE_PTR(scope);
        *ret_fd = hotness_reading_fd(p->reading);
        return 0;
}

int placer_cycle_finish(Placer *p, const Snapshot *snapshot, uint64_t now)
{
        _cleanup_(scope_freep) Scope *scope = TAKE_PTR(p->reading_scope);
        _cleanup_(hotness_snapshot_freep) HotnessSnapshot *hs = NULL;
        _cleanup_(policy_plan_freep) PolicyPlan *plan = NULL;
        _cleanup_free_ PolicyNode *nodes = NULL;
        _cleanup_free_ PolicyWorkload *workloads = NULL;
        _cleanup_free_ PolicyRegion *regions = NULL;
        _cleanup_free_ PolicyNodeBytes *node_bytes = NULL;
        _cleanup_free_ PlacerCpuMap *cpus = NULL;
        size_t n_nodes = 0, n_workloads = 0;
        int r;

        if (!p->reading)
                return -EINVAL;
        r = hotness_reading_finish(TAKE_PTR(p->reading), &hs);
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
        node_bytes = calloc(MAX(total_regions * PLACER_SAMPLES_PER_REGION, (size_t)1), sizeof(PolicyNodeBytes));
        if (!workloads || !regions || !node_bytes)
                return -ENOMEM;
        r = placer_cpu_map_new(snapshot->topology, &cpus);
        if (r < 0)
                return r;

        size_t region_at = 0, bytes_at = 0;
        for (size_t i = 0; hs && i < p->n_workloads; i++) {
                PlacerWorkload *w = &p->workloads[i];
                const HotnessProcess *hp = hotness_snapshot_find(hs, w->pid);
                if (!hp || hp->n_regions == 0)
                        continue;

                size_t used = 0;
                r = sample_regions(p, w->pid, hp, regions + region_at, node_bytes + bytes_at, &used);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        continue; /* exited meanwhile: the next cycle's scope drops it */
                w->regions = hp->n_regions;
                w->hot_regions = 0;
                /* this cycle's readings as they are, then each region lifted to what recent cycles saw */
                r = heat_memory_note(&p->heat, w->pid, regions + region_at, hp->n_regions, now);
                if (r < 0)
                        return r;
                for (size_t k = 0; k < hp->n_regions; k++) {
                        PolicyRegion *pr = &regions[region_at + k];
                        pr->nr_accesses =
                                MAX(pr->nr_accesses, heat_memory_recall(&p->heat, w->pid, pr->start, pr->end));
                        placer_history_lookup(&p->history, w->pid, pr->start, pr->end, &pr->promoted_usec,
                                              &pr->demoted_usec);
                        w->hot_regions += pr->nr_accesses > 0;
                }
                const ScopeProcess *sp = scope_find(scope, w->pid);
                w->home_node = sp ? placer_cpu_map_node(cpus, sp->processor) : -1;
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

        PolicyParams params = p->settings.params;
        params.budget_bytes = p->pace.budget_bytes;
        p->cycle.budget_bytes = params.budget_bytes;
        PolicyInput in = {
                .now_usec = now,
                .nodes = nodes,
                .n_nodes = n_nodes,
                .workloads = workloads,
                .n_workloads = n_workloads,
        };
        r = policy_plan(&in, &params, &plan);
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
        r = placer_queue_moves(plan->moves, plan->n_moves, &p->jobs, &p->n_jobs);
        if (r < 0)
                return r;
        p->cycle.n_jobs = p->n_jobs;
        for (size_t i = 0; i < plan->n_moves; i++)
                p->cycle.planned_bytes += plan->moves[i].bytes;
        p->cycle.planned_usec = now_usec();
        log_debug("Placement: cycle %" PRIu64 ": %s, %zu moves in %zu jobs, %" PRIu64 " KiB planned of %" PRIu64
                  " KiB, %zu processes, hotness in %" PRIu64 " ms, planned in %" PRIu64 " ms.",
                  p->cycle.number, policy_outcome_to_string(plan->outcome) ?: "?", plan->n_moves, p->n_jobs,
                  p->cycle.planned_bytes >> 10, params.budget_bytes >> 10, n_workloads, p->cycle.collect_usec / 1000,
                  (p->cycle.planned_usec - p->cycle.started_usec) / 1000);
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

/* Adds what the running job did since it was last counted, so that the stats never lag the pages: a job of a
 * few hundred MiB runs for seconds under the rate limit, and a GetStats() meanwhile must count what has moved. */
static void count_progress(Placer *p, const PlacerJob *q, const MigrateStats *st)
{
        PlacerWorkload *w = find_workload(p, q->pid);
        PlacerCounts c = {};
        uint64_t moved = st->total.pages[MIGRATE_MOVED] - p->running_counted.pages[MIGRATE_MOVED];

        if (q->direction == POLICY_PROMOTE)
                c.promoted_pages = moved;
        else
                c.demoted_pages = moved;
        c.moved_bytes = moved * st->page_size;
        for (size_t i = 0; i < _MIGRATE_REASON_MAX; i++)
                if (i != MIGRATE_MOVED && i != MIGRATE_ALREADY_THERE)
                        c.failed_pages[i] = st->total.pages[i] - p->running_counted.pages[i];
        p->running_counted = st->total;

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
}

static void finish_job(Placer *p, const PlacerJob *q, const MigrateStats *st, uint64_t now)
{
        PlacerWorkload *w = find_workload(p, q->pid);
        uint64_t moved = st->total.pages[MIGRATE_MOVED];

        count_progress(p, q, st);
        log_debug("Placement: cycle %" PRIu64 ", process %d, %s %u -> %u, %zu range(s) from 0x%" PRIx64 ": %" PRIu64
                  " pages moved, %" PRIu64 " already there, %" PRIu64 " not present, %" PRIu64 " busy, %" PRIu64
                  " out of memory; %" PRIu64 " ms, of which %" PRIu64 " ms in %" PRIu64 " move_pages(2) calls.",
                  p->cycle.number, (int)q->pid, policy_direction_to_string(q->direction), q->from_node, q->to_node,
                  q->n_ranges, q->n_ranges > 0 ? q->ranges[0].start : 0, moved, st->total.pages[MIGRATE_ALREADY_THERE],
                  st->total.pages[MIGRATE_NOT_PRESENT], st->total.pages[MIGRATE_BUSY],
                  st->total.pages[MIGRATE_NO_MEMORY], st->elapsed_usec / 1000, st->call_usec / 1000,
                  st->move_calls + st->query_calls);

        /* without memory for it, the job's ranges merely lose their minimum residency */
        (void)placer_history_record(&p->history, q, now);

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
                                if (p->cycle.ended_usec == 0) {
                                        p->cycle.ended_usec = now_usec();
                                        pace_record(&p->pace, p->cycle.planned_bytes,
                                                    p->cycle.ended_usec - p->cycle.planned_usec,
                                                    p->cycle.planned_usec - p->cycle.started_usec,
                                                    p->settings.interval_usec);
                                }
                                return 1;
                        }
                        PlacerJob *q = &p->jobs[p->next_job];
                        MigrateOptions o = {
                                .rate_limit = &p->rate,
                                .free_floor_bytes = floor_bytes(p, q->to_node),
                                .ops = p->settings.ops,
                        };
                        nodemask_set(&o.from_nodes, q->from_node);
                        p->running_index = p->next_job++;
                        p->running_counted = (MigrateCounts){};
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
                if (r < 0) {
                        /* the cycle's remaining work is dropped: the next cycle plans afresh */
                        jobs_clear(p);
                        return r;
                }
                if (r == 0) {
                        count_progress(p, &p->jobs[p->running_index], migrate_job_stats(p->running));
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
