/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

#include "memtier.h"

/* What changed between two tier maps, node by node.  Pure. */
typedef enum NodeChangeKind {
        NODE_CHANGE_ADDED,   /* gained memory (or appeared) */
        NODE_CHANGE_REMOVED, /* lost its memory (or went away) */
        NODE_CHANGE_MOVED,   /* another tier or adistance */
} NodeChangeKind;

typedef struct NodeChange {
        NodeChangeKind kind;
        unsigned node;
        int old_tier, new_tier;           /* -1: none */
        int old_adistance, new_adistance; /* -1: none */
} NodeChange;

/* old may be NULL (everything is added).  *ret is malloc'ed (NULL when nothing changed). */
int tier_map_diff(const TierMap *old, const TierMap *new, NodeChange **ret, size_t *ret_n);
