/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "macro.h"
#include "nodemask.h"
#include "snapshot.h"

/*
 * The placement policy: from where each managed workload's pages are and how hot DAMON finds them, the moves of
 * one cycle.  Pure: no I/O, no logging, no clock (the time is an input).  Everything is keyed by node id.
 *
 * A cycle, in this order:
 *  1. Pressure.  A node with a demotion target (a memory node of a slower tier in its preferred or fallback mask)
 *     whose free memory is below its low watermark demotes its coldest managed regions until free memory reaches
 *     the high watermark: regions never accessed first, those unchanged for longest first, then the least
 *     accessed.  The pages go to the preferred targets, then to the fallback ones, the one with most room first,
 *     and never push a target below its own low watermark.  Slower nodes go first, so that a cascade through
 *     three tiers happens within one cycle.
 *  2. Promotion.  The hottest regions (at least promote_min_permille of DAMON's maximum) with pages on a slower
 *     tier than their workload's destination (its home node; for a workload without one, the top-tier node with
 *     most free memory) move there: into free memory while the destination stays above its high watermark, and
 *     beyond that by exchange: colder regions on the destination are demoted, in the same cycle and right
 *     before, to make room.  A region displaced this way is clearly colder (by hotter_margin_permille, or it
 *     reads no access at all), its heat reading is settled (unchanged for stable_min_usec), and the
 *     destination's free memory stays where it was.
 *
 * With kernel_promotes, phase 2 plans the same, less the promotions themselves: the kernel's NUMA-balancing
 * promotion moves the hot pages, in the faulting task's context, into the room left or made for them.
 *
 * Between the watermarks nothing moves into free memory and nothing is demoted for pressure: that band absorbs
 * allocations without a demotion and a promotion every cycle.  A region tierd promoted less than
 * min_residency_usec ago is not demoted, one it demoted is not promoted back, and a region moves in one
 * direction at most per cycle.  Moves of both directions share budget_bytes.
 */

/*
 * The tunables; policy_params_default() gives the defaults and why.  The configuration sets some of them from
 * [Placement] keys in the units people write (lib/service/manager-placement.c): LowWatermarkPercent and
 * HighWatermarkPercent (free_low/high_permille), MinResidencyMSec, RateLimitMBps with IntervalMSec
 * (budget_bytes); the others keep their defaults.
 */
typedef struct PolicyParams {
        /* Free memory a node with demotion targets keeps, in permille of its total memory, on top of what the
         * kernel keeps for itself (PolicyNode.reserved_bytes): below the low watermark it demotes until the
         * high one; promotion into it stops at the high one; a demotion never pushes a target below its low
         * one.  1 <= low < high <= 500. */
        uint32_t free_low_permille;
        uint32_t free_high_permille;
        /* A region tierd moved is not moved back for this long (microseconds). */
        uint64_t min_residency_usec;
        /* Bytes moved per cycle, promotions and demotions together: the rate limit times the interval (see
         * policy_budget_from_rate()).  At least 4096. */
        uint64_t budget_bytes;
        /* A region is promoted only when its nr_accesses reaches this share of DAMON's maximum (permille,
         * 1..1000). */
        uint32_t promote_min_permille;
        /* A region displaces another only when hotter by this share of DAMON's maximum (permille, 1..1000). */
        uint32_t hotter_margin_permille;
        /* A region is displaced only when its heat reading (DAMON's age) has been the same for this long
         * (microseconds). */
        uint64_t stable_min_usec;
        /* The kernel promotes (NUMA-balancing tiering): phase 2 plans no promotion, only the exchange's demotions
         * that make room on the destination for the hot regions waiting below it, each byte costing the budget
         * once. */
        bool kernel_promotes;
} PolicyParams;

PolicyParams policy_params_default(void);
/* -EINVAL for a value out of its range, with the field's name in *ret_field (may be NULL). */
int policy_params_validate(const PolicyParams *p, const char **ret_field);
/* budget_bytes for a rate limit in MiB/s (as the kernel's *_MBps knobs count) and an interval; -ERANGE on
 * overflow. */
int policy_budget_from_rate(uint64_t rate_mibps, uint64_t interval_usec, uint64_t *ret);

typedef struct PolicyNode {
        unsigned id;
        unsigned tier_rank;               /* 0: the fastest tier holding memory, then 1, 2, ... */
        bool top_tier;                    /* the kernel's top tier: a destination for a workload without a home node */
        uint64_t total_bytes, free_bytes; /* total 0: a node without memory, left alone */
        /* Free memory the kernel keeps for itself (zoneinfo_reserved_read()), 0: unknown.  The watermarks sit
         * above it: below it migration to the node fails and kswapd runs. */
        uint64_t reserved_bytes;
        NodeMask demote_preferred, demote_fallback;
} PolicyNode;

/* Nodes from a snapshot's tier map (ranks, top tier, demotion targets) and topology (total and free memory, to
 * be refreshed by the caller every cycle); ascending id. */
int policy_nodes_from_snapshot(const Snapshot *s, PolicyNode **ret, size_t *ret_n);

/* Bytes of a region on one node, as the caller estimates them by sampling its pages. */
typedef struct PolicyNodeBytes {
        unsigned node;
        uint64_t bytes;
} PolicyNodeBytes;

