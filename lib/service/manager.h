/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <libudev.h>
#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "classify.h"
#include "config.h"
#include "knobs.h"
#include "macro.h"

/*
 * tierd's state and event sources: one sd-event loop with a libudev monitor (memory, node, memory_tiering, dax,
 * cxl), a debounce timer that turns a burst of uevents into one rescan, SIGTERM/SIGINT (exit), SIGHUP (reload),
 * the watchdog, and the D-Bus connection (manager-bus.c).  Nothing wakes up while nothing happens.
 */
typedef struct Manager {
        sd_event *event;
        sd_bus *bus;
        sd_bus_slot *bus_slot;
        struct udev *udev;
        struct udev_monitor *monitor;
        sd_event_source *monitor_source, *debounce_source;

        char *root;        /* sysfs/procfs root ("/" normally) */
        char *config_path; /* NULL: the default */
        bool user_bus;     /* session bus, no root check: tests */

        Config *config;
        Knobs *knobs;
        Classification *classification;
        uint64_t generation; /* bumped whenever the tier map changes */
        uint64_t rescans;
        uint64_t uevents; /* relevant uevents seen, for status and tests */
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

/* Load the configuration (refusing to start on a bad one), apply the knobs, scan, connect, announce READY. */
int manager_start(Manager *m, const ManagerOptions *o);
int manager_run(Manager *m);

/* Rediscover and recompute now; logs and signals a changed tier map.  why is for the log. */
int manager_rescan(Manager *m, const char *why);
/* Re-read the configuration; a bad one is rejected (logged, *ret_error set) and the old one stays. */
int manager_reload(Manager *m, char **ret_error);

/* Tier options derived from the configuration (overrides). */
TierOptions manager_tier_options(const Manager *m);
