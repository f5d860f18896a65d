/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "manager.h"
#include "tierd-bus.h"

/* Publish org.tierd.Manager1 on the manager's bus connection. */
int manager_bus_add_object(Manager *m);
