/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "manager.h"
#include "tierd-bus.h"


/* Connect to the system (or user) bus, publish the object, take the name. */
int manager_bus_connect(Manager *m);
/* TierMapChanged(generation) and PropertiesChanged for the tier map properties. */
int manager_bus_emit_tier_map_changed(Manager *m);
