/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parse.h"
#include "zoneinfo.h"

typedef struct Zone {
        unsigned node;
        uint64_t high, boost, managed, protection;
} Zone;

static uint64_t zone_reserved_pages(const Zone *z)
{
        uint64_t pages = z->high;

        pages = pages > UINT64_MAX - z->boost ? UINT64_MAX : pages + z->boost;
        pages = pages > UINT64_MAX - z->protection ? UINT64_MAX : pages + z->protection;
        return MIN(pages, z->managed);
}

/* "(0, 1451, 1451, 1451, 1451)": the largest entry. */
static int parse_protection(const char *s, uint64_t *ret)
{
        uint64_t max = 0;

        if (*s++ != '(')
                return -EINVAL;
        for (;;) {
                char digits[32];
                size_t n = strspn(s, "0123456789");
                uint64_t v;
                int k;

                if (n == 0 || n >= sizeof(digits))
                        return -EINVAL;
                memcpy(digits, s, n);
                digits[n] = '\0';
                k = parse_u64(digits, &v);
                if (k < 0)
                        return k;
                max = MAX(max, v);
                s += n;
                if (*s == ')')
                        break;
                if (s[0] != ',' || s[1] != ' ')
                        return -EINVAL;
                s += 2;
        }
        *ret = max;
        return 0;
}

/* One line of a zone's block: the fields that matter, by their first word (pagesets' "high:" is another). */
static int parse_zone_line(const char *line, Zone *z)
{
        static const struct {
                const char *name;
                size_t offset;
        } fields[] = {
                {"high", offsetof(Zone, high)},
                {"boost", offsetof(Zone, boost)},
                {"managed", offsetof(Zone, managed)},
        };
        size_t word = strcspn(line, " ");

        if (word == strlen("protection:") && strncmp(line, "protection:", word) == 0)
                return parse_protection(line + word + strspn(line + word, " "), &z->protection);
        for (size_t i = 0; i < ELEMENTSOF(fields); i++)
                if (word == strlen(fields[i].name) && strncmp(line, fields[i].name, word) == 0)
                        return parse_u64(line + word + strspn(line + word, " "),
                                         (uint64_t *)((char *)z + fields[i].offset));
        return 0;
}

static int add_zone(ZoneReserve **nodes, size_t *n, size_t *allocated, const Zone *z, uint64_t page_size)
{
        uint64_t pages = zone_reserved_pages(z), bytes;

        if (__builtin_mul_overflow(pages, page_size, &bytes))
                bytes = UINT64_MAX;
        for (size_t i = 0; i < *n; i++)
                if ((*nodes)[i].node == z->node) {
                        uint64_t *sum = &(*nodes)[i].reserved_bytes;
                        *sum = *sum > UINT64_MAX - bytes ? UINT64_MAX : *sum + bytes;
                        return 0;
                }
        if (GREEDY_REALLOC(*nodes, *allocated, *n + 1) < 0)
                return -ENOMEM;
        (*nodes)[(*n)++] = (ZoneReserve){.node = z->node, .reserved_bytes = bytes};
        return 0;
}

static int compare_reserve(const void *a, const void *b)
{
        const ZoneReserve *x = a, *y = b;
        return x->node < y->node ? -1 : x->node > y->node;
}

int zoneinfo_reserved_parse(const char *text, uint64_t page_size, ZoneReserve **ret, size_t *ret_n)
{
        _cleanup_free_ ZoneReserve *nodes = NULL;
        size_t n = 0, allocated = 0;
        Zone zone;
        bool in_zone = false;
        int k;

        for (const char *line = text; *line;) {
                const char *eol = strchrnul(line, '\n');
                char buf[256];
                const char *s;
                unsigned node;

                if ((size_t)(eol - line) < sizeof(buf)) {
                        memcpy(buf, line, (size_t)(eol - line));
                        buf[eol - line] = '\0';
                        s = buf + strspn(buf, " ");
                        if (sscanf(buf, "Node %u, zone", &node) == 1) {
                                if (in_zone) {
                                        k = add_zone(&nodes, &n, &allocated, &zone, page_size);
                                        if (k < 0)
                                                return k;
                                }
                                zone = (Zone){.node = node};
                                in_zone = true;
                        } else if (in_zone) {
                                k = parse_zone_line(s, &zone);
                                if (k < 0)
                                        return k;
                        }
                }
                line = *eol ? eol + 1 : eol;
        }
        if (in_zone && (k = add_zone(&nodes, &n, &allocated, &zone, page_size)) < 0)
                return k;
        if (n > 1) /* not qsort(NULL, 0, ...) */
                qsort(nodes, n, sizeof(ZoneReserve), compare_reserve);
        *ret = TAKE_PTR(nodes);
        *ret_n = n;
        return 0;
}

int zoneinfo_reserved_read(SysfsRoot *root, ZoneReserve **ret, size_t *ret_n)
{
        _cleanup_free_ char *text = NULL;
        long page_size = sysconf(_SC_PAGESIZE);
        int k;

        k = sysfs_read_string(root, &text, "proc/zoneinfo");
        if (k < 0)
                return k;
        return zoneinfo_reserved_parse(text, page_size > 0 ? (uint64_t)page_size : 4096, ret, ret_n);
}
