/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* escape_bounded(): short printable ASCII out of anything, for error messages that go onto D-Bus. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "tests.h"

static void check(const char *in, size_t max, const char *expected)
{
        char *out = escape_bounded(in, max);
        ASSERT_STREQ(out, expected);
        free(out);
}

static bool printable_ascii(const char *s)
{
        for (; *s; s++)
                if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
                        return false;
        return true;
}

TEST(plain)
{
        check("", 10, "");
        check("kernel", 10, "kernel");
        check("Mode=kernel # why", 64, "Mode=kernel # why");
        check(NULL, 10, "(null)");
}

TEST(escapes)
{
        check("a\tb\nc\r", 64, "a\\x09b\\x0ac\\x0d");
        check("\x01\x1f\x7f", 64, "\\x01\\x1f\\x7f");
        /* Bytes >= 0x80 whether or not they form valid UTF-8: the result is ASCII either way. */
        check("\xff\xfe", 64, "\\xff\\xfe");
        check("caf\xc3\xa9", 64, "caf\\xc3\\xa9");
        /* The quotes the messages put around values, and the escape character itself. */
        check("it's \"x\" \\", 64, "it\\x27s \\x22x\\x22 \\x5c");
}

TEST(bounded)
{
        check("abcdef", 6, "abcdef");
        check("abcdefg", 6, "abcdef...");
        check("abc", 0, "...");
        check("", 0, "");
        /* The bound counts input bytes, so an escaped byte is never cut in half. */
        check("ab\xff\xff", 3, "ab\\xff...");

        /* A huge line gives a short message. */
        size_t n = 40 * 1024 * 1024;
        char *big = malloc(n + 1);
        ASSERT_TRUE(big);
        memset(big, '\xff', n);
        big[n] = '\0';
        char *out = escape_bounded(big, ESCAPE_VALUE_MAX);
        ASSERT_TRUE(out);
        ASSERT_EQ(strlen(out), 4 * ESCAPE_VALUE_MAX + 3);
        ASSERT_TRUE(printable_ascii(out));
        free(out);
        free(big);
}

TEST(with_length)
{
        char *out = escape_bounded_n("a\0b", 3, 10);
        ASSERT_STREQ(out, "a\\x00b");
        free(out);
        out = escape_bounded_n("a\0bcd", 5, 2);
        ASSERT_STREQ(out, "a\\x00...");
        free(out);
}

TEST(every_byte)
{
        /* Every byte value, one at a time: one character unchanged, or exactly \xNN. */
        for (unsigned b = 1; b < 256; b++) {
                char in[2] = {(char)b, '\0'};
                char *out = escape_bounded(in, 4);
                ASSERT_TRUE(out);
                ASSERT_TRUE(printable_ascii(out));
                bool plain = b >= 0x20 && b < 0x7f && b != '\'' && b != '"' && b != '\\';
                if (plain)
                        ASSERT_TRUE(strlen(out) == 1 && (unsigned char)out[0] == b);
                else {
                        char expected[8];
                        snprintf(expected, sizeof expected, "\\x%02x", b);
                        ASSERT_STREQ(out, expected);
                }
                free(out);
        }
}

TESTS_MAIN(TEST_ENTRY(plain), TEST_ENTRY(escapes), TEST_ENTRY(bounded), TEST_ENTRY(with_length), TEST_ENTRY(every_byte))
