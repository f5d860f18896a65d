/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The configuration loader: defaults, every key, drop-in order, every rejection with its message, round trip. */
#include <errno.h>
#include <ftw.h>
#include <ini.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "config-test.h"
#include "config.h"
#include "tests.h"

static void assert_defaults(const Config *c)
{
        ASSERT_EQ(c->mode, TIERD_MODE_OBSERVE);
        ASSERT_EQ(c->log_level, LOG_INFO);
        ASSERT_EQ(c->rescan_debounce_msec, 20);
        ASSERT_EQ(c->numa_balancing, NUMA_BALANCING_KEEP);
        ASSERT_EQ(c->demotion, DEMOTION_KEEP);
        ASSERT_EQ(c->promote_rate_limit_mbps, CONFIG_KEEP);
        ASSERT_EQ(c->hot_threshold_msec, CONFIG_KEEP);
        ASSERT_EQ(c->n_overrides, 0);
        ASSERT_TRUE(c->placement_cgroups && !c->placement_cgroups[0]);
        ASSERT_TRUE(c->placement_processes && !c->placement_processes[0]);
        ASSERT_TRUE(c->placement_exclude_processes && !c->placement_exclude_processes[0]);
        ASSERT_EQ(c->placement_interval_msec, 1000);
        ASSERT_EQ(c->placement_rate_limit_mbps, 512);
        ASSERT_EQ(c->placement_low_watermark_pct, 2);
        ASSERT_EQ(c->placement_high_watermark_pct, 4);
        ASSERT_EQ(c->placement_min_residency_msec, 5000);
}

TEST(defaults)
{
        Config *c = config_new();
        ASSERT_TRUE(c);
        assert_defaults(c);
        ASSERT_EQ(c->n_sources, 0);
        ASSERT_TRUE(c->sources && !c->sources[0]);

        char *text = format_to_string(c);
        ASSERT_TRUE(strncmp(text, "# Sources: (defaults)\n", 22) == 0);
        ASSERT_TRUE(strstr(text, "\n[Daemon]\n") && strstr(text, "\n[Kernel]\n") && !strstr(text, "\n[Node "));
        free(text);
        check_round_trip(c);
        ASSERT_TRUE(!config_free(c));
        ASSERT_TRUE(!config_free(NULL));

        /* Empty and comment-only files are the defaults too. */
        c = load_ok("");
        assert_defaults(c);
        config_free(c);
        c = load_ok("# nothing\n; here\n\n[Daemon]\n[Kernel]\n");
        assert_defaults(c);
        config_free(c);
}

TEST(to_string)
{
        ASSERT_STREQ(tierd_mode_to_string(TIERD_MODE_OBSERVE), "observe");
        ASSERT_STREQ(tierd_mode_to_string(TIERD_MODE_KERNEL), "kernel");
        ASSERT_STREQ(tierd_mode_to_string(TIERD_MODE_MIGRATE), "migrate");
        ASSERT_TRUE(!tierd_mode_to_string(_TIERD_MODE_MAX));
        ASSERT_TRUE(!tierd_mode_to_string((TierdMode)-1));
        ASSERT_STREQ(numa_balancing_setting_to_string(NUMA_BALANCING_KEEP), "keep");
        ASSERT_STREQ(numa_balancing_setting_to_string(NUMA_BALANCING_OFF), "off");
        ASSERT_STREQ(numa_balancing_setting_to_string(NUMA_BALANCING_NORMAL), "normal");
        ASSERT_STREQ(numa_balancing_setting_to_string(NUMA_BALANCING_TIERING), "tiering");
        ASSERT_STREQ(numa_balancing_setting_to_string(NUMA_BALANCING_BOTH), "both");
        ASSERT_TRUE(!numa_balancing_setting_to_string(_NUMA_BALANCING_MAX));
        ASSERT_STREQ(demotion_setting_to_string(DEMOTION_KEEP), "keep");
        ASSERT_STREQ(demotion_setting_to_string(DEMOTION_ON), "on");
        ASSERT_STREQ(demotion_setting_to_string(DEMOTION_OFF), "off");
        ASSERT_TRUE(!demotion_setting_to_string(_DEMOTION_MAX));
}

