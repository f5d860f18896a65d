/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <libudev.h>
#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "config.h"
#include "knobs.h"
#include "placement-output.h"
#include "placer.h"
#include "macro.h"
#include "snapshot.h"
#include "tierdiff.h"

/*
 * tierd's state.  One sd-event loop carries everything: the libudev monitor and the debounce timer that turns a
 * burst of uevents into one rescan (manager-events.c), SIGTERM/SIGINT (exit), SIGHUP (reload), the watchdog, and
 * the D-Bus connection, which the manager owns (manager.c) and on which manager-bus.c publishes the object.
 * Rescans build a new snapshot, diff it against the published one and publish the difference
 * (manager-publish.c).  Nothing wakes up while nothing happens.
 */
typedef struct Manager {
        sd_event *event;
        sd_bus *bus;
        sd_bus_slot *object_slot, *filter_slot;
        struct udev *udev;
        struct udev_monitor *monitor;
        sd_event_source *monitor_source, *debounce_source;

        char *root;        /* sysfs/procfs root ("/" normally) */
        char *config_path; /* NULL: the default */
        bool user_bus;     /* session bus, no root check: tests */

        Config *config;
        Knobs *knobs;
        Snapshot *snapshot; /* the published one; its generation is the bus's TierMapGeneration */
        uint64_t rescans;
        uint64_t uevents; /* relevant uevents seen, for status and tests */

        /* migrate mode (manager-placement.c) */
        SysfsRoot *placement_root;
        Placer *placer;
        sd_event_source *placement_cycle_source, *placement_step_source;
        sd_event_source *placement_reading_source; /* while a cycle reads DAMON */
        VmstatTiering vmstat_at_start;
        PlacerCounts summary_base; /* totals at the last summary record */
        uint64_t summary_cycles, summary_usec;
        struct ProcessMigration *migrations; /* MigrateProcess() calls being carried out */
} Manager;

typedef struct ManagerOptions {
        const char *root;
        const char *config_path;
        bool user_bus;
        bool no_bus; /* run without D-Bus (tests of the loop alone) */
} ManagerOptions;

int manager_new(const ManagerOptions *o, Manager **ret);
Manager *manager_free(Manager *m);
DEFINE_TRIVIAL_CLEANUP_FUNC(Manager *, manager_free);

/*
 * Load the configuration, take the bus name, then (and only then, so that a second instance changes nothing)
 * apply the knobs, scan, watch udev and announce READY.  Refuses to start on a bad configuration.
 */
int manager_start(Manager *m, const ManagerOptions *o);
/* Run until a signal or a lost bus connection; restores the knobs.  Negative when tierd should exit non-zero
 * (the loop failed, the bus went away, a knob could not be restored). */
int manager_run(Manager *m);

/* Rediscover and recompute now; publishes (logs, signals) whatever changed.  why is for the log. */
int manager_rescan(Manager *m, const char *why);
/* Re-read the configuration; a bad one is rejected (logged, *ret_error set) and the old one stays. */
int manager_reload(Manager *m, char **ret_error);

/* Tier options derived from the configuration (overrides). */
TierOptions manager_tier_options(const Manager *m);
void manager_notify_status(Manager *m);

/* manager-events.c */
int manager_watch_udev(Manager *m);
