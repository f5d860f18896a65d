/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Hand-built topologies for the pure-code tests. */
#include "tests.h"
#include "topology.h"

static inline TopoNode *add_node(Topology *t, unsigned id, bool cpu, bool memory)
{
        TopoNode *n;
        ASSERT_OK(topology_add_node(t, id, cpu, memory, &n));
        if (memory)
                n->mem_total_kb = n->mem_free_kb = 1024 * 1024;
        return n;
}

/* Give node the same figures for CPU initiators (access1) and any initiator (access0). */
static inline void set_hmat(Topology *t, unsigned id, uint32_t rl, uint32_t wl, uint32_t rb, uint32_t wb)
{
        TopoNode *n = topology_find_node(t, id);
        ASSERT_TRUE(n);
        for (int c = 0; c < ACCESS_CLASSES; c++)
                n->access[c] = (AccessFigures){.present = true,
                                               .read_latency = rl,
                                               .write_latency = wl,
                                               .read_bandwidth = rb,
                                               .write_bandwidth = wb};
        t->hmat = true;
}

/* SLIT from a row-major n x n matrix, in node order. */
static inline void set_slit(Topology *t, const uint32_t *matrix)
{
        for (size_t i = 0; i < t->n_nodes; i++)
                ASSERT_OK(topology_node_set_distances(&t->nodes[i], matrix + i * t->n_nodes, t->n_nodes));
}
