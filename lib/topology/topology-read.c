/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "sysfs.h"
#include "topology.h"

#define NODE_DIR "sys/devices/system/node"
#define MEMORY_DIR "sys/devices/system/memory"
#define TIERING_DIR "sys/devices/virtual/memory_tiering"
#define DAX_DIR "sys/bus/dax/devices"

/* NR_CPUS on Debian is 8192; anything far beyond is garbage, not a CPU list. */
#define CPU_ID_LIMIT 65536u

/* -ENOMEM stops everything; any other error only means "this item is absent or unusable". */
#define RETURN_IF_OOM(r)                                                                                               \
        do {                                                                                                           \
                int _r_ = (r);                                                                                         \
                if (_r_ == -ENOMEM)                                                                                    \
                        return _r_;                                                                                    \
        } while (0)

static int read_kernel(SysfsRoot *r, Topology *t)
{
        _cleanup_free_ char *release = NULL;
        int k = sysfs_read_string(r, &release, "proc/sys/kernel/osrelease");
        RETURN_IF_OOM(k);
        if (k >= 0)
                RETURN_IF_OOM(topology_set_kernel_release(t, release));

        int nb;
        k = sysfs_read_int(r, &nb, "proc/sys/kernel/numa_balancing");
        RETURN_IF_OOM(k);
        if (k >= 0)
                t->numa_balancing = nb;

        bool demotion;
        k = sysfs_read_bool(r, &demotion, "sys/kernel/mm/numa/demotion_enabled");
        RETURN_IF_OOM(k);
        if (k >= 0)
                t->demotion_enabled = demotion;
        return 0;
}

/* The node masks the reader needs to build the node list; nothing after it uses them. */
typedef struct NodeMasks {
        NodeMask online, has_cpu, has_memory;
} NodeMasks;

static int read_masks(SysfsRoot *r, NodeMasks *m)
{
        static const struct {
                const char *file;
                size_t offset;
        } masks[] = {
                {"online", offsetof(NodeMasks, online)},
                {"has_cpu", offsetof(NodeMasks, has_cpu)},
                {"has_memory", offsetof(NodeMasks, has_memory)},
        };

        for (size_t i = 0; i < ELEMENTSOF(masks); i++) {
                NodeMask *mask = (NodeMask *)((char *)m + masks[i].offset);
                int k = sysfs_read_nodemask(r, mask, NODE_DIR "/%s", masks[i].file);
                RETURN_IF_OOM(k);
                if (k < 0)
                        *mask = NODEMASK_EMPTY;
        }

        /* Without a usable "online" file, the nodeN directories are the online nodes. */
        if (nodemask_empty(&m->online)) {
                _cleanup_free_ uint64_t *ids = NULL;
                size_t n;
                int k = sysfs_list_ids(r, "node", &ids, &n, NODE_DIR);
                if (k < 0)
                        return k;
                for (size_t i = 0; i < n; i++) {
                        if (ids[i] < NODEMASK_MAX) {
                                nodemask_set(&m->online, (unsigned)ids[i]);
                                continue;
                        }
                        char path[PATH_MAX];
                        RETURN_IF_OOM(sysfs_root_describe(r, path, sizeof path, NODE_DIR "/node%" PRIu64, ids[i]));
                        RETURN_IF_OOM(warning_list_add(r->warnings, WARNING_MALFORMED_VALUE, -1,
                                                       "%s: node id beyond %u, ignored", path, NODEMASK_MAX - 1));
                }
        }
        if (nodemask_empty(&m->online))
                return -ENOENT;
        return 0;
}

/* Initiator links name nodes; one that is not online (or not a node id at all) is dropped with a warning. */
static int add_initiators(SysfsRoot *r, const Topology *t, AccessFigures *a, const uint64_t *ids, size_t count,
                          unsigned node, int class)
{
        for (size_t i = 0; i < count; i++) {
                if (ids[i] < NODEMASK_MAX && topology_find_node(t, (unsigned)ids[i])) {
                        nodemask_set(&a->initiators, (unsigned)ids[i]);
                        continue;
                }
                char path[PATH_MAX];
                RETURN_IF_OOM(sysfs_root_describe(r, path, sizeof path,
                                                  NODE_DIR "/node%u/access%d/initiators/node%" PRIu64, node, class,
                                                  ids[i]));
                RETURN_IF_OOM(warning_list_add(r->warnings, WARNING_MALFORMED_VALUE, (int)node,
                                               "%s: initiator node %" PRIu64 " is %s, ignored", path, ids[i],
                                               ids[i] < NODEMASK_MAX ? "not online" : "beyond the node id limit"));
        }
        return 0;
}

