/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>

#include "sysfs.h"

/*
 * What the kernel keeps of each node's free memory for itself, from /proc/zoneinfo: per zone, its high watermark
 * plus its current boost plus the lowmem protection it holds against movable allocations (the largest entry
 * of its protection array), at most its managed pages.  Free memory below that is not there for migration:
 * move_pages() fails with ENOMEM once a zone drops under its min watermark, and kswapd wakes under its low one.
 * On a THP kernel min_free_kbytes is raised for huge pages (66 MiB in a 2 GiB guest), so that on a small node
 * this is more than a few percent.  The policy counts its watermarks above it (PolicyNode.reserved_bytes).
 */
typedef struct ZoneReserve {
        unsigned node;
        uint64_t reserved_bytes;
} ZoneReserve;

/* One entry per node that has zones, ascending id.  -EINVAL for a malformed figure. */
int zoneinfo_reserved_parse(const char *text, uint64_t page_size, ZoneReserve **ret, size_t *ret_n);
/* Read ROOT/proc/zoneinfo, with the running system's page size. */
int zoneinfo_reserved_read(SysfsRoot *root, ZoneReserve **ret, size_t *ret_n);
