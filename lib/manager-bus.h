/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "manager.h"

#define TIERD_BUS_NAME "org.tierd.Manager1"
#define TIERD_BUS_PATH "/org/tierd/Manager1"
#define TIERD_BUS_INTERFACE "org.tierd.Manager1"
#define TIERD_BUS_ERROR_NO_SUCH_NODE "org.tierd.Manager1.NoSuchNode"
#define TIERD_BUS_ERROR_CONFIG_REJECTED "org.tierd.Manager1.ConfigRejected"

/* Connect to the system (or user) bus, publish the object, take the name. */
int manager_bus_connect(Manager *m);
/* TierMapChanged(generation) and PropertiesChanged for the tier map properties. */
int manager_bus_emit_tier_map_changed(Manager *m);
