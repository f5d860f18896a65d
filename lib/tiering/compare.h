/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "memtier.h"
#include "topology.h"
#include "warning.h"

/*
 * What deserves a warning about a computed TierMap: the HMAT reference switching the algorithm off, CPU-less
 * nodes left in the DRAM tier for lack of figures, and every node the running kernel tiered differently,
 * with the likely cause (a kernel before 6.10, 32-bit adistance overflow, kmem memory inside a DRAM node, an
 * override).  Appends to out; -ENOMEM is the only failure.
 */
int compare_collect_warnings(const Topology *t, const TierMap *m, WarningList *out);
