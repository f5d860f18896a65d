/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The manager's life: start in a safe order, run the loop, own the bus connection, reload, exit restoring. */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <systemd/sd-daemon.h>

#include "log.h"
#include "manager-bus.h"
#include "manager-placement.h"
#include "manager.h"
#include "tierd-bus.h"
#include "tierd-messages.h"

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
        /* Knobs and kdamonds first: whatever path led here, the kernel gets its state back. */
        manager_placement_stop(m);
        knobs_free(m->knobs);
        sd_event_source_unref(m->debounce_source);
        sd_event_source_unref(m->monitor_source);
        udev_monitor_unref(m->monitor);
        udev_unref(m->udev);
        sd_bus_slot_unref(m->object_slot);
        sd_bus_slot_unref(m->filter_slot);
        sd_bus_flush_close_unref(m->bus);
        snapshot_unref(m->snapshot);
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

void manager_notify_status(Manager *m)
{
        const TierMap *map = m->snapshot ? m->snapshot->map : NULL;
        size_t memory_nodes = 0;
        for (size_t i = 0; map && i < map->n_nodes; i++)
                memory_nodes += map->nodes[i].has_memory;
        sd_notifyf(false, "STATUS=%zu tiers over %zu memory nodes, tier map generation %" PRIu64 ", mode %s",
                   map ? map->n_tiers : 0, memory_nodes, m->snapshot ? m->snapshot->generation : 0,
                   tierd_mode_to_string(m->config->mode));
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
                manager_notify_status(m);
                if (ret_error)
                        *ret_error = TAKE_PTR(error);
                return r;
        }

        /* The published snapshot owns a copy of the old overrides: freeing the old configuration is safe even if
         * the rescan below fails and that snapshot stays. */
        config_free(m->config);
        m->config = TAKE_PTR(c);
        log_set_max_level(m->config->log_level);
        if (m->knobs)
                (void)knobs_apply(m->knobs, m->config);
        (void)manager_placement_reload(m);
        log_info("Configuration reloaded.");
        if (m->bus)
                (void)sd_bus_emit_properties_changed(m->bus, TIERD_BUS_PATH, TIERD_BUS_INTERFACE, "Mode", NULL);
        /* Overrides may have changed: recompute. */
        (void)manager_rescan(m, "configuration reloaded");
        sd_notify(false, "READY=1");
        manager_notify_status(m);
        return 0;
}

static int on_exit_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
        Manager *m = userdata;
        log_info("Received SIG%s, exiting.", sigabbrev_np((int)si->ssi_signo) ?: "?");
        sd_notify(false, "STOPPING=1\nSTATUS=Restoring kernel knobs and exiting");
        return sd_event_exit(m->event, 0);
}

static int on_sighup(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
        (void)manager_reload(userdata, NULL);
        return 0;
}

/* An unreachable tierd is a broken one: exit non-zero, knobs restored, so that systemd restarts it. */
static int on_bus_message(sd_bus_message *message, void *userdata, sd_bus_error *error)
{
        Manager *m = userdata;
        if (!sd_bus_message_is_signal(message, "org.freedesktop.DBus.Local", "Disconnected"))
                return 0;
        log_error("Lost the connection to the %s bus, exiting.", m->user_bus ? "user" : "system");
        sd_notify(false, "STOPPING=1\nSTATUS=Lost the bus connection");
        (void)sd_event_exit(m->event, -ECONNRESET);
        return 1;
}

static int connect_bus(Manager *m)
{
        int r = m->user_bus ? sd_bus_open_user(&m->bus) : sd_bus_open_system(&m->bus);
        if (r < 0)
                return log_error_errno(r, "Failed to connect to the %s bus: %m", m->user_bus ? "user" : "system");
        r = sd_bus_add_filter(m->bus, &m->filter_slot, on_bus_message, m);
        if (r < 0)
                return log_error_errno(r, "Failed to watch the bus connection: %m");
        r = manager_bus_add_object(m);
        if (r < 0)
                return log_error_errno(r, "Failed to publish %s: %m", TIERD_BUS_PATH);
        /* Before anything is changed: a second instance stops here, with the running one's knobs untouched. */
        r = sd_bus_request_name(m->bus, TIERD_BUS_NAME, 0);
        if (r == -EEXIST)
                return log_error_errno(r, "Another tierd already owns %s, exiting without changing anything.",
                                       TIERD_BUS_NAME);
        if (r < 0)
                return log_error_errno(r, "Failed to acquire the bus name %s: %m", TIERD_BUS_NAME);
        r = sd_bus_attach_event(m->bus, m->event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0)
                return log_error_errno(r, "Failed to attach the bus to the event loop: %m");
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

        if (!o->no_bus) {
                r = connect_bus(m);
                if (r < 0)
                        return r;
        }

        /* systemd's RuntimeDirectory= (kept across restarts) holds the originals while knobs are changed. */
        _cleanup_free_ char *state = NULL;
        const char *rundir = getenv("RUNTIME_DIRECTORY");
        if (rundir && asprintf(&state, "%s/saved-knobs", rundir) < 0)
                return log_oom();
        r = knobs_new(m->root, state, &m->knobs);
        if (r == -EBUSY)
                return log_error_errno(r, "Another tierd holds %s, exiting without changing anything.", state);
        if (r < 0)
                return log_error_errno(r, "Failed to open %s for the kernel knobs: %m", m->root);
        (void)knobs_apply(m->knobs, m->config);

        r = manager_rescan(m, "start");
        if (r == -ENOMEM)
                return r;
        if (!m->snapshot)
                return log_error_errno(-ENOENT, "No usable topology below %s.", m->root);

        (void)manager_watch_udev(m); /* without it tierd still answers and rescans on request */
        if (m->placement_root || sysfs_root_new(m->root, NULL, &m->placement_root) >= 0)
                (void)vmstat_tiering_read(m->placement_root, &m->vmstat_at_start);
        (void)manager_placement_start(m); /* without it tierd still runs in kernel mode's terms */

        char f_gen[48], f_mode[48];
        snprintf(f_gen, sizeof f_gen, "TIERD_GENERATION=%" PRIu64, m->snapshot->generation);
        snprintf(f_mode, sizeof f_mode, "TIERD_MODE=%s", tierd_mode_to_string(m->config->mode));
        const char *fields[] = {f_gen, f_mode, NULL};
        log_struct(LOG_INFO, TIERD_MESSAGE_STARTED, fields, "tierd %s started in %s mode, %zu tiers.", TIERD_VERSION,
                   tierd_mode_to_string(m->config->mode), m->snapshot->map->n_tiers);
        sd_notify(false, "READY=1");
        manager_notify_status(m);
        return 0;
}

int manager_run(Manager *m)
{
        int r = sd_event_loop(m->event);
        const char *fields[] = {NULL};
        manager_placement_stop(m);
        int failed = knobs_restore(m->knobs);
        log_struct(LOG_INFO, TIERD_MESSAGE_STOPPED, fields, "tierd stopped.");
        if (r < 0)
                return r;
        if (failed != 0)
                return failed < 0 ? failed : -EIO;
        return 0;
}
