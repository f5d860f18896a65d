/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The names tierd publishes on D-Bus and tierctl calls: the one contract between the two. */
#define TIERD_BUS_NAME "org.tierd.Manager1"
#define TIERD_BUS_PATH "/org/tierd/Manager1"
#define TIERD_BUS_INTERFACE "org.tierd.Manager1"
#define TIERD_BUS_ERROR_NO_SUCH_NODE "org.tierd.Manager1.NoSuchNode"
#define TIERD_BUS_ERROR_CONFIG_REJECTED "org.tierd.Manager1.ConfigRejected"
