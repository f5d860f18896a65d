/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "sysfs.h"

/*
 * Which node a page frame belongs to, from the memory blocks in sysfs: block_size_bytes and the memoryM entries
 * of each node's directory.  With the page frame numbers /proc/PID/pagemap shows to CAP_SYS_ADMIN, the engine
 * knows where a page is without asking move_pages(2), so that pages already on their target are never sent (each
 * one would cut the kernel's batch short).  A snapshot: memory hot-plug changes it.
 */
typedef struct PfnNodeBlock {
        uint64_t block; /* memory block id: physical address / block size */
        int node;
} PfnNodeBlock;

typedef struct PfnNodeMap {
        uint64_t block_bytes;
        PfnNodeBlock *blocks; /* sorted by block */
        size_t n_blocks;
} PfnNodeMap;

/* An empty map (no memory block directories: the kernel lacks memory hot-plug) is not an error. */
int pfn_node_map_read(SysfsRoot *root, PfnNodeMap *ret);
void pfn_node_map_done(PfnNodeMap *m);
/* The node of a page frame (of page_size bytes), or -1 when no block holds it. */
int pfn_node_lookup(const PfnNodeMap *m, uint64_t pfn, uint64_t page_size);