TEST(missing_default_file)
{
        /* Depends on the machine: only meaningful where tierd is not configured. */
        if (access(CONFIG_DEFAULT_PATH, F_OK) == 0 || access(CONFIG_DEFAULT_PATH ".d", F_OK) == 0)
                TEST_SKIP(CONFIG_DEFAULT_PATH " exists here");

        Config *c = NULL;
        char *error = (char *)"stale";
        ASSERT_OK(config_load(NULL, &c, &error));
        ASSERT_TRUE(!error);
        assert_defaults(c);
        ASSERT_EQ(c->n_sources, 0);
        ASSERT_TRUE(c->sources && !c->sources[0]);
        config_free(c);

        /* The error message is optional. */
        ASSERT_OK(config_load(NULL, &c, NULL));
        config_free(c);
}

TEST(missing_explicit_file)
{
        char dir[PATH_MAX], path[PATH_MAX], *expected = NULL, *error = NULL;
        Config *c = &sentinel;

        make_dir(dir, sizeof dir);
        format_path(path, sizeof path, "%s/none.conf", dir);
        ASSERT_EQ(config_load(path, &c, &error), -ENOENT);
        ASSERT_TRUE(asprintf(&expected, "%s: No such file or directory", path) >= 0);
        ASSERT_STREQ(error, expected);
        ASSERT_TRUE(c == &sentinel);
        free(expected);
        free(error);

        /* Its drop-ins are not read on their own. */
        char dropins[PATH_MAX], dropin[PATH_MAX];
        format_path(dropins, sizeof dropins, "%s.d", path);
        ASSERT_EQ(mkdir(dropins, 0755), 0);
        format_path(dropin, sizeof dropin, "%s/a.conf", dropins);
        write_file(dropin, "[Daemon]\nMode=kernel\n");
        ASSERT_EQ(config_load(path, &c, NULL), -ENOENT);
        ASSERT_TRUE(c == &sentinel);

        /* A directory where the file should be. */
        error = NULL;
        ASSERT_EQ(config_load(dir, &c, &error), -EISDIR);
        ASSERT_TRUE(asprintf(&expected, "%s: Is a directory", dir) >= 0);
        ASSERT_STREQ(error, expected);
        ASSERT_TRUE(c == &sentinel);
        free(expected);
        free(error);
}

TEST(daemon_keys)
{
        static const struct {
                const char *value;
                TierdMode mode;
        } modes[] = {{"observe", TIERD_MODE_OBSERVE}, {"kernel", TIERD_MODE_KERNEL}, {"migrate", TIERD_MODE_MIGRATE}};
        static const struct {
                const char *value;
                int level;
        } levels[] = {{"err", LOG_ERR},
                      {"warning", LOG_WARNING},
                      {"notice", LOG_NOTICE},
                      {"info", LOG_INFO},
                      {"debug", LOG_DEBUG}};
        char text[256];
        Config *c;

        for (size_t i = 0; i < ELEMENTSOF(modes); i++) {
                snprintf(text, sizeof text, "[Daemon]\nMode=%s\n", modes[i].value);
                c = load_ok(text);
                ASSERT_EQ(c->mode, modes[i].mode);
                check_round_trip(c);
                config_free(c);
        }
        for (size_t i = 0; i < ELEMENTSOF(levels); i++) {
                snprintf(text, sizeof text, "[Daemon]\nLogLevel=%s\n", levels[i].value);
                c = load_ok(text);
                ASSERT_EQ(c->log_level, levels[i].level);
                check_round_trip(c);
                config_free(c);
        }

        c = load_ok("[Daemon]\nRescanDebounceMSec=0\n");
        ASSERT_EQ(c->rescan_debounce_msec, 0);
        config_free(c);
        c = load_ok("[Daemon]\nRescanDebounceMSec=10000\n");
        ASSERT_EQ(c->rescan_debounce_msec, 10000);
        check_round_trip(c);
        config_free(c);

        /* One key leaves the others at their defaults. */
        c = load_ok("[Daemon]\nLogLevel=debug\n");
        ASSERT_EQ(c->mode, TIERD_MODE_OBSERVE);
        ASSERT_EQ(c->rescan_debounce_msec, 20);
        config_free(c);
}

