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
