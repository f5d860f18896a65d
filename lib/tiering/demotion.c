/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "demotion.h"

/* page_alloc.c's PENALTY_FOR_NODE_WITH_CPUS. */
#define PENALTY_FOR_NODE_WITH_CPUS 1

static uint32_t distance_at(const Topology *t, size_t from, size_t to)
{
        const TopoNode *n = &t->nodes[from];
        return to < n->n_distance ? n->distance[to] : 0;
}

/* find_next_best_node()'s value without node_load: distance, +1 below us, +1 for a node with CPUs. */
static int search_key(const Topology *t, size_t from, size_t to)
{
        return (int)distance_at(t, from, to) + (t->nodes[to].id < t->nodes[from].id) +
               (t->nodes[to].has_cpu ? PENALTY_FOR_NODE_WITH_CPUS : 0);
}

typedef struct Candidate {
        size_t pos;
        int key, load;
} Candidate;

/*
 * Order candidates the way repeated find_next_best_node() calls would return them.  Within one search only the
 * returned node's load changes, and it is out of the race by then, so the order is a plain sort by (key, load,
 * id).  Candidates arrive in ascending id order; two stable counting sorts (by load, then by key) keep that as
 * the last tie-breaker in linear time.  Keys are a SLIT distance plus at most two; loads are below the node
 * count.
 */
typedef struct CandidateSorter {
        Candidate *scratch;
        size_t *count;
        size_t range; /* count[] holds range + 1 entries */
} CandidateSorter;

static void counting_pass(const Candidate *in, Candidate *out, size_t n, size_t *count, size_t range, bool by_key)
{
        memset(count, 0, (range + 1) * sizeof(size_t));
        for (size_t i = 0; i < n; i++)
                count[(size_t)(by_key ? in[i].key : in[i].load) + 1]++;
        for (size_t k = 1; k <= range; k++)
                count[k] += count[k - 1];
        for (size_t i = 0; i < n; i++)
                out[count[(size_t)(by_key ? in[i].key : in[i].load)]++] = in[i];
}

static void sort_candidates(Candidate *c, size_t n, CandidateSorter *s)
{
        if (n <= 32) { /* small: a stable insertion sort beats clearing the counters */
                for (size_t i = 1; i < n; i++) {
                        Candidate x = c[i];
                        size_t j = i;
                        while (j > 0 && (c[j - 1].key > x.key || (c[j - 1].key == x.key && c[j - 1].load > x.load))) {
                                c[j] = c[j - 1];
                                j--;
                        }
                        c[j] = x;
                }
                return;
        }
        counting_pass(c, s->scratch, n, s->count, s->range, false);
        counting_pass(s->scratch, c, n, s->count, s->range, true);
}

static int candidate_sorter_init(CandidateSorter *s, size_t n_nodes)
{
        /* Keys are at most 255 + 2; loads at most one bump per node and build. */
        s->range = MAX(n_nodes + 1, (size_t)258);
        s->scratch = calloc(MAX(n_nodes, (size_t)1), sizeof(Candidate));
        s->count = calloc(s->range + 1, sizeof(size_t));
        if (!s->scratch || !s->count) {
                free(s->scratch);
                free(s->count);
                return -ENOMEM;
        }
        return 0;
}

static void candidate_sorter_done(CandidateSorter *s)
{
        free(s->scratch);
        free(s->count);
}

static int demotion_node_load(const Topology *t, int *node_load)
{
        /*
         * build_all_zonelists() zeroes node_load and builds every node's fallback list in turn, bumping the first
         * node of each new distance group.  Only online nodes are visible in sysfs; possible-but-offline ones
         * would take part too, which can only shift exact ties.
         */
        memset(node_load, 0, NODEMASK_MAX * sizeof(int));
        CandidateSorter sorter;
        Candidate *c = calloc(MAX(t->n_nodes, (size_t)1), sizeof(Candidate));
        if (!c || candidate_sorter_init(&sorter, t->n_nodes) < 0) {
                free(c);
                return -ENOMEM;
        }
        for (size_t local = 0; local < t->n_nodes; local++) {
                size_t n = 0;
                for (size_t i = 0; i < t->n_nodes; i++)
                        if (t->nodes[i].has_memory && i != local)
                                c[n++] = (Candidate){i, search_key(t, local, i), node_load[t->nodes[i].id]};
                sort_candidates(c, n, &sorter);

                /* A local node with memory comes first and is never bumped; a memoryless one is not listed. */
                size_t prev = local;
                for (size_t i = 0; i < n; i++) {
                        if (distance_at(t, local, c[i].pos) != distance_at(t, local, prev))
                                node_load[t->nodes[c[i].pos].id] += 1;
                        prev = c[i].pos;
                }
        }
        candidate_sorter_done(&sorter);
        free(c);
        return 0;
}

