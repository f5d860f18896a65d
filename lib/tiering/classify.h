/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "memtier.h"
#include "topology.h"
#include "warning.h"

/* One complete answer for a tree: the topology, the computed tiers and every warning, in one owner. */
typedef struct Classification {
        Topology *topology;
        TierMap *map;
        WarningList warnings; /* the topology's reading problems first, then the analysis */
} Classification;

Classification *classification_free(Classification *c);
DEFINE_TRIVIAL_CLEANUP_FUNC(Classification *, classification_free);

/* Compute from an already read topology, taking ownership of it (also on failure). */
int classification_new(Topology *t, const TierOptions *options, Classification **ret);
/* Read the tree at root and classify it. */
int classification_run(const char *root, const TierOptions *options, Classification **ret);
