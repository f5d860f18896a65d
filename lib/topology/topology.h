/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "macro.h"
#include "nodemask.h"
#include "warning.h"

/*
 * What tierd knows about a host's memory topology: plain data, read once from a (root-prefixed) sysfs/procfs
 * tree by topology_read() or built by hand in tests.  Nothing here decides anything.
 */

/* HMAT access class figures, as the kernel keeps them (struct access_coordinate: u32 ns and MB/s). */
typedef struct AccessFigures {
        bool present; /* the accessN directory exists: the node is an HMAT target */
        uint32_t read_latency, write_latency;
        uint32_t read_bandwidth, write_bandwidth;
        NodeMask initiators;
} AccessFigures;

enum {
        ACCESS_LOCAL = 0, /* access0: best initiators of any kind */
        ACCESS_CPU = 1,   /* access1: best CPU initiators; the one the tiering algorithm uses */
        ACCESS_CLASSES,
};

typedef struct TopoNode {
        unsigned id;
        bool has_cpu, has_memory;
        char *cpulist; /* as the kernel prints it, "" for CPU-less nodes; NULL if unreadable */
        unsigned n_cpus;
        bool has_meminfo;
        uint64_t mem_total_kb, mem_free_kb;
        /* SLIT row: distance[i] to the i-th online node, in the order of Topology.nodes.  n_distance == 0: none. */
        uint32_t *distance;
        size_t n_distance;
        AccessFigures access[ACCESS_CLASSES];
        /* Memory onlined through dax/kmem targets this node, and how much of its online memory that is (both
         * counted only for such nodes: memory blocks are read only when a kmem device exists). */
        bool dax_kmem;
        uint64_t kmem_bytes, online_bytes;
        int kernel_tier; /* memory_tierN the running kernel put it in, -1: none */
} TopoNode;

typedef enum MemoryBlockState {
        MEMORY_BLOCK_UNKNOWN,
        MEMORY_BLOCK_ONLINE,
        MEMORY_BLOCK_OFFLINE,
        MEMORY_BLOCK_GOING_OFFLINE,
} MemoryBlockState;

typedef struct MemoryBlock {
        uint64_t id;         /* memoryN */
        uint64_t phys_index; /* base address = phys_index * block_size */
        int node;            /* -1: no node link */
        MemoryBlockState state;
} MemoryBlock;

typedef struct DaxDevice {
        char *name; /* "dax0.0" */
        int target_node;
        uint64_t start, size;
        char *driver; /* "kmem", "device_dax", NULL when unbound */
} DaxDevice;

typedef struct KernelTier {
        int id; /* memory_tierN */
        NodeMask nodes;
} KernelTier;

typedef struct Topology {
        char *kernel_release; /* NULL: unknown */
        unsigned kernel_major, kernel_minor, kernel_patch;
        int numa_balancing;   /* -1: knob absent */
        int demotion_enabled; /* -1: knob absent, else 0/1 */

        TopoNode *nodes; /* online nodes, ascending id */
        size_t n_nodes;

        bool hmat; /* any node carries access figures */
        uint64_t block_size;
        MemoryBlock *blocks; /* read only when a dax device is bound to kmem: nothing else needs them */
        size_t n_blocks;
        DaxDevice *dax;
        size_t n_dax;
        bool memory_tiering; /* /sys/devices/virtual/memory_tiering exists */
        KernelTier *kernel_tiers;
        size_t n_kernel_tiers;

        WarningList warnings; /* malformed or unreadable files met while reading */
} Topology;

Topology *topology_new(void);
Topology *topology_free(Topology *t);
DEFINE_TRIVIAL_CLEANUP_FUNC(Topology *, topology_free);

/* Add an online node (ids must be added in ascending order). */
int topology_add_node(Topology *t, unsigned id, bool has_cpu, bool has_memory, TopoNode **ret);
TopoNode *topology_find_node(const Topology *t, unsigned id);
/* SLIT distance between two online nodes; 0 when unknown. */
uint32_t topology_distance(const Topology *t, unsigned from, unsigned to);
/* Set a node's SLIT row: entry i is the distance to the i-th node of Topology.nodes. */
int topology_node_set_distances(TopoNode *n, const uint32_t *row, size_t len);
int topology_set_kernel_release(Topology *t, const char *release);
/* Kernel >= major.minor?  false when the release is unknown. */
bool topology_kernel_at_least(const Topology *t, unsigned major, unsigned minor);

/* Discover everything from the tree at root ("/" for the live system).  Missing optional files are normal and
 * leave fields at "absent"; malformed or unreadable ones (and required ones missing, such as one HMAT figure of
 * an access class that exists) are recorded in t->warnings, with the node they concern, and skipped. Fails only
 * on ENOMEM, an unusable root, or when root has no node directory at all. */
int topology_read(const char *root, Topology **ret);