static int read_access(SysfsRoot *r, const Topology *t, TopoNode *n, int class)
{
        AccessFigures *a = &n->access[class];
        static const struct {
                const char *file;
                size_t offset;
        } figures[] = {
                {"read_latency", offsetof(AccessFigures, read_latency)},
                {"write_latency", offsetof(AccessFigures, write_latency)},
                {"read_bandwidth", offsetof(AccessFigures, read_bandwidth)},
                {"write_bandwidth", offsetof(AccessFigures, write_bandwidth)},
        };

        /* Listing the initiators both tells whether the node is an HMAT target and who its initiators are.
         * No directory: no HMAT data for this class, which is normal; any other failure is already a warning. */
        _cleanup_free_ uint64_t *ids = NULL;
        size_t count;
        int k = sysfs_list_ids(r, "node", &ids, &count, NODE_DIR "/node%u/access%d/initiators", n->id, class);
        RETURN_IF_OOM(k);
        if (k < 0)
                return 0;
        RETURN_IF_OOM(add_initiators(r, t, a, ids, count, n->id, class));
        a->present = true;

        bool usable = true;
        for (size_t i = 0; i < ELEMENTSOF(figures); i++) {
                uint32_t *v = (uint32_t *)((char *)a + figures[i].offset);
                k = sysfs_read_u32(r, v, NODE_DIR "/node%u/access%d/initiators/%s", n->id, class, figures[i].file);
                RETURN_IF_OOM(k);
                if (k == -ENOENT) /* the kernel creates all four together: a missing one is a broken tree */
                        RETURN_IF_OOM(sysfs_warn_unreadable(r, k, NODE_DIR "/node%u/access%d/initiators/%s", n->id,
                                                            class, figures[i].file));
                if (k < 0)
                        usable = false;
        }
        /*
         * A figure we cannot read is not a 0 from the firmware, and guessing it would place the node in a tier
         * of our own invention.  Drop the whole class instead: the node is then tiered as one without HMAT
         * data (the kernel's default type), and the warning above says why it may differ from the kernel.
         */
        if (!usable)
                *a = (AccessFigures){};
        return 0;
}

/* A node's own files; every warning met on the way is about that node. */
static int read_node(SysfsRoot *r, const Topology *t, TopoNode *n, uint32_t *row_buf, size_t n_online)
{
        /* cpulist, meminfo and distance exist in every node directory of every kernel: one missing is a broken
         * tree, and a node without its SLIT row would silently get other demotion targets. */
        int k = sysfs_read_id_list(r, CPU_ID_LIMIT, &n->cpulist, &n->n_cpus, NODE_DIR "/node%u/cpulist", n->id);
        RETURN_IF_OOM(k);
        if (k == -ENOENT)
                RETURN_IF_OOM(sysfs_warn_unreadable(r, k, NODE_DIR "/node%u/cpulist", n->id));

        static const char *const fields[] = {"MemTotal", "MemFree"};
        uint64_t *values[] = {&n->mem_total_kb, &n->mem_free_kb};
        k = sysfs_read_meminfo_kb(r, ELEMENTSOF(fields), fields, values, NODE_DIR "/node%u/meminfo", n->id);
        RETURN_IF_OOM(k);
        if (k == -ENOENT)
                RETURN_IF_OOM(sysfs_warn_unreadable(r, k, NODE_DIR "/node%u/meminfo", n->id));
        n->has_meminfo = k >= 0;
        if (k < 0)
                n->mem_total_kb = n->mem_free_kb = 0;

        size_t len;
        k = sysfs_read_distance_row(r, row_buf, NODEMASK_MAX, &len, NODE_DIR "/node%u/distance", n->id);
        RETURN_IF_OOM(k);
        if (k == -ENOENT)
                RETURN_IF_OOM(sysfs_warn_unreadable(r, k, NODE_DIR "/node%u/distance", n->id));
        if (k >= 0) {
                if (len != n_online) {
                        char path[PATH_MAX];
                        RETURN_IF_OOM(sysfs_root_describe(r, path, sizeof path, NODE_DIR "/node%u/distance", n->id));
                        RETURN_IF_OOM(warning_list_add(r->warnings, WARNING_MALFORMED_VALUE, (int)n->id,
                                                       "%s: %zu entries for %zu online nodes", path, len, n_online));
                } else
                        RETURN_IF_OOM(topology_node_set_distances(n, row_buf, len));
        }

        for (int c = 0; c < ACCESS_CLASSES; c++)
                RETURN_IF_OOM(read_access(r, t, n, c));
        return 0;
}

