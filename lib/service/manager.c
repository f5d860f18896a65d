/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <signal.h>
#include <sys/epoll.h>
#include <stdio.h>
#include <string.h>
#include <systemd/sd-daemon.h>

#include "log.h"
#include "manager-bus.h"
#include "manager.h"
#include "tierd-messages.h"
#include "tierdiff.h"

/* Subsystems whose uevents can change the tier map. */
static const char *const watched_subsystems[] = {"memory", "node", "memory_tiering", "dax", "cxl"};

static bool watched(const char *subsystem)
{
        for (size_t i = 0; subsystem && i < ELEMENTSOF(watched_subsystems); i++)
                if (strcmp(subsystem, watched_subsystems[i]) == 0)
                        return true;
        return false;
}

int manager_new(const ManagerOptions *o, Manager **ret)
{
        _cleanup_(manager_freep) Manager *m = calloc(1, sizeof(Manager));
        if (!m)
                return -ENOMEM;
        m->root = strdup(o->root ?: "/");
        if (!m->root)
                return -ENOMEM;
        if (o->config_path && !(m->config_path = strdup(o->config_path)))
                return -ENOMEM;
        m->user_bus = o->user_bus;
        int r = sd_event_default(&m->event);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(m);
        return 0;
}

Manager *manager_free(Manager *m)
{
        if (!m)
                return NULL;
        /* Knobs first: whatever path led here, the kernel gets its values back. */
        knobs_free(m->knobs);
        sd_event_source_unref(m->debounce_source);
        sd_event_source_unref(m->monitor_source);
        udev_monitor_unref(m->monitor);
        udev_unref(m->udev);
        sd_bus_slot_unref(m->bus_slot);
        sd_bus_flush_close_unref(m->bus);
        classification_free(m->classification);
        config_free(m->config);
        sd_event_unref(m->event);
        free(m->root);
        free(m->config_path);
        free(m);
        return NULL;
}

TierOptions manager_tier_options(const Manager *m)
{
        return (TierOptions){
                .model = TIER_MODEL_CURRENT,
                .overrides = m->config ? m->config->overrides : NULL,
                .n_overrides = m->config ? m->config->n_overrides : 0,
        };
}

static void notify_status(Manager *m)
{
        const TierMap *map = m->classification ? m->classification->map : NULL;
        size_t memory_nodes = 0;
        for (size_t i = 0; map && i < map->n_nodes; i++)
                memory_nodes += map->nodes[i].has_memory;
        sd_notifyf(false, "STATUS=%zu tiers over %zu memory nodes, tier map generation %" PRIu64 ", mode %s",
                   map ? map->n_tiers : 0, memory_nodes, m->generation, tierd_mode_to_string(m->config->mode));
}

static void log_change(const NodeChange *c)
{
        char f_node[32], f_tier[32], f_adist[48], f_old[32];
        snprintf(f_node, sizeof f_node, "TIERD_NODE=%u", c->node);
        snprintf(f_tier, sizeof f_tier, "TIERD_TIER=%d", c->new_tier);
        snprintf(f_adist, sizeof f_adist, "TIERD_ADISTANCE=%d", c->new_adistance);
        snprintf(f_old, sizeof f_old, "TIERD_OLD_TIER=%d", c->old_tier);
        const char *fields[] = {f_node, f_tier, f_adist, f_old, NULL};

        switch (c->kind) {
        case NODE_CHANGE_ADDED:
                log_struct(LOG_NOTICE, TIERD_MESSAGE_NODE_ADDED, fields,
                           "Memory node %u appeared: tier %d (abstract distance %d).", c->node, c->new_tier,
                           c->new_adistance);
                break;
        case NODE_CHANGE_REMOVED:
                log_struct(LOG_NOTICE, TIERD_MESSAGE_NODE_REMOVED, fields, "Memory node %u went away (was tier %d).",
                           c->node, c->old_tier);
                break;
        case NODE_CHANGE_MOVED:
                log_struct(LOG_NOTICE, TIERD_MESSAGE_NODE_MOVED, fields,
                           "Node %u moved from tier %d to tier %d (abstract distance %d -> %d).", c->node, c->old_tier,
                           c->new_tier, c->old_adistance, c->new_adistance);
                break;
        }
}

static void log_kernel_disagreements(const Classification *c)
{
        for (size_t i = 0; i < c->warnings.n; i++) {
                const Warning *w = &c->warnings.items[i];
                if (warning_code_category(w->code) != WARNING_CATEGORY_DISAGREEMENT)
                        continue;
                char f_node[32], f_code[64];
                snprintf(f_node, sizeof f_node, "TIERD_NODE=%d", w->node);
                snprintf(f_code, sizeof f_code, "TIERD_WARNING=%s", warning_code_to_string(w->code));
                const char *fields[] = {f_node, f_code, NULL};
                log_struct(LOG_WARNING, TIERD_MESSAGE_KERNEL_DISAGREES, fields, "%s", w->message);
        }
}

