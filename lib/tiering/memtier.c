/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdlib.h>
#include <string.h>

#include "memtier.h"

TierMap *tier_map_free(TierMap *m)
{
        if (!m)
                return NULL;
        free(m->nodes);
        free(m->tiers);
        free(m->overrides);
        free(m);
        return NULL;
}

static void figures_of(const AccessFigures *a, uint32_t out[_FIGURE_MAX])
{
        out[FIGURE_READ_LATENCY] = a->read_latency;
        out[FIGURE_WRITE_LATENCY] = a->write_latency;
        out[FIGURE_READ_BANDWIDTH] = a->read_bandwidth;
        out[FIGURE_WRITE_BANDWIDTH] = a->write_bandwidth;
}

/* The kernel adds the u32 figures in u32: a sum can wrap, and a wrapped zero counts as zero. */
static uint32_t latency_sum(const AccessFigures *a)
{
        return a->read_latency + a->write_latency;
}

static uint32_t bandwidth_sum(const AccessFigures *a)
{
        return a->read_bandwidth + a->write_bandwidth;
}

bool memtier_node_is_kmem(const TopoNode *n)
{
        if (!n->dax_kmem)
                return false;
        /* Memory of another kind onlined first (boot DRAM) gave the node its type; kmem's is then ignored. */
        if (n->online_bytes == 0)
                return !n->has_cpu;
        return n->kmem_bytes >= n->online_bytes;
}

bool memtier_outside_band(uint32_t value, uint32_t reference)
{
        /* abs() on an unsigned difference reinterprets it as int; the product wraps; the compare is unsigned. */
        int32_t d = (int32_t)(value - reference);
        uint32_t magnitude = d < 0 ? (uint32_t)0 - (uint32_t)d : (uint32_t)d;
        return magnitude * 10u > reference;
}

static void find_reference(const Topology *t, Reference *ret)
{
        *ret = (Reference){.state = REFERENCE_NONE, .node = -1, .culprit = -1, .culprit_figure = -1};
        if (!t->hmat) {
                ret->state = REFERENCE_NO_HMAT;
                return;
        }

        for (size_t i = 0; i < t->n_nodes; i++) {
                const TopoNode *n = &t->nodes[i];
                const AccessFigures *a = &n->access[ACCESS_CPU];

                /* default_dram_nodes: memory and CPUs at boot; dax/kmem memory is never boot memory. */
                if (!n->has_cpu || !n->has_memory || memtier_node_is_kmem(n))
                        continue;
                if (!a->present) /* not an HMAT target */
                        continue;
                if (latency_sum(a) == 0 || bandwidth_sum(a) == 0) {
                        ret->state = REFERENCE_ZERO;
                        ret->culprit = (int)n->id;
                        figures_of(a, ret->culprit_value);
                        return;
                }
                if (ret->node < 0) {
                        ret->node = (int)n->id;
                        ret->state = REFERENCE_VALID;
                        figures_of(a, ret->figure);
                        continue;
                }
                uint32_t v[_FIGURE_MAX];
                figures_of(a, v);
                for (int f = 0; f < _FIGURE_MAX; f++)
                        if (memtier_outside_band(v[f], ret->figure[f])) {
                                ret->state = REFERENCE_MISMATCH;
                                ret->culprit = (int)n->id;
                                ret->culprit_figure = f;
                                memcpy(ret->culprit_value, v, sizeof(v));
                                return;
                        }
        }
}

int memtier_perf_to_adistance(const Reference *ref, const AccessFigures *perf, bool arith32, int *ret)
{
        uint32_t lat = latency_sum(perf), bw = bandwidth_sum(perf);
        uint32_t ref_lat = ref->figure[FIGURE_READ_LATENCY] + ref->figure[FIGURE_WRITE_LATENCY];
        uint32_t ref_bw = ref->figure[FIGURE_READ_BANDWIDTH] + ref->figure[FIGURE_WRITE_BANDWIDTH];

        if (lat == 0 || bw == 0 || ref_lat == 0 || ref_bw == 0)
                return -EINVAL;

        if (arith32) {
                /* int constant times unsigned int: the whole expression is unsigned 32-bit and wraps. */
                uint32_t a = (uint32_t)MEMTIER_ADISTANCE_DRAM * lat;
                a /= ref_lat;
                a *= ref_bw;
                a /= bw;
                *ret = (int)a;
        } else {
                /* 576L: signed 64-bit, left to right; a product too large for it wraps as the kernel's would. */
                int64_t a = (int64_t)MEMTIER_ADISTANCE_DRAM * (int64_t)lat;
                a /= (int64_t)ref_lat;
                a = (int64_t)((uint64_t)a * (uint64_t)ref_bw);
                a /= (int64_t)bw;
                *ret = (int)(int32_t)(uint32_t)(uint64_t)a;
        }
        return 0;
}

