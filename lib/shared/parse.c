/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "parse.h"

/* Length of s without one trailing newline. */
static size_t value_length(const char *s)
{
        size_t n = strlen(s);
        if (n > 0 && s[n - 1] == '\n')
                n--;
        return n;
}

static int parse_digits(const char *s, size_t n, unsigned base, uint64_t *ret)
{
        uint64_t v = 0;

        if (n == 0)
                return -EINVAL;
        for (size_t i = 0; i < n; i++) {
                unsigned d;
                char c = s[i];
                if (c >= '0' && c <= '9')
                        d = (unsigned)(c - '0');
                else if (base == 16 && c >= 'a' && c <= 'f')
                        d = (unsigned)(c - 'a' + 10);
                else if (base == 16 && c >= 'A' && c <= 'F')
                        d = (unsigned)(c - 'A' + 10);
                else
                        return -EINVAL;
                /* No division per digit: these parsers run a million times for a large SLIT. */
                if (__builtin_mul_overflow(v, base, &v) || __builtin_add_overflow(v, d, &v))
                        return -ERANGE;
        }
        *ret = v;
        return 0;
}

int parse_u64(const char *s, uint64_t *ret)
{
        return parse_digits(s, value_length(s), 10, ret);
}

int parse_u32(const char *s, uint32_t *ret)
{
        uint64_t v;
        int r = parse_u64(s, &v);
        if (r < 0)
                return r;
        if (v > UINT32_MAX)
                return -ERANGE;
        *ret = (uint32_t)v;
        return 0;
}

int parse_int(const char *s, int *ret)
{
        bool negative = s[0] == '-';
        uint64_t v;
        int r = parse_digits(s + negative, value_length(s + negative), 10, &v);
        if (r < 0)
                return r;
        if (v > (uint64_t)INT32_MAX + negative)
                return -ERANGE;
        *ret = negative ? (int)-(int64_t)v : (int)v;
        return 0;
}

int parse_hex_u64(const char *s, uint64_t *ret)
{
        if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
                s += 2;
        return parse_digits(s, value_length(s), 16, ret);
}

int parse_bool(const char *s, bool *ret)
{
        static const char *const yes[] = {"1", "y", "Y", "yes", "true", "on"};
        static const char *const no[] = {"0", "n", "N", "no", "false", "off"};
        size_t n = value_length(s);

        for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
                if (strlen(yes[i]) == n && strncmp(s, yes[i], n) == 0) {
                        *ret = true;
                        return 0;
                }
        for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
                if (strlen(no[i]) == n && strncmp(s, no[i], n) == 0) {
                        *ret = false;
                        return 0;
                }
        return -EINVAL;
}

/* A decimal id at *p, advancing *p past it. */
static int take_id(const char **p, const char *end, unsigned limit, unsigned *ret)
{
        const char *start = *p;
        while (*p < end && isdigit((unsigned char)**p))
                (*p)++;
        uint64_t v;
        int r = parse_digits(start, (size_t)(*p - start), 10, &v);
        if (r < 0)
                return r;
        if (v >= limit)
                return -ERANGE;
        *ret = (unsigned)v;
        return 0;
}

int parse_id_list(const char *s, unsigned limit, uint64_t *words, unsigned *ret_count)
{
        const char *p = s, *end = s + value_length(s);
        unsigned count = 0;

        if (words)
                memset(words, 0, (limit + 63) / 64 * sizeof(uint64_t));
        while (p < end) {
                unsigned lo, hi;
                int r = take_id(&p, end, limit, &lo);
                if (r < 0)
                        return r;
                hi = lo;
                if (p < end && *p == '-') {
                        p++;
                        r = take_id(&p, end, limit, &hi);
                        if (r < 0)
                                return r;
                        if (hi < lo)
                                return -EINVAL;
                }
                if (p < end) {
                        if (*p != ',' || p + 1 == end)
                                return -EINVAL;
                        p++;
                }
                for (unsigned i = lo; i <= hi; i++) {
                        if (words) {
                                uint64_t bit = UINT64_C(1) << (i % 64);
                                if (words[i / 64] & bit)
                                        continue; /* "1,1" names one id */
                                words[i / 64] |= bit;
                        }
                        count++;
                }
        }
        if (ret_count)
                *ret_count = count;
        return 0;
}

int parse_nodemask(const char *s, NodeMask *ret)
{
        NodeMask m;
        int r = parse_id_list(s, NODEMASK_MAX, m.bits, NULL);
        if (r < 0)
                return r;
        *ret = m;
        return 0;
}

int parse_meminfo_kb(const char *text, const char *field, uint64_t *ret_kb)
{
        size_t flen = strlen(field);

        for (const char *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
                const char *p = line, *eol = strchr(line, '\n');
                if (!eol)
                        eol = line + strlen(line);
                if (strncmp(p, "Node ", 5) == 0) {
                        p += 5;
                        while (p < eol && isdigit((unsigned char)*p))
                                p++;
                        while (p < eol && *p == ' ')
                                p++;
                }
                if ((size_t)(eol - p) <= flen || strncmp(p, field, flen) != 0 || p[flen] != ':')
                        continue;
                p += flen + 1;
                while (p < eol && *p == ' ')
                        p++;
                const char *num = p;
                while (p < eol && isdigit((unsigned char)*p))
                        p++;
                uint64_t v;
                int r = parse_digits(num, (size_t)(p - num), 10, &v);
                if (r < 0)
                        return r;
                /* The unit is always kB where it is printed; a few fields (HugePages_*) carry none, so a value
                 * without one is taken as is.  Either way callers turn kB into bytes in an int64 (JSON): bound
                 * every value so that cannot overflow. */
                if (p < eol && !(eol - p == 3 && strncmp(p, " kB", 3) == 0))
                        return -EINVAL;
                if (v > (uint64_t)INT64_MAX / 1024)
                        return -ERANGE;
                *ret_kb = v;
                return 0;
        }
        return -ENOENT;
}

int parse_distance_row(const char *s, uint32_t *out, size_t max, size_t *ret_n)
{
        const char *p = s, *end = s + value_length(s);
        size_t n = 0;

        while (p < end) {
                /* Inline rather than parse_digits(): a 1024-node SLIT is a million of these. */
                const char *num = p;
                unsigned v = 0;
                while (p < end && *p >= '0' && *p <= '9') {
                        v = v * 10 + (unsigned)(*p++ - '0');
                        if (v > 255)
                                return -ERANGE;
                }
                if (p == num)
                        return -EINVAL;
                if (n >= max)
                        return -ERANGE;
                out[n++] = (uint32_t)v;
                if (p < end) {
                        if (*p != ' ' || p + 1 == end)
                                return -EINVAL;
                        p++;
                }
        }
        if (n == 0)
                return -EINVAL;
        *ret_n = n;
        return 0;
}

int parse_kernel_release(const char *s, unsigned *major, unsigned *minor, unsigned *patch)
{
        unsigned v[3] = {0, 0, 0};
        const char *p = s;
        int parsed = 0;

        /* "major.minor[.patch]" followed by anything (a local version such as "+deb12-amd64"). */
        while (parsed < 3) {
                const char *num = p;
                while (isdigit((unsigned char)*p))
                        p++;
                uint64_t x;
                if (parse_digits(num, (size_t)(p - num), 10, &x) < 0)
                        break;
                if (x > 65535)
                        return -ERANGE;
                v[parsed++] = (unsigned)x;
                if (*p != '.')
                        break;
                p++;
        }
        if (parsed < 2)
                return -EINVAL;
        *major = v[0];
        *minor = v[1];
        *patch = v[2];
        return 0;
}
