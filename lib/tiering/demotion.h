/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "memtier.h"
#include "topology.h"

/*
 * Demotion targets and the top-tier boundary, as establish_demotion_targets() in mm/memory-tiers.c sets them:
 * preferred = the nodes of the next lower tier nearest by SLIT (ties kept, in the kernel's own search order),
 * fallback = every memory node of every lower tier.  Pure.
 */
int demotion_establish(const Topology *t, TierMap *m);

/*
 * The kernel's find_next_best_node(): the memory node not in *used that is nearest to node, penalising
 * lower-numbered nodes and nodes with CPUs, ties broken by node_load.  Marks it used; -1 when none is left.
 */
int demotion_next_best_node(const Topology *t, unsigned node, NodeMask *used, const int *node_load);
/* node_load[] as the last build_all_zonelists() leaves it (NODEMASK_MAX entries). */
int demotion_node_load(const Topology *t, int *node_load);