TEST(kernel_keys)
{
        static const char *const numa_balancing[] = {"keep", "off", "normal", "tiering", "both"};
        static const char *const demotion[] = {"keep", "on", "off"};
        char text[256];
        Config *c;

        for (size_t i = 0; i < ELEMENTSOF(numa_balancing); i++) {
                snprintf(text, sizeof text, "[Kernel]\nNumaBalancing=%s\n", numa_balancing[i]);
                c = load_ok(text);
                ASSERT_EQ(c->numa_balancing, (NumaBalancingSetting)i);
                check_round_trip(c);
                config_free(c);
        }
        for (size_t i = 0; i < ELEMENTSOF(demotion); i++) {
                snprintf(text, sizeof text, "[Kernel]\nDemotion=%s\n", demotion[i]);
                c = load_ok(text);
                ASSERT_EQ(c->demotion, (DemotionSetting)i);
                check_round_trip(c);
                config_free(c);
        }

        c = load_ok("[Kernel]\nPromoteRateLimitMBps=0\nHotThresholdMSec=0\n");
        ASSERT_EQ(c->promote_rate_limit_mbps, 0);
        ASSERT_EQ(c->hot_threshold_msec, 0);
        check_round_trip(c);
        config_free(c);

        c = load_ok("[Kernel]\nPromoteRateLimitMBps=2147483647\nHotThresholdMSec=4294967295\n");
        ASSERT_EQ(c->promote_rate_limit_mbps, INT32_MAX);
        ASSERT_EQ(c->hot_threshold_msec, UINT32_MAX);
        check_round_trip(c);
        config_free(c);

        /* "keep" after a number takes it back. */
        c = load_ok("[Kernel]\nPromoteRateLimitMBps=100\nHotThresholdMSec=1000\n"
                    "PromoteRateLimitMBps=keep\nHotThresholdMSec=keep\n");
        ASSERT_EQ(c->promote_rate_limit_mbps, CONFIG_KEEP);
        ASSERT_EQ(c->hot_threshold_msec, CONFIG_KEEP);
        config_free(c);
}

TEST(node_sections)
{
        Config *c = load_ok("[Node 5]\nTier=3\n"
                            "[Node 1]\nAbstractDistance=700\n"
                            "[Node 1023]\nTier=16777215\n"
                            "[Node 0]\nAbstractDistance=2147483647\n"
                            "[Node 7]\n" /* no key: no override */
                            "[Node 3]\nAbstractDistance=0\nTier=0\n"
                            "[Node 5]\nAbstractDistance=1000\n"
                            "[Node 1]\nTier=9\nAbstractDistance=650\n");
        static const TierOverride expected[] = {
                {0, false, INT32_MAX}, {1, false, 650}, {3, true, 0}, {5, false, 1000}, {1023, true, 16777215},
        };
        ASSERT_EQ(c->n_overrides, ELEMENTSOF(expected));
        for (size_t i = 0; i < ELEMENTSOF(expected); i++) {
                ASSERT_EQ(c->overrides[i].node, expected[i].node);
                ASSERT_EQ(c->overrides[i].by_tier, expected[i].by_tier);
                ASSERT_EQ(c->overrides[i].value, expected[i].value);
        }
        check_round_trip(c);

        char *text = format_to_string(c);
        const char *n0 = strstr(text, "[Node 0]\nAbstractDistance=2147483647\n"),
                   *n1 = strstr(text, "[Node 1]\nAbstractDistance=650\n"), *n3 = strstr(text, "[Node 3]\nTier=0\n"),
                   *n5 = strstr(text, "[Node 5]\nAbstractDistance=1000\n"),
                   *n1023 = strstr(text, "[Node 1023]\nTier=16777215\n");
        ASSERT_TRUE(n0 && n1 && n3 && n5 && n1023);
        ASSERT_TRUE(n0 < n1 && n1 < n3 && n3 < n5 && n5 < n1023);
        ASSERT_TRUE(strstr(text, "\n[Daemon]\n") < strstr(text, "\n[Kernel]\n"));
        ASSERT_TRUE(strstr(text, "\n[Kernel]\n") < n0);
        free(text);
        config_free(c);

        /* Sections may repeat; a later key wins. */
        c = load_ok("[Daemon]\nMode=kernel\n[Kernel]\nDemotion=on\n[Daemon]\nMode=migrate\n");
        ASSERT_EQ(c->mode, TIERD_MODE_MIGRATE);
        ASSERT_EQ(c->demotion, DEMOTION_ON);
        config_free(c);
}

