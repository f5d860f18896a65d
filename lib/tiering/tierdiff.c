/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdlib.h>

#include "tierdiff.h"

static const NodeTier *memory_node(const TierMap *m, unsigned node)
{
        const NodeTier *nt = m ? tier_map_find(m, node) : NULL;
        return nt && nt->has_memory ? nt : NULL;
}

static int push(NodeChange **v, size_t *n, size_t *allocated, NodeChange c)
{
        if (GREEDY_REALLOC(*v, *allocated, *n + 1) < 0)
                return -ENOMEM;
        (*v)[(*n)++] = c;
        return 0;
}

int tier_map_diff(const TierMap *old, const TierMap *new, NodeChange **ret, size_t *ret_n)
{
        _cleanup_free_ NodeChange *v = NULL;
        size_t n = 0, allocated = 0;

        /* Both node lists are ascending: walk the union of ids. */
        size_t i = 0, j = 0, n_old = old ? old->n_nodes : 0;
        while (i < n_old || j < new->n_nodes) {
                unsigned id;
                if (j >= new->n_nodes || (i < n_old && old->nodes[i].node < new->nodes[j].node))
                        id = old->nodes[i++].node;
                else if (i >= n_old || new->nodes[j].node < old->nodes[i].node)
                        id = new->nodes[j++].node;
                else {
                        id = new->nodes[j].node;
                        i++, j++;
                }
                const NodeTier *a = memory_node(old, id), *b = memory_node(new, id);
                NodeChange c = {
                        .node = id,
                        .old_tier = a ? a->tier : -1,
                        .new_tier = b ? b->tier : -1,
                        .old_adistance = a ? a->adistance : -1,
                        .new_adistance = b ? b->adistance : -1,
                };
                if (!a && !b)
                        continue;
                if (!a)
                        c.kind = NODE_CHANGE_ADDED;
                else if (!b)
                        c.kind = NODE_CHANGE_REMOVED;
                else if (a->tier != b->tier || a->adistance != b->adistance)
                        c.kind = NODE_CHANGE_MOVED;
                else
                        continue;
                if (push(&v, &n, &allocated, c) < 0)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(v);
        *ret_n = n;
        return 0;
}