/* Nodes [from, to).  Only touches those nodes and r (its warnings included): several may run at once. */
static int read_node_range(SysfsRoot *r, const Topology *t, size_t from, size_t to)
{
        _cleanup_free_ uint32_t *row = calloc(NODEMASK_MAX, sizeof(uint32_t));
        if (!row)
                return -ENOMEM;
        for (size_t i = from; i < to; i++) {
                r->context_node = (int)t->nodes[i].id;
                int k = read_node(r, t, &t->nodes[i], row, t->n_nodes);
                r->context_node = -1;
                if (k < 0)
                        return k;
        }
        return 0;
}

/*
 * Reading a node is a dozen small files, nearly all of it kernel time per file (lookup, open, copy): on a
 * large host a second thread takes half the nodes.  Its warnings go to a list of its own, appended after the
 * first half's, so their order does not depend on the threads.
 */
#define PARALLEL_NODES_MIN 256

typedef struct NodeRange {
        SysfsRoot *r;
        const Topology *t;
        size_t from, to;
        int result;
} NodeRange;

static void *node_range_thread(void *userdata)
{
        NodeRange *w = userdata;
        w->result = read_node_range(w->r, w->t, w->from, w->to);
        return NULL;
}

static int read_nodes_parallel(SysfsRoot *r, Topology *t)
{
        WarningList warnings = {};
        _cleanup_(sysfs_root_freep) SysfsRoot *r2 = NULL;
        int k = sysfs_root_clone(r, &warnings, &r2);
        if (k < 0)
                return k == -ENOMEM ? k : read_node_range(r, t, 0, t->n_nodes);

        size_t half = t->n_nodes / 2;
        NodeRange w = {.r = r2, .t = t, .from = half, .to = t->n_nodes};
        pthread_t thread;
        bool started = pthread_create(&thread, NULL, node_range_thread, &w) == 0;
        k = read_node_range(r, t, 0, half);
        if (started)
                (void)pthread_join(thread, NULL);
        else
                node_range_thread(&w); /* no thread to be had: do it here */
        if (k >= 0)
                k = w.result;
        if (k >= 0)
                k = warning_list_extend(r->warnings, &warnings);
        warning_list_clear(&warnings);
        return k;
}

static int read_nodes(SysfsRoot *r, Topology *t, const NodeMasks *m)
{
        size_t n_online = nodemask_weight(&m->online);
        t->nodes = calloc(n_online, sizeof(TopoNode));
        if (!t->nodes)
                return -ENOMEM;
        /* All nodes first: initiator links are checked against the online ones. */
        NODEMASK_FOREACH (id, &m->online)
                t->nodes[t->n_nodes++] = (TopoNode){
                        .id = (unsigned)id,
                        .has_cpu = nodemask_test(&m->has_cpu, (unsigned)id),
                        .has_memory = nodemask_test(&m->has_memory, (unsigned)id),
                        .kernel_tier = -1,
                };
        int k = t->n_nodes >= PARALLEL_NODES_MIN ? read_nodes_parallel(r, t) : read_node_range(r, t, 0, t->n_nodes);
        if (k < 0)
                return k;
        for (size_t i = 0; i < t->n_nodes; i++)
                if (t->nodes[i].access[ACCESS_LOCAL].present || t->nodes[i].access[ACCESS_CPU].present)
                        t->hmat = true;
        return 0;
}

static MemoryBlockState parse_block_state(const char *s)
{
        if (strcmp(s, "online") == 0)
                return MEMORY_BLOCK_ONLINE;
        if (strcmp(s, "offline") == 0)
                return MEMORY_BLOCK_OFFLINE;
        if (strcmp(s, "going-offline") == 0)
                return MEMORY_BLOCK_GOING_OFFLINE;
        return MEMORY_BLOCK_UNKNOWN;
}