TEST(syntax_tolerated)
{
        /* Whitespace around everything, CRLF, a byte order mark, both comment styles, blank lines. */
        Config *c = load_ok("\xef\xbb\xbf[Daemon]\r\n"
                            "  Mode = kernel  \r\n"
                            "\t# an indented comment\n"
                            "\tLogLevel\t=\tdebug\n" /* indented: a key of its own, not a continuation */
                            "    RescanDebounceMSec=0007\n"
                            "\n"
                            "; another comment\n"
                            "   [Kernel]   \n"
                            "Demotion=off\n");
        ASSERT_EQ(c->mode, TIERD_MODE_KERNEL);
        ASSERT_EQ(c->log_level, LOG_DEBUG);
        ASSERT_EQ(c->rescan_debounce_msec, 7);
        ASSERT_EQ(c->demotion, DEMOTION_OFF);
        config_free(c);

        /* Comments may be longer than libinih's line buffer: the reader drops them first. */
        char text[2048];
        int n = snprintf(text, sizeof text, "[Daemon]\n# ");
        memset(text + n, 'x', 1500);
        snprintf(text + n + 1500, sizeof text - (size_t)n - 1500, "\nMode=migrate\n");
        c = load_ok(text);
        ASSERT_EQ(c->mode, TIERD_MODE_MIGRATE);
        config_free(c);

        /* No final newline. */
        c = load_ok("[Daemon]\nMode=kernel");
        ASSERT_EQ(c->mode, TIERD_MODE_KERNEL);
        config_free(c);
}

TEST(rejected_structure)
{
        REJECT("[Nodes 2]\n", 1, "unknown section [Nodes 2]");
        REJECT("[Daemon]\nMode=kernel\n\n[daemon]\n", 4, "unknown section [daemon]");
        REJECT("[ Daemon ]\n", 1, "unknown section [ Daemon ]");
        REJECT("[]\n", 1, "unknown section []");
        /* An empty unknown section is found too, although libinih reports no keys for it. */
        REJECT("[Daemon]\n[Whatever]\n[Kernel]\n", 2, "unknown section [Whatever]");
        REJECT("[Node]\n", 1, "invalid node id in section [Node]");
        REJECT("[Node x]\n", 1, "invalid node id in section [Node x]");
        REJECT("[Node -1]\n", 1, "invalid node id in section [Node -1]");
        REJECT("[Node 1024]\n", 1, "invalid node id in section [Node 1024]");
        REJECT("[Node  1]\n", 1, "invalid node id in section [Node  1]");
        /* Control characters in a quoted name come out escaped. */
        REJECT("[Node\t1]\n", 1, "invalid node id in section [Node\\x091]");
        REJECT("[Node 1 ]\n", 1, "invalid node id in section [Node 1 ]");
        REJECT("[Node +1]\n", 1, "invalid node id in section [Node +1]");
        REJECT("[Node 0x1]\n", 1, "invalid node id in section [Node 0x1]");
        REJECT("[Node 99999999999999999999999]\n", 1, "invalid node id in section [Node 99999999999999999999999]");
        REJECT("[Daemon\nMode=kernel\n", 1, "missing ']' in section header");
        REJECT("\n[Daemon] Mode=kernel\n", 2, "unexpected text after ']' in section header");
        REJECT("[Daemon] # comment\n", 1, "unexpected text after ']' in section header");

        REJECT("Mode=observe\n", 1, "key 'Mode' outside of any section");
        REJECT("# comment\n\nFoo=1\n[Daemon]\n", 3, "key 'Foo' outside of any section");
        REJECT("[Daemon]\nMod=observe\n", 2, "unknown key 'Mod' in section [Daemon]");
        REJECT("[Daemon]\nmode=observe\n", 2, "unknown key 'mode' in section [Daemon]");
        REJECT("[Kernel]\nMode=observe\n", 2, "unknown key 'Mode' in section [Kernel]");
        REJECT("[Node 3]\nTiers=1\n", 2, "unknown key 'Tiers' in section [Node 3]");
        REJECT("[Daemon]\n=observe\n", 2, "missing key name before '='");

        REJECT("[Daemon]\nMode observe\n", 2,
               "invalid line 'Mode observe' (expected [Section], Key=Value or a comment)");
        REJECT("[Daemon]\nMode: kernel\n", 2,
               "invalid line 'Mode: kernel' (expected [Section], Key=Value or a comment)");
        /* libinih itself refuses this one (its inline comment swallows the '='). */
        REJECT("[Daemon]\nMode ;=kernel\n", 2, "invalid line (expected [Section], Key=Value or a comment)");
        REJECT("[Daemon]\nMode=kernel\0\n", 2, "line contains a NUL byte");

        char text[1024], message[128];
        int n = snprintf(text, sizeof text, "[Daemon]\n\nMode=");
        memset(text + n, 'x', 400);
        text[n + 400] = '\0';
        snprintf(message, sizeof message, "line too long (at most %d characters)", INI_MAX_LINE - 1);
        check_rejected(text, strlen(text), 3, message);
        /* The longest line libinih's buffer holds still loads (the error comes from a later line); one more does not.
         */
        const size_t key = strlen("HotThresholdMSec="), width = INI_MAX_LINE - 1;
        n = snprintf(text, sizeof text, "[Kernel]\nHotThresholdMSec=");
        memset(text + n, '0', width - key - 1);
        snprintf(text + n + width - key - 1, 64, "1\n[Daemon]\nMode=x\n");
        check_rejected(text, strlen(text), 4, "invalid value 'x' for Mode= (expected observe, kernel or migrate)");
        n = snprintf(text, sizeof text, "[Kernel]\nHotThresholdMSec=");
        memset(text + n, '0', width - key);
        snprintf(text + n + width - key, 64, "1\n");
        check_rejected(text, strlen(text), 2, message);
}

