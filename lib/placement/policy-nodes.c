/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>

#include "policy.h"

static uint64_t kb_to_bytes(uint64_t kb)
{
        return kb > UINT64_MAX / 1024 ? UINT64_MAX : kb * 1024;
}

/* The tier's position among the map's tiers, which are in ascending id (slower tiers have higher ids). */
static unsigned tier_rank(const TierMap *m, int tier)
{
        for (size_t i = 0; i < m->n_tiers; i++)
                if (m->tiers[i].id == tier)
                        return (unsigned)i;
        return (unsigned)m->n_tiers;
}

int policy_nodes_from_snapshot(const Snapshot *s, PolicyNode **ret, size_t *ret_n)
{
        const TierMap *m = s->map;
        _cleanup_free_ PolicyNode *nodes = NULL;

        nodes = calloc(MAX(m->n_nodes, (size_t)1), sizeof(PolicyNode));
        if (!nodes)
                return -ENOMEM;
        for (size_t i = 0; i < m->n_nodes; i++) {
                const NodeTier *nt = &m->nodes[i];
                const TopoNode *tn = topology_find_node(s->topology, nt->node);

                nodes[i].id = nt->node;
                if (!nt->has_memory || !tn)
                        continue;
                nodes[i].tier_rank = tier_rank(m, nt->tier);
                nodes[i].top_tier = nt->top_tier;
                nodes[i].total_bytes = kb_to_bytes(tn->mem_total_kb);
                nodes[i].free_bytes = kb_to_bytes(tn->mem_free_kb);
                nodes[i].demote_preferred = nt->demote_preferred;
                nodes[i].demote_fallback = nt->demote_fallback;
        }
        *ret_n = m->n_nodes;
        *ret = TAKE_PTR(nodes);
        return 0;
}
