/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The /proc/vmstat counters of the kernel's own tiering, on text as 6.12 prints it. */
#include <errno.h>

#include "scratch-root.h"
#include "sysfs.h"
#include "tests.h"
#include "vmstat.h"

static const char vmstat_612[] = "nr_free_pages 123\n"
                                 "pgmigrate_success 5000\n"
                                 "pgmigrate_fail 7\n"
                                 "numa_hint_faults 900\n"
                                 "pgpromote_success 4096\n"
                                 "pgpromote_candidate 4500\n"
                                 "pgdemote_kswapd 10\n"
                                 "pgdemote_direct 2\n"
                                 "pgdemote_khugepaged 1\n"
                                 "pgpromote_success_extra 99\n";

TEST(parse)
{
        VmstatTiering v;

        ASSERT_OK(vmstat_tiering_parse(vmstat_612, &v));
        ASSERT_EQ(v.pgmigrate_success, 5000u);
        ASSERT_EQ(v.pgmigrate_fail, 7u);
        ASSERT_EQ(v.numa_hint_faults, 900u);
        ASSERT_EQ(v.pgpromote_success, 4096u); /* not the longer name that shares its prefix */
        ASSERT_EQ(v.pgpromote_candidate, 4500u);
        ASSERT_EQ(v.pgdemote_kswapd, 10u);
        ASSERT_EQ(v.pgdemote_direct, 2u);
        ASSERT_EQ(v.pgdemote_khugepaged, 1u);
}

TEST(missing_counters_are_zero)
{
        VmstatTiering v = {.pgpromote_success = 1};

        ASSERT_OK(vmstat_tiering_parse("nr_free_pages 1\npgmigrate_success 3\n", &v));
        ASSERT_EQ(v.pgmigrate_success, 3u);
        ASSERT_EQ(v.pgpromote_success, 0u);
        ASSERT_EQ(v.pgdemote_kswapd, 0u);
}

TEST(malformed)
{
        VmstatTiering v;

        ASSERT_EQ(vmstat_tiering_parse("pgpromote_success x\n", &v), -EINVAL);
        ASSERT_EQ(vmstat_tiering_parse("pgpromote_success\n", &v), -EINVAL);
        ASSERT_EQ(vmstat_tiering_parse("pgpromote_success 99999999999999999999999\n", &v), -ERANGE);
}

TEST(delta)
{
        VmstatTiering a = {.pgpromote_success = 10, .pgdemote_kswapd = 5, .numa_hint_faults = 100};
        VmstatTiering b = {.pgpromote_success = 25, .pgdemote_kswapd = 4, .numa_hint_faults = 100};
        VmstatTiering d;

        vmstat_tiering_delta(&a, &b, &d);
        ASSERT_EQ(d.pgpromote_success, 15u);
        ASSERT_EQ(d.pgdemote_kswapd, 0u); /* went backwards */
        ASSERT_EQ(d.numa_hint_faults, 0u);
}

TEST(read_from_root)
{
        SysfsRoot *r = NULL;
        VmstatTiering v;

        make_root();
        put("proc/vmstat", "%s", vmstat_612);
        ASSERT_OK(sysfs_root_new(root, NULL, &r));
        ASSERT_OK(vmstat_tiering_read(r, &v));
        ASSERT_EQ(v.pgpromote_success, 4096u);
        sysfs_root_free(r);
        remove_root();
}

TESTS_MAIN(TEST_ENTRY(parse), TEST_ENTRY(missing_counters_are_zero), TEST_ENTRY(malformed), TEST_ENTRY(delta),
           TEST_ENTRY(read_from_root))
