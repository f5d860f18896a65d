/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Demotion targets: the worked examples above node_demotion[] in mm/memory-tiers.c, and a property test of the
 * fast search order against a literal transcription of the kernel's loops. */
#include <stdarg.h>
#include <stdlib.h>

#include "demotion.h"
#include "memtier.h"
#include "topo-builder.h"

static NodeMask mask_of(int n, ...)
{
        NodeMask m = NODEMASK_EMPTY;
        va_list ap;
        va_start(ap, n);
        for (int i = 0; i < n; i++)
                nodemask_set(&m, (unsigned)va_arg(ap, int));
        va_end(ap);
        return m;
}

static void assert_preferred(const TierMap *m, unsigned node, NodeMask expected)
{
        const NodeTier *nt = tier_map_find(m, node);
        ASSERT_TRUE(nt);
        if (!nodemask_equal(&nt->demote_preferred, &expected)) {
                char *got = nodemask_format(&nt->demote_preferred), *want = nodemask_format(&expected);
                fprintf(stderr, "node %u: preferred '%s', expected '%s'\n", node, got, want);
                free(got);
                free(want);
                ASSERT_TRUE(false);
        }
}

/* Example 1: nodes 0,1 CPU+DRAM, nodes 2,3 PMEM (dax/kmem, no HMAT). */
TEST(kernel_example_1)
{
        static const uint32_t slit[] = {10, 20, 30, 40, 20, 10, 40, 30, 30, 40, 10, 40, 40, 30, 40, 10};
        _cleanup_(topology_freep) Topology *t = topology_new();
        _cleanup_(tier_map_freep) TierMap *m = NULL;
        add_node(t, 0, true, true);
        add_node(t, 1, true, true);
        for (unsigned id = 2; id <= 3; id++) {
                TopoNode *n = add_node(t, id, false, true);
                n->dax_kmem = true;
        }
        set_slit(t, slit);
        ASSERT_OK(tier_map_compute(t, NULL, &m));
        ASSERT_EQ(m->n_tiers, 2);
        assert_preferred(m, 0, mask_of(1, 2));
        assert_preferred(m, 1, mask_of(1, 3));
        assert_preferred(m, 2, NODEMASK_EMPTY);
        assert_preferred(m, 3, NODEMASK_EMPTY);
        NodeMask fallback = mask_of(2, 2, 3);
        ASSERT_TRUE(nodemask_equal(&tier_map_find(m, 0)->demote_fallback, &fallback));
}

/* Example 2: node 2 is memory-only DRAM: one tier, no demotion. */
TEST(kernel_example_2)
{
        static const uint32_t slit[] = {10, 20, 30, 20, 10, 30, 30, 30, 10};
        _cleanup_(topology_freep) Topology *t = topology_new();
        _cleanup_(tier_map_freep) TierMap *m = NULL;
        add_node(t, 0, true, true);
        add_node(t, 1, true, true);
        add_node(t, 2, false, true);
        set_slit(t, slit);
        ASSERT_OK(tier_map_compute(t, NULL, &m));
        ASSERT_EQ(m->n_tiers, 1);
        for (unsigned id = 0; id <= 2; id++)
                assert_preferred(m, id, NODEMASK_EMPTY);
}

/* Example 3: node 0 CPU+DRAM, node 1 HBM (faster), node 2 PMEM. */
TEST(kernel_example_3)
{
        static const uint32_t slit[] = {10, 20, 30, 20, 10, 40, 30, 40, 10};
        _cleanup_(topology_freep) Topology *t = topology_new();
        _cleanup_(tier_map_freep) TierMap *m = NULL;
        add_node(t, 0, true, true);
        add_node(t, 1, false, true);
        TopoNode *pmem = add_node(t, 2, false, true);
        pmem->dax_kmem = true;
        set_slit(t, slit);
        set_hmat(t, 0, 100, 100, 100000, 100000);
        set_hmat(t, 1, 100, 100, 400000, 400000);
        ASSERT_OK(tier_map_compute(t, NULL, &m));
        ASSERT_EQ(m->n_tiers, 3);
        ASSERT_EQ(tier_map_find(m, 1)->tier, 1);
        ASSERT_EQ(tier_map_find(m, 0)->tier, 4);
        ASSERT_EQ(tier_map_find(m, 2)->tier, 22);
        assert_preferred(m, 0, mask_of(1, 2));
        assert_preferred(m, 1, mask_of(1, 0));
        assert_preferred(m, 2, NODEMASK_EMPTY);
        ASSERT_TRUE(tier_map_find(m, 1)->top_tier && tier_map_find(m, 0)->top_tier);
        ASSERT_TRUE(!tier_map_find(m, 2)->top_tier);
}

