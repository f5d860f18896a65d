/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"

static bool needs_escape(unsigned char ch)
{
        return ch < 0x20 || ch >= 0x7f || ch == '\'' || ch == '"' || ch == '\\';
}

char *escape_bounded_n(const char *s, size_t n, size_t max_chars)
{
        static const char hex[] = "0123456789abcdef";
        bool truncated = n > max_chars;
        size_t take = truncated ? max_chars : n;

        /* Worst case: every byte escaped, then "..." and the NUL. */
        if (take > (SIZE_MAX - 4) / 4)
                return NULL;
        char *buf = malloc(take * 4 + 4), *t = buf;
        if (!buf)
                return NULL;
        for (size_t i = 0; i < take; i++) {
                unsigned char ch = (unsigned char)s[i];
                if (needs_escape(ch)) {
                        *t++ = '\\';
                        *t++ = 'x';
                        *t++ = hex[ch >> 4];
                        *t++ = hex[ch & 0xf];
                } else
                        *t++ = (char)ch;
        }
        if (truncated) {
                memcpy(t, "...", 3);
                t += 3;
        }
        *t = '\0';
        return buf;
}

char *escape_bounded(const char *s, size_t max_chars)
{
        if (!s)
                return strdup("(null)");
        /* strnlen: a huge string is not scanned past what is quoted (one more byte tells that it goes on). */
        size_t n = strnlen(s, max_chars == SIZE_MAX ? SIZE_MAX : max_chars + 1);
        return escape_bounded_n(s, n, max_chars);
}
