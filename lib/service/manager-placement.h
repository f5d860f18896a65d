/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

#include "manager.h"

/* Migrate mode's placement on the manager's loop; all do nothing in the other modes. */
int manager_placement_start(Manager *m);
/* Stops every job and the kdamond tierd started; safe to call more than once. */
void manager_placement_stop(Manager *m);
/* After a reload: starts, stops, or takes the new settings while keeping the placer's state. */
int manager_placement_reload(Manager *m);
/* GetStats(): placement's statistics and the kernel's own promotion and demotion since tierd started. */
int manager_placement_stats_json(Manager *m, char **ret);
/* MigrateProcess(): runs the job on the loop and replies with its JSON stats when it ends.  Returns 1 (the reply
 * comes later), or an error set in error. */
int manager_placement_migrate_process(Manager *m, sd_bus_message *call, pid_t pid, int node, uint32_t rate_mbps,
                                      sd_bus_error *error);
