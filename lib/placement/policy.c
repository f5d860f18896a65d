/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"

#define HEAT_SCALE 1000u

typedef struct NodeState {
        const PolicyNode *node;
        uint64_t free, low, high;
        bool managed;         /* has a demotion target */
        size_t victim_cursor; /* into Planner.coldest: the regions before it cannot make room on this node */
        PolicyNodeSummary *summary;
} NodeState;

typedef struct Part {
        NodeState *node;
        uint64_t bytes; /* what is left of it to move this cycle */
} Part;

typedef struct RegionRef {
        const PolicyWorkload *workload;
        const PolicyRegion *region;
        Part *parts; /* ascending node id */
        size_t n_parts;
        uint32_t heat;     /* permille of DAMON's maximum */
        uint64_t age_usec; /* how long its heat reading has been what it is */
        bool hold_on_fast; /* promoted within the minimum residency: not demoted */
        bool hold_on_slow; /* demoted within the minimum residency: not promoted */
        int moved;         /* the PolicyDirection it moved in this cycle, -1: none */
        NodeState *destination;
} RegionRef;

typedef struct Planner {
        const PolicyParams *params;
        NodeState *nodes; /* ascending id */
        size_t n_nodes;
        RegionRef *regions;
        size_t n_regions;
        Part *parts;
        RegionRef **coldest, **hottest;
        uint64_t budget;
        PolicyPlan *plan;
        size_t allocated_moves;
} Planner;

