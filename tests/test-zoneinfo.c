/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the kernel keeps of each node, from /proc/zoneinfo as 6.12 prints it; the figures are those of node 0 in
 * the Debian 6.12 guest of tests/vm-systemd (min_free_kbytes 67584, raised for THP), cut down. */
#include <errno.h>

#include "scratch-root.h"
#include "tests.h"
#include "zoneinfo.h"

static const char zoneinfo_612[] = "Node 0, zone      DMA\n"
                                   "  per-node stats\n"
                                   "      nr_inactive_anon 1872\n"
                                   "      nr_active_anon 384\n"
                                   "  pages free     1569\n"
                                   "        boost    0\n"
                                   "        min      142\n"
                                   "        low      177\n"
                                   "        high     212\n"
                                   "        promo    247\n"
                                   "        spanned  4095\n"
                                   "        present  3998\n"
                                   "        managed  3977\n"
                                   "        cma      0\n"
                                   "        protection: (0, 1451, 1451, 1451, 1451)\n"
                                   "      nr_free_pages 1569\n"
                                   "  pagesets\n"
                                   "    cpu: 0\n"
                                   "              count: 0\n"
                                   "              high:  378\n"
                                   "              batch: 63\n"
                                   "  vm stats threshold: 6\n"
                                   "  node_unreclaimable:  0\n"
                                   "  start_pfn:           1\n"
                                   "Node 0, zone    DMA32\n"
                                   "  pages free     17308\n"
                                   "        boost    0\n"
                                   "        min      13774\n"
                                   "        low      17217\n"
                                   "        high     20660\n"
                                   "        spanned  372736\n"
                                   "        present  372736\n"
                                   "        managed  371445\n"
                                   "        protection: (0, 0, 0, 0, 0)\n"
                                   "  pagesets\n"
                                   "    cpu: 0\n"
                                   "              high:  99999\n"
                                   "Node 0, zone   Normal\n"
                                   "  pages free     0\n"
                                   "        boost    0\n"
                                   "        min      0\n"
                                   "        low      0\n"
                                   "        high     0\n"
                                   "        spanned  0\n"
                                   "        present  0\n"
                                   "        managed  0\n"
                                   "        protection: (0, 0, 0, 0, 0)\n"
                                   "Node 0, zone  Movable\n"
                                   "  pages free     0\n"
                                   "        boost    0\n"
                                   "        min      32\n"
                                   "        low      32\n"
                                   "        high     32\n"
                                   "        spanned  0\n"
                                   "        present  0\n"
                                   "        managed  0\n"
                                   "        protection: (0, 0, 0, 0, 0)\n"
                                   "Node 1, zone    DMA32\n"
                                   "  per-node stats\n"
                                   "      nr_inactive_anon 10\n"
                                   "  pages free     80395\n"
                                   "        boost    100\n"
                                   "        min      2978\n"
                                   "        low      3722\n"
                                   "        high     4466\n"
                                   "        managed  111616\n"
                                   "        protection: (0, 0, 0, 0, 0)\n";

TEST(parse)
{
        _cleanup_free_ ZoneReserve *z = NULL;
        size_t n = 0;

        ASSERT_OK(zoneinfo_reserved_parse(zoneinfo_612, 4096, &z, &n));
        ASSERT_EQ(n, 2);
        /* DMA: min(3977, 212 + 0 + 1451) = 1663; DMA32: 20660; Movable: min(0, 32) = 0; pagesets' "high:" not
         * counted.  22323 pages = 91435008 bytes. */
        ASSERT_EQ(z[0].node, 0);
        ASSERT_EQ(z[0].reserved_bytes, UINT64_C(91435008));
        /* 4466 + a boost of 100 = 4566 pages. */
        ASSERT_EQ(z[1].node, 1);
        ASSERT_EQ(z[1].reserved_bytes, UINT64_C(18702336));
}