TEST(rejected_values)
{
        REJECT("[Daemon]\nMode=sometimes\n", 2,
               "invalid value 'sometimes' for Mode= (expected observe, kernel or migrate)");
        REJECT("[Daemon]\nMode=Observe\n", 2,
               "invalid value 'Observe' for Mode= (expected observe, kernel or migrate)");
        REJECT("[Daemon]\nMode=\n", 2, "invalid value '' for Mode= (expected observe, kernel or migrate)");
        REJECT("[Daemon]\nMode=kernel # why\n", 2,
               "invalid value 'kernel # why' for Mode= (expected observe, kernel or migrate)");
        REJECT("[Daemon]\nLogLevel=warn\n", 2,
               "invalid value 'warn' for LogLevel= (expected err, warning, notice, info or debug)");
        REJECT("[Daemon]\nLogLevel=INFO\n", 2,
               "invalid value 'INFO' for LogLevel= (expected err, warning, notice, info or debug)");
        REJECT("[Daemon]\nLogLevel=crit\n", 2,
               "invalid value 'crit' for LogLevel= (expected err, warning, notice, info or debug)");
        REJECT("[Daemon]\nRescanDebounceMSec=-1\n", 2,
               "invalid value '-1' for RescanDebounceMSec= (expected an integer from 0 to 10000)");
        REJECT("[Daemon]\nRescanDebounceMSec=10001\n", 2,
               "invalid value '10001' for RescanDebounceMSec= (expected an integer from 0 to 10000)");
        REJECT("[Daemon]\nRescanDebounceMSec=20ms\n", 2,
               "invalid value '20ms' for RescanDebounceMSec= (expected an integer from 0 to 10000)");
        REJECT("[Daemon]\nRescanDebounceMSec=99999999999999999999999\n", 2,
               "invalid value '99999999999999999999999' for RescanDebounceMSec= (expected an integer from 0 to "
               "10000)");
        REJECT("[Kernel]\nNumaBalancing=on\n", 2,
               "invalid value 'on' for NumaBalancing= (expected keep, off, normal, tiering or both)");
        REJECT("[Kernel]\nNumaBalancing=2\n", 2,
               "invalid value '2' for NumaBalancing= (expected keep, off, normal, tiering or both)");
        REJECT("[Kernel]\nDemotion=true\n", 2, "invalid value 'true' for Demotion= (expected keep, on or off)");
        REJECT("[Kernel]\nDemotion=Keep\n", 2, "invalid value 'Keep' for Demotion= (expected keep, on or off)");
        REJECT("[Kernel]\nPromoteRateLimitMBps=-5\n", 2,
               "invalid value '-5' for PromoteRateLimitMBps= (expected keep or an integer from 0 to 2147483647)");
        REJECT("[Kernel]\nPromoteRateLimitMBps=2147483648\n", 2,
               "invalid value '2147483648' for PromoteRateLimitMBps= (expected keep or an integer from 0 to "
               "2147483647)");
        REJECT("[Kernel]\nHotThresholdMSec=Keep\n", 2,
               "invalid value 'Keep' for HotThresholdMSec= (expected keep or an integer from 0 to 4294967295)");
        REJECT("[Kernel]\nHotThresholdMSec=4294967296\n", 2,
               "invalid value '4294967296' for HotThresholdMSec= (expected keep or an integer from 0 to 4294967295)");
        REJECT("[Kernel]\nHotThresholdMSec=1e3\n", 2,
               "invalid value '1e3' for HotThresholdMSec= (expected keep or an integer from 0 to 4294967295)");
        REJECT("[Node 2]\nAbstractDistance=-1\n", 2,
               "invalid value '-1' for AbstractDistance= (expected an integer from 0 to 2147483647)");
        REJECT("[Node 2]\nAbstractDistance=2147483648\n", 2,
               "invalid value '2147483648' for AbstractDistance= (expected an integer from 0 to 2147483647)");
        REJECT("[Node 2]\nAbstractDistance=0x100\n", 2,
               "invalid value '0x100' for AbstractDistance= (expected an integer from 0 to 2147483647)");
        REJECT("[Node 2]\nTier=16777216\n", 2,
               "invalid value '16777216' for Tier= (expected an integer from 0 to 16777215)");
        REJECT("[Node 2]\nTier=\n", 2, "invalid value '' for Tier= (expected an integer from 0 to 16777215)");
}