static DefaultCause cause_from_reference(const Reference *ref)
{
        switch (ref->state) {
        case REFERENCE_NO_HMAT:
                return DEFAULT_CAUSE_NO_HMAT;
        case REFERENCE_NONE:
                return DEFAULT_CAUSE_NO_REFERENCE;
        case REFERENCE_MISMATCH:
                return DEFAULT_CAUSE_REFERENCE_MISMATCH;
        case REFERENCE_ZERO:
                return DEFAULT_CAUSE_REFERENCE_ZERO;
        default:
                return DEFAULT_CAUSE_NO_FIGURES;
        }
}

static const TierOverride *find_override(const TierOptions *o, unsigned node)
{
        const TierOverride *found = NULL;
        for (size_t i = 0; i < o->n_overrides; i++)
                if (o->overrides[i].node == node)
                        found = &o->overrides[i]; /* later entries win, like later config files */
        return found;
}

static void classify_node(const TopoNode *n, const TierOptions *o, const Reference *ref, NodeTier *nt)
{
        const AccessFigures *a = &n->access[ACCESS_CPU];
        bool hmat_usable = ref->state == REFERENCE_VALID;

        nt->kmem = memtier_node_is_kmem(n);
        nt->default_adistance = nt->kmem ? MEMTIER_DEFAULT_DAX_ADISTANCE : MEMTIER_ADISTANCE_DRAM;
        nt->perf_valid =
                hmat_usable && a->present && memtier_perf_to_adistance(ref, a, o->arith32, &nt->perf_adistance) >= 0;

        bool use_perf = nt->perf_valid;
        if (o->model == TIER_MODEL_LEGACY)
                /* Boot nodes got the DRAM type at subsys_initcall time, before any HMAT algorithm existed. */
                use_perf = nt->perf_valid && nt->kmem && o->legacy_kmem_hmat;

        if (use_perf) {
                nt->adistance = nt->perf_adistance;
                nt->reason = TIER_REASON_HMAT;
                nt->cause = DEFAULT_CAUSE_NONE;
        } else {
                nt->adistance = nt->default_adistance;
                nt->reason = nt->kmem ? TIER_REASON_DAX_KMEM : TIER_REASON_DEFAULT_DRAM;
                /* Before 6.10 boot nodes never asked for HMAT figures, and before 6.7 neither did dax/kmem. */
                if (o->model == TIER_MODEL_LEGACY && (!nt->kmem || (nt->perf_valid && !o->legacy_kmem_hmat)))
                        nt->cause = DEFAULT_CAUSE_LEGACY_KERNEL;
                else if (!hmat_usable)
                        nt->cause = cause_from_reference(ref);
                else
                        nt->cause = DEFAULT_CAUSE_NO_FIGURES;
        }
        nt->computed_adistance = nt->adistance;

        const TierOverride *ov = find_override(o, n->id);
        if (ov) {
                /* A tier id means the middle of its chunk; config.c bounds ids so that this fits an int. */
                nt->adistance = ov->by_tier ? (int)(memtier_tier_start(ov->value) + MEMTIER_CHUNK_SIZE / 2) : ov->value;
                nt->reason = TIER_REASON_OVERRIDE;
        }
        nt->tier = memtier_tier_of(nt->adistance);
}

static int cmp_tier_group(const void *a, const void *b)
{
        const TierGroup *x = a, *y = b;
        return x->id < y->id ? -1 : x->id > y->id;
}

static int group_tiers(const Topology *t, TierMap *m)
{
        m->tiers = calloc(MAX(m->n_nodes, (size_t)1), sizeof(TierGroup));
        if (!m->tiers)
                return -ENOMEM;
        for (size_t i = 0; i < m->n_nodes; i++) {
                const NodeTier *nt = &m->nodes[i];
                if (!nt->has_memory)
                        continue;
                TierGroup *g = NULL;
                for (size_t j = 0; j < m->n_tiers; j++)
                        if (m->tiers[j].id == nt->tier)
                                g = &m->tiers[j];
                if (!g) {
                        g = &m->tiers[m->n_tiers++];
                        *g = (TierGroup){
                                .id = nt->tier, .adistance_min = nt->adistance, .adistance_max = nt->adistance};
                }
                g->adistance_min = MIN(g->adistance_min, nt->adistance);
                g->adistance_max = MAX(g->adistance_max, nt->adistance);
                nodemask_set(&g->nodes, nt->node);
                const TopoNode *n = topology_find_node(t, nt->node);
                g->mem_total_kb += n->mem_total_kb;
                g->mem_free_kb += n->mem_free_kb;
        }
        qsort(m->tiers, m->n_tiers, sizeof(TierGroup), cmp_tier_group);
        return 0;
}

