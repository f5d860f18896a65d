/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

/* Length of the valid UTF-8 sequence at s (1..4), 0 if invalid.  Overlong forms, surrogates and code points
 * above U+10FFFF are invalid, as D-Bus has them. */
static size_t sequence_length(const unsigned char *s)
{
        if (s[0] < 0x80)
                return 1;
        size_t n;
        uint32_t cp, min;
        if ((s[0] & 0xe0) == 0xc0)
                n = 2, cp = s[0] & 0x1f, min = 0x80;
        else if ((s[0] & 0xf0) == 0xe0)
                n = 3, cp = s[0] & 0x0f, min = 0x800;
        else if ((s[0] & 0xf8) == 0xf0)
                n = 4, cp = s[0] & 0x07, min = 0x10000;
        else
                return 0;
        for (size_t i = 1; i < n; i++) {
                if ((s[i] & 0xc0) != 0x80)
                        return 0;
                cp = (cp << 6) | (s[i] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
                return 0;
        return n;
}

bool utf8_is_valid(const char *s)
{
        const unsigned char *p = (const unsigned char *)s;
        while (*p) {
                size_t n = sequence_length(p);
                if (n == 0)
                        return false;
                p += n;
        }
        return true;
}

char *utf8_escape_invalid(const char *s)
{
        size_t len = strlen(s);
        if (len > (SIZE_MAX - 1) / 4)
                return NULL;
        char *out = malloc(len * 4 + 1), *o = out;
        if (!out)
                return NULL;
        const unsigned char *p = (const unsigned char *)s;
        while (*p) {
                size_t n = sequence_length(p);
                if (n == 1 && *p == '\\') {
                        *o++ = '\\';
                        *o++ = '\\';
                } else if (n == 0 || (n == 1 && ((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f))) {
                        o += sprintf(o, "\\x%02x", *p);
                        n = 1;
                } else
                        memcpy(o, p, n), o += n;
                p += n;
        }
        *o = '\0';
        return out;
}