/*
 * All memory blocks, their node (from the nodeN/memoryM links) and state.  Only the dax/kmem accounting uses
 * them, so this runs only when a kmem device exists: on a large host these are thousands of files.
 */
static int read_memory_blocks(SysfsRoot *r, Topology *t)
{
        int k = sysfs_read_hex(r, &t->block_size, MEMORY_DIR "/block_size_bytes");
        RETURN_IF_OOM(k);
        if (k == -ENOENT)
                RETURN_IF_OOM(sysfs_warn_unreadable(r, k, MEMORY_DIR "/block_size_bytes"));
        if (k < 0)
                t->block_size = 0;

        _cleanup_free_ uint64_t *ids = NULL;
        size_t count;
        k = sysfs_list_ids(r, "memory", &ids, &count, MEMORY_DIR);
        RETURN_IF_OOM(k);
        if (k < 0 || count == 0)
                return 0;
        t->blocks = calloc(count, sizeof(MemoryBlock));
        if (!t->blocks)
                return -ENOMEM;
        for (size_t i = 0; i < count; i++) {
                MemoryBlock *b = &t->blocks[t->n_blocks];
                *b = (MemoryBlock){.id = ids[i], .node = -1};
                k = sysfs_read_hex(r, &b->phys_index, MEMORY_DIR "/memory%" PRIu64 "/phys_index", b->id);
                RETURN_IF_OOM(k);
                if (k == -ENOENT)
                        RETURN_IF_OOM(sysfs_warn_unreadable(r, k, MEMORY_DIR "/memory%" PRIu64 "/phys_index", b->id));
                if (k < 0)
                        continue; /* a block without a location is of no use */
                _cleanup_free_ char *state = NULL;
                k = sysfs_read_string(r, &state, MEMORY_DIR "/memory%" PRIu64 "/state", b->id);
                RETURN_IF_OOM(k);
                if (k == -ENOENT)
                        RETURN_IF_OOM(sysfs_warn_unreadable(r, k, MEMORY_DIR "/memory%" PRIu64 "/state", b->id));
                b->state = k >= 0 ? parse_block_state(state) : MEMORY_BLOCK_UNKNOWN;
                t->n_blocks++;
        }

        /* Each node directory links its blocks: one directory read per node instead of one per block. */
        for (size_t i = 0; i < t->n_nodes; i++) {
                _cleanup_free_ uint64_t *bids = NULL;
                size_t nb;
                r->context_node = (int)t->nodes[i].id;
                k = sysfs_list_ids(r, "memory", &bids, &nb, NODE_DIR "/node%u", t->nodes[i].id);
                r->context_node = -1;
                RETURN_IF_OOM(k);
                if (k < 0)
                        continue;
                /* Both lists are sorted: merge. */
                size_t j = 0;
                for (size_t b = 0; b < nb; b++) {
                        while (j < t->n_blocks && t->blocks[j].id < bids[b])
                                j++;
                        if (j < t->n_blocks && t->blocks[j].id == bids[b]) {
                                t->blocks[j].node = (int)t->nodes[i].id;
                                if (t->blocks[j].state == MEMORY_BLOCK_ONLINE)
                                        t->nodes[i].online_bytes += t->block_size;
                        }
                }
        }
        return 0;
}

static bool dax_is_kmem(const DaxDevice *d)
{
        return d->driver && strcmp(d->driver, "kmem") == 0;
}

