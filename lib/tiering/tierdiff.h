/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "snapshot.h"

/*
 * What changed between two snapshots in everything tierd publishes about a node (D-Bus Nodes and Tiers, the
 * journal, GetTopology's tier map), node by node.  Pure.  Whatever a consumer can see must be compared here, so
 * that nothing it shows changes without a new generation and a signal.
 */
typedef enum NodeField {
        NODE_FIELD_ONLINE = 1 << 0, /* the node appeared or went away */
        NODE_FIELD_MEMORY = 1 << 1, /* gained or lost memory */
        NODE_FIELD_ADISTANCE = 1 << 2,
        NODE_FIELD_TIER = 1 << 3,
        NODE_FIELD_REASON = 1 << 4,      /* reason or default cause */
        NODE_FIELD_KERNEL_TIER = 1 << 5, /* the running kernel's memory_tierN */
        NODE_FIELD_DEMOTION = 1 << 6,    /* preferred or fallback demotion targets */
        NODE_FIELD_TOP_TIER = 1 << 7,
} NodeField;

typedef enum NodeChangeKind {
        NODE_CHANGE_ADDED,   /* gained memory (or appeared with memory) */
        NODE_CHANGE_REMOVED, /* lost its memory (or went away with memory) */
        NODE_CHANGE_MOVED,   /* memory before and after, in another tier */
        NODE_CHANGE_UPDATED, /* anything else that is published: adistance within its tier, reason, kernel tier... */
} NodeChangeKind;

typedef struct NodeChange {
        NodeChangeKind kind;
        unsigned node;
        unsigned fields;                  /* NodeField bits */
        int old_tier, new_tier;           /* -1: none */
        int old_adistance, new_adistance; /* -1: none */
        int old_kernel_tier, new_kernel_tier;
} NodeChange;

typedef struct SnapshotDiff {
        NodeChange *changes; /* ascending node */
        size_t n_changes;
        bool kernel_release; /* the kernel release string differs */
} SnapshotDiff;

void snapshot_diff_done(SnapshotDiff *d);
static inline bool snapshot_diff_empty(const SnapshotDiff *d)
{
        return d->n_changes == 0 && !d->kernel_release;
}

/* old may be NULL: everything is new. */
int snapshot_diff(const Snapshot *old, const Snapshot *new, SnapshotDiff *ret);
