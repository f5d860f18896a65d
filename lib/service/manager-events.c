/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The udev monitor and the debounce timer: a burst of uevents becomes one rescan after the last of them. */
#include <string.h>
#include <sys/epoll.h>

#include "log.h"
#include "manager.h"

/* Subsystems whose uevents can change the tier map. */
static const char *const watched_subsystems[] = {"memory", "node", "memory_tiering", "dax", "cxl"};

static bool watched(const char *subsystem)
{
        for (size_t i = 0; subsystem && i < ELEMENTSOF(watched_subsystems); i++)
                if (strcmp(subsystem, watched_subsystems[i]) == 0)
                        return true;
        return false;
}

static int on_debounce(sd_event_source *s, uint64_t usec, void *userdata)
{
        (void)manager_rescan(userdata, "uevents");
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

int manager_watch_udev(Manager *m)
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
