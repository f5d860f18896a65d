/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Finding a process's pages from user space (pagescan.h, pfn-node.h) on scratch trees: maps, the memory block
 * map, and pagemap entries read as a kernel without PAGEMAP_SCAN would give them (a plain file answers the
 * ioctl with ENOTTY), with and without kpageflags and frame numbers.
 */
#include <errno.h>

#include "pagescan.h"
#include "proc-tree.h"
#include "tests.h"

TEST(maps)
{
        static const char text[] = "55d0c0000000-55d0c0021000 r--p 00000000 08:01 131 /usr/bin/cat\n"
                                   "7ffc1000-7ffc3000 rw-p 00000000 00:00 0                          [stack]\n"
                                   "7ffd0000-7ffd2000 r--p 00000000 00:00 0                          [vvar]\n"
                                   "7ffd2000-7ffd4000 r-xp 00000000 00:00 0                          [vdso]\n"
                                   "7ffd4000-7ffd5000 r--p 00000000 00:00 0                          [vvar_vclock]\n"
                                   "a0000-b0000 rw-p 00000000 00:00 0 \n"
                                   "c0000-d0000 rw-s 00000000 00:05 9 /dev/zero (deleted)\n"
                                   "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0    [vsyscall]\n";
        PageRange *r = NULL;
        size_t n = 0;

        ASSERT_OK(page_ranges_parse_maps(text, &r, &n));
        ASSERT_EQ(n, 4);
        ASSERT_TRUE(r[0].start == UINT64_C(0x55d0c0000000) && r[0].end == UINT64_C(0x55d0c0021000));
        ASSERT_TRUE(r[1].start == 0x7ffc1000 && r[1].end == 0x7ffc3000);
        ASSERT_TRUE(r[2].start == 0xa0000 && r[2].end == 0xb0000); /* no name */
        ASSERT_TRUE(r[3].start == 0xc0000 && r[3].end == 0xd0000);
        free(r);

        ASSERT_OK(page_ranges_parse_maps("", &r, &n));
        ASSERT_EQ(n, 0);
        free(r);
        ASSERT_EQ(page_ranges_parse_maps("a0000-b0000 rw-p 00000000\n", &r, &n), -EINVAL); /* fields missing */
        ASSERT_EQ(page_ranges_parse_maps("b0000-a0000 rw-p 00000000 00:00 0\n", &r, &n), -EINVAL);
        ASSERT_EQ(page_ranges_parse_maps("a0000 b0000 rw-p 00000000 00:00 0\n", &r, &n), -EINVAL);
        ASSERT_EQ(page_ranges_parse_maps("a0g00-b0000 rw-p 00000000 00:00 0\n", &r, &n), -EINVAL);
        ASSERT_EQ(page_ranges_parse_maps("a0000-b000g rw-p 00000000 00:00 0\n", &r, &n), -EINVAL);
}

TEST(maps_from_the_tree)
{
        SysfsRoot *sr = NULL;
        PageRange *r = NULL;
        size_t n = 0;

        make_proc_tree();
        ASSERT_OK(sysfs_root_new(root, NULL, &sr));
        ASSERT_OK(page_ranges_read_maps(sr, TEST_PID, &r, &n));
        ASSERT_EQ(n, 1);
        ASSERT_TRUE(r[0].start == BASE && r[0].end == BASE + 1024 * PAGE);
        free(r);

        /* A process with many mappings: maps is read to its end, however long (here 100 KiB). */
        char path[64], *text = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&text, &size);
        for (unsigned i = 0; i < 2000; i++)
                fprintf(f, "%x-%x rw-p 00000000 00:00 0                          [anon:%u]\n", 0x100000 + i * 0x2000,
                        0x101000 + i * 0x2000, i);
        fclose(f);
        snprintf(path, sizeof path, "proc/%d/maps", TEST_PID);
        put(path, "%s", text);
        free(text);
        ASSERT_OK(page_ranges_read_maps(sr, TEST_PID, &r, &n));
        ASSERT_EQ(n, 2000);
        ASSERT_TRUE(r[1999].start == 0x100000 + 1999 * 0x2000 && r[1999].end == 0x101000 + 1999 * 0x2000);
        free(r);
        ASSERT_EQ(page_ranges_read_maps(sr, TEST_PID + 1, &r, &n), -ESRCH);
        PageScan *s = NULL;
        ASSERT_EQ(page_scan_new(sr, TEST_PID + 1, &s), -ESRCH);
        sysfs_root_free(sr);
        remove_root();
}

