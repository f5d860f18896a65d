/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The policy over many cycles, against a model of the benchmark the kernel fails: a workload twice the size of
 * the fast node, every page first on the slow node, whose hot 20% moves every 15 s.  Each cycle the model hands
 * the policy what DAMON would report, applies the planned moves (never more than the pages that are there) and
 * measures the share of the hot set on the fast node.
 *
 * Sizes: fast node 1024 MiB (high watermark 40.96 MiB), slow node 4096 MiB; the workload is 64 regions of
 * 32 MiB (2048 MiB), its hot set 13 regions (416 MiB).  Its hot set moves 0.5 s before every 15th cycle, so the
 * first cycle of a phase sees the new hot set, and the old one 5 aggregations (0.5 s) into its new pattern: not
 * settled yet.  Expected cycles (0 = the first of a phase) to reach 95% (395.2 MiB), by hand:
 *
 * Roomy: 100 MiB of the fast node not managed, 924 free.  Phase 0 promotes 256 + 160 MiB into free memory
 * (c1); phase 1 fits into the 508 MiB left too (c1).  From phase 2 on the fast node also holds hot sets older
 * than the last one, settled, so the exchange starts at c0, 128 MiB per cycle (half the budget each way):
 * phase 2 has 51 MiB above high, then 51 + 102 + 128 + 128 = 409 (c2); later phases 128, 256, 384, 416 (c3).
 * With 1 GiB per cycle everything fits in c0.
 *
 * Tight: 530 MiB not managed, 494 free: one hot set and 37 MiB above high.  Phase 0: 256, 416 (c1).  Phase 1:
 * 37 MiB into free memory at c0; the just-cooled set settles for c1, then 165, 293, 421 (c3).  Later phases
 * find the 37 MiB of the set before last still there, settled: 37 at c0, then the same (c3); at worst (nothing
 * settled at c0, and the region that blips at c3 still below) 0, 128, 256, 352, 416 (c4).  With 1 GiB per
 * cycle: phase 0 at c0, every later one at c1.
 *
 * Throughout: only the hot set goes up and nothing of it comes down, the fast node stays above its low
 * watermark, and a phase is quiet (no moves) from its ninth cycle on.
 */
#include "policy-builder.h"

#define N_REGIONS 64
#define REGION_BYTES (32 * MiB)
#define HOT_REGIONS 13
#define PHASE_CYCLES 15
#define N_PHASES 6
#define BASE UINT64_C(0x7f0000000000)

typedef struct Model {
        uint64_t on[N_REGIONS][2]; /* bytes of each region on node 0 and node 1 */
        uint64_t promoted_usec[N_REGIONS], demoted_usec[N_REGIONS];
        uint64_t changed_usec[N_REGIONS]; /* when its access pattern last changed */
        bool was_hot[N_REGIONS];
} Model;

static bool is_hot(unsigned region, unsigned phase)
{
        return (region + N_REGIONS - (phase * HOT_REGIONS) % N_REGIONS) % N_REGIONS < HOT_REGIONS;
}

static uint64_t node_used(const Model *m, unsigned node)
{
        uint64_t used = 0;
        for (unsigned r = 0; r < N_REGIONS; r++)
                used += m->on[r][node];
        return used;
}

static unsigned hot_share_permille(const Model *m, unsigned phase)
{
        uint64_t fast = 0, all = 0;
        for (unsigned r = 0; r < N_REGIONS; r++)
                if (is_hot(r, phase)) {
                        fast += m->on[r][0];
                        all += m->on[r][0] + m->on[r][1];
                }
        return (unsigned)(fast * 1000 / all);
}

typedef struct CycleResult {
        size_t n_moves;
        unsigned share; /* permille of the hot set on node 0 after the moves */
        uint64_t free0;
} CycleResult;

/* One cycle at time now: DAMON's view, the plan, the moves applied.  A hot region that "blips" reads 0 with its
 * age restarted, as DAMON shows a region whose sampled page was not touched in one aggregation. */
static void run_cycle(Model *m, uint64_t unmanaged, unsigned phase, uint64_t now, unsigned blip,
                      const PolicyParams *params, CycleResult *ret)
{
        PolicyNodeBytes bytes[N_REGIONS][2];
        PolicyRegion regions[N_REGIONS];
        PolicyNode nodes[] = {
                make_node(0, 0, 1024, 0, mask_of(1, 1), mask_of(1, 1)),
                make_node(1, 1, 4096, 0, NODEMASK_EMPTY, NODEMASK_EMPTY),
        };
        PolicyWorkload w;

        nodes[0].free_bytes = 1024 * MiB - unmanaged - node_used(m, 0);
        nodes[1].free_bytes = 4096 * MiB - node_used(m, 1);
        for (unsigned r = 0; r < N_REGIONS; r++) {
                bool hot = is_hot(r, phase);

                if (hot != m->was_hot[r]) {
                        m->changed_usec[r] = now - SEC / 2;
                        m->was_hot[r] = hot;
                }
                bytes[r][0] = (PolicyNodeBytes){0, m->on[r][0]};
                bytes[r][1] = (PolicyNodeBytes){1, m->on[r][1]};
                regions[r] = (PolicyRegion){
                        .start = BASE + r * REGION_BYTES,
                        .end = BASE + (r + 1) * REGION_BYTES,
                        .nr_accesses = hot ? 16 + (unsigned)((now / SEC + r) % 5) : 0,
                        .age = (uint32_t)((now - m->changed_usec[r]) / AGGR_USEC),
                        .nodes = bytes[r],
                        .n_nodes = 2,
                        .promoted_usec = m->promoted_usec[r],
                        .demoted_usec = m->demoted_usec[r],
                };
                if (r == blip && hot) {
                        regions[r].nr_accesses = 0;
                        regions[r].age = 0;
                }
        }
        w = make_workload(4242, 0, regions, N_REGIONS);

        _cleanup_(policy_plan_freep) PolicyPlan *p = plan_or_die(nodes, 2, &w, 1, now, params);
        for (size_t i = 0; i < p->n_moves; i++) {
                const PolicyMove *mv = &p->moves[i];
                unsigned r = (unsigned)((mv->start - BASE) / REGION_BYTES);
                uint64_t x;

                ASSERT_TRUE(r < N_REGIONS);
                ASSERT_EQ(mv->end, mv->start + REGION_BYTES);
                /* Only the hot set goes up, and it never comes down; cold pages are never promoted. */
                ASSERT_EQ(mv->direction == POLICY_PROMOTE, is_hot(r, phase));
                x = MIN(mv->bytes, m->on[r][mv->from_node]);
                m->on[r][mv->from_node] -= x;
                m->on[r][mv->to_node] += x;
                if (mv->direction == POLICY_PROMOTE)
                        m->promoted_usec[r] = now;
                else
                        m->demoted_usec[r] = now;
        }
        ret->n_moves = p->n_moves;
        ret->share = hot_share_permille(m, phase);
        ret->free0 = 1024 * MiB - unmanaged - node_used(m, 0);
}