static int read_dax(SysfsRoot *r, Topology *t, bool *ret_kmem)
{
        _cleanup_(strv_freep) char **names = NULL;
        size_t count;
        int k = sysfs_list_names(r, &names, &count, DAX_DIR);
        RETURN_IF_OOM(k);
        if (k < 0 || count == 0)
                return 0;
        t->dax = calloc(count, sizeof(DaxDevice));
        if (!t->dax)
                return -ENOMEM;
        for (size_t i = 0; i < count; i++) {
                DaxDevice *d = &t->dax[t->n_dax];
                *d = (DaxDevice){.target_node = -1};
                k = sysfs_read_int(r, &d->target_node, DAX_DIR "/%s/target_node", names[i]);
                RETURN_IF_OOM(k);
                if (k == -ENOENT)
                        RETURN_IF_OOM(sysfs_warn_unreadable(r, k, DAX_DIR "/%s/target_node", names[i]));
                if (k < 0)
                        continue;
                /* What the device says is about its target node. */
                r->context_node = d->target_node;
                static const char *const files[] = {"resource", "size"};
                for (size_t f = 0; f < ELEMENTSOF(files); f++) {
                        k = f == 0 ? sysfs_read_hex(r, &d->start, DAX_DIR "/%s/%s", names[i], files[f])
                                   : sysfs_read_u64(r, &d->size, DAX_DIR "/%s/%s", names[i], files[f]);
                        RETURN_IF_OOM(k);
                        if (k == -ENOENT)
                                RETURN_IF_OOM(sysfs_warn_unreadable(r, k, DAX_DIR "/%s/%s", names[i], files[f]));
                }
                k = sysfs_readlink_basename(r, &d->driver, DAX_DIR "/%s/driver", names[i]); /* none: unbound */
                r->context_node = -1;
                RETURN_IF_OOM(k);
                d->name = strdup(names[i]);
                if (!d->name)
                        return -ENOMEM;
                t->n_dax++;

                TopoNode *n = d->target_node >= 0 ? topology_find_node(t, (unsigned)d->target_node) : NULL;
                if (n && dax_is_kmem(d)) {
                        n->dax_kmem = true;
                        *ret_kmem = true;
                }
        }
        return 0;
}

/* How much of each kmem node's online memory came from its dax devices. */
static void account_kmem(Topology *t)
{
        for (size_t i = 0; i < t->n_dax; i++) {
                const DaxDevice *d = &t->dax[i];
                TopoNode *n = d->target_node >= 0 ? topology_find_node(t, (unsigned)d->target_node) : NULL;
                if (!n || !dax_is_kmem(d))
                        continue;
                for (size_t b = 0; b < t->n_blocks; b++) {
                        uint64_t base = t->blocks[b].phys_index * t->block_size;
                        if (t->blocks[b].state == MEMORY_BLOCK_ONLINE && base >= d->start && base - d->start < d->size)
                                n->kmem_bytes += t->block_size;
                }
        }
}

static int read_kernel_tiers(SysfsRoot *r, Topology *t)
{
        _cleanup_free_ uint64_t *ids = NULL;
        size_t count;
        int k = sysfs_list_ids(r, "memory_tier", &ids, &count, TIERING_DIR);
        RETURN_IF_OOM(k);
        if (k < 0)
                return 0;
        t->memory_tiering = true;
        t->kernel_tiers = calloc(MAX(count, (size_t)1), sizeof(KernelTier));
        if (!t->kernel_tiers)
                return -ENOMEM;
        for (size_t i = 0; i < count; i++) {
                KernelTier *kt = &t->kernel_tiers[t->n_kernel_tiers];
                if (ids[i] > INT32_MAX)
                        continue;
                kt->id = (int)ids[i];
                k = sysfs_read_nodemask(r, &kt->nodes, TIERING_DIR "/memory_tier%d/nodelist", kt->id);
                RETURN_IF_OOM(k);
                if (k == -ENOENT)
                        RETURN_IF_OOM(sysfs_warn_unreadable(r, k, TIERING_DIR "/memory_tier%d/nodelist", kt->id));
                if (k < 0)
                        continue;
                t->n_kernel_tiers++;
                NODEMASK_FOREACH (id, &kt->nodes) {
                        TopoNode *n = topology_find_node(t, (unsigned)id);
                        if (n)
                                n->kernel_tier = kt->id;
                }
        }
        return 0;
}

int topology_read(const char *root, Topology **ret)
{
        _cleanup_(topology_freep) Topology *t = topology_new();
        if (!t)
                return -ENOMEM;
        _cleanup_(sysfs_root_freep) SysfsRoot *r = NULL;
        int k = sysfs_root_new(root, &t->warnings, &r);
        if (k < 0)
                return k;
        r->keep_dir = true; /* a scan reads files in runs of siblings; the root is freed at the end */

        NodeMasks masks = {};
        bool kmem = false;
        if ((k = read_kernel(r, t)) < 0 || (k = read_masks(r, &masks)) < 0 || (k = read_nodes(r, t, &masks)) < 0 ||
            (k = read_dax(r, t, &kmem)) < 0 || (kmem && (k = read_memory_blocks(r, t)) < 0) ||
            (k = read_kernel_tiers(r, t)) < 0)
                return k;
        account_kmem(t);

        *ret = TAKE_PTR(t);
        return 0;
}
