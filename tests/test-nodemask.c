/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Node masks beyond the first 64-bit word: high node ids (CXL nodes are often numbered far from the sockets). */
#include <stdlib.h>

#include "nodemask.h"
#include "parse.h"
#include "tests.h"

static NodeMask mask(const char *list)
{
        NodeMask m;
        ASSERT_OK(parse_nodemask(list, &m));
        return m;
}

static void assert_format(const NodeMask *m, const char *expected)
{
        char *s = nodemask_format(m);
        ASSERT_STREQ(s, expected);
        free(s);
}

TEST(empty_with_high_ids)
{
        NodeMask m = NODEMASK_EMPTY;
        ASSERT_TRUE(nodemask_empty(&m));
        nodemask_set(&m, 64);
        ASSERT_TRUE(!nodemask_empty(&m));
        m = mask("1023");
        ASSERT_TRUE(!nodemask_empty(&m));
}

TEST(equal_in_every_word)
{
        NodeMask a = mask("0,70"), b = mask("0,71"), c = mask("0,70");
        ASSERT_TRUE(nodemask_equal(&a, &c));
        ASSERT_TRUE(!nodemask_equal(&a, &b));
        NodeMask d = mask("0,1023");
        ASSERT_TRUE(!nodemask_equal(&a, &d));
}

TEST(next_within_a_high_word)
{
        NodeMask m = mask("64,66,130");
        ASSERT_EQ(nodemask_next(&m, 0), 64);
        ASSERT_EQ(nodemask_next(&m, 64), 64);
        ASSERT_EQ(nodemask_next(&m, 65), 66);
        ASSERT_EQ(nodemask_next(&m, 67), 130);
        ASSERT_EQ(nodemask_next(&m, 131), -1);
        unsigned seen = 0;
        NODEMASK_FOREACH (n, &m) {
                ASSERT_TRUE(seen < 3);
                seen++;
        }
        ASSERT_EQ(seen, 3);
        assert_format(&m, "64,66,130");
}

TEST(set_operations)
{
        NodeMask a = mask("0-3,64-67"), b = mask("2-5,66,100");
        NodeMask both = nodemask_and(&a, &b), minus = nodemask_andnot(&a, &b);
        assert_format(&both, "2-3,66");
        /* b's ids that a lacks (4, 5, 100) stay out */
        assert_format(&minus, "0-1,64-65,67");
        ASSERT_EQ(nodemask_weight(&minus), 5);
}

TESTS_MAIN(TEST_ENTRY(empty_with_high_ids), TEST_ENTRY(equal_in_every_word), TEST_ENTRY(next_within_a_high_word),
           TEST_ENTRY(set_operations))
