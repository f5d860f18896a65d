/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* UTF-8 validation and escaping, on the cases D-Bus's own validator refuses. */
#include <stdlib.h>

#include "tests.h"
#include "utf8.h"

TEST(valid)
{
        ASSERT_TRUE(utf8_is_valid(""));
        ASSERT_TRUE(utf8_is_valid("6.12.107+deb12-amd64"));
        ASSERT_TRUE(utf8_is_valid("caf\xc3\xa9"));               /* U+00E9 */
        ASSERT_TRUE(utf8_is_valid("\xe2\x82\xac"));              /* U+20AC */
        ASSERT_TRUE(utf8_is_valid("\xf0\x9f\x98\x80"));          /* U+1F600 */
        ASSERT_TRUE(utf8_is_valid("\xf4\x8f\xbf\xbf"));          /* U+10FFFF, the last one */
        ASSERT_TRUE(utf8_is_valid("line\nnext\tcolumn\x1b[0m")); /* control characters are valid UTF-8 */
}

TEST(invalid)
{
        ASSERT_TRUE(!utf8_is_valid("\xff"));
        ASSERT_TRUE(!utf8_is_valid("\x80"));             /* a lone continuation byte */
        ASSERT_TRUE(!utf8_is_valid("caf\xc3"));          /* truncated */
        ASSERT_TRUE(!utf8_is_valid("\xc0\xaf"));         /* overlong "/" */
        ASSERT_TRUE(!utf8_is_valid("\xe0\x80\xaf"));     /* overlong, 3 bytes */
        ASSERT_TRUE(!utf8_is_valid("\xed\xa0\x80"));     /* U+D800, a surrogate */
        ASSERT_TRUE(!utf8_is_valid("\xf4\x90\x80\x80")); /* U+110000 */
        ASSERT_TRUE(!utf8_is_valid("\xf8\x88\x80\x80\x80"));
}

static void check_escape(const char *in, const char *want)
{
        char *got = utf8_escape_invalid(in);
        ASSERT_TRUE(got);
        int same = strcmp(got, want) == 0;
        if (!same)
                fprintf(stderr, "escape: got '%s', want '%s'\n", got, want);
        ASSERT_TRUE(same && utf8_is_valid(got));
        free(got);
}

TEST(escape)
{
        check_escape("plain", "plain");
        check_escape("caf\xc3\xa9", "caf\xc3\xa9");
        check_escape("6.12\xff", "6.12\\xff");
        check_escape("caf\xc3", "caf\\xc3");
        check_escape("\x1b[31mred", "\\x1b[31mred"); /* a terminal escape sequence is defused */
        check_escape("a\\b", "a\\\\b");              /* so that \xNN in the output is unambiguous */
        check_escape("tab\tand\nnewline", "tab\tand\nnewline");
        check_escape("\x7f", "\\x7f");
        check_escape("\xed\xa0\x80", "\\xed\\xa0\\x80");
}

TESTS_MAIN(TEST_ENTRY(valid), TEST_ENTRY(invalid), TEST_ENTRY(escape))