int manager_rescan(Manager *m, const char *why)
{
        TierOptions options = manager_tier_options(m);
        _cleanup_(classification_freep) Classification *c = NULL;

        m->rescans++;
        int r = classification_run(m->root, &options, &c);
        if (r == -ENOMEM)
                return log_oom();
        if (r < 0)
                /* Keep serving what we knew; the next event or Rescan() tries again. */
                return log_error_errno(r,
                                       "Failed to rescan the topology below %s (%s), keeping the previous tier "
                                       "map: %m",
                                       m->root, why);

        _cleanup_free_ NodeChange *changes = NULL;
        size_t n_changes;
        r = tier_map_diff(m->classification ? m->classification->map : NULL, c->map, &changes, &n_changes);
        if (r < 0)
                return log_oom();

        for (size_t i = 0; i < c->warnings.n; i++)
                if (warning_code_category(c->warnings.items[i].code) == WARNING_CATEGORY_INPUT)
                        log_warning("%s", c->warnings.items[i].message);

        bool first = !m->classification;
        classification_free(m->classification);
        m->classification = TAKE_PTR(c);
        if (n_changes == 0) {
                log_debug("Rescan (%s): tier map unchanged.", why);
                return 0;
        }

        m->generation++;
        for (size_t i = 0; i < n_changes; i++)
                if (!first)
                        log_change(&changes[i]);
        char f_gen[48];
        snprintf(f_gen, sizeof f_gen, "TIERD_GENERATION=%" PRIu64, m->generation);
        const char *fields[] = {f_gen, NULL};
        log_struct(LOG_INFO, TIERD_MESSAGE_TIER_MAP_CHANGED, fields, "Tier map generation %" PRIu64 ": %zu tiers (%s).",
                   m->generation, m->classification->map->n_tiers, why);
        log_kernel_disagreements(m->classification);
        notify_status(m);
        if (m->bus)
                (void)manager_bus_emit_tier_map_changed(m);
        return 1;
}

int manager_reload(Manager *m, char **ret_error)
{
        _cleanup_(config_freep) Config *c = NULL;
        _cleanup_free_ char *error = NULL;

        sd_notify(false, "RELOADING=1\nSTATUS=Reloading the configuration");
        int r = config_load(m->config_path, &c, &error);
        if (r < 0) {
                const char *fields[] = {NULL};
                log_struct(LOG_ERR, TIERD_MESSAGE_CONFIG_REJECTED, fields,
                           "Rejected the new configuration, keeping the old one: %s",
                           error ?: strerror(r == -ENOMEM ? ENOMEM : -r));
                sd_notify(false, "READY=1");
                notify_status(m);
                if (ret_error)
                        *ret_error = TAKE_PTR(error);
                return r;
        }

        config_free(m->config);
        m->config = TAKE_PTR(c);
        log_set_max_level(m->config->log_level);
        if (m->knobs)
                (void)knobs_apply(m->knobs, m->config);
        log_info("Configuration reloaded.");
        if (m->bus)
                (void)sd_bus_emit_properties_changed(m->bus, TIERD_BUS_PATH, TIERD_BUS_INTERFACE, "Mode", NULL);
        /* Overrides may have changed: recompute. */
        (void)manager_rescan(m, "configuration reloaded");
        sd_notify(false, "READY=1");
        notify_status(m);
        return 0;
}

static int on_debounce(sd_event_source *s, uint64_t usec, void *userdata)
{
        Manager *m = userdata;
        (void)s;
        (void)usec;
        (void)manager_rescan(m, "uevents");
        return 0;
}

static int schedule_rescan(Manager *m)
{
        uint64_t now, delay = m->config->rescan_debounce_msec * 1000;
        int r = sd_event_now(m->event, CLOCK_MONOTONIC, &now);
        if (r < 0)
                return r;
        if (!m->debounce_source) {
                /* 1 ms accuracy: the default (250 ms) would blow the "at most 20 ms after the last event" bound. */
                r = sd_event_add_time(m->event, &m->debounce_source, CLOCK_MONOTONIC, now + delay, 1000, on_debounce,
                                      m);
                if (r < 0)
                        return r;
                (void)sd_event_source_set_description(m->debounce_source, "rescan-debounce");
                return sd_event_source_set_enabled(m->debounce_source, SD_EVENT_ONESHOT);
        }
        /* Every new event pushes the deadline: one rescan for the whole burst. */
        r = sd_event_source_set_time(m->debounce_source, now + delay);
        if (r < 0)
                return r;
        return sd_event_source_set_enabled(m->debounce_source, SD_EVENT_ONESHOT);
}

static int on_uevent(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
        Manager *m = userdata;
        (void)s;
        (void)fd;
        (void)revents;

        bool relevant = false;
        for (;;) {
                struct udev_device *d = udev_monitor_receive_device(m->monitor);
                if (!d)
                        break; /* drained (EAGAIN) */
                /* The socket filter normally did this already; a monitor without one (umockdev) still works. */
                if (watched(udev_device_get_subsystem(d))) {
                        relevant = true;
                        m->uevents++;
                        log_debug("uevent %s %s (%s)", udev_device_get_action(d) ?: "?",
                                  udev_device_get_sysname(d) ?: "?", udev_device_get_subsystem(d));
                }
                udev_device_unref(d);
        }
        if (!relevant)
                return 0;
        int r = schedule_rescan(m);
        if (r < 0) {
                log_warning_errno(r, "Failed to schedule a rescan, doing it now: %m");
                (void)manager_rescan(m, "uevents");
        }
        return 0;
}

