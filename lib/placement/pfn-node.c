/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <stdlib.h>

#include "pfn-node.h"

static int cmp_block(const void *a, const void *b)
{
        const PfnNodeBlock *x = a, *y = b;
        return x->block < y->block ? -1 : x->block > y->block;
}

int pfn_node_map_read(SysfsRoot *root, PfnNodeMap *ret)
{
        _cleanup_free_ uint64_t *nodes = NULL;
        _cleanup_free_ PfnNodeBlock *blocks = NULL;
        size_t n_nodes = 0, n_blocks = 0, allocated = 0;
        uint64_t block_bytes;
        int r;

        *ret = (PfnNodeMap){};
        r = sysfs_read_hex(root, &block_bytes, "sys/devices/system/memory/block_size_bytes");
        if (r == -ENOENT || (r >= 0 && block_bytes == 0))
                return 0;
        if (r < 0)
                return r;
        r = sysfs_list_ids(root, "node", &nodes, &n_nodes, "sys/devices/system/node");
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;

        for (size_t i = 0; i < n_nodes; i++) {
                _cleanup_free_ uint64_t *ids = NULL;
                size_t n_ids = 0;

                if (nodes[i] > INT32_MAX)
                        continue;
                r = sysfs_list_ids(root, "memory", &ids, &n_ids, "sys/devices/system/node/node%" PRIu64, nodes[i]);
                if (r == -ENOENT)
                        continue; /* the node went away meanwhile */
                if (r < 0)
                        return r;
                if (GREEDY_REALLOC(blocks, allocated, n_blocks + n_ids) < 0)
                        return -ENOMEM;
                for (size_t k = 0; k < n_ids; k++)
                        blocks[n_blocks++] = (PfnNodeBlock){.block = ids[k], .node = (int)nodes[i]};
        }
        if (n_blocks > 0)
                qsort(blocks, n_blocks, sizeof(*blocks), cmp_block);
        *ret = (PfnNodeMap){.block_bytes = block_bytes, .blocks = TAKE_PTR(blocks), .n_blocks = n_blocks};
        return 0;
}

void pfn_node_map_done(PfnNodeMap *m)
{
        free(m->blocks);
        *m = (PfnNodeMap){};
}

int pfn_node_lookup(const PfnNodeMap *m, uint64_t pfn, uint64_t page_size)
{
        if (m->n_blocks == 0 || pfn > UINT64_MAX / page_size)
                return -1;
        uint64_t block = pfn * page_size / m->block_bytes;
        size_t lo = 0, hi = m->n_blocks;
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (m->blocks[mid].block < block)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return lo < m->n_blocks && m->blocks[lo].block == block ? m->blocks[lo].node : -1;
}
