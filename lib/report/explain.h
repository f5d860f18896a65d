/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "snapshot.h"

/*
 * The arithmetic that put one node in its tier, with the figures used and the files they came from, as text.
 * -ENOENT when the node is not online.  *ret is malloc'ed.
 */
int explain_node(const Snapshot *c, unsigned node, char **ret);