int demotion_establish(const Topology *t, TierMap *m)
{
        int node_load[NODEMASK_MAX];
        NodeMask cpus = NODEMASK_EMPTY, memory = NODEMASK_EMPTY;

        for (size_t i = 0; i < t->n_nodes; i++) {
                if (t->nodes[i].has_cpu)
                        nodemask_set(&cpus, t->nodes[i].id);
                if (t->nodes[i].has_memory)
                        nodemask_set(&memory, t->nodes[i].id);
        }
        int k = demotion_node_load(t, node_load);
        if (k < 0)
                return k;

        /* The search works on topology positions (SLIT rows are by position); map each to its tier entry. */
        _cleanup_free_ NodeTier **at = calloc(MAX(t->n_nodes, (size_t)1), sizeof(NodeTier *));
        if (!at)
                return -ENOMEM;
        for (size_t i = 0; i < t->n_nodes; i++) {
                NodeTier *nt = tier_map_find_mutable(m, t->nodes[i].id);
                at[i] = nt && nt->has_memory ? nt : NULL;
        }

        CandidateSorter sorter;
        _cleanup_free_ Candidate *c = calloc(MAX(t->n_nodes, (size_t)1), sizeof(Candidate));
        if (!c || candidate_sorter_init(&sorter, t->n_nodes) < 0)
                return -ENOMEM;
        for (size_t i = 0; i < t->n_nodes; i++) {
                NodeTier *nt = at[i];
                if (!nt)
                        continue;
                nt->demote_preferred = NODEMASK_EMPTY;
                size_t g = 0;
                while (g < m->n_tiers && m->tiers[g].id != nt->tier)
                        g++;
                if (g + 1 >= m->n_tiers)
                        continue; /* last tier: nowhere to demote to */

                size_t n = 0;
                for (size_t j = 0; j < t->n_nodes; j++)
                        if (at[j] && at[j]->tier == m->tiers[g + 1].id)
                                c[n++] = (Candidate){j, search_key(t, i, j), node_load[t->nodes[j].id]};
                sort_candidates(c, n, &sorter);
                for (size_t j = 0; j < n && distance_at(t, i, c[j].pos) == distance_at(t, i, c[0].pos); j++)
                        nodemask_set(&nt->demote_preferred, t->nodes[c[j].pos].id);
        }
        candidate_sorter_done(&sorter);

        /* Top tier: up to and including the slowest tier that holds a node with CPUs.  In 64 bits: the last
         * adistance of the highest tier id is INT_MAX, one more would overflow. */
        m->top_tier_adistance = 0;
        for (size_t g = m->n_tiers; g-- > 0;) {
                NodeMask with_cpus = nodemask_and(&m->tiers[g].nodes, &cpus);
                if (!nodemask_empty(&with_cpus)) {
                        m->top_tier_adistance = (int)(memtier_tier_start(m->tiers[g].id) + MEMTIER_CHUNK_SIZE - 1);
                        break;
                }
        }

        /* lower_tier_mask: the memory nodes of every tier after this one. */
        NodeMask lower = memory;
        for (size_t g = 0; g < m->n_tiers; g++) {
                lower = nodemask_andnot(&lower, &m->tiers[g].nodes);
                m->tiers[g].lower_nodes = lower;
                m->tiers[g].top_tier = memtier_tier_start(m->tiers[g].id) <= m->top_tier_adistance;
        }
        for (size_t i = 0; i < m->n_nodes; i++) {
                NodeTier *nt = &m->nodes[i];
                if (!nt->has_memory)
                        continue;
                const TierGroup *g = tier_map_find_tier(m, nt->tier);
                nt->demote_fallback = g->lower_nodes;
                nt->top_tier = g->top_tier;
        }
        return 0;
}