TEST(first_error_wins)
{
        REJECT("[Daemon]\nMode=x\nFoo=y\n[Bar]\n", 2,
               "invalid value 'x' for Mode= (expected observe, kernel or migrate)");
        /* libinih does not stop at the line it refuses; the earlier error is still the one reported. */
        REJECT("[Daemon]\nMode ;=x\nMode=bad\n", 2, "invalid line (expected [Section], Key=Value or a comment)");
        REJECT("[Daemon]\nMode=bad\nMode ;=x\n", 2,
               "invalid value 'bad' for Mode= (expected observe, kernel or migrate)");
}

TEST(dropins)
{
        char dir[PATH_MAX], path[PATH_MAX], dropins[PATH_MAX], file[PATH_MAX];
        Config *c = NULL;
        char *error = NULL;

        make_dir(dir, sizeof dir);
        format_path(path, sizeof path, "%s/tierd.conf", dir);
        format_path(dropins, sizeof dropins, "%s.d", path);

        /* No drop-in directory: fine. */
        write_file(path, "[Daemon]\nMode=kernel\nLogLevel=notice\n[Node 4]\nTier=2\n");
        ASSERT_OK(config_load(path, &c, &error));
        ASSERT_EQ(c->mode, TIERD_MODE_KERNEL);
        ASSERT_EQ(c->n_sources, 1);
        config_free(c);

        ASSERT_EQ(mkdir(dropins, 0755), 0);
#define DROPIN(name, text)                                                                                             \
        do {                                                                                                           \
                format_path(file, sizeof file, "%s/%s", dropins, name);                                                \
                write_file(file, text);                                                                                \
        } while (0)
        /* strcmp() order, whatever the locale: "10-" before "9-", "B" before "a". */
        DROPIN("9-last.conf", "[Daemon]\nMode=migrate\n[Node 4]\nAbstractDistance=1000\n");
        DROPIN("10-first.conf", "[Daemon]\nMode=observe\nRescanDebounceMSec=5\n[Node 4]\nTier=7\n");
        DROPIN("B-second.conf", "[Kernel]\nDemotion=on\n[Daemon]\nRescanDebounceMSec=6\n");
        DROPIN("a-third.conf", "[Kernel]\nDemotion=off\n[Node 1]\nTier=1\n");
        /* Ignored: not "*.conf", hidden, or broken in ways that would show. */
        DROPIN("README", "not an ini file\n");
        DROPIN("x.conf.bak", "[Daemon]\nMode=bogus\n");
        DROPIN("x.conf~", "[Daemon]\nMode=bogus\n");
        DROPIN(".hidden.conf", "[Daemon]\nMode=bogus\n");
        DROPIN(".conf", "[Daemon]\nMode=bogus\n");
        format_path(file, sizeof file, "%s/sub", dropins);
        ASSERT_EQ(mkdir(file, 0755), 0);

        ASSERT_OK(config_load(path, &c, &error));
        ASSERT_TRUE(!error);
        ASSERT_EQ(c->n_sources, 5);
        ASSERT_STREQ(c->sources[0], path);
        format_path(file, sizeof file, "%s/10-first.conf", dropins);
        ASSERT_STREQ(c->sources[1], file);
        format_path(file, sizeof file, "%s/9-last.conf", dropins);
        ASSERT_STREQ(c->sources[2], file);
        format_path(file, sizeof file, "%s/B-second.conf", dropins);
        ASSERT_STREQ(c->sources[3], file);
        format_path(file, sizeof file, "%s/a-third.conf", dropins);
        ASSERT_STREQ(c->sources[4], file);
        ASSERT_TRUE(!c->sources[5]);

        ASSERT_EQ(c->mode, TIERD_MODE_MIGRATE); /* main, then 10-first, then 9-last */
        ASSERT_EQ(c->log_level, LOG_NOTICE);    /* main only */
        ASSERT_EQ(c->rescan_debounce_msec, 6);  /* 10-first, then B-second */
        ASSERT_EQ(c->demotion, DEMOTION_OFF);   /* B-second, then a-third */
        ASSERT_EQ(c->numa_balancing, NUMA_BALANCING_KEEP);
        ASSERT_EQ(c->n_overrides, 2);
        ASSERT_EQ(c->overrides[0].node, 1);
        ASSERT_EQ(c->overrides[1].node, 4); /* Tier=2, Tier=7, then AbstractDistance=1000 */
        ASSERT_EQ(c->overrides[1].by_tier, false);
        ASSERT_EQ(c->overrides[1].value, 1000);

        /* The sources head the formatted text, and the round trip holds. */
        char *text = format_to_string(c), *expected = NULL;
        ASSERT_TRUE(asprintf(&expected,
                             "# Sources: %s, %s/10-first.conf, %s/9-last.conf, %s/B-second.conf, "
                             "%s/a-third.conf\n",
                             path, dropins, dropins, dropins, dropins) >= 0);
        ASSERT_TRUE(strncmp(text, expected, strlen(expected)) == 0);
        free(expected);
        free(text);
        check_round_trip(c);
        config_free(c);

        /* A bad drop-in fails the whole load, naming the drop-in and its line. */
        DROPIN("50-bad.conf", "[Kernel]\n\nNumaBalancing=sometimes\n");
        c = &sentinel;
        ASSERT_EQ(config_load(path, &c, &error), -EINVAL);
        ASSERT_TRUE(c == &sentinel);
        ASSERT_TRUE(asprintf(&expected,
                             "%s/50-bad.conf:3: invalid value 'sometimes' for NumaBalancing= (expected keep, off, "
                             "normal, tiering or both)",
                             dropins) >= 0);
        ASSERT_STREQ(error, expected);
        free(expected);
        free(error);
        error = NULL;

        /* A directory named like a drop-in is not skipped silently. */
        format_path(file, sizeof file, "%s/50-bad.conf", dropins);
        ASSERT_EQ(unlink(file), 0);
        ASSERT_EQ(mkdir(file, 0755), 0);
        ASSERT_EQ(config_load(path, &c, &error), -EISDIR);
        ASSERT_TRUE(c == &sentinel);
        ASSERT_TRUE(asprintf(&expected, "%s: Is a directory", file) >= 0);
        ASSERT_STREQ(error, expected);
        free(expected);
        free(error);
        ASSERT_EQ(rmdir(file), 0);
#undef DROPIN
}