TEST(pfn_node_map)
{
        SysfsRoot *sr = NULL;
        PfnNodeMap m;

        make_proc_tree();
        put("sys/devices/system/node/node1/memory3/online", "1\n");
        put("sys/devices/system/node/node0/memory4/online", "1\n"); /* listed before node 1's: sorted after */
        put("sys/devices/system/node/node1/memory_side_cache/index1/size", "0\n"); /* not a block */
        ASSERT_OK(sysfs_root_new(root, NULL, &sr));
        ASSERT_OK(pfn_node_map_read(sr, &m));
        ASSERT_EQ(m.n_blocks, 4);
        /* 128 MiB blocks of 4 KiB pages: 32768 frames each. */
        ASSERT_EQ(pfn_node_lookup(&m, 0, PAGE), 0);
        ASSERT_EQ(pfn_node_lookup(&m, 32767, PAGE), 0);
        ASSERT_EQ(pfn_node_lookup(&m, 32768, PAGE), 1);
        ASSERT_EQ(pfn_node_lookup(&m, 65536, PAGE), -1); /* block 2: nobody's */
        ASSERT_EQ(pfn_node_lookup(&m, 3 * 32768 + 5, PAGE), 1);
        ASSERT_EQ(pfn_node_lookup(&m, 4 * 32768, PAGE), 0);
        ASSERT_EQ(pfn_node_lookup(&m, 5 * 32768, PAGE), -1);
        pfn_node_map_done(&m);
        /* A block size of 0 would divide by zero: no map. */
        put("sys/devices/system/memory/block_size_bytes", "0\n");
        ASSERT_OK(pfn_node_map_read(sr, &m));
        ASSERT_EQ(m.n_blocks, 0);
        sysfs_root_free(sr);
        remove_root();

        /* No memory blocks (no hot-plug support): an empty map, nodes unknown. */
        make_root();
        ASSERT_OK(sysfs_root_new(root, NULL, &sr));
        ASSERT_OK(pfn_node_map_read(sr, &m));
        ASSERT_EQ(m.n_blocks, 0);
        ASSERT_EQ(pfn_node_lookup(&m, 0, PAGE), -1);
        sysfs_root_free(sr);
        remove_root();
}

static PageScan *scan_of_tree(SysfsRoot **ret_root)
{
        PageScan *s = NULL;
        ASSERT_OK(sysfs_root_new(root, NULL, ret_root));
        ASSERT_OK(page_scan_new(*ret_root, TEST_PID, &s));
        return s;
}

TEST(present_pages_and_their_nodes)
{
        uint64_t pm[16];
        SysfsRoot *sr;
        PageItem items[32];
        PageScanTally tally = {};

        make_proc_tree();
        /* Pages 0-3 on node 0, 4-7 absent, 8-15 on node 1 (frames not consecutive: no kpageflags needed). */
        for (int i = 0; i < 16; i++)
                pm[i] = i < 4 ? PM_PRESENT | (NODE0_PFN + 2 * i) : i < 8 ? 0 : PM_PRESENT | (NODE1_PFN + 2 * i);
        put_pagemap(BASE, pm, 16);
        PageScan *s = scan_of_tree(&sr);
        ASSERT_TRUE(!page_scan_has_kpageflags(s));
        page_scan_start(s, BASE, BASE + 16 * PAGE);
        int n = page_scan_next(s, items, 32, UINT64_MAX, &tally);
        ASSERT_EQ(n, 12);
        ASSERT_EQ(tally.not_present, 4);
        ASSERT_TRUE(!page_scan_has_scan_ioctl(s)); /* a plain file: ENOTTY, the entries were read */
        ASSERT_TRUE(page_scan_has_pfns(s));
        for (int i = 0; i < n; i++) {
                uint64_t page = i < 4 ? (uint64_t)i : (uint64_t)i + 4;
                ASSERT_TRUE(items[i].addr == BASE + page * PAGE);
                ASSERT_EQ(items[i].pages, 1);
                ASSERT_EQ(items[i].node, i < 4 ? 0 : 1);
                ASSERT_TRUE(!items[i].huge);
        }
        ASSERT_EQ(page_scan_next(s, items, 32, UINT64_MAX, &tally), 0);

        /* A range beyond what the process has: its pagemap ends there, as a dead process's does. */
        page_scan_start(s, BASE + (UINT64_C(1) << 30), BASE + (UINT64_C(1) << 30) + PAGE);
        ASSERT_EQ(page_scan_next(s, items, 32, UINT64_MAX, &tally), -ESRCH);
        page_scan_free(s);
        sysfs_root_free(sr);
        remove_root();
}