typedef struct PolicyRegion {
        uint64_t start, end;          /* virtual [start, end) */
        uint32_t nr_accesses;         /* DAMON: samples that found it accessed in one aggregation interval */
        uint32_t age;                 /* DAMON: aggregation intervals since its access pattern last changed */
        const PolicyNodeBytes *nodes; /* one entry per node; bytes on nodes not in the input are left alone */
        size_t n_nodes;
        /* When tierd last promoted / demoted any part of it (the input's clock), 0: never. */
        uint64_t promoted_usec, demoted_usec;
} PolicyRegion;

typedef struct PolicyWorkload {
        pid_t pid;
        int home_node;               /* whose CPUs it runs on, -1: unknown */
        uint32_t max_nr_accesses;    /* DAMON's aggregation interval / sampling interval */
        uint64_t aggr_interval_usec; /* DAMON's aggregation interval */
        const PolicyRegion *regions; /* ascending, not overlapping */
        size_t n_regions;
} PolicyWorkload;

typedef struct PolicyInput {
        uint64_t now_usec; /* the clock of promoted_usec / demoted_usec */
        const PolicyNode *nodes;
        size_t n_nodes;
        const PolicyWorkload *workloads;
        size_t n_workloads;
} PolicyInput;

typedef enum PolicyDirection {
        POLICY_PROMOTE,
        POLICY_DEMOTE,
        _POLICY_DIRECTION_MAX,
} PolicyDirection;

typedef enum PolicyMoveReason {
        POLICY_REASON_PRESSURE,  /* demoted: its node was below the low watermark */
        POLICY_REASON_DISPLACED, /* demoted: to make room for a hotter region */
        POLICY_REASON_HOT,       /* promoted into free memory */
        POLICY_REASON_EXCHANGE,  /* promoted, partly or wholly into room made by the moves before it */
        _POLICY_REASON_MAX,
} PolicyMoveReason;

/*
 * Move the pages of [start, end) that are on from_node to to_node, lowest addresses first, stopping after
 * bytes (the policy's estimate, and the cap that keeps the budget).  Moves are in execution order: room is made
 * before it is used.
 */
typedef struct PolicyMove {
        pid_t pid;
        uint64_t start, end;
        unsigned from_node, to_node;
        PolicyDirection direction;
        PolicyMoveReason reason;
        uint64_t bytes;
} PolicyMove;

/* What a node met this cycle; with no moves, why nothing was done. */
typedef enum PolicyNote {
        POLICY_NOTE_BELOW_LOW = 1u << 0,    /* free memory was below the low watermark */
        POLICY_NOTE_TARGETS_FULL = 1u << 1, /* no demotion target had room above its low watermark */
        POLICY_NOTE_NO_VICTIM = 1u << 2,    /* below the low watermark, and no managed region left to demote */
        POLICY_NOTE_RESIDENCY = 1u << 3,    /* a region was held by the minimum residency */
        POLICY_NOTE_UNSETTLED = 1u << 4,    /* a colder region's heat reading was too recent to displace it */
        POLICY_NOTE_NO_COLDER = 1u << 5,    /* full, and nothing clearly colder to displace */
        POLICY_NOTE_BUDGET = 1u << 6,       /* the cycle's budget ran out */
        POLICY_NOTE_NO_MEMORY = 1u << 7,    /* the node has no memory */
        _POLICY_NOTE_ALL = (1u << 8) - 1,
} PolicyNote;

typedef struct PolicyNodeSummary {
        unsigned node;
        uint64_t promote_bytes; /* planned into this node */
        uint64_t demote_bytes;  /* planned out of this node */
        uint64_t free_bytes;    /* free memory once the moves are done, as planned */
        unsigned notes;         /* PolicyNote bits */
} PolicyNodeSummary;

typedef enum PolicyOutcome {
        POLICY_OUTCOME_MOVES,        /* moves planned */
        POLICY_OUTCOME_ONE_TIER,     /* fewer than two tiers hold memory: nothing to place */
        POLICY_OUTCOME_NO_WORKLOADS, /* no managed workload */
        POLICY_OUTCOME_BALANCED,     /* nothing needed moving */
        POLICY_OUTCOME_BLOCKED,      /* something wanted moving and could not: see the nodes' notes */
        _POLICY_OUTCOME_MAX,
} PolicyOutcome;

typedef struct PolicyPlan {
        PolicyOutcome outcome;
        PolicyMove *moves;
        size_t n_moves;
        PolicyNodeSummary *nodes; /* one per input node, ascending id */
        size_t n_nodes;
        uint64_t budget_left;
} PolicyPlan;

PolicyPlan *policy_plan_free(PolicyPlan *p);
DEFINE_TRIVIAL_CLEANUP_FUNC(PolicyPlan *, policy_plan_free);

/*
 * Plan one cycle.  -EINVAL for invalid parameters, a node id out of range or given twice, a pid given twice or
 * not positive, a workload with max_nr_accesses or aggr_interval_usec 0, a region that is empty, out of order
 * or overlapping its predecessor, or that lists a node twice.
 */
int policy_plan(const PolicyInput *in, const PolicyParams *params, PolicyPlan **ret);

const PolicyNodeSummary *policy_plan_find_node(const PolicyPlan *p, unsigned node);

const char *policy_direction_to_string(PolicyDirection d);
const char *policy_move_reason_to_string(PolicyMoveReason r);
/* One bit's name ("targets-full"), NULL for anything else. */
const char *policy_note_to_string(PolicyNote n);
const char *policy_outcome_to_string(PolicyOutcome o);