TEST(format_escapes_and_refuses)
{
        Config *c = config_new();
        ASSERT_TRUE(c);

        /* A newline in a source name must not end the comment and inject a key. */
        char *sources[] = {(char *)"/a\n[Daemon]\nMode=migrate", (char *)"/b", NULL};
        char **saved = c->sources;
        c->sources = sources;
        c->n_sources = 2;
        char *text = format_to_string(c);
        const char *expected = "# Sources: /a\\x0a[Daemon]\\x0aMode=migrate, /b\n";
        ASSERT_TRUE(strncmp(text, expected, strlen(expected)) == 0);
        Config *back = load_ok(text);
        ASSERT_EQ(back->mode, TIERD_MODE_OBSERVE);
        config_free(back);
        free(text);
        c->sources = saved;
        c->n_sources = 0;

        /* What config_load() could not have produced is refused rather than written wrongly. */
        FILE *null = fopen("/dev/null", "we");
        ASSERT_TRUE(null);
        c->log_level = LOG_CRIT;
        ASSERT_EQ(config_format(c, null), -EINVAL);
        c->log_level = LOG_INFO;
        c->mode = _TIERD_MODE_MAX;
        ASSERT_EQ(config_format(c, null), -EINVAL);
        c->mode = TIERD_MODE_OBSERVE;
        c->rescan_debounce_msec = 10001;
        ASSERT_EQ(config_format(c, null), -EINVAL);
        c->rescan_debounce_msec = 20;
        c->hot_threshold_msec = -2;
        ASSERT_EQ(config_format(c, null), -EINVAL);
        c->hot_threshold_msec = CONFIG_KEEP;

        TierOverride unsorted[] = {{3, true, 1}, {2, true, 1}};
        c->overrides = unsorted;
        c->n_overrides = 2;
        ASSERT_EQ(config_format(c, null), -EINVAL);
        TierOverride too_big[] = {{3, true, 16777216}};
        c->overrides = too_big;
        c->n_overrides = 1;
        ASSERT_EQ(config_format(c, null), -EINVAL);
        TierOverride fine[] = {{2, true, 16777215}, {3, false, 0}};
        c->overrides = fine;
        c->n_overrides = 2;
        ASSERT_OK(config_format(c, null));
        check_round_trip(c);
        c->overrides = NULL;
        c->n_overrides = 0;
        ASSERT_EQ(fclose(null), 0);

        /* A write error is reported. */
        FILE *full = fopen("/dev/full", "we");
        if (full) {
                ASSERT_EQ(config_format(c, full), -ENOSPC);
                fclose(full);
        }
        config_free(c);
}

