/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/*
 * A fixed-size set of NUMA node ids, a plain value type.  Debian's kernels use MAX_NUMNODES = 1024.
 * libnuma's struct bitmask is not used here: its allocator exits the process on ENOMEM and its list parser
 * validates against the *running* host, which breaks replaying another machine's tree.
 */
#define NODEMASK_MAX 1024u
#define NODEMASK_WORDS (NODEMASK_MAX / 64u)

typedef struct NodeMask {
        uint64_t bits[NODEMASK_WORDS];
} NodeMask;

#define NODEMASK_EMPTY ((NodeMask){{0}})

static inline void nodemask_set(NodeMask *m, unsigned n)
{
        if (n < NODEMASK_MAX)
                m->bits[n / 64] |= UINT64_C(1) << (n % 64);
}

static inline bool nodemask_test(const NodeMask *m, unsigned n)
{
        return n < NODEMASK_MAX && (m->bits[n / 64] >> (n % 64)) & 1;
}

bool nodemask_empty(const NodeMask *m);
unsigned nodemask_weight(const NodeMask *m);
bool nodemask_equal(const NodeMask *a, const NodeMask *b);
NodeMask nodemask_and(const NodeMask *a, const NodeMask *b);
NodeMask nodemask_andnot(const NodeMask *a, const NodeMask *b);
/* First set bit >= from, or -1. */
int nodemask_next(const NodeMask *m, unsigned from);

#define NODEMASK_FOREACH(n, m) for (int n = nodemask_next((m), 0); n >= 0; n = nodemask_next((m), (unsigned)n + 1))

/* Kernel list format ("0-3,5"); an empty mask prints as "". Returns a malloc'ed string or NULL on ENOMEM. */
char *nodemask_format(const NodeMask *m);