static void model_init(Model *m)
{
        *m = (Model){};
        for (unsigned r = 0; r < N_REGIONS; r++) {
                m->on[r][1] = REGION_BYTES;
                m->changed_usec[r] = 0; /* cold since the clock started */
        }
}

/* Run every phase; *ret_reached[k]: the cycle within phase k when the share first reached 95%. */
static void simulate(uint64_t unmanaged, const PolicyParams *params, unsigned ret_reached[N_PHASES])
{
        _cleanup_free_ Model *m = calloc(1, sizeof(Model));
        uint64_t low = 1024 * MiB / 1000 * params->free_low_permille;

        ASSERT_TRUE(m);
        model_init(m);
        for (unsigned phase = 0; phase < N_PHASES; phase++) {
                ret_reached[phase] = PHASE_CYCLES;
                for (unsigned c = 0; c < PHASE_CYCLES; c++) {
                        /* Start at 100 s; a blip on every 7th cycle, in a region of the current hot set. */
                        uint64_t now = 100 * SEC + (uint64_t)(phase * PHASE_CYCLES + c) * SEC;
                        unsigned blip = c % 7 == 3 ? (phase * HOT_REGIONS + c) % N_REGIONS : N_REGIONS;
                        CycleResult res;

                        run_cycle(m, unmanaged, phase, now, blip, params, &res);
                        fprintf(stderr, "phase %u cycle %2u: %2zu moves, hot set %5.1f%% fast, %4" PRIu64 " MiB free\n",
                                phase, c, res.n_moves, res.share / 10.0, res.free0 / MiB);
                        ASSERT_TRUE(res.free0 >= low);
                        if (res.share >= 950 && ret_reached[phase] == PHASE_CYCLES)
                                ret_reached[phase] = c;
                        /* Once there, it stays there, and nothing churns for the rest of the phase. */
                        if (ret_reached[phase] < c)
                                ASSERT_TRUE(res.share >= 950);
                        if (c >= 8)
                                ASSERT_EQ(res.n_moves, 0);
                }
        }
}

static void assert_reached(const unsigned reached[N_PHASES], const unsigned expected[N_PHASES])
{
        for (unsigned k = 0; k < N_PHASES; k++)
                if (reached[k] > expected[k]) {
                        fprintf(stderr, "phase %u: 95%% at cycle %u, expected by %u\n", k, reached[k], expected[k]);
                        ASSERT_TRUE(false);
                }
}

TEST(roomy_fast_node)
{
        static const unsigned expected[N_PHASES] = {1, 1, 2, 3, 3, 3};
        PolicyParams params = policy_params_default();
        unsigned reached[N_PHASES];

        simulate(100 * MiB, &params, reached);
        assert_reached(reached, expected);
}

TEST(roomy_fast_node_large_budget)
{
        static const unsigned expected[N_PHASES] = {0, 0, 0, 0, 0, 0};
        PolicyParams params = policy_params_default();
        unsigned reached[N_PHASES];

        params.budget_bytes = GiB;
        simulate(100 * MiB, &params, reached);
        assert_reached(reached, expected);
}

TEST(tight_fast_node)
{
        static const unsigned expected[N_PHASES] = {1, 3, 4, 4, 4, 4};
        PolicyParams params = policy_params_default();
        unsigned reached[N_PHASES];

        simulate(530 * MiB, &params, reached);
        assert_reached(reached, expected);
}

TEST(tight_fast_node_large_budget)
{
        static const unsigned expected[N_PHASES] = {0, 1, 1, 1, 1, 1};
        PolicyParams params = policy_params_default();
        unsigned reached[N_PHASES];

        params.budget_bytes = GiB;
        simulate(530 * MiB, &params, reached);
        assert_reached(reached, expected);
}

TESTS_MAIN(TEST_ENTRY(roomy_fast_node), TEST_ENTRY(roomy_fast_node_large_budget), TEST_ENTRY(tight_fast_node),
           TEST_ENTRY(tight_fast_node_large_budget))
