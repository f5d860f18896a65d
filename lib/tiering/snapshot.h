/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>

#include "memtier.h"
#include "topology.h"
#include "warning.h"

/*
 * One complete answer for a tree: the topology, the computed tiers with their demotion targets, and every
 * warning.  It owns all of its inputs (the overrides too), never changes once built, and is reference counted: a
 * rescan builds a new one and swaps it in, while a long-running consumer (a migration batch, a reply being
 * written) keeps the one it started with.
 */
typedef struct Snapshot {
        unsigned n_ref;
        uint64_t generation; /* set by the publisher before it shares the snapshot; 0 otherwise */
        char *root;          /* the tree it was read from, NULL: built in memory */
        Topology *topology;
        TierMap *map;
        WarningList warnings; /* the topology's reading problems first, then the analysis */
} Snapshot;

Snapshot *snapshot_ref(Snapshot *s);
Snapshot *snapshot_unref(Snapshot *s);
DEFINE_TRIVIAL_CLEANUP_FUNC(Snapshot *, snapshot_unref);

/* Compute from an already read topology, taking ownership of it (also on failure). */
int snapshot_new(Topology *t, const TierOptions *options, Snapshot **ret);
/* Read the tree at root and compute. */
int snapshot_read(const char *root, const TierOptions *options, Snapshot **ret);

/* A path of the tree as a person would look for it: "/sys/..." live, "ROOT/sys/..." for a replayed tree. */
int snapshot_path(const Snapshot *s, const char *relative, char **ret);
