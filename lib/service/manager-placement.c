/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Migrate mode: the placement cycle on the event loop (a timer per cycle, DAMON's reading watched through an fd
 * while a thread takes it, one migration step per dispatch). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <time.h>

#include "log.h"
#include "migrate-output.h"
#include "pace.h"
#include "manager-placement.h"
#include "tierd-messages.h"

/* At most one summary record per this interval, with what the cycles since the last one did. */
#define SUMMARY_INTERVAL_USEC (10 * UINT64_C(1000000))

typedef struct ProcessMigration ProcessMigration;
/* One MigrateProcess() call: its job, stepped on the loop like placement's, answered when it ends. */
struct ProcessMigration {
        struct ProcessMigration *next;
        Manager *manager;
        sd_bus_message *call;
        MigrateJob *job;
        RateLimit rate;
        sd_event_source *source;
};

static void process_migration_free(ProcessMigration *pm)
{
        if (!pm)
                return;
        for (ProcessMigration **p = &pm->manager->migrations; *p; p = &(*p)->next)
                if (*p == pm) {
                        *p = pm->next;
                        break;
                }
        sd_event_source_disable_unref(pm->source);
        migrate_job_free(pm->job);
        sd_bus_message_unref(pm->call);
        free(pm);
}

static uint64_t now_usec(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static int placer_settings(const Config *c, PlacerSettings *ret)
{
        PlacerSettings s = {
                .rules = {.cgroups = c->placement_cgroups,
                          .processes = c->placement_processes,
                          .exclude_processes = c->placement_exclude_processes},
                .params = policy_params_default(),
                .interval_usec = c->placement_interval_msec * 1000,
                .rate_bytes_per_sec = c->placement_rate_limit_mbps << 20,
        };
        s.params.free_low_permille = (uint32_t)c->placement_low_watermark_pct * 10;
        s.params.free_high_permille = (uint32_t)c->placement_high_watermark_pct * 10;
        s.params.min_residency_usec = c->placement_min_residency_msec * 1000;
        s.params.kernel_promotes = c->placement_promotion == PROMOTION_KERNEL;
        if (c->placement_rate_limit_mbps > 0) {
                int r = policy_budget_from_rate(c->placement_rate_limit_mbps, s.interval_usec, &s.params.budget_bytes);
                if (r < 0)
                        return r;
        }
        *ret = s;
        return 0;
}

static void log_summary(Manager *m, bool force)
{
        uint64_t now = now_usec();
        PlacerStats st;
        placer_stats(m->placer, &st);
        uint64_t promoted = st.totals->promoted_pages - m->summary_base.promoted_pages;
        uint64_t demoted = st.totals->demoted_pages - m->summary_base.demoted_pages;
        uint64_t failed = placer_counts_not_moved(st.totals) - placer_counts_not_moved(&m->summary_base);
        if (!force && (now < m->summary_usec + SUMMARY_INTERVAL_USEC || promoted + demoted + failed == 0))
                return;

        char f_promoted[48], f_demoted[48], f_failed[48], f_managed[48];
        snprintf(f_promoted, sizeof f_promoted, "TIERD_PROMOTED_PAGES=%" PRIu64, promoted);
        snprintf(f_demoted, sizeof f_demoted, "TIERD_DEMOTED_PAGES=%" PRIu64, demoted);
        snprintf(f_failed, sizeof f_failed, "TIERD_FAILED_PAGES=%" PRIu64, failed);
        snprintf(f_managed, sizeof f_managed, "TIERD_MANAGED=%zu", st.managed);
        const char *fields[] = {f_promoted, f_demoted, f_failed, f_managed, NULL};
        log_struct(LOG_INFO, TIERD_MESSAGE_PLACEMENT_SUMMARY, fields,
                   "Placement: %zu processes, %" PRIu64 " pages promoted, %" PRIu64 " demoted, %" PRIu64
                   " not moved in %" PRIu64 " cycles; last cycle %" PRIu64 " ms.",
                   st.managed, promoted, demoted, failed, st.cycles - m->summary_cycles,
                   (MAX(MAX(st.last_cycle->ended_usec, st.last_cycle->planned_usec), st.last_cycle->started_usec) -
                    st.last_cycle->started_usec) /
                           1000);
        m->summary_base = *st.totals;
        m->summary_cycles = st.cycles;
        m->summary_usec = now;
}

/* Arms the cycle timer once a cycle's work is over (pace.h says when). */
static int schedule_cycle(Manager *m)
{
        uint64_t interval = m->config->placement_interval_msec * 1000;
        PlacerStats st;
        placer_stats(m->placer, &st);
        uint64_t due = pace_next_cycle_usec(st.last_cycle->started_usec, now_usec(), interval);
        int r = sd_event_source_set_time(m->placement_cycle_source, due);
        if (r >= 0)
                r = sd_event_source_set_enabled(m->placement_cycle_source, SD_EVENT_ONESHOT);
        return r < 0 ? log_error_errno(r, "Placement: failed to arm the cycle timer: %m") : 0;
}

static int on_step(sd_event_source *s, uint64_t usec, void *userdata)
{
        Manager *m = userdata;
        uint64_t next = 0;
        int r = placer_step(m->placer, &next);
        if (r < 0) {
                log_error_errno(r, "Placement: a migration step failed, dropping this cycle's migrations: %m");
                return schedule_cycle(m);
        }
        if (r == 0) {
                r = sd_event_source_set_time(s, MAX(next, usec));
                if (r >= 0)
                        r = sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
                return r < 0 ? log_error_errno(r, "Placement: failed to schedule the next step: %m") : 0;
        }
        log_summary(m, false);
        return schedule_cycle(m);
}

static int schedule_step(Manager *m)
{
        int r;
        if (!m->placement_step_source) {
                /* 1 us accuracy: the default (250 ms) would let sd-event delay every step to coalesce wakeups. */
                r = sd_event_add_time(m->event, &m->placement_step_source, CLOCK_MONOTONIC, 0, 1, on_step, m);
                if (r < 0)
                        return r;
                /* After the bus and udev: a step never delays an answer. */
                (void)sd_event_source_set_priority(m->placement_step_source, SD_EVENT_PRIORITY_IDLE);
        }
        r = sd_event_source_set_time(m->placement_step_source, now_usec());
        if (r < 0)
                return r;
        return sd_event_source_set_enabled(m->placement_step_source, SD_EVENT_ONESHOT);
}

/* The cycle's DAMON reading is in: plan, then step through the jobs. */
static int on_reading(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
        Manager *m = userdata;

        (void)s;
        (void)fd;
        (void)revents;
        m->placement_reading_source = sd_event_source_disable_unref(m->placement_reading_source);
        int r = placer_cycle_finish(m->placer, m->snapshot, now_usec());
        /* -ENOMEM is logged here, other errors where they arose; either way the next cycle tries again, as after
         * a failing step: placement stopping for good would leave the fast nodes to fill. */
        if (r == -ENOMEM)
                (void)log_oom();
        if (r >= 0 && placer_busy(m->placer)) {
                /* the last step arms the next cycle */
                r = schedule_step(m);
                return r < 0 ? log_error_errno(r, "Placement: failed to schedule migrations: %m") : 0;
        }
        return schedule_cycle(m);
}

static int on_cycle(sd_event_source *s, uint64_t usec, void *userdata)
{
        Manager *m = userdata;
        int fd = -EBADF;

        (void)s;
        (void)usec;
        int r = placer_cycle_begin(m->placer, now_usec(), &fd);
        if (r >= 0) {
                r = sd_event_add_io(m->event, &m->placement_reading_source, fd, EPOLLIN, on_reading, m);
                if (r >= 0)
                        return 0;
                log_error_errno(r, "Placement: failed to watch the DAMON reading: %m");
                /* without the watch, the reading is taken here */
                return on_reading(NULL, fd, 0, m);
        }
        if (r == -ENOMEM)
                (void)log_oom();
        return schedule_cycle(m);
}

static const char *state_dir(void)
{
        const char *rundir = getenv("RUNTIME_DIRECTORY");
        if (rundir)
                return rundir;
        (void)mkdir("/run/tierd", 0700);
        return "/run/tierd";
}

int manager_placement_start(Manager *m)
{
        PlacerSettings s;
        int r;

        if (m->config->mode != TIERD_MODE_MIGRATE || m->placer)
                return 0;
        r = placer_settings(m->config, &s);
        if (r < 0)
                return log_error_errno(r, "Placement: bad rate limit or interval: %m");
        if (!m->placement_root) {
                r = sysfs_root_new(m->root, NULL, &m->placement_root);
                if (r < 0)
                        return log_error_errno(r, "Placement: failed to open %s: %m", m->root);
        }
        r = placer_new(m->placement_root, state_dir(), &s, &m->placer);
        if (r == -EBUSY)
                return log_error_errno(r, "Placement: another tierd holds the DAMON record; placement stays off.");
        if (r < 0)
                return log_error_errno(r, "Placement: failed to start: %m");
        r = sd_event_add_time(m->event, &m->placement_cycle_source, CLOCK_MONOTONIC, now_usec(), 0, on_cycle, m);
        if (r < 0)
                return log_error_errno(r, "Placement: failed to add the cycle timer: %m");
        m->summary_usec = now_usec();
        char rate[48] = "no rate limit";
        if (m->config->placement_rate_limit_mbps > 0)
                snprintf(rate, sizeof rate, "at most %" PRIu64 " MB/s", m->config->placement_rate_limit_mbps);
        log_info("Placement: started, a cycle every %" PRIu64 " ms, %s, promotion by %s.",
                 m->config->placement_interval_msec, rate,
                 s.params.kernel_promotes ? "the kernel's NUMA balancing" : "tierd");
        return 0;
}

void manager_placement_stop(Manager *m)
{
        while (m->migrations) {
                (void)sd_bus_reply_method_errorf(m->migrations->call, SD_BUS_ERROR_FAILED, "tierd is stopping.");
                process_migration_free(m->migrations);
        }
        m->placement_cycle_source = sd_event_source_disable_unref(m->placement_cycle_source);
        m->placement_step_source = sd_event_source_disable_unref(m->placement_step_source);
        m->placement_reading_source = sd_event_source_disable_unref(m->placement_reading_source);
        if (m->placer) {
                log_summary(m, true);
                /* Stops the kdamond tierd started, and every job. */
                m->placer = placer_free(m->placer);
        }
        m->placement_root = sysfs_root_free(m->placement_root);
}

int manager_placement_reload(Manager *m)
{
        if (m->config->mode != TIERD_MODE_MIGRATE) {
                manager_placement_stop(m);
                return 0;
        }
        if (!m->placer)
                return manager_placement_start(m);
        PlacerSettings s;
        int r = placer_settings(m->config, &s);
        if (r >= 0)
                r = placer_configure(m->placer, &s);
        if (r < 0)
                return log_error_errno(r, "Placement: failed to apply the new settings: %m");
        return 0;
}

int manager_placement_stats_json(Manager *m, char **ret)
{
        VmstatTiering now = {}, delta = {};
        PlacerStats st;
        if (m->placement_root || sysfs_root_new(m->root, NULL, &m->placement_root) >= 0)
                (void)vmstat_tiering_read(m->placement_root, &now);
        vmstat_tiering_delta(&m->vmstat_at_start, &now, &delta);
        if (m->placer)
                placer_stats(m->placer, &st);
        return placement_stats_json_string(m->placer ? &st : NULL, tierd_mode_to_string(m->config->mode), &delta, ret);
}

static int on_migration_step(sd_event_source *s, uint64_t usec, void *userdata)
{
        ProcessMigration *pm = userdata;
        uint64_t next = 0;
        int r = migrate_job_step(pm->job, &next);
        if (r == 0) {
                r = sd_event_source_set_time(s, MAX(next, usec));
                if (r >= 0)
                        r = sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
                if (r >= 0)
                        return 0;
        }
        if (r < 0)
                (void)sd_bus_reply_method_errnof(pm->call, r, "Migration failed: %m");
        else {
                const MigrateStats *st = migrate_job_stats(pm->job);
                _cleanup_free_ char *json = NULL;
                if (st->end == MIGRATE_END_PROCESS_EXITED)
                        log_info("MigrateProcess: process %d exited during the migration.", (int)st->pid);
                r = migrate_stats_json_string(st, &json);
                if (r < 0)
                        (void)sd_bus_reply_method_errnof(pm->call, r, "Migration failed: %m");
                else
                        (void)sd_bus_reply_method_return(pm->call, "s", json);
        }
        process_migration_free(pm);
        return 0;
}

int manager_placement_migrate_process(Manager *m, sd_bus_message *call, pid_t pid, int node, uint32_t rate_mbps,
                                      sd_bus_error *error)
{
        ProcessMigration *pm = calloc(1, sizeof(ProcessMigration));
        int r;

        if (!pm)
                return -ENOMEM;
        pm->manager = m;
        pm->call = sd_bus_message_ref(call);
        if (!m->placement_root && (r = sysfs_root_new(m->root, NULL, &m->placement_root)) < 0)
                goto fail;
        ratelimit_init(&pm->rate, (uint64_t)rate_mbps << 20, 0, now_usec());
        MigrateOptions o = {.rate_limit = &pm->rate};
        r = migrate_job_new_process(m->placement_root, pid, node, &o, &pm->job);
        if (r == -ESRCH) {
                process_migration_free(pm);
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "No process %d.", (int)pid);
        }
        if (r < 0)
                goto fail;
        r = sd_event_add_time(m->event, &pm->source, CLOCK_MONOTONIC, 0, 1, on_migration_step, pm);
        if (r < 0)
                goto fail;
        (void)sd_event_source_set_priority(pm->source, SD_EVENT_PRIORITY_IDLE);
        pm->next = m->migrations;
        m->migrations = pm;
        return 1;
fail:
        process_migration_free(pm);
        return sd_bus_error_set_errnof(error, -r, "Cannot migrate process %d: %m", (int)pid);
}
