/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "macro.h"
#include "nodemask.h"
#include "topology.h"

/*
 * The abstract-distance engine: Topology (+ overrides) -> TierMap, reproducing mm/memory-tiers.c and the HMAT
 * adistance algorithm of drivers/acpi/numa/hmat.c.  Pure: no I/O, no logging; every result carries its reason.
 */

#define MEMTIER_CHUNK_BITS 7
#define MEMTIER_CHUNK_SIZE (1 << MEMTIER_CHUNK_BITS)
#define MEMTIER_ADISTANCE_DRAM ((4 * MEMTIER_CHUNK_SIZE) + (MEMTIER_CHUNK_SIZE >> 1)) /* 576 -> tier 4 */
#define MEMTIER_DEFAULT_DAX_ADISTANCE (MEMTIER_ADISTANCE_DRAM * 5)                    /* 2880 -> tier 22 */

/* The first adistance of a tier, in 64 bits: tier ids near INT_MAX >> 7 would overflow an int otherwise. */
static inline int64_t memtier_tier_start(int tier)
{
        return (int64_t)tier * MEMTIER_CHUNK_SIZE;
}

static inline int memtier_tier_of(int adistance)
{
        /* round_down() then >> CHUNK_BITS, as the kernel does it on an int: floor for negative values too. */
        return (adistance & ~(MEMTIER_CHUNK_SIZE - 1)) >> MEMTIER_CHUNK_BITS;
}

typedef enum TierReason {
        TIER_REASON_HMAT,         /* performance-based adistance from HMAT access1 figures */
        TIER_REASON_DEFAULT_DRAM, /* the DRAM default, 576 */
        TIER_REASON_DAX_KMEM,     /* the dax/kmem default, 2880 */
        TIER_REASON_OVERRIDE,     /* configured by the administrator */
        _TIER_REASON_MAX,
} TierReason;

/* Why a node has its default adistance rather than one computed from HMAT figures. */
typedef enum DefaultCause {
        DEFAULT_CAUSE_NONE,
        DEFAULT_CAUSE_NO_HMAT,            /* no node carries HMAT figures */
        DEFAULT_CAUSE_NO_FIGURES,         /* this node has no non-zero access1 figures */
        DEFAULT_CAUSE_NO_REFERENCE,       /* no CPU+memory node has access1 figures */
        DEFAULT_CAUSE_REFERENCE_MISMATCH, /* a DRAM node differs from the reference by more than 10% */
        DEFAULT_CAUSE_REFERENCE_ZERO,     /* a DRAM node is an HMAT target with zero figures */
        DEFAULT_CAUSE_LEGACY_KERNEL,      /* kernel < 6.10 model: every boot node is DRAM */
        _DEFAULT_CAUSE_MAX,
} DefaultCause;

typedef enum ReferenceState {
        REFERENCE_NO_HMAT,  /* nothing to compute from */
        REFERENCE_NONE,     /* HMAT, but no CPU+memory node with access1 figures */
        REFERENCE_VALID,    /* the performance-based algorithm is on */
        REFERENCE_MISMATCH, /* switched off: 10% rule */
        REFERENCE_ZERO,     /* switched off: a DRAM node's figures are zero */
        _REFERENCE_STATE_MAX,
} ReferenceState;

enum { FIGURE_READ_LATENCY, FIGURE_WRITE_LATENCY, FIGURE_READ_BANDWIDTH, FIGURE_WRITE_BANDWIDTH, _FIGURE_MAX };

typedef struct Reference {
        ReferenceState state;
        int node; /* the reference DRAM node, -1: none */
        uint32_t figure[_FIGURE_MAX];
        int culprit;        /* the DRAM node that switched the algorithm off, -1: none */
        int culprit_figure; /* with REFERENCE_MISMATCH: the first figure out of the 10% band */
        uint32_t culprit_value[_FIGURE_MAX];
} Reference;

typedef enum TierModel {
        TIER_MODEL_CURRENT, /* Linux >= 6.10: every node through the adistance algorithm */
        TIER_MODEL_LEGACY,  /* Linux 6.1 .. 6.9: boot nodes are DRAM; only dax/kmem nodes differ */
} TierModel;

typedef struct TierOverride {
        unsigned node;
        bool by_tier; /* value is a tier id, else an adistance */
        int value;
} TierOverride;

typedef struct TierOptions {
        TierModel model;
        /* Evaluate the adistance formula in 32 bits, as kernels before the 6.17 fix did (overflows). */
        bool arith32;
        /* With TIER_MODEL_LEGACY: dax/kmem nodes use HMAT figures from 6.7 on, the fixed 2880 before. */
        bool legacy_kmem_hmat;
        const TierOverride *overrides; /* tier_map_compute() keeps its own copy */
        size_t n_overrides;
} TierOptions;

typedef struct NodeTier {
        unsigned node;
        bool has_memory; /* only memory nodes have a tier; the fields below are meaningful only then */
        bool kmem;       /* its memory type came from dax/kmem */
        int adistance, tier;
        TierReason reason;
        DefaultCause cause;
        int default_adistance;
        bool perf_valid; /* perf_adistance is what its HMAT figures give (whether or not it was used) */
        int perf_adistance;
        int computed_adistance; /* before any override */
        bool top_tier;
        NodeMask demote_preferred, demote_fallback;
} NodeTier;

typedef struct TierGroup {
        int id;
        int adistance_min, adistance_max; /* of the memory types in it */
        NodeMask nodes;
        NodeMask lower_nodes; /* the kernel's lower_tier_mask: memory nodes of all tiers after this one */
        bool top_tier;
        uint64_t mem_total_kb, mem_free_kb;
} TierGroup;

typedef struct TierMap {
        TierOptions options; /* options.overrides points at the map's own copy */
        TierOverride *overrides;
        Reference reference;
        NodeTier *nodes; /* one per online node, ascending node id; look nodes up with tier_map_find() */
        size_t n_nodes;
        TierGroup *tiers; /* ascending id */
        size_t n_tiers;
        /* The kernel's top_tier_adistance: tiers starting at or below it are top tier.  Set, with the demotion
         * targets, by demotion_establish(). */
        int top_tier_adistance;
} TierMap;

TierMap *tier_map_free(TierMap *m);
DEFINE_TRIVIAL_CLEANUP_FUNC(TierMap *, tier_map_free);

/* Abstract distances and tiers; demotion targets are left empty for demotion_establish(). */
int tier_map_compute(const Topology *t, const TierOptions *options, TierMap **ret);
const NodeTier *tier_map_find(const TierMap *m, unsigned node);
NodeTier *tier_map_find_mutable(TierMap *m, unsigned node);
const TierGroup *tier_map_find_tier(const TierMap *m, int id);

/* Building blocks, exported for explain and tests. */
bool memtier_node_is_kmem(const TopoNode *n);
/* The kernel's 10% test on one figure: true when value is out of the reference's band. */
bool memtier_outside_band(uint32_t value, uint32_t reference);
/* -EINVAL when the figures sum to zero. */
int memtier_perf_to_adistance(const Reference *ref, const AccessFigures *perf, bool arith32, int *ret);

const char *tier_reason_to_string(TierReason r);
const char *default_cause_to_string(DefaultCause c);
const char *reference_state_to_string(ReferenceState s);
const char *figure_name(int figure);
