/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdlib.h>
#include <string.h>

#include "nodemask.h"

bool nodemask_empty(const NodeMask *m)
{
        for (unsigned i = 0; i < NODEMASK_WORDS; i++)
                if (m->bits[i])
                        return false;
        return true;
}

unsigned nodemask_weight(const NodeMask *m)
{
        unsigned w = 0;
        for (unsigned i = 0; i < NODEMASK_WORDS; i++)
                w += (unsigned)__builtin_popcountll(m->bits[i]);
        return w;
}

bool nodemask_equal(const NodeMask *a, const NodeMask *b)
{
        return memcmp(a->bits, b->bits, sizeof(a->bits)) == 0;
}

NodeMask nodemask_and(const NodeMask *a, const NodeMask *b)
{
        NodeMask r;
        for (unsigned i = 0; i < NODEMASK_WORDS; i++)
                r.bits[i] = a->bits[i] & b->bits[i];
        return r;
}

NodeMask nodemask_andnot(const NodeMask *a, const NodeMask *b)
{
        NodeMask r;
        for (unsigned i = 0; i < NODEMASK_WORDS; i++)
                r.bits[i] = a->bits[i] & ~b->bits[i];
        return r;
}

int nodemask_next(const NodeMask *m, unsigned from)
{
        for (unsigned w = from / 64; w < NODEMASK_WORDS; w++) {
                uint64_t word = m->bits[w];
                if (w == from / 64)
                        word &= ~UINT64_C(0) << (from % 64);
                if (word)
                        return (int)(w * 64 + (unsigned)__builtin_ctzll(word));
        }
        return -1;
}

char *nodemask_format(const NodeMask *m)
{
        /* Worst case "0,2,4,...": 1024 ids of up to 4 digits plus commas. */
        char *buf = malloc(NODEMASK_MAX * 5 + 1);
        if (!buf)
                return NULL;
        size_t len = 0;
        buf[0] = '\0';
        for (int n = nodemask_next(m, 0); n >= 0;) {
                int end = n;
                while (end + 1 < (int)NODEMASK_MAX && nodemask_test(m, (unsigned)end + 1))
                        end++;
                if (end == n)
                        len += (size_t)sprintf(buf + len, "%s%d", len ? "," : "", n);
                else
                        len += (size_t)sprintf(buf + len, "%s%d-%d", len ? "," : "", n, end);
                n = end + 1 < (int)NODEMASK_MAX ? nodemask_next(m, (unsigned)end + 1) : -1;
        }
        return buf;
}
