/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Parser cases found by tests/mutants: upper-case hex, every boolean word, downward ranges. */
#include <errno.h>

#include "macro.h"
#include "parse.h"
#include "tests.h"

TEST(hex_upper_case)
{
        uint64_t v;
        ASSERT_OK(parse_hex_u64("0X1F", &v));
        ASSERT_EQ(v, 0x1f);
        ASSERT_OK(parse_hex_u64("ABCDEF\n", &v));
        ASSERT_EQ(v, 0xabcdef);
        ASSERT_OK(parse_hex_u64("0xFfEe", &v));
        ASSERT_EQ(v, 0xffee);
        ASSERT_EQ(parse_hex_u64("G", &v), -EINVAL);
        ASSERT_EQ(parse_hex_u64("0X", &v), -EINVAL);
}

TEST(bool_words)
{
        static const char *const yes[] = {"1", "y", "Y", "yes", "true", "on", "on\n"};
        static const char *const no[] = {"0", "n", "N", "no", "false", "off", "off\n"};
        bool b;
        for (size_t i = 0; i < ELEMENTSOF(yes); i++) {
                b = false;
                ASSERT_OK(parse_bool(yes[i], &b));
                ASSERT_TRUE(b);
        }
        for (size_t i = 0; i < ELEMENTSOF(no); i++) {
                b = true;
                ASSERT_OK(parse_bool(no[i], &b));
                ASSERT_TRUE(!b);
        }
        ASSERT_EQ(parse_bool("On", &b), -EINVAL);
        ASSERT_EQ(parse_bool("o", &b), -EINVAL);
}

TEST(id_ranges_go_upwards)
{
        unsigned count;
        ASSERT_EQ(parse_id_list("2-1", 128, NULL, &count), -EINVAL);
        ASSERT_EQ(parse_id_list("0,5-4", 128, NULL, &count), -EINVAL);
        ASSERT_OK(parse_id_list("4-4", 128, NULL, &count));
        ASSERT_EQ(count, 1);
}

TESTS_MAIN(TEST_ENTRY(hex_upper_case), TEST_ENTRY(bool_words), TEST_ENTRY(id_ranges_go_upwards))