TEST(capped_at_managed)
{
        _cleanup_free_ ZoneReserve *z = NULL;
        size_t n = 0;

        ASSERT_OK(zoneinfo_reserved_parse("Node 3, zone Normal\n        high 500\n        managed 20\n"
                                          "        protection: (0, 7)\n"
                                          "Node 4, zone DMA32\n        high 10\n        managed 1000\n"
                                          "        protection: (0, 3, 7, 2)\n",
                                          4096, &z, &n));
        ASSERT_EQ(n, 2);
        ASSERT_EQ(z[0].node, 3);
        ASSERT_EQ(z[0].reserved_bytes, 20 * 4096);
        /* The largest protection entry: 10 + 7. */
        ASSERT_EQ(z[1].reserved_bytes, 17 * 4096);
}

TEST(nodes_sorted_and_saturated)
{
        _cleanup_free_ ZoneReserve *z = NULL;
        size_t n = 0;

        ASSERT_OK(zoneinfo_reserved_parse("Node 2, zone Normal\n        high 5\n        managed 10\n"
                                          "Node 1, zone Normal\n        high 18446744073709551615\n"
                                          "        boost 5\n        managed 18446744073709551615\n"
                                          "Node 1, zone Movable\n        high 3\n        managed 10\n",
                                          UINT64_C(1) << 62, &z, &n));
        ASSERT_EQ(n, 2);
        ASSERT_EQ(z[0].node, 1);
        ASSERT_TRUE(z[0].reserved_bytes == UINT64_MAX);
        ASSERT_EQ(z[1].node, 2);
        ASSERT_TRUE(z[1].reserved_bytes == UINT64_MAX); /* 5 * 2^62 */
}

TEST(pages_saturate)
{
        _cleanup_free_ ZoneReserve *z = NULL;
        size_t n = 0;

        ASSERT_OK(zoneinfo_reserved_parse("Node 0, zone Normal\n        high 18446744073709551615\n"
                                          "        boost 5\n        managed 18446744073709551615\n",
                                          1, &z, &n));
        ASSERT_EQ(n, 1);
        ASSERT_TRUE(z[0].reserved_bytes == UINT64_MAX);
}

TEST(malformed)
{
        ZoneReserve *z = NULL;
        size_t n;

        ASSERT_EQ(zoneinfo_reserved_parse("Node 0, zone DMA\n        high x\n", 4096, &z, &n), -EINVAL);
        ASSERT_EQ(zoneinfo_reserved_parse("Node 0, zone DMA\n        protection: (0, x)\n", 4096, &z, &n), -EINVAL);
        ASSERT_EQ(zoneinfo_reserved_parse("Node 0, zone DMA\n        protection: 0, 1)\n", 4096, &z, &n), -EINVAL);
        ASSERT_EQ(zoneinfo_reserved_parse("Node 0, zone DMA\n        protection: (0,1)\n", 4096, &z, &n), -EINVAL);
        ASSERT_EQ(zoneinfo_reserved_parse("Node 0, zone DMA\n        protection: (0, 1\n", 4096, &z, &n), -EINVAL);
        ASSERT_TRUE(z == NULL);
        ASSERT_OK(zoneinfo_reserved_parse("", 4096, &z, &n));
        ASSERT_EQ(n, 0);
        free(z);
}

TEST(read_from_root)
{
        SysfsRoot *r = NULL;
        _cleanup_free_ ZoneReserve *z = NULL;
        size_t n = 0;
        long page = sysconf(_SC_PAGESIZE);

        make_root();
        put("proc/zoneinfo", "%s", "Node 0, zone Normal\n        high 100\n        managed 1000\n");
        ASSERT_OK(sysfs_root_new(root, NULL, &r));
        ASSERT_OK(zoneinfo_reserved_read(r, &z, &n));
        ASSERT_EQ(n, 1);
        ASSERT_EQ(z[0].reserved_bytes, 100 * (uint64_t)page);
        sysfs_root_free(r);
        remove_root();
}

TESTS_MAIN(TEST_ENTRY(parse), TEST_ENTRY(capped_at_managed), TEST_ENTRY(nodes_sorted_and_saturated),
           TEST_ENTRY(pages_saturate), TEST_ENTRY(malformed), TEST_ENTRY(read_from_root))
