/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>

#include "parse.h"
#include "tests.h"

TEST(u64)
{
        uint64_t v;
        ASSERT_OK(parse_u64("0", &v));
        ASSERT_EQ(v, 0);
        ASSERT_OK(parse_u64("18446744073709551615\n", &v));
        ASSERT_TRUE(v == UINT64_MAX);
        ASSERT_EQ(parse_u64("18446744073709551616", &v), -ERANGE);
        ASSERT_EQ(parse_u64("99999999999999999999999999", &v), -ERANGE);
        ASSERT_EQ(parse_u64("", &v), -EINVAL);
        ASSERT_EQ(parse_u64("\n", &v), -EINVAL);
        ASSERT_EQ(parse_u64("-1", &v), -EINVAL);
        ASSERT_EQ(parse_u64("+1", &v), -EINVAL);
        ASSERT_EQ(parse_u64(" 1", &v), -EINVAL);
        ASSERT_EQ(parse_u64("1 ", &v), -EINVAL);
        ASSERT_EQ(parse_u64("1\n\n", &v), -EINVAL);
        ASSERT_EQ(parse_u64("0x10", &v), -EINVAL);
        ASSERT_EQ(parse_u64("12abc", &v), -EINVAL);
}

TEST(u32_and_int)
{
        uint32_t u;
        int i;
        ASSERT_OK(parse_u32("4294967295", &u));
        ASSERT_TRUE(u == UINT32_MAX);
        ASSERT_EQ(parse_u32("4294967296", &u), -ERANGE);
        ASSERT_OK(parse_int("-1\n", &i));
        ASSERT_EQ(i, -1);
        ASSERT_OK(parse_int("-2147483648", &i));
        ASSERT_EQ(i, INT32_MIN);
        ASSERT_EQ(parse_int("2147483648", &i), -ERANGE);
        ASSERT_EQ(parse_int("-", &i), -EINVAL);
        ASSERT_EQ(parse_int("--1", &i), -EINVAL);
}

TEST(hex)
{
        uint64_t v;
        ASSERT_OK(parse_hex_u64("8000000\n", &v)); /* block_size_bytes: 128 MiB */
        ASSERT_EQ(v, 128 << 20);
        ASSERT_OK(parse_hex_u64("0x0000001080000000", &v));
        ASSERT_TRUE(v == UINT64_C(0x1080000000));
        ASSERT_OK(parse_hex_u64("00000010", &v)); /* phys_index */
        ASSERT_EQ(v, 16);
        ASSERT_OK(parse_hex_u64("ffffffffffffffff", &v));
        ASSERT_TRUE(v == UINT64_MAX);
        ASSERT_EQ(parse_hex_u64("10000000000000000", &v), -ERANGE);
        ASSERT_EQ(parse_hex_u64("0x", &v), -EINVAL);
        ASSERT_EQ(parse_hex_u64("", &v), -EINVAL);
        ASSERT_EQ(parse_hex_u64("g", &v), -EINVAL);
        ASSERT_EQ(parse_hex_u64("0x-1", &v), -EINVAL);
}

TEST(bool_values)
{
        bool b;
        ASSERT_OK(parse_bool("true\n", &b));
        ASSERT_TRUE(b);
        ASSERT_OK(parse_bool("false", &b));
        ASSERT_TRUE(!b);
        ASSERT_OK(parse_bool("1", &b));
        ASSERT_TRUE(b);
        ASSERT_EQ(parse_bool("truee", &b), -EINVAL);
        ASSERT_EQ(parse_bool("", &b), -EINVAL);
        ASSERT_EQ(parse_bool("tru", &b), -EINVAL);
}

TEST(id_lists)
{
        uint64_t words[2];
        unsigned count;
        ASSERT_OK(parse_id_list("0-3,8,10-11\n", 128, words, &count));
        ASSERT_EQ(count, 7);
        ASSERT_TRUE(words[0] == 0xd0f);
        ASSERT_OK(parse_id_list("\n", 128, words, &count)); /* CPU-less node's cpulist */
        ASSERT_EQ(count, 0);
        ASSERT_OK(parse_id_list("", 128, NULL, &count));
        ASSERT_EQ(count, 0);
        ASSERT_OK(parse_id_list("5,5", 128, words, &count));
        ASSERT_EQ(count, 1);
        ASSERT_OK(parse_id_list("127", 128, words, &count));
        ASSERT_EQ(parse_id_list("128", 128, words, &count), -ERANGE);
        ASSERT_EQ(parse_id_list("0-4294967295", 65536, NULL, &count), -ERANGE); /* huge list */
        ASSERT_EQ(parse_id_list("99999999999999999999999", 128, NULL, &count), -ERANGE);
        ASSERT_EQ(parse_id_list("3-1", 128, words, &count), -EINVAL);
        ASSERT_EQ(parse_id_list("1,,2", 128, words, &count), -EINVAL);
        ASSERT_EQ(parse_id_list("1,", 128, words, &count), -EINVAL);
        ASSERT_EQ(parse_id_list(",1", 128, words, &count), -EINVAL);
        ASSERT_EQ(parse_id_list("1-", 128, words, &count), -EINVAL);
        ASSERT_EQ(parse_id_list("-1", 128, words, &count), -EINVAL);
        ASSERT_EQ(parse_id_list("1 2", 128, words, &count), -EINVAL);
        ASSERT_EQ(parse_id_list("a", 128, words, &count), -EINVAL);
        ASSERT_EQ(parse_id_list("1-2-3", 128, words, &count), -EINVAL);
}