int tier_map_compute(const Topology *t, const TierOptions *options, TierMap **ret)
{
        static const TierOptions defaults = {.model = TIER_MODEL_CURRENT};
        const TierOptions *o = options ?: &defaults;

        _cleanup_(tier_map_freep) TierMap *m = calloc(1, sizeof(TierMap));
        if (!m)
                return -ENOMEM;
        m->options = *o;
        if (o->n_overrides > 0) {
                m->overrides = calloc(o->n_overrides, sizeof(TierOverride));
                if (!m->overrides)
                        return -ENOMEM;
                memcpy(m->overrides, o->overrides, o->n_overrides * sizeof(TierOverride));
        }
        m->options.overrides = m->overrides;
        m->nodes = calloc(MAX(t->n_nodes, (size_t)1), sizeof(NodeTier));
        if (!m->nodes)
                return -ENOMEM;
        m->n_nodes = t->n_nodes;

        find_reference(t, &m->reference);
        for (size_t i = 0; i < t->n_nodes; i++) {
                NodeTier *nt = &m->nodes[i];
                nt->node = t->nodes[i].id;
                nt->has_memory = t->nodes[i].has_memory;
                if (nt->has_memory)
                        classify_node(&t->nodes[i], o, &m->reference, nt);
        }

        int k = group_tiers(t, m);
        if (k < 0)
                return k;

        *ret = TAKE_PTR(m);
        return 0;
}

NodeTier *tier_map_find_mutable(TierMap *m, unsigned node)
{
        size_t lo = 0, hi = m->n_nodes;
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (m->nodes[mid].node == node)
                        return &m->nodes[mid];
                if (m->nodes[mid].node < node)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return NULL;
}

const NodeTier *tier_map_find(const TierMap *m, unsigned node)
{
        return tier_map_find_mutable((TierMap *)m, node);
}

const TierGroup *tier_map_find_tier(const TierMap *m, int id)
{
        for (size_t i = 0; i < m->n_tiers; i++)
                if (m->tiers[i].id == id)
                        return &m->tiers[i];
        return NULL;
}

const char *tier_reason_to_string(TierReason r)
{
        static const char *const table[_TIER_REASON_MAX] = {
                [TIER_REASON_HMAT] = "hmat",
                [TIER_REASON_DEFAULT_DRAM] = "default-dram",
                [TIER_REASON_DAX_KMEM] = "dax-kmem",
                [TIER_REASON_OVERRIDE] = "override",
        };
        return (unsigned)r < _TIER_REASON_MAX ? table[r] : "unknown";
}

const char *default_cause_to_string(DefaultCause c)
{
        static const char *const table[_DEFAULT_CAUSE_MAX] = {
                [DEFAULT_CAUSE_NONE] = NULL,
                [DEFAULT_CAUSE_NO_HMAT] = "no-hmat",
                [DEFAULT_CAUSE_NO_FIGURES] = "no-figures",
                [DEFAULT_CAUSE_NO_REFERENCE] = "no-reference",
                [DEFAULT_CAUSE_REFERENCE_MISMATCH] = "reference-mismatch",
                [DEFAULT_CAUSE_REFERENCE_ZERO] = "reference-zero",
                [DEFAULT_CAUSE_LEGACY_KERNEL] = "legacy-kernel",
        };
        return (unsigned)c < _DEFAULT_CAUSE_MAX ? table[c] : NULL;
}

const char *reference_state_to_string(ReferenceState s)
{
        static const char *const table[_REFERENCE_STATE_MAX] = {
                [REFERENCE_NO_HMAT] = "no-hmat",   [REFERENCE_NONE] = "none", [REFERENCE_VALID] = "valid",
                [REFERENCE_MISMATCH] = "mismatch", [REFERENCE_ZERO] = "zero",
        };
        return (unsigned)s < _REFERENCE_STATE_MAX ? table[s] : "unknown";
}

const char *figure_name(int figure)
{
        static const char *const table[_FIGURE_MAX] = {"read_latency", "write_latency", "read_bandwidth",
                                                       "write_bandwidth"};
        return figure >= 0 && figure < _FIGURE_MAX ? table[figure] : "?";
}
