/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Hand-built inputs for the placement policy's tests, and checks of its plans. */
#include <stdarg.h>
#include <stdlib.h>

#include "policy.h"
#include "tests.h"

#define MiB (UINT64_C(1) << 20)
#define GiB (UINT64_C(1) << 30)
#define SEC UINT64_C(1000000)
/* 20 samples per aggregation, as with tierd's DAMON (10 ms / 200 ms): nr_accesses goes up to 20.  The
 * aggregation interval here is DAMON's own default, 100 ms. */
#define AGGR_USEC (100 * UINT64_C(1000))
#define MAX_NR 20

static inline NodeMask mask_of(int n, ...)
{
        NodeMask m = NODEMASK_EMPTY;
        va_list ap;

        va_start(ap, n);
        for (int i = 0; i < n; i++)
                nodemask_set(&m, (unsigned)va_arg(ap, int));
        va_end(ap);
        return m;
}

/* A node of the given tier rank; total and free in MiB. */
static inline PolicyNode make_node(unsigned id, unsigned rank, uint64_t total_mib, uint64_t free_mib,
                                   NodeMask preferred, NodeMask fallback)
{
        return (PolicyNode){
                .id = id,
                .tier_rank = rank,
                .top_tier = rank == 0,
                .total_bytes = total_mib * MiB,
                .free_bytes = free_mib * MiB,
                .demote_preferred = preferred,
                .demote_fallback = fallback,
        };
}

/* The bytes of a region, by node: ON({0, 16 * MiB}, {1, 4 * MiB}). */
#define ON(...)                                                                                                        \
        .nodes = (const PolicyNodeBytes[]){__VA_ARGS__},                                                               \
        .n_nodes = sizeof((const PolicyNodeBytes[]){__VA_ARGS__}) / sizeof(PolicyNodeBytes)

static inline PolicyWorkload make_workload(pid_t pid, int home, const PolicyRegion *regions, size_t n)
{
        return (PolicyWorkload){
                .pid = pid,
                .home_node = home,
                .max_nr_accesses = MAX_NR,
                .aggr_interval_usec = AGGR_USEC,
                .regions = regions,
                .n_regions = n,
        };
}

/* The move a plan should contain, as a test writes it down. */
typedef struct ExpectedMove {
        pid_t pid;
        uint64_t start;
        unsigned from, to;
        PolicyMoveReason reason;
        uint64_t bytes;
} ExpectedMove;

static inline void print_plan(const PolicyPlan *p)
{
        fprintf(stderr, "plan: %s, %zu moves, budget left %" PRIu64 "\n", policy_outcome_to_string(p->outcome),
                p->n_moves, p->budget_left);
        for (size_t i = 0; i < p->n_moves; i++) {
                const PolicyMove *m = &p->moves[i];
                fprintf(stderr, "  %zu: pid %d 0x%" PRIx64 "-0x%" PRIx64 " %u->%u %s %s %" PRIu64 " (%.3f MiB)\n", i,
                        (int)m->pid, m->start, m->end, m->from_node, m->to_node,
                        policy_direction_to_string(m->direction), policy_move_reason_to_string(m->reason), m->bytes,
                        (double)m->bytes / (double)MiB);
        }
        for (size_t i = 0; i < p->n_nodes; i++)
                fprintf(stderr, "  node %u: +%" PRIu64 " -%" PRIu64 " free %" PRIu64 " notes 0x%x\n", p->nodes[i].node,
                        p->nodes[i].promote_bytes, p->nodes[i].demote_bytes, p->nodes[i].free_bytes, p->nodes[i].notes);
}

/* The plan holds exactly these moves, in this order; the direction follows from the reason. */
static inline void assert_moves(const PolicyPlan *p, const ExpectedMove *want, size_t n)
{
        bool ok = p->n_moves == n;

        for (size_t i = 0; ok && i < n; i++) {
                const PolicyMove *m = &p->moves[i];
                PolicyDirection d =
                        want[i].reason == POLICY_REASON_PRESSURE || want[i].reason == POLICY_REASON_DISPLACED
                                ? POLICY_DEMOTE
                                : POLICY_PROMOTE;
                ok = m->pid == want[i].pid && m->start == want[i].start && m->from_node == want[i].from &&
                     m->to_node == want[i].to && m->reason == want[i].reason && m->direction == d &&
                     m->bytes == want[i].bytes;
                if (!ok)
                        fprintf(stderr, "move %zu differs: expected pid %d 0x%" PRIx64 " %u->%u %s %" PRIu64 "\n", i,
                                (int)want[i].pid, want[i].start, want[i].from, want[i].to,
                                policy_move_reason_to_string(want[i].reason), want[i].bytes);
        }
        if (!ok) {
                print_plan(p);
                ASSERT_TRUE(false);
        }
}

#define ASSERT_MOVES(plan, ...)                                                                                        \
        do {                                                                                                           \
                static const ExpectedMove _want_[] = {__VA_ARGS__};                                                    \
                assert_moves((plan), _want_, ELEMENTSOF(_want_));                                                      \
        } while (0)

static inline const PolicyNodeSummary *summary_of(const PolicyPlan *p, unsigned node)
{
        const PolicyNodeSummary *s = policy_plan_find_node(p, node);
        ASSERT_TRUE(s);
        return s;
}

static inline PolicyPlan *plan_or_die(const PolicyNode *nodes, size_t n_nodes, const PolicyWorkload *w, size_t n_w,
                                      uint64_t now, const PolicyParams *params)
{
        PolicyInput in = {.now_usec = now, .nodes = nodes, .n_nodes = n_nodes, .workloads = w, .n_workloads = n_w};
        PolicyPlan *p = NULL;
        PolicyParams defaults = policy_params_default();

        ASSERT_OK(policy_plan(&in, params ?: &defaults, &p));
        ASSERT_TRUE(p);
        return p;
}