/* 16 pages on consecutive frames: a THP's head and 7 tails, a plain page, a 3-page folio, 4 plain pages. */
static void put_compound_process(void)
{
        uint64_t pm[16], kf[16];
        for (int i = 0; i < 16; i++) {
                pm[i] = PM_PRESENT | (NODE1_PFN + i);
                kf[i] = KF(KPF_LRU) | KF(KPF_ANON);
        }
        kf[0] |= KF(KPF_COMPOUND_HEAD) | KF(KPF_THP);
        for (int i = 1; i < 8; i++)
                kf[i] |= KF(KPF_COMPOUND_TAIL) | KF(KPF_THP);
        kf[9] |= KF(KPF_COMPOUND_HEAD);
        kf[10] |= KF(KPF_COMPOUND_TAIL);
        kf[11] |= KF(KPF_COMPOUND_TAIL);
        put_pagemap(BASE, pm, 16);
        put_kpageflags(NODE1_PFN, kf, 16);
}

TEST(folios_from_kpageflags)
{
        static const struct {
                unsigned page, pages;
                bool huge;
        } want[] = {{0, 8, true},   {8, 1, false},  {9, 3, true},  {12, 1, false},
                    {13, 1, false}, {14, 1, false}, {15, 1, false}};
        SysfsRoot *sr;
        PageItem items[32];
        PageScanTally tally = {};

        make_proc_tree();
        put_compound_process();
        PageScan *s = scan_of_tree(&sr);
        ASSERT_TRUE(page_scan_has_kpageflags(s));
        page_scan_start(s, BASE, BASE + 16 * PAGE);
        ASSERT_EQ(page_scan_next(s, items, 32, UINT64_MAX, &tally), (int)ELEMENTSOF(want));
        for (size_t i = 0; i < ELEMENTSOF(want); i++) {
                ASSERT_TRUE(items[i].addr == BASE + want[i].page * PAGE);
                ASSERT_EQ(items[i].pages, want[i].pages);
                ASSERT_EQ(items[i].huge, want[i].huge);
                ASSERT_EQ(items[i].node, 1);
        }

        /* A range that starts inside the THP: its tails in the range are one item. */
        page_scan_start(s, BASE + 5 * PAGE, BASE + 10 * PAGE);
        ASSERT_EQ(page_scan_next(s, items, 32, UINT64_MAX, &tally), 3);
        ASSERT_TRUE(items[0].addr == BASE + 5 * PAGE && items[0].pages == 3 && items[0].huge);
        ASSERT_TRUE(items[1].addr == BASE + 8 * PAGE && items[1].pages == 1);
        ASSERT_TRUE(items[2].addr == BASE + 9 * PAGE && items[2].pages == 1 && items[2].huge); /* its head */
        ASSERT_EQ(tally.not_present, 0);
        page_scan_free(s);

        /* Frames that are not consecutive are not one folio, whatever kpageflags says of the frame between. */
        uint64_t pm2[2] = {PM_PRESENT | (NODE1_PFN + 0x100), PM_PRESENT | (NODE1_PFN + 0x102)};
        uint64_t kf2[3] = {KF(KPF_COMPOUND_HEAD), KF(KPF_COMPOUND_TAIL), 0};
        put_pagemap(BASE + 32 * PAGE, pm2, 2);
        put_kpageflags(NODE1_PFN + 0x100, kf2, 3);
        ASSERT_OK(page_scan_new(sr, TEST_PID, &s));
        page_scan_start(s, BASE + 32 * PAGE, BASE + 34 * PAGE);
        ASSERT_EQ(page_scan_next(s, items, 32, UINT64_MAX, &tally), 2);
        ASSERT_TRUE(items[0].pages == 1 && items[1].pages == 1);
        page_scan_free(s);
        sysfs_root_free(sr);
        remove_root();
}

TEST(limits_and_resuming)
{
        SysfsRoot *sr;
        PageItem items[32];
        PageScanTally tally = {};

        make_proc_tree();
        put_compound_process();
        PageScan *s = scan_of_tree(&sr);
        page_scan_start(s, BASE, BASE + 16 * PAGE);
        /* At most 8 pages: the THP alone (8), though more items would fit. */
        ASSERT_EQ(page_scan_next(s, items, 32, 8, &tally), 1);
        ASSERT_EQ(items[0].pages, 8);
        /* One item is always allowed, even past the pages. */
        ASSERT_EQ(page_scan_next(s, items, 32, 0, &tally), 1);
        ASSERT_TRUE(items[0].addr == BASE + 8 * PAGE);
        /* At most 2 items. */
        ASSERT_EQ(page_scan_next(s, items, 2, UINT64_MAX, &tally), 2);
        ASSERT_TRUE(items[0].addr == BASE + 9 * PAGE && items[0].pages == 3);
        ASSERT_TRUE(items[1].addr == BASE + 12 * PAGE);
        ASSERT_EQ(page_scan_next(s, items, 32, UINT64_MAX, &tally), 3);
        ASSERT_TRUE(items[2].addr == BASE + 15 * PAGE);
        ASSERT_EQ(page_scan_next(s, items, 32, UINT64_MAX, &tally), 0);
        page_scan_free(s);
        sysfs_root_free(sr);
        remove_root();
}

