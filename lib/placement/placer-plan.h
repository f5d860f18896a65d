/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The placer's pure parts (placer.h does the I/O): no I/O, no logging, no clock.  For placer.c and the tests. */
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "hotness.h"
#include "migrate.h"
#include "placer-stats.h"
#include "policy.h"
#include "topology.h"

/* Pages asked about per region to estimate where it is: enough to tell 1/16 apart, cheap for 1000 regions. */
#define PLACER_SAMPLES_PER_REGION 16
#define PLACER_PAGE_SIZE UINT64_C(4096)

/* The addresses of the pages sampled in each of n regions: PLACER_SAMPLES_PER_REGION per region, evenly spread
 * from its first page to its last, region after region. */
void placer_sample_pages(const HotnessRegion *regions, size_t n, void **ret_pages);

/*
 * The policy's regions from the move_pages(2) status of their samples (PLACER_SAMPLES_PER_REGION per region, in
 * the order of placer_sample_pages()).  Each sample stands for 1/PLACER_SAMPLES_PER_REGION of the region: a node
 * gets the share of the samples found on it; a negative status (not present, not mapped) counts for no node.
 * The node shares go to node_bytes (room for PLACER_SAMPLES_PER_REGION per region), which each region points
 * into.  Residency times are left 0.  Returns the node_bytes used.
 */
size_t placer_regions_from_samples(const HotnessRegion *hotness, size_t n, const int *status, PolicyRegion *ret,
                                   PolicyNodeBytes *node_bytes);

/* Which node each CPU belongs to, from every node's cpulist, parsed once per cycle rather than once per
 * workload. */
#define PLACER_MAX_CPUS 4096
typedef struct PlacerCpuMap {
        int node[PLACER_MAX_CPUS]; /* -1: no node lists the cpu */
} PlacerCpuMap;

/* A node whose cpulist is missing or malformed (a cpu of PLACER_MAX_CPUS or more too) lists none; a cpu in two
 * lists goes to the first node.  Free with free().  -ENOMEM. */
int placer_cpu_map_new(const Topology *t, PlacerCpuMap **ret);
/* The node whose CPUs include cpu, -1 when none says so. */
int placer_cpu_map_node(const PlacerCpuMap *m, int cpu);

/* A range tierd moved, and when: the minimum residency's memory. */
typedef struct PlacerResidency {
        pid_t pid;
        uint64_t start, end, usec;
        PolicyDirection direction;
} PlacerResidency;

typedef struct PlacerHistory {
        PlacerResidency *entries;
        size_t n, allocated;
} PlacerHistory;

void placer_history_done(PlacerHistory *h);
/* When tierd last promoted and demoted any part of pid's [start, end), 0: never. */
void placer_history_lookup(const PlacerHistory *h, pid_t pid, uint64_t start, uint64_t end, uint64_t *ret_promoted,
                           uint64_t *ret_demoted);
/* Drop what is older than keep_usec at now (it holds nothing back any more), and what is of a process no longer
 * among the workloads' pids (ascending, n_pids). */
void placer_history_prune(PlacerHistory *h, uint64_t now, uint64_t keep_usec, const pid_t *pids, size_t n_pids);

/* One migration job: consecutive moves of one process, one direction, between the same two nodes. */
typedef struct PlacerJob {
        pid_t pid;
        PolicyDirection direction;
        unsigned from_node, to_node;
        MigrateRange *ranges;
        size_t n_ranges, allocated;
} PlacerJob;

void placer_jobs_free(PlacerJob *jobs, size_t n);

/* Every range of the job, as moved at now.  -ENOMEM, and nothing is recorded. */
int placer_history_record(PlacerHistory *h, const PlacerJob *job, uint64_t now);

/*
 * The jobs of a plan's moves, in their order.  The policy means "the first bytes of [start, end) that are on
 * from_node": each range is the move's, capped at its bytes (MigrateRange.max_bytes), so that pages already on
 * the target, which are where an earlier cycle began, are passed over and not counted; the job is to move from
 * from_node only (MigrateOptions.from_nodes), so that pages on a third node stay.  -ENOMEM.
 */
int placer_queue_moves(const PolicyMove *moves, size_t n_moves, PlacerJob **ret, size_t *ret_n);