TEST(round_trip_everything)
{
        Config *c = load_ok("[Daemon]\nMode=migrate\nLogLevel=err\nRescanDebounceMSec=1234\n"
                            "[Kernel]\nNumaBalancing=tiering\nDemotion=on\nPromoteRateLimitMBps=65536\n"
                            "HotThresholdMSec=1000\n"
                            "[Node 2]\nTier=20\n[Node 3]\nAbstractDistance=1200\n");
        check_round_trip(c);

        /* And the formatted text is stable: formatting what it loads to gives the same text back. */
        char *first = format_to_string(c);
        Config *back = load_ok(first);
        char *second = format_to_string(back);
        const char *body1 = strchr(first, '\n'), *body2 = strchr(second, '\n'); /* past the differing sources */
        ASSERT_STREQ(body1, body2);
        free(first);
        free(second);
        config_free(back);
        config_free(c);
}

/* A file of head, then n bytes ch, then tail, written in pieces so that the test itself stays small. */
static const char *const shipped = CONF_DIR "/tierd.conf";

TEST(shipped_file_loads)
{
        Config *c = NULL;
        char *error = NULL;

        int r = config_load(shipped, &c, &error);
        if (r < 0)
                fprintf(stderr, "%s\n", error ?: "no message");
        ASSERT_OK(r);
        assert_defaults(c);
        ASSERT_EQ(c->n_sources, 1);
        ASSERT_STREQ(c->sources[0], shipped);
        config_free(c);
}

/* Every key is in the shipped file, commented out with its real default: uncommenting them all changes nothing. */
TEST(shipped_file_documents_defaults)
{
        static const char *const keys[] = {"Mode",
                                           "LogLevel",
                                           "RescanDebounceMSec",
                                           "NumaBalancing",
                                           "Demotion",
                                           "PromoteRateLimitMBps",
                                           "HotThresholdMSec",
                                           "Cgroups",
                                           "Processes",
                                           "ExcludeProcesses",
                                           "IntervalMSec",
                                           "RateLimitMBps",
                                           "LowWatermarkPercent",
                                           "HighWatermarkPercent",
                                           "MinResidencyMSec",
                                           "Promotion"};
        FILE *in = fopen(shipped, "re");
        ASSERT_TRUE(in);
        char *out_text = NULL, *line = NULL;
        size_t out_size = 0, allocated = 0;
        FILE *out = open_memstream(&out_text, &out_size);
        ASSERT_TRUE(out);
        unsigned found[ELEMENTSOF(keys)] = {0};

        while (getline(&line, &allocated, in) >= 0) {
                const char *s = line;
                for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
                        size_t n = strlen(keys[i]);
                        if (line[0] == '#' && strncmp(line + 1, keys[i], n) == 0 && line[1 + n] == '=') {
                                found[i]++;
                                s = line + 1;
                        }
                }
                fputs(s, out);
        }
        free(line);
        fclose(in);
        ASSERT_EQ(fclose(out), 0);
        for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
                if (found[i] != 1)
                        fprintf(stderr, "key %s commented out %u times\n", keys[i], found[i]);
                ASSERT_EQ(found[i], 1);
        }

        Config *c = load_ok(out_text);
        assert_defaults(c);
        config_free(c);
        free(out_text);
}

TESTS_MAIN(TEST_ENTRY(defaults), TEST_ENTRY(to_string), TEST_ENTRY(missing_default_file),
           TEST_ENTRY(missing_explicit_file), TEST_ENTRY(daemon_keys), TEST_ENTRY(kernel_keys),
           TEST_ENTRY(node_sections), TEST_ENTRY(syntax_tolerated), TEST_ENTRY(rejected_structure),
           TEST_ENTRY(rejected_values), TEST_ENTRY(first_error_wins), TEST_ENTRY(dropins),
           TEST_ENTRY(format_escapes_and_refuses), TEST_ENTRY(round_trip_everything), TEST_ENTRY(shipped_file_loads),
           TEST_ENTRY(shipped_file_documents_defaults))
