/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdlib.h>
#include <string.h>

#include "tierdiff.h"

/* The published view of one node; absent nodes are all "none". */
typedef struct NodeView {
        bool online, memory;
        int adistance, tier, kernel_tier;
        TierReason reason;
        DefaultCause cause;
        bool top_tier;
        NodeMask preferred, fallback;
} NodeView;

static NodeView view_of(const Snapshot *s, unsigned id)
{
        /* No reason at all, so that a node appearing differs in its reason whatever that is. */
        NodeView v = {.adistance = -1,
                      .tier = -1,
                      .kernel_tier = -1,
                      .reason = _TIER_REASON_MAX,
                      .cause = _DEFAULT_CAUSE_MAX};
        const TopoNode *n = s ? topology_find_node(s->topology, id) : NULL;
        const NodeTier *nt = s ? tier_map_find(s->map, id) : NULL;
        if (!n || !nt)
                return v;
        v.online = true;
        v.kernel_tier = n->kernel_tier;
        if (!nt->has_memory)
                return v;
        v.memory = true;
        v.adistance = nt->adistance;
        v.tier = nt->tier;
        v.reason = nt->reason;
        v.cause = nt->cause;
        v.top_tier = nt->top_tier;
        v.preferred = nt->demote_preferred;
        v.fallback = nt->demote_fallback;
        return v;
}

static unsigned fields_changed(const NodeView *a, const NodeView *b)
{
        unsigned f = 0;
        if (a->online != b->online)
                f |= NODE_FIELD_ONLINE;
        if (a->memory != b->memory)
                f |= NODE_FIELD_MEMORY;
        if (a->adistance != b->adistance)
                f |= NODE_FIELD_ADISTANCE;
        if (a->tier != b->tier)
                f |= NODE_FIELD_TIER;
        if (a->reason != b->reason || a->cause != b->cause)
                f |= NODE_FIELD_REASON;
        if (a->kernel_tier != b->kernel_tier)
                f |= NODE_FIELD_KERNEL_TIER;
        if (!nodemask_equal(&a->preferred, &b->preferred) || !nodemask_equal(&a->fallback, &b->fallback))
                f |= NODE_FIELD_DEMOTION;
        if (a->top_tier != b->top_tier)
                f |= NODE_FIELD_TOP_TIER;
        return f;
}

static NodeChangeKind kind_of(const NodeView *a, const NodeView *b)
{
        if (!a->memory && b->memory)
                return NODE_CHANGE_ADDED;
        if (a->memory && !b->memory)
                return NODE_CHANGE_REMOVED;
        if (a->memory && a->tier != b->tier)
                return NODE_CHANGE_MOVED;
        return NODE_CHANGE_UPDATED;
}

void snapshot_diff_done(SnapshotDiff *d)
{
        free(d->changes);
        *d = (SnapshotDiff){};
}

static int push(SnapshotDiff *d, size_t *allocated, NodeChange c)
{
        if (GREEDY_REALLOC(d->changes, *allocated, d->n_changes + 1) < 0)
                return -ENOMEM;
        d->changes[d->n_changes++] = c;
        return 0;
}

int snapshot_diff(const Snapshot *old, const Snapshot *new, SnapshotDiff *ret)
{
        _cleanup_(snapshot_diff_done) SnapshotDiff d = {};
        size_t allocated = 0;
        const Topology *a = old ? old->topology : NULL, *b = new->topology;

        const char *ra = a ? a->kernel_release : NULL, *rb = b->kernel_release;
        d.kernel_release = a && !(ra == rb || (ra && rb && strcmp(ra, rb) == 0));

        /* Both node lists are ascending: walk the union of ids. */
        size_t i = 0, j = 0, n_old = a ? a->n_nodes : 0;
        while (i < n_old || j < b->n_nodes) {
                unsigned id;
                if (j >= b->n_nodes || (i < n_old && a->nodes[i].id < b->nodes[j].id))
                        id = a->nodes[i++].id;
                else if (i >= n_old || b->nodes[j].id < a->nodes[i].id)
                        id = b->nodes[j++].id;
                else {
                        id = b->nodes[j].id;
                        i++, j++;
                }
                NodeView va = view_of(old, id), vb = view_of(new, id);
                unsigned fields = fields_changed(&va, &vb);
                if (fields == 0)
                        continue;
                NodeChange c = {
                        .kind = kind_of(&va, &vb),
                        .node = id,
                        .fields = fields,
                        .old_tier = va.tier,
                        .new_tier = vb.tier,
                        .old_adistance = va.adistance,
                        .new_adistance = vb.adistance,
                        .old_kernel_tier = va.kernel_tier,
                        .new_kernel_tier = vb.kernel_tier,
                };
                if (push(&d, &allocated, c) < 0)
                        return -ENOMEM;
        }
        *ret = d;
        d = (SnapshotDiff){};
        return 0;
}