static int setup_udev(Manager *m)
{
        m->udev = udev_new();
        if (!m->udev)
                return log_warning_errno(-ENOMEM, "Failed to create a udev context, hotplug is not watched.");
        m->monitor = udev_monitor_new_from_netlink(m->udev, "udev");
        if (!m->monitor)
                return log_warning_errno(negative_errno(), "Failed to open the udev monitor, hotplug is not "
                                                           "watched: %m");
        for (size_t i = 0; i < ELEMENTSOF(watched_subsystems); i++) {
                int r = udev_monitor_filter_add_match_subsystem_devtype(m->monitor, watched_subsystems[i], NULL);
                if (r < 0)
                        return log_warning_errno(r, "Failed to filter the udev monitor: %m");
        }
        int r = udev_monitor_enable_receiving(m->monitor);
        if (r < 0)
                return log_warning_errno(r, "Failed to enable the udev monitor, hotplug is not watched: %m");
        r = sd_event_add_io(m->event, &m->monitor_source, udev_monitor_get_fd(m->monitor), EPOLLIN, on_uevent, m);
        if (r < 0)
                return log_warning_errno(r, "Failed to watch the udev monitor: %m");
        (void)sd_event_source_set_description(m->monitor_source, "udev-monitor");
        return 0;
}

static int on_exit_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
        Manager *m = userdata;
        (void)s;
        log_info("Received SIG%s, exiting.", sigabbrev_np((int)si->ssi_signo) ?: "?");
        sd_notify(false, "STOPPING=1\nSTATUS=Restoring kernel knobs and exiting");
        return sd_event_exit(m->event, 0);
}

static int on_sighup(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
        (void)s;
        (void)si;
        (void)manager_reload(userdata, NULL);
        return 0;
}

int manager_start(Manager *m, const ManagerOptions *o)
{
        _cleanup_free_ char *error = NULL;
        int r = config_load(m->config_path, &m->config, &error);
        if (r < 0) {
                const char *fields[] = {NULL};
                log_struct(LOG_ERR, TIERD_MESSAGE_CONFIG_REJECTED, fields, "Refusing to start: %s",
                           error ?: strerror(r == -ENOMEM ? ENOMEM : -r));
                return r;
        }
        log_set_max_level(m->config->log_level);

        /* Signals arrive through the loop; they were blocked by main() before any thread could exist. */
        if ((r = sd_event_add_signal(m->event, NULL, SIGTERM, on_exit_signal, m)) < 0 ||
            (r = sd_event_add_signal(m->event, NULL, SIGINT, on_exit_signal, m)) < 0 ||
            (r = sd_event_add_signal(m->event, NULL, SIGHUP, on_sighup, m)) < 0)
                return log_error_errno(r, "Failed to watch signals: %m");
        r = sd_event_set_watchdog(m->event, true);
        if (r < 0)
                log_warning_errno(r, "Failed to enable the watchdog: %m");

        /* systemd's RuntimeDirectory= (kept across restarts) holds the originals while knobs are changed. */
        _cleanup_free_ char *state = NULL;
        const char *rundir = getenv("RUNTIME_DIRECTORY");
        if (rundir && asprintf(&state, "%s/saved-knobs", rundir) < 0)
                return log_oom();
        r = knobs_new(m->root, state, &m->knobs);
        if (r < 0)
                return log_error_errno(r, "Failed to open %s for the kernel knobs: %m", m->root);
        (void)knobs_apply(m->knobs, m->config);

        r = manager_rescan(m, "start");
        if (r == -ENOMEM)
                return r;
        if (!m->classification)
                return log_error_errno(-ENOENT, "No usable topology below %s.", m->root);

        (void)setup_udev(m); /* without it tierd still answers and rescans on request */

        if (!o->no_bus) {
                r = manager_bus_connect(m);
                if (r < 0)
                        return r;
        }

        char f_gen[48], f_mode[48];
        snprintf(f_gen, sizeof f_gen, "TIERD_GENERATION=%" PRIu64, m->generation);
        snprintf(f_mode, sizeof f_mode, "TIERD_MODE=%s", tierd_mode_to_string(m->config->mode));
        const char *fields[] = {f_gen, f_mode, NULL};
        log_struct(LOG_INFO, TIERD_MESSAGE_STARTED, fields, "tierd %s started in %s mode, %zu tiers.", TIERD_VERSION,
                   tierd_mode_to_string(m->config->mode), m->classification->map->n_tiers);
        sd_notify(false, "READY=1");
        notify_status(m);
        return 0;
}

int manager_run(Manager *m)
{
        int r = sd_event_loop(m->event);
        const char *fields[] = {NULL};
        (void)knobs_restore(m->knobs);
        log_struct(LOG_INFO, TIERD_MESSAGE_STOPPED, fields, "tierd stopped.");
        return r;
}
