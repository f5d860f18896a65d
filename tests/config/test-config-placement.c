/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* [Placement]: the scope lists (append, clear, quoting, validation) and the tunables with their limits. */
#include "config-test.h"

static void assert_words(char **v, const char *const *want, size_t n)
{
        ASSERT_EQ(strv_length(v), n);
        for (size_t i = 0; i < n; i++)
                ASSERT_STREQ(v[i], want[i]);
}

TEST(lists_append_and_clear)
{
        Config *c = load_ok("[Placement]\n"
                            "Cgroups=/system.slice/postgresql.service\n"
                            "Cgroups=/user.slice /machine.slice\n"
                            "Processes=redis-server \"pg worker\"  memcached\n"
                            "ExcludeProcesses=pg_dump\n");
        assert_words(c->placement_cgroups,
                     (const char *const[]){"/system.slice/postgresql.service", "/user.slice", "/machine.slice"}, 3);
        assert_words(c->placement_processes, (const char *const[]){"redis-server", "pg worker", "memcached"}, 3);
        assert_words(c->placement_exclude_processes, (const char *const[]){"pg_dump"}, 1);
        check_round_trip(c);
        config_free(c);

        /* An empty assignment clears what came before; later ones add again. */
        c = load_ok("[Placement]\nProcesses=a b\nProcesses=\nProcesses=c\nCgroups=/x\nCgroups=\n");
        assert_words(c->placement_processes, (const char *const[]){"c"}, 1);
        assert_words(c->placement_cgroups, NULL, 0);
        check_round_trip(c);
        config_free(c);
}

TEST(lists_across_dropins)
{
        char dir[PATH_MAX], path[PATH_MAX], dropins[PATH_MAX], file[PATH_MAX];
        Config *c = NULL;
        char *error = NULL;

        make_dir(dir, sizeof dir);
        format_path(path, sizeof path, "%s/tierd.conf", dir);
        format_path(dropins, sizeof dropins, "%s.d", path);
        write_file(path, "[Daemon]\nMode=migrate\n[Placement]\nProcesses=postgres\n");
        ASSERT_EQ(mkdir(dropins, 0755), 0);
        format_path(file, sizeof file, "%s/10-more.conf", dropins);
        write_file(file, "[Placement]\nProcesses=redis-server\n");
        ASSERT_OK(config_load(path, &c, &error));
        assert_words(c->placement_processes, (const char *const[]){"postgres", "redis-server"}, 2);
        config_free(c);

        format_path(file, sizeof file, "%s/20-only.conf", dropins);
        write_file(file, "[Placement]\nProcesses=\nProcesses=memcached\n");
        ASSERT_OK(config_load(path, &c, &error));
        assert_words(c->placement_processes, (const char *const[]){"memcached"}, 1);
        config_free(c);
}

TEST(tunables)
{
        Config *c = load_ok("[Placement]\nIntervalMSec=100\nRateLimitMBps=0\nLowWatermarkPercent=1\n"
                            "HighWatermarkPercent=50\nMinResidencyMSec=3600000\n");
        ASSERT_EQ(c->placement_interval_msec, 100);
        ASSERT_EQ(c->placement_rate_limit_mbps, 0);
        ASSERT_EQ(c->placement_low_watermark_pct, 1);
        ASSERT_EQ(c->placement_high_watermark_pct, 50);
        ASSERT_EQ(c->placement_min_residency_msec, 3600000);
        check_round_trip(c);
        config_free(c);
}