/* Equidistant targets of the next tier are all preferred. */
TEST(ties_are_kept)
{
        static const uint32_t slit[] = {10, 20, 20, 20, 10, 30, 20, 30, 10};
        _cleanup_(topology_freep) Topology *t = topology_new();
        _cleanup_(tier_map_freep) TierMap *m = NULL;
        add_node(t, 0, true, true);
        for (unsigned id = 1; id <= 2; id++)
                add_node(t, id, false, true)->dax_kmem = true;
        set_slit(t, slit);
        ASSERT_OK(tier_map_compute(t, NULL, &m));
        assert_preferred(m, 0, mask_of(2, 1, 2));
}

/*
 * find_next_best_node() penalises lower-numbered nodes by one, so a nearer target below can lose to a
 * farther one above; the preferred set then holds only the farther node.  Reproduce that quirk.
 */
TEST(penalty_for_lower_node)
{
        /* Node 2 (CPU+DRAM) demotes to tier-22 nodes 1 (distance 20, below it) and 3 (distance 21). */
        static const uint32_t slit[] = {10, 30, 20, 30, 30, 10, 20, 30, 20, 20, 10, 21, 30, 30, 21, 10};
        _cleanup_(topology_freep) Topology *t = topology_new();
        _cleanup_(tier_map_freep) TierMap *m = NULL;
        add_node(t, 0, true, true);
        add_node(t, 1, false, true)->dax_kmem = true;
        add_node(t, 2, true, true);
        add_node(t, 3, false, true)->dax_kmem = true;
        set_slit(t, slit);
        ASSERT_OK(tier_map_compute(t, NULL, &m));
        /* keys: node 1 = 20 + 1 (below) = 21, node 3 = 21; tie broken by node_load, then by id. */
        NodeMask got = tier_map_find(m, 2)->demote_preferred;
        ASSERT_EQ(nodemask_weight(&got), 1);
}

/* The kernel's loops, transcribed literally: build_all_zonelists() for node_load, then the preferred search. */
static void reference_preferred(const Topology *t, const TierMap *m, unsigned node, NodeMask *ret)
{
        int load[NODEMASK_MAX] = {0};
        for (size_t i = 0; i < t->n_nodes; i++) {
                unsigned local = t->nodes[i].id, prev = local;
                NodeMask used = NODEMASK_EMPTY;
                int n;
                while ((n = demotion_next_best_node(t, local, &used, load)) >= 0) {
                        if (topology_distance(t, local, (unsigned)n) != topology_distance(t, local, prev))
                                load[n]++;
                        prev = (unsigned)n;
                }
        }

        *ret = NODEMASK_EMPTY;
        const NodeTier *nt = tier_map_find(m, node);
        size_t g = 0;
        while (g < m->n_tiers && m->tiers[g].id != nt->tier)
                g++;
        if (g + 1 >= m->n_tiers)
                return;
        NodeMask memory = NODEMASK_EMPTY;
        for (size_t i = 0; i < t->n_nodes; i++)
                if (t->nodes[i].has_memory)
                        nodemask_set(&memory, t->nodes[i].id);
        NodeMask used = nodemask_andnot(&memory, &m->tiers[g + 1].nodes);
        int best = -1, target;
        while ((target = demotion_next_best_node(t, node, &used, load)) >= 0) {
                int d = (int)topology_distance(t, node, (unsigned)target);
                if (best != -1 && d != best)
                        break;
                best = d;
                nodemask_set(ret, (unsigned)target);
        }
}

TEST(fast_order_matches_kernel_loops)
{
        srand(4242);
        for (int round = 0; round < 400; round++) {
                _cleanup_(topology_freep) Topology *t = topology_new();
                _cleanup_(tier_map_freep) TierMap *m = NULL;
                unsigned n = 2 + (unsigned)(rand() % 11), id = 0;
                for (unsigned i = 0; i < n; i++) {
                        id += 1 + (unsigned)(rand() % 2); /* sparse ids */
                        bool cpu = i == 0 || rand() % 3 == 0;
                        bool mem = !cpu || rand() % 5 != 0;
                        TopoNode *node = add_node(t, id, cpu, mem);
                        node->dax_kmem = !cpu && rand() % 2;
                }
                /* Few distinct distances, so that ties and the penalties matter. */
                uint32_t *slit = calloc((size_t)n * n, sizeof(uint32_t));
                ASSERT_TRUE(slit);
                for (unsigned i = 0; i < n; i++)
                        for (unsigned j = 0; j < n; j++)
                                slit[i * n + j] = i == j ? 10 : (uint32_t)(20 + rand() % 4);
                set_slit(t, slit);
                free(slit);
                ASSERT_OK(tier_map_compute(t, NULL, &m));
                for (size_t i = 0; i < t->n_nodes; i++) {
                        if (!t->nodes[i].has_memory)
                                continue;
                        NodeMask want;
                        reference_preferred(t, m, t->nodes[i].id, &want);
                        assert_preferred(m, t->nodes[i].id, want);
                }
        }
}

TESTS_MAIN(TEST_ENTRY(kernel_example_1), TEST_ENTRY(kernel_example_2), TEST_ENTRY(kernel_example_3),
           TEST_ENTRY(ties_are_kept), TEST_ENTRY(penalty_for_lower_node), TEST_ENTRY(fast_order_matches_kernel_loops))
