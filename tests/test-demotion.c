/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Demotion targets: the worked examples above node_demotion[] in mm/memory-tiers.c, and a property test of the
 * library's linear-time search order against an independent, literal transcription of the kernel's loops
 * (find_next_best_node(), build_zonelists()' node_load, establish_demotion_targets()) that shares no code with
 * lib/tiering/demotion.c. */
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>

#include "demotion.h"
#include "memtier.h"
#include "topo-builder.h"

static void compute(Topology *t, TierMap **m)
{
        ASSERT_OK(tier_map_compute(t, NULL, m));
        ASSERT_OK(demotion_establish(t, *m));
}

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
        compute(t, &m);
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
        compute(t, &m);
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
        compute(t, &m);
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

/* Preferred targets come from the next tier only, even when a node of a slower tier is nearer by SLIT. */
TEST(next_tier_only)
{
        static const uint32_t slit[] = {10, 30, 20, 30, 10, 30, 20, 30, 10};
        _cleanup_(topology_freep) Topology *t = topology_new();
        _cleanup_(tier_map_freep) TierMap *m = NULL;
        add_node(t, 0, true, true);
        add_node(t, 1, false, true);
        add_node(t, 2, false, true);
        set_slit(t, slit);
        const TierOverride ov[] = {{.node = 1, .by_tier = true, .value = 10},
                                   {.node = 2, .by_tier = true, .value = 20}};
        TierOptions o = {.overrides = ov, .n_overrides = ELEMENTSOF(ov)};
        ASSERT_OK(tier_map_compute(t, &o, &m));
        ASSERT_OK(demotion_establish(t, m));
        ASSERT_EQ(m->n_tiers, 3);
        assert_preferred(m, 0, mask_of(1, 1)); /* node 2 is nearer (20 < 30) but two tiers down */
        assert_preferred(m, 1, mask_of(1, 2));
        NodeMask fallback = mask_of(2, 1, 2);
        ASSERT_TRUE(nodemask_equal(&tier_map_find(m, 0)->demote_fallback, &fallback));
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
        compute(t, &m);
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
        compute(t, &m);
        /* keys: node 1 = 20 + 1 (below) = 21, node 3 = 21; tie broken by node_load, then by id. */
        NodeMask got = tier_map_find(m, 2)->demote_preferred;
        ASSERT_EQ(nodemask_weight(&got), 1);
}

#define MODEL_IDS 128

/* What the kernel's loops see: the SLIT as a matrix by node id, the N_MEMORY and CPU masks, node_load[]. */
typedef struct KernelModel {
        unsigned n_ids;        /* ids 0 .. n_ids - 1; absent ones have no memory and no CPUs */
        const uint32_t *by_id; /* n_ids x n_ids, distance[from * n_ids + to] */
        bool memory[MODEL_IDS], cpus[MODEL_IDS];
        int node_load[MODEL_IDS];
} KernelModel;

static int ref_distance(const KernelModel *k, int from, int to)
{
        return (int)k->by_id[(unsigned)from * k->n_ids + (unsigned)to];
}

/*
 * find_next_best_node() of mm/page_alloc.c, line by line, as of 6.6 ("mm: page_alloc: skip memoryless nodes
 * entirely"): a memoryless local node is not returned first.  Before, it was returned (and marked used) without
 * any node_load change, so build_zonelists()' loads come out the same either way.
 */
static int ref_find_next_best_node(KernelModel *k, int node, bool *used)
{
        int min_val = INT_MAX, best_node = -1;
        if (!used[node] && k->memory[node]) {
                used[node] = true;
                return node;
        }
        for (int n = 0; n < (int)k->n_ids; n++) {
                if (!k->memory[n] || used[n])
                        continue;
                int val = ref_distance(k, node, n);
                val += (n < node);
                if (k->cpus[n])
                        val += 1; /* PENALTY_FOR_NODE_WITH_CPUS */
                val *= 1024;      /* MAX_NUMNODES */
                val += k->node_load[n];
                if (val < min_val) {
                        min_val = val;
                        best_node = n;
                }
        }
        if (best_node >= 0)
                used[best_node] = true;
        return best_node;
}

/* build_all_zonelists(): every online node's build_zonelists() in turn, bumping node_load. */
static void ref_build_node_load(KernelModel *k, const Topology *t)
{
        memset(k->node_load, 0, sizeof(k->node_load));
        for (size_t i = 0; i < t->n_nodes; i++) {
                int local = (int)t->nodes[i].id, prev = local, node;
                bool used[MODEL_IDS] = {false};
                while ((node = ref_find_next_best_node(k, local, used)) >= 0) {
                        if (ref_distance(k, local, node) != ref_distance(k, local, prev))
                                k->node_load[node] += 1;
                        prev = node;
                }
        }
}

/* establish_demotion_targets(): the preferred set of one node, given the nodes of the next lower tier. */
static NodeMask ref_preferred(KernelModel *k, int node, const NodeMask *next_tier)
{
        NodeMask preferred = NODEMASK_EMPTY;
        bool used[MODEL_IDS];
        for (int n = 0; n < MODEL_IDS; n++)
                used[n] = k->memory[n] && !nodemask_test(next_tier, (unsigned)n);
        int best_distance = -1;
        for (;;) {
                int target = ref_find_next_best_node(k, node, used);
                if (target < 0)
                        break;
                int distance = ref_distance(k, node, target);
                if (distance != best_distance && best_distance != -1)
                        break;
                best_distance = distance;
                nodemask_set(&preferred, (unsigned)target);
        }
        return preferred;
}

TEST(fast_order_matches_kernel_loops)
{
        srand(4242);
        for (int round = 0; round < 400; round++) {
                _cleanup_(topology_freep) Topology *t = topology_new();
                _cleanup_(tier_map_freep) TierMap *m = NULL;
                KernelModel k = {0};
                /* Every tenth host is large: more than 32 candidates take the counting-sort path. */
                unsigned n = round % 10 == 0 ? 34 + (unsigned)(rand() % 20) : 2 + (unsigned)(rand() % 11);
                unsigned id = 0, ids[64];
                for (unsigned i = 0; i < n; i++) {
                        id += 1 + (unsigned)(rand() % 2); /* sparse ids */
                        ids[i] = id;
                        bool cpu = i == 0 || rand() % 3 == 0;
                        bool mem = !cpu || rand() % 5 != 0;
                        TopoNode *node = add_node(t, id, cpu, mem);
                        node->dax_kmem = !cpu && rand() % 2;
                        k.memory[id] = mem;
                        k.cpus[id] = cpu;
                }
                /* Few distinct distances, so that ties and the penalties matter. */
                uint32_t *slit = calloc((size_t)n * n, sizeof(uint32_t));
                k.n_ids = id + 1;
                uint32_t *by_id = calloc((size_t)k.n_ids * k.n_ids, sizeof(uint32_t));
                ASSERT_TRUE(slit && by_id);
                for (unsigned i = 0; i < n; i++)
                        for (unsigned j = 0; j < n; j++) {
                                slit[i * n + j] = i == j ? 10 : (uint32_t)(20 + rand() % 4);
                                by_id[ids[i] * k.n_ids + ids[j]] = slit[i * n + j];
                        }
                k.by_id = by_id;
                set_slit(t, slit);
                free(slit);
                compute(t, &m);
                ref_build_node_load(&k, t);
                for (size_t i = 0; i < m->n_tiers; i++)
                        NODEMASK_FOREACH (node, &m->tiers[i].nodes) {
                                NodeMask want = NODEMASK_EMPTY, lower = NODEMASK_EMPTY;
                                if (i + 1 < m->n_tiers)
                                        want = ref_preferred(&k, node, &m->tiers[i + 1].nodes);
                                assert_preferred(m, (unsigned)node, want);
                                /* lower_tier_mask: every memory node of every later tier. */
                                for (size_t j = i + 1; j < m->n_tiers; j++)
                                        NODEMASK_FOREACH (l, &m->tiers[j].nodes)
                                                nodemask_set(&lower, (unsigned)l);
                                ASSERT_TRUE(nodemask_equal(&tier_map_find(m, (unsigned)node)->demote_fallback, &lower));
                        }
                free(by_id);
        }
}

TESTS_MAIN(TEST_ENTRY(kernel_example_1), TEST_ENTRY(kernel_example_2), TEST_ENTRY(kernel_example_3),
           TEST_ENTRY(next_tier_only), TEST_ENTRY(ties_are_kept), TEST_ENTRY(penalty_for_lower_node),
           TEST_ENTRY(fast_order_matches_kernel_loops))