TEST(nodemask_roundtrip)
{
        NodeMask m;
        ASSERT_OK(parse_nodemask("0-2,5,7-9,1023", &m));
        ASSERT_EQ(nodemask_weight(&m), 8);
        char *s = nodemask_format(&m);
        ASSERT_STREQ(s, "0-2,5,7-9,1023");
        free(s);
        ASSERT_EQ(parse_nodemask("1024", &m), -ERANGE);
        m = NODEMASK_EMPTY;
        s = nodemask_format(&m);
        ASSERT_STREQ(s, "");
        free(s);
}

TEST(meminfo)
{
        const char *node = "Node 1 MemTotal:        8192000 kB\nNode 1 MemFree:         4096000 kB\n"
                           "Node 1 HugePages_Total:     0\n";
        const char *proc = "MemTotal:       16318464 kB\nMemFree:         9121212 kB\n";
        uint64_t kb;
        ASSERT_OK(parse_meminfo_kb(node, "MemTotal", &kb));
        ASSERT_EQ(kb, 8192000);
        ASSERT_OK(parse_meminfo_kb(node, "MemFree", &kb));
        ASSERT_EQ(kb, 4096000);
        ASSERT_OK(parse_meminfo_kb(node, "HugePages_Total", &kb));
        ASSERT_EQ(kb, 0);
        ASSERT_OK(parse_meminfo_kb(proc, "MemTotal", &kb));
        ASSERT_EQ(kb, 16318464);
        ASSERT_EQ(parse_meminfo_kb(proc, "Mem", &kb), -ENOENT); /* prefix of a field is not the field */
        ASSERT_EQ(parse_meminfo_kb(proc, "Active", &kb), -ENOENT);
        ASSERT_EQ(parse_meminfo_kb("MemTotal: lots kB\n", "MemTotal", &kb), -EINVAL);
        ASSERT_EQ(parse_meminfo_kb("MemTotal: 12 MB\n", "MemTotal", &kb), -EINVAL);
        ASSERT_EQ(parse_meminfo_kb("MemTotal: 99999999999999999999999 kB\n", "MemTotal", &kb), -ERANGE);
        ASSERT_EQ(parse_meminfo_kb("MemTotal: 18446744073709551615 kB\n", "MemTotal", &kb), -ERANGE);
        ASSERT_EQ(parse_meminfo_kb("", "MemTotal", &kb), -ENOENT);
}

TEST(distance_rows)
{
        uint32_t row[4];
        size_t n;
        ASSERT_OK(parse_distance_row("10 21 14 24\n", row, 4, &n));
        ASSERT_EQ(n, 4);
        ASSERT_EQ(row[2], 14);
        ASSERT_EQ(parse_distance_row("10 21 14 24 30", row, 4, &n), -ERANGE); /* more entries than room */
        ASSERT_EQ(parse_distance_row("10 256", row, 4, &n), -ERANGE);
        ASSERT_EQ(parse_distance_row("10  21", row, 4, &n), -EINVAL);
        ASSERT_EQ(parse_distance_row("10 21 ", row, 4, &n), -EINVAL);
        ASSERT_EQ(parse_distance_row("", row, 4, &n), -EINVAL);
        ASSERT_EQ(parse_distance_row("10,21", row, 4, &n), -EINVAL);
        ASSERT_EQ(parse_distance_row("-10", row, 4, &n), -EINVAL);
}

TEST(kernel_release)
{
        unsigned a, b, c;
        ASSERT_OK(parse_kernel_release("6.12.107+deb12-amd64", &a, &b, &c));
        ASSERT_TRUE(a == 6 && b == 12 && c == 107);
        ASSERT_OK(parse_kernel_release("6.1.0-56-amd64\n", &a, &b, &c));
        ASSERT_TRUE(a == 6 && b == 1 && c == 0);
        ASSERT_OK(parse_kernel_release("7.0", &a, &b, &c));
        ASSERT_TRUE(a == 7 && b == 0 && c == 0);
        ASSERT_EQ(parse_kernel_release("linux", &a, &b, &c), -EINVAL);
        ASSERT_EQ(parse_kernel_release("6", &a, &b, &c), -EINVAL);
        ASSERT_EQ(parse_kernel_release("6.", &a, &b, &c), -EINVAL);
        ASSERT_EQ(parse_kernel_release("999999.1", &a, &b, &c), -ERANGE);
}

TESTS_MAIN(TEST_ENTRY(u64), TEST_ENTRY(u32_and_int), TEST_ENTRY(hex), TEST_ENTRY(bool_values), TEST_ENTRY(id_lists),
           TEST_ENTRY(nodemask_roundtrip), TEST_ENTRY(meminfo), TEST_ENTRY(distance_rows), TEST_ENTRY(kernel_release))