TEST(hidden_frame_numbers)
{
        uint64_t pm[16];
        SysfsRoot *sr;
        PageItem items[32];
        PageScanTally tally = {};

        /* Without CAP_SYS_ADMIN the kernel shows frame 0: no nodes, no folios, even with kpageflags there. */
        make_proc_tree();
        put_compound_process();
        for (int i = 0; i < 16; i++)
                pm[i] = PM_PRESENT;
        put_pagemap(BASE, pm, 16);
        PageScan *s = scan_of_tree(&sr);
        page_scan_start(s, BASE, BASE + 16 * PAGE);
        ASSERT_EQ(page_scan_next(s, items, 32, UINT64_MAX, &tally), 16);
        ASSERT_TRUE(!page_scan_has_pfns(s));
        for (int i = 0; i < 16; i++)
                ASSERT_TRUE(items[i].pages == 1 && items[i].node == -1 && !items[i].huge);
        page_scan_free(s);
        sysfs_root_free(sr);
        remove_root();
}

TEST(long_sparse_range)
{
        SysfsRoot *sr;
        PageItem items[4];
        PageScanTally tally = {};
        uint64_t e = PM_PRESENT | NODE0_PFN;

        /* One page present at the end of 40 MiB (more than one pagemap window): the rest counted absent. */
        make_proc_tree();
        put_pagemap(BASE + 10239 * (uint64_t)PAGE, &e, 1);
        PageScan *s = scan_of_tree(&sr);
        page_scan_start(s, BASE + 1, BASE + 10240 * (uint64_t)PAGE - 1); /* rounded out to pages */
        ASSERT_EQ(page_scan_next(s, items, 4, UINT64_MAX, &tally), 1);
        ASSERT_TRUE(items[0].addr == BASE + 10239 * (uint64_t)PAGE && items[0].node == 0);
        ASSERT_EQ(tally.not_present, 10239);
        ASSERT_EQ(page_scan_next(s, items, 4, UINT64_MAX, &tally), 0);
        ASSERT_EQ(tally.not_present, 10239);
        page_scan_free(s);
        sysfs_root_free(sr);
        remove_root();
}

TEST(windows_keep_huge_pages_whole)
{
        SysfsRoot *sr;
        PageItem items[8];
        PageScanTally tally = {};
        uint64_t pm[512], kf[512];

        /* A THP at 32 MiB into the range, scanned from 4 pages in: the first pagemap window ends at 32 MiB (a
         * huge page boundary), not 8192 pages after the start, which would cut the THP in two. */
        make_proc_tree();
        for (int i = 0; i < 512; i++) {
                pm[i] = PM_PRESENT | (NODE1_PFN + 0x1e00 + (uint64_t)i);
                kf[i] = KF(KPF_THP) | (i == 0 ? KF(KPF_COMPOUND_HEAD) : KF(KPF_COMPOUND_TAIL));
        }
        put_pagemap(BASE + 8192 * (uint64_t)PAGE, pm, 512);
        put_kpageflags(NODE1_PFN + 0x1e00, kf, 512);
        PageScan *s = scan_of_tree(&sr);
        page_scan_start(s, BASE + 4 * PAGE, BASE + 8704 * (uint64_t)PAGE);
        ASSERT_EQ(page_scan_next(s, items, 8, UINT64_MAX, &tally), 1);
        ASSERT_TRUE(items[0].addr == BASE + 8192 * (uint64_t)PAGE);
        ASSERT_EQ(items[0].pages, 512);
        ASSERT_EQ(tally.not_present, 8188);
        page_scan_free(s);
        sysfs_root_free(sr);
        remove_root();
}

TESTS_MAIN(TEST_ENTRY(maps), TEST_ENTRY(maps_from_the_tree), TEST_ENTRY(pfn_node_map),
           TEST_ENTRY(present_pages_and_their_nodes), TEST_ENTRY(folios_from_kpageflags),
           TEST_ENTRY(limits_and_resuming), TEST_ENTRY(hidden_frame_numbers), TEST_ENTRY(long_sparse_range),
           TEST_ENTRY(windows_keep_huge_pages_whole))