TEST(rejected)
{
        REJECT("[Placement]\nCgroups=system.slice\n", 2,
               "invalid value 'system.slice' for Cgroups= (expected an absolute cgroup path below the cgroup2 "
               "mount, without . or .. components)");
        REJECT("[Placement]\nCgroups=/a /b/../../etc\n", 2,
               "invalid value '/b/../../etc' for Cgroups= (expected an absolute cgroup path below the cgroup2 "
               "mount, without . or .. components)");
        REJECT("[Placement]\nProcesses=\"pg worker\n", 2,
               "invalid value '\\x22pg worker' for Processes= (expected words separated by spaces, \"double quotes\" "
               "around one with spaces)");
        REJECT("[Placement]\nProcesses=a\"b\n", 2,
               "invalid value 'a\\x22b' for Processes= (expected words separated by spaces, \"double quotes\" around "
               "one with spaces)");
        REJECT("[Placement]\nProcesses=\"\"\n", 2, "invalid value '' for Processes= (expected process names)");
        REJECT("[Placement]\nIntervalMSec=99\n", 2,
               "invalid value '99' for IntervalMSec= (expected an integer from 100 to 600000)");
        REJECT("[Placement]\nIntervalMSec=600001\n", 2,
               "invalid value '600001' for IntervalMSec= (expected an integer from 100 to 600000)");
        REJECT("[Placement]\nLowWatermarkPercent=51\n", 2,
               "invalid value '51' for LowWatermarkPercent= (expected an integer from 1 to 50)");
        REJECT("[Placement]\nLowWatermarkPercent=0\n", 2,
               "invalid value '0' for LowWatermarkPercent= (expected an integer from 1 to 50)");
        REJECT("[Placement]\nRateLimitMBps=1000001\n", 2,
               "invalid value '1000001' for RateLimitMBps= (expected an integer from 0 to 1000000)");
        REJECT("[Placement]\nMinResidencyMSec=-1\n", 2,
               "invalid value '-1' for MinResidencyMSec= (expected an integer from 0 to 3600000)");
}

TEST(watermarks_ordered)
{
        char path[PATH_MAX], *error = NULL, *expected = NULL;
        Config *c = &sentinel;

        write_main("[Placement]\nLowWatermarkPercent=4\nHighWatermarkPercent=4\n", path);
        ASSERT_EQ(config_load(path, &c, &error), -EINVAL);
        ASSERT_TRUE(asprintf(&expected, "%s: [Placement] HighWatermarkPercent=4 must be above LowWatermarkPercent=4",
                             path) >= 0);
        ASSERT_STREQ(error, expected);
        ASSERT_TRUE(c == &sentinel);
        free(error);
        free(expected);

        /* only the low one raised above the default high one */
        error = NULL;
        write_main("[Placement]\nLowWatermarkPercent=10\n", path);
        ASSERT_EQ(config_load(path, &c, &error), -EINVAL);
        free(error);
        c = load_ok("[Placement]\nLowWatermarkPercent=10\nHighWatermarkPercent=11\n");
        config_free(c);
}

TEST(promotion)
{
        char path[PATH_MAX], *error = NULL, *expected = NULL;
        Config *c = load_ok("[Placement]\nPromotion=kernel\n[Kernel]\nNumaBalancing=both\n");
        ASSERT_EQ(c->placement_promotion, PROMOTION_KERNEL);
        check_round_trip(c);
        config_free(c);
        c = load_ok("[Placement]\nPromotion=kernel\nPromotion=tierd\n");
        ASSERT_EQ(c->placement_promotion, PROMOTION_TIERD);
        config_free(c);
        REJECT("[Placement]\nPromotion=numa\n", 2, "invalid value 'numa' for Promotion= (expected tierd or kernel)");

        /* The kernel cannot promote with NUMA balancing off; any mode that promotes will do. */
        write_main("[Kernel]\nNumaBalancing=off\n[Placement]\nPromotion=kernel\n", path);
        c = &sentinel;
        ASSERT_EQ(config_load(path, &c, &error), -EINVAL);
        ASSERT_TRUE(asprintf(&expected,
                             "%s: [Placement] Promotion=kernel needs NUMA balancing, but [Kernel] NumaBalancing=off "
                             "turns it off (use keep, normal, tiering or both)",
                             path) >= 0);
        ASSERT_STREQ(error, expected);
        ASSERT_TRUE(c == &sentinel);
        free(error);
        free(expected);
        c = load_ok("[Kernel]\nNumaBalancing=normal\n[Placement]\nPromotion=kernel\n");
        config_free(c);
        c = load_ok("[Kernel]\nNumaBalancing=tiering\n[Placement]\nPromotion=kernel\n");
        config_free(c);
}

TESTS_MAIN(TEST_ENTRY(lists_append_and_clear), TEST_ENTRY(lists_across_dropins), TEST_ENTRY(tunables),
           TEST_ENTRY(rejected), TEST_ENTRY(watermarks_ordered), TEST_ENTRY(promotion))