static uint64_t add_capped(uint64_t a, uint64_t b)
{
        return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static uint64_t sub_floor(uint64_t a, uint64_t b)
{
        return a > b ? a - b : 0;
}

/* total * permille / 1000 without overflow (permille <= 1000). */
static uint64_t permille_of(uint64_t total, uint32_t permille)
{
        return total / 1000 * permille + total % 1000 * permille / 1000;
}

static uint32_t heat_of(const PolicyRegion *r, const PolicyWorkload *w)
{
        if (r->nr_accesses >= w->max_nr_accesses)
                return HEAT_SCALE;
        return (uint32_t)((uint64_t)r->nr_accesses * HEAT_SCALE / w->max_nr_accesses);
}

/* Moved within the residency; a timestamp ahead of now counts as just moved. */
static bool moved_recently(uint64_t when, uint64_t now, uint64_t residency)
{
        if (when == 0)
                return false;
        return when > now || now - when < residency;
}

static NodeState *find_node(const Planner *p, unsigned id)
{
        size_t lo = 0, hi = p->n_nodes;

        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (p->nodes[mid].node->id == id)
                        return &p->nodes[mid];
                if (p->nodes[mid].node->id < id)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return NULL;
}

static uint64_t room_above_floor(const NodeState *n)
{
        return sub_floor(n->free, n->low);
}

static bool is_demotion_target(const NodeState *from, const NodeState *to)
{
        return to->node->total_bytes > 0 && to->node->tier_rank > from->node->tier_rank;
}

/* The preferred target with most room above its floor, then the fallback one; ties go to the lower id. */
static NodeState *pick_target(const Planner *p, const NodeState *from)
{
        const NodeMask fallback = nodemask_andnot(&from->node->demote_fallback, &from->node->demote_preferred);
        const NodeMask *masks[] = {&from->node->demote_preferred, &fallback};
        NodeState *best = NULL;

        for (size_t i = 0; i < ELEMENTSOF(masks) && !best; i++)
                NODEMASK_FOREACH (id, masks[i]) {
                        NodeState *t = find_node(p, (unsigned)id);
                        if (t && is_demotion_target(from, t) && room_above_floor(t) > 0 &&
                            (!best || room_above_floor(t) > room_above_floor(best)))
                                best = t;
                }
        return best;
}

static bool has_demotion_target(const Planner *p, const NodeState *n)
{
        const NodeMask *masks[] = {&n->node->demote_preferred, &n->node->demote_fallback};

        for (size_t i = 0; i < ELEMENTSOF(masks); i++)
                NODEMASK_FOREACH (id, masks[i]) {
                        const NodeState *t = find_node(p, (unsigned)id);
                        if (t && is_demotion_target(n, t))
                                return true;
                }
        return false;
}

static Part *part_on(const RegionRef *r, const NodeState *n)
{
        for (size_t i = 0; i < r->n_parts; i++)
                if (r->parts[i].node == n)
                        return &r->parts[i];
        return NULL;
}

static int emit(Planner *p, RegionRef *r, NodeState *from, NodeState *to, PolicyDirection direction,
                PolicyMoveReason reason, uint64_t bytes)
{
        PolicyPlan *plan = p->plan;

        if (GREEDY_REALLOC(plan->moves, p->allocated_moves, plan->n_moves + 1) < 0)
                return -ENOMEM;
        plan->moves[plan->n_moves++] = (PolicyMove){
                .pid = r->workload->pid,
                .start = r->region->start,
                .end = r->region->end,
                .from_node = from->node->id,
                .to_node = to->node->id,
                .direction = direction,
                .reason = reason,
                .bytes = bytes,
        };
        from->free = add_capped(from->free, bytes);
        to->free = sub_floor(to->free, bytes);
        p->budget -= bytes;
        if (direction == POLICY_PROMOTE)
                to->summary->promote_bytes = add_capped(to->summary->promote_bytes, bytes);
        else
                from->summary->demote_bytes = add_capped(from->summary->demote_bytes, bytes);
        r->moved = (int)direction;
        return 0;
}

/* Demote up to amount bytes of the part (amount within the budget), spread over targets as their room allows. */
static int demote_part(Planner *p, RegionRef *r, Part *part, uint64_t amount, PolicyMoveReason reason,
                       uint64_t *ret_moved)
{
        uint64_t moved = 0;
        NodeState *target;
        int k;

        while (moved < amount && (target = pick_target(p, part->node))) {
                uint64_t x = MIN(amount - moved, room_above_floor(target));

                k = emit(p, r, part->node, target, POLICY_DEMOTE, reason, x);
                if (k < 0)
                        return k;
                moved += x;
        }
        part->bytes -= moved;
        *ret_moved = moved;
        return 0;
}

/* Phase 1: below its low watermark, a node demotes its coldest regions until free memory reaches the high one. */
static int relieve_pressure(Planner *p, NodeState *n)
{
        unsigned *notes = &n->summary->notes;
        int k;

        if (!n->managed || n->free >= n->low)
                return 0;
        *notes |= POLICY_NOTE_BELOW_LOW;
        for (size_t i = 0; i < p->n_regions; i++) {
                RegionRef *r = p->coldest[i];
                Part *part = part_on(r, n);
                uint64_t moved;

                if (n->free >= n->high)
                        return 0;
                if (!part || part->bytes == 0)
                        continue;
                if (r->hold_on_fast) {
                        *notes |= POLICY_NOTE_RESIDENCY;
                        continue;
                }
                if (p->budget == 0) {
                        *notes |= POLICY_NOTE_BUDGET;
                        return 0;
                }
                k = demote_part(p, r, part, MIN(MIN(part->bytes, n->high - n->free), p->budget), POLICY_REASON_PRESSURE,
                                &moved);
                if (k < 0)
                        return k;
                if (moved == 0) {
                        *notes |= POLICY_NOTE_TARGETS_FULL;
                        return 0;
                }
        }
        if (n->free < n->high)
                *notes |= p->budget == 0 ? POLICY_NOTE_BUDGET : POLICY_NOTE_NO_VICTIM;
        return 0;
}

/* Demote clearly colder, settled regions off d, coldest first, until want bytes are free; *ret: how many. */
static int make_room(Planner *p, NodeState *d, uint32_t heat, uint64_t want, uint64_t *ret)
{
        unsigned *notes = &d->summary->notes;
        uint64_t freed = 0;
        int k;

        while (freed < want) {
                RegionRef *v;
                Part *part;
                uint64_t moved;

                if (d->victim_cursor >= p->n_regions) {
                        *notes |= POLICY_NOTE_NO_COLDER;
                        break;
                }
                v = p->coldest[d->victim_cursor];
                part = part_on(v, d);
                /* What makes a region unusable here holds for the rest of the cycle: step past it for good.  (A
                 * region promoted earlier in the cycle is no colder than the candidate: the margin stops there.) */
                if (!part || part->bytes == 0) {
                        d->victim_cursor++;
                        continue;
                }
                if (v->hold_on_fast || v->age_usec < p->params->stable_min_usec) {
                        *notes |= v->hold_on_fast ? POLICY_NOTE_RESIDENCY : POLICY_NOTE_UNSETTLED;
                        d->victim_cursor++;
                        continue;
                }
                /* A settled region that reads no access at all is the surest cold one: anything hot enough to
                 * promote displaces it, which matters when the hot set reads only a sample or two (huge
                 * regions of 4 KiB pages touched at random, slow machines).  Otherwise the margin applies, and
                 * the rest are at least as hot: none of them is clearly colder either. */
                if (v->heat > 0 && (uint64_t)v->heat + p->params->hotter_margin_permille > heat) {
                        *notes |= POLICY_NOTE_NO_COLDER;
                        break;
                }
                k = demote_part(p, v, part, MIN(part->bytes, want - freed), POLICY_REASON_DISPLACED, &moved);
                if (k < 0)
                        return k;
                if (moved == 0) {
                        *notes |= POLICY_NOTE_TARGETS_FULL;
                        break;
                }
                freed += moved;
        }
        *ret = freed;
        return 0;
}

/* Phase 2 for one part of a hot region on a slower node: into free memory above the high watermark, then by
 * exchange, each byte of which costs the budget twice. */
static int promote_part(Planner *p, RegionRef *r, Part *part)
{
        NodeState *d = r->destination;
        bool kernel = p->params->kernel_promotes;
        uint64_t into_free = MIN(part->bytes, sub_floor(d->free, d->high));
        uint64_t rest, pairs, freed = 0;
        int k;

        if (!kernel)
                into_free = MIN(into_free, p->budget);
        rest = part->bytes - into_free;
        pairs = kernel ? p->budget : (p->budget - into_free) / 2;
        if (rest > pairs)
                d->summary->notes |= POLICY_NOTE_BUDGET;
        if (MIN(rest, pairs) > 0) {
                k = make_room(p, d, r->heat, MIN(rest, pairs), &freed);
                if (k < 0)
                        return k;
        }
        if (into_free + freed == 0)
                return 0;
        if (kernel) {
                /* Left for the kernel's promotion: no later region counts on this room. */
                d->free = sub_floor(d->free, into_free + freed);
                return 0;
        }
        return emit(p, r, part->node, d, POLICY_PROMOTE, freed > 0 ? POLICY_REASON_EXCHANGE : POLICY_REASON_HOT,
                    into_free + freed);
}

static int promote_hottest(Planner *p)
{
        int k;

        for (size_t i = 0; i < p->n_regions; i++) {
                RegionRef *r = p->hottest[i];
                NodeState *d = r->destination;

                if (r->heat < p->params->promote_min_permille)
                        return 0; /* and so are all after it */
                if (!d || r->moved >= 0)
                        continue;
                for (size_t j = 0; j < r->n_parts; j++) {
                        Part *part = &r->parts[j];

                        if (part->bytes == 0 || part->node->node->tier_rank <= d->node->tier_rank)
                                continue;
                        if (r->hold_on_slow) {
                                d->summary->notes |= POLICY_NOTE_RESIDENCY;
                                break;
                        }
                        if (p->budget == 0) {
                                d->summary->notes |= POLICY_NOTE_BUDGET;
                                return 0;
                        }
                        k = promote_part(p, r, part);
                        if (k < 0)
                                return k;
                }
        }
        return 0;
}

static int compare_position(const RegionRef *x, const RegionRef *y)
{
        if (x->workload->pid != y->workload->pid)
                return x->workload->pid < y->workload->pid ? -1 : 1;
        if (x->region->start != y->region->start)
                return x->region->start < y->region->start ? -1 : 1;
        return 0;
}

/* At equal heat, the reading unchanged for longest first: the surest cold one, the surest hot one. */
static int compare_steadiest(const RegionRef *x, const RegionRef *y)
{
        if (x->age_usec != y->age_usec)
                return x->age_usec > y->age_usec ? -1 : 1;
        return compare_position(x, y);
}

/* Never accessed first, then least accessed. */
static int compare_coldest(const void *a, const void *b)
{
        const RegionRef *x = *(RegionRef *const *)a, *y = *(RegionRef *const *)b;

        if (x->heat != y->heat)
                return x->heat < y->heat ? -1 : 1;
        return compare_steadiest(x, y);
}

static int compare_hottest(const void *a, const void *b)
{
        const RegionRef *x = *(RegionRef *const *)a, *y = *(RegionRef *const *)b;

        if (x->heat != y->heat)
                return x->heat > y->heat ? -1 : 1;
        return compare_steadiest(x, y);
}

static int compare_node_state(const void *a, const void *b)
{
        const NodeState *x = a, *y = b;
        return x->node->id < y->node->id ? -1 : x->node->id > y->node->id;
}

/* Slowest tier first, so that room made below is there for the tiers above within the same cycle. */
static int compare_pressure_order(const void *a, const void *b)
{
        const NodeState *x = *(NodeState *const *)a, *y = *(NodeState *const *)b;

        if (x->node->tier_rank != y->node->tier_rank)
                return x->node->tier_rank > y->node->tier_rank ? -1 : 1;
        return x->node->id < y->node->id ? -1 : x->node->id > y->node->id;
}

static int compare_part(const void *a, const void *b)
{
        const Part *x = a, *y = b;
        return x->node->node->id < y->node->node->id ? -1 : x->node->node->id > y->node->node->id;
}

static int compare_pid(const void *a, const void *b)
{
        pid_t x = (*(const PolicyWorkload *const *)a)->pid, y = (*(const PolicyWorkload *const *)b)->pid;
        return x < y ? -1 : x > y;
}

static int validate_workloads(const PolicyInput *in)
{
        _cleanup_free_ const PolicyWorkload **sorted = NULL;

        sorted = calloc(MAX(in->n_workloads, (size_t)1), sizeof(*sorted));
        if (!sorted)
                return -ENOMEM;
        for (size_t i = 0; i < in->n_workloads; i++) {
                const PolicyWorkload *w = &in->workloads[i];

                if (w->pid <= 0 || w->max_nr_accesses == 0 || w->aggr_interval_usec == 0 ||
                    (w->n_regions > 0 && !w->regions))
                        return -EINVAL;
                for (size_t j = 0; j < w->n_regions; j++) {
                        const PolicyRegion *r = &w->regions[j];

                        if (r->start >= r->end || (j > 0 && r->start < w->regions[j - 1].end) ||
                            (r->n_nodes > 0 && !r->nodes))
                                return -EINVAL;
                        for (size_t a = 0; a < r->n_nodes; a++)
                                for (size_t b = a + 1; b < r->n_nodes; b++)
                                        if (r->nodes[a].node == r->nodes[b].node)
                                                return -EINVAL;
                }
                sorted[i] = w;
        }
        qsort(sorted, in->n_workloads, sizeof(*sorted), compare_pid);
        for (size_t i = 1; i < in->n_workloads; i++)
                if (sorted[i]->pid == sorted[i - 1]->pid)
                        return -EINVAL;
        return 0;
}

static int setup_nodes(Planner *p, const PolicyInput *in)
{
        PolicyPlan *plan = p->plan;

        if (in->n_nodes > 0 && !in->nodes)
                return -EINVAL;
        p->nodes = calloc(MAX(in->n_nodes, (size_t)1), sizeof(NodeState));
        plan->nodes = calloc(MAX(in->n_nodes, (size_t)1), sizeof(PolicyNodeSummary));
        if (!p->nodes || !plan->nodes)
                return -ENOMEM;
        p->n_nodes = plan->n_nodes = in->n_nodes;
        for (size_t i = 0; i < in->n_nodes; i++) {
                if (in->nodes[i].id >= NODEMASK_MAX)
                        return -EINVAL;
                p->nodes[i].node = &in->nodes[i];
        }
        qsort(p->nodes, p->n_nodes, sizeof(NodeState), compare_node_state);
        for (size_t i = 0; i < p->n_nodes; i++) {
                NodeState *n = &p->nodes[i];
                const PolicyNode *pn = n->node;

                if (i > 0 && p->nodes[i - 1].node->id == pn->id)
                        return -EINVAL;
                n->summary = &plan->nodes[i];
                n->summary->node = pn->id;
                n->free = MIN(pn->free_bytes, pn->total_bytes);
                n->low = add_capped(pn->reserved_bytes, permille_of(pn->total_bytes, p->params->free_low_permille));
                n->high = add_capped(pn->reserved_bytes, permille_of(pn->total_bytes, p->params->free_high_permille));
                if (pn->total_bytes == 0)
                        n->summary->notes |= POLICY_NOTE_NO_MEMORY;
        }
        for (size_t i = 0; i < p->n_nodes; i++)
                p->nodes[i].managed = has_demotion_target(p, &p->nodes[i]);
        return 0;
}

static bool several_tiers(const Planner *p)
{
        const NodeState *first = NULL;

        for (size_t i = 0; i < p->n_nodes; i++) {
                const NodeState *n = &p->nodes[i];
                if (n->node->total_bytes == 0)
                        continue;
                if (first && first->node->tier_rank != n->node->tier_rank)
                        return true;
                first = first ?: n;
        }
        return false;
}

/* Its home node if that has memory, else the top-tier node with most free memory (the lower id on a tie). */
static NodeState *destination_of(const Planner *p, const PolicyWorkload *w)
{
        NodeState *best = NULL;

        if (w->home_node >= 0) {
                NodeState *home = find_node(p, (unsigned)w->home_node);
                if (home && home->node->total_bytes > 0)
                        return home;
        }
        for (size_t i = 0; i < p->n_nodes; i++) {
                NodeState *n = &p->nodes[i];
                if (n->node->top_tier && n->node->total_bytes > 0 && (!best || n->free > best->free))
                        best = n;
        }
        return best;
}

static int setup_regions(Planner *p, const PolicyInput *in)
{
        size_t n_regions = 0, n_parts = 0, r_at = 0, part_at = 0;

        for (size_t i = 0; i < in->n_workloads; i++) {
                n_regions += in->workloads[i].n_regions;
                for (size_t j = 0; j < in->workloads[i].n_regions; j++)
                        n_parts += in->workloads[i].regions[j].n_nodes;
        }
        p->regions = calloc(MAX(n_regions, (size_t)1), sizeof(RegionRef));
        p->parts = calloc(MAX(n_parts, (size_t)1), sizeof(Part));
        p->coldest = calloc(MAX(n_regions, (size_t)1), sizeof(RegionRef *));
        p->hottest = calloc(MAX(n_regions, (size_t)1), sizeof(RegionRef *));
        if (!p->regions || !p->parts || !p->coldest || !p->hottest)
                return -ENOMEM;

        for (size_t i = 0; i < in->n_workloads; i++) {
                const PolicyWorkload *w = &in->workloads[i];
                NodeState *destination = destination_of(p, w);

                for (size_t j = 0; j < w->n_regions; j++) {
                        const PolicyRegion *region = &w->regions[j];
                        RegionRef *r = &p->regions[r_at++];
                        uint64_t age_usec;

                        if (__builtin_mul_overflow((uint64_t)region->age, w->aggr_interval_usec, &age_usec))
                                age_usec = UINT64_MAX;
                        *r = (RegionRef){
                                .workload = w,
                                .region = region,
                                .parts = &p->parts[part_at],
                                .heat = heat_of(region, w),
                                .age_usec = age_usec,
                                .hold_on_fast = moved_recently(region->promoted_usec, in->now_usec,
                                                               p->params->min_residency_usec),
                                .hold_on_slow = moved_recently(region->demoted_usec, in->now_usec,
                                                               p->params->min_residency_usec),
                                .moved = -1,
                                .destination = destination,
                        };
                        for (size_t k = 0; k < region->n_nodes; k++) {
                                NodeState *n = find_node(p, region->nodes[k].node);
                                if (!n || n->node->total_bytes == 0 || region->nodes[k].bytes == 0)
                                        continue;
                                r->parts[r->n_parts++] = (Part){.node = n, .bytes = region->nodes[k].bytes};
                        }
                        part_at += r->n_parts;
                        qsort(r->parts, r->n_parts, sizeof(Part), compare_part);
                        p->coldest[p->n_regions] = p->hottest[p->n_regions] = r;
                        p->n_regions++;
                }
        }
        qsort(p->coldest, p->n_regions, sizeof(RegionRef *), compare_coldest);
        qsort(p->hottest, p->n_regions, sizeof(RegionRef *), compare_hottest);
        return 0;
}

static PolicyOutcome outcome_of(const PolicyPlan *plan)
{
        if (plan->n_moves > 0)
                return POLICY_OUTCOME_MOVES;
        for (size_t i = 0; i < plan->n_nodes; i++)
                if (plan->nodes[i].notes & ~(unsigned)POLICY_NOTE_NO_MEMORY)
                        return POLICY_OUTCOME_BLOCKED;
        return POLICY_OUTCOME_BALANCED;
}

static int plan_cycle(Planner *p, const PolicyInput *in)
{
        _cleanup_free_ NodeState **order = NULL;
        int k;

        k = setup_nodes(p, in);
        if (k < 0)
                return k;
        if (!several_tiers(p)) {
                p->plan->outcome = POLICY_OUTCOME_ONE_TIER;
                return 0;
        }
        if (in->n_workloads == 0) {
                p->plan->outcome = POLICY_OUTCOME_NO_WORKLOADS;
                return 0;
        }
        k = setup_regions(p, in);
        if (k < 0)
                return k;

        order = calloc(p->n_nodes, sizeof(NodeState *));
        if (!order)
                return -ENOMEM;
        for (size_t i = 0; i < p->n_nodes; i++)
                order[i] = &p->nodes[i];
        qsort(order, p->n_nodes, sizeof(NodeState *), compare_pressure_order);
        for (size_t i = 0; i < p->n_nodes; i++) {
                k = relieve_pressure(p, order[i]);
                if (k < 0)
                        return k;
        }
        k = promote_hottest(p);
        if (k < 0)
                return k;
        p->plan->outcome = outcome_of(p->plan);
        return 0;
}

int policy_plan(const PolicyInput *in, const PolicyParams *params, PolicyPlan **ret)
{
        _cleanup_(policy_plan_freep) PolicyPlan *plan = NULL;
        Planner p = {.params = params, .budget = params->budget_bytes};
        int k;

        k = policy_params_validate(params, NULL);
        if (k < 0)
                return k;
        if (in->n_workloads > 0 && !in->workloads)
                return -EINVAL;
        k = validate_workloads(in);
        if (k < 0)
                return k;

        plan = calloc(1, sizeof(PolicyPlan));
        if (!plan)
                return -ENOMEM;
        p.plan = plan;
        k = plan_cycle(&p, in);
        if (k >= 0)
                for (size_t i = 0; i < p.n_nodes; i++)
                        p.nodes[i].summary->free_bytes = p.nodes[i].free;
        free(p.nodes);
        free(p.regions);
        free(p.parts);
        free(p.coldest);
        free(p.hottest);
        if (k < 0)
                return k;
        plan->budget_left = p.budget;
        *ret = TAKE_PTR(plan);
        return 0;
}

PolicyPlan *policy_plan_free(PolicyPlan *p)
{
        if (!p)
                return NULL;
        free(p->moves);
        free(p->nodes);
        free(p);
        return NULL;
}

const PolicyNodeSummary *policy_plan_find_node(const PolicyPlan *p, unsigned node)
{
        for (size_t i = 0; i < p->n_nodes; i++)
                if (p->nodes[i].node == node)
                        return &p->nodes[i];
        return NULL;
}

const char *policy_direction_to_string(PolicyDirection d)
{
        static const char *const table[_POLICY_DIRECTION_MAX] = {
                [POLICY_PROMOTE] = "promote",
                [POLICY_DEMOTE] = "demote",
        };
        return (unsigned)d < ELEMENTSOF(table) ? table[d] : NULL;
}

const char *policy_move_reason_to_string(PolicyMoveReason r)
{
        static const char *const table[_POLICY_REASON_MAX] = {
                [POLICY_REASON_PRESSURE] = "pressure",
                [POLICY_REASON_DISPLACED] = "displaced",
                [POLICY_REASON_HOT] = "hot",
                [POLICY_REASON_EXCHANGE] = "exchange",
        };
        return (unsigned)r < ELEMENTSOF(table) ? table[r] : NULL;
}

const char *policy_note_to_string(PolicyNote n)
{
        switch (n) {
        case POLICY_NOTE_BELOW_LOW:
                return "below-low";
        case POLICY_NOTE_TARGETS_FULL:
                return "targets-full";
        case POLICY_NOTE_NO_VICTIM:
                return "no-victim";
        case POLICY_NOTE_RESIDENCY:
                return "residency";
        case POLICY_NOTE_UNSETTLED:
                return "unsettled";
        case POLICY_NOTE_NO_COLDER:
                return "no-colder";
        case POLICY_NOTE_BUDGET:
                return "budget";
        case POLICY_NOTE_NO_MEMORY:
                return "no-memory";
        default:
                return NULL;
        }
}

const char *policy_outcome_to_string(PolicyOutcome o)
{
        static const char *const table[_POLICY_OUTCOME_MAX] = {
                [POLICY_OUTCOME_MOVES] = "moves",
                [POLICY_OUTCOME_ONE_TIER] = "one-tier",
                [POLICY_OUTCOME_NO_WORKLOADS] = "no-workloads",
                [POLICY_OUTCOME_BALANCED] = "balanced",
                [POLICY_OUTCOME_BLOCKED] = "blocked",
        };
        return (unsigned)o < ELEMENTSOF(table) ? table[o] : NULL;
}
