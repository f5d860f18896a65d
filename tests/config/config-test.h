/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Shared by the configuration tests: a temporary directory per case, files written into it, rejections checked. */
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "strv.h"
#include "tests.h"

static char tmp_root[PATH_MAX];
static unsigned tmp_dirs;

/* snprintf() for paths, failing the case rather than truncating. */
_printf_(3, 4) _unused_ static void format_path(char *buf, size_t size, const char *format, ...)
{
        va_list ap;
        va_start(ap, format);
        int n = vsnprintf(buf, size, format, ap);
        va_end(ap);
        ASSERT_TRUE(n >= 0 && (size_t)n < size);
}

_unused_ static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
        (void)st;
        (void)ftw;
        return type == FTW_DP ? rmdir(path) : unlink(path);
}

_unused_ static void remove_tmp_root(void)
{
        if (tmp_root[0])
                (void)nftw(tmp_root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* A fresh empty directory under this run's temporary root (removed at exit, also after a failed case). */
_unused_ static void make_dir(char *buf, size_t size)
{
        if (!tmp_root[0]) {
                format_path(tmp_root, sizeof tmp_root, "%s/tierd-test-config-XXXXXX", getenv("TMPDIR") ?: "/tmp");
                ASSERT_TRUE(mkdtemp(tmp_root));
                atexit(remove_tmp_root);
        }
        format_path(buf, size, "%s/d%u", tmp_root, tmp_dirs++);
        ASSERT_EQ(mkdir(buf, 0755), 0);
}

_unused_ static void write_bytes(const char *path, const char *data, size_t n)
{
        FILE *f = fopen(path, "we");
        ASSERT_TRUE(f);
        ASSERT_TRUE(fwrite(data, 1, n, f) == n);
        ASSERT_EQ(fclose(f), 0);
}

_unused_ static void write_file(const char *path, const char *text)
{
        write_bytes(path, text, strlen(text));
}

/* text as tierd.conf in a fresh directory; path receives its name. */
_unused_ static void write_main(const char *text, char path[static PATH_MAX])
{
        char dir[PATH_MAX];
        make_dir(dir, sizeof dir);
        format_path(path, PATH_MAX, "%s/tierd.conf", dir);
        write_file(path, text);
}

_unused_ static Config *load_ok(const char *text)
{
        char path[PATH_MAX];
        Config *c = NULL;
        char *error = NULL;

        write_main(text, path);
        int r = config_load(path, &c, &error);
        if (r < 0)
                fprintf(stderr, "unexpected error %d (%s) for:\n%s\n", r, error ?: "no message", text);
        ASSERT_OK(r);
        ASSERT_TRUE(c);
        ASSERT_TRUE(!error);
        ASSERT_EQ(c->n_sources, 1);
        ASSERT_STREQ(c->sources[0], path);
        ASSERT_TRUE(!c->sources[1]);
        return c;
}

_unused_ static Config sentinel;

/* Loading text must fail with exactly "PATH:LINE: message" and leave the output alone. */
_unused_ static void check_rejected(const char *text, size_t length, unsigned line, const char *message)
{
        char path[PATH_MAX], *error = NULL, *expected = NULL;
        Config *c = &sentinel;

        char dir[PATH_MAX];
        make_dir(dir, sizeof dir);
        format_path(path, PATH_MAX, "%s/tierd.conf", dir);
        write_bytes(path, text, length);

        int r = config_load(path, &c, &error);
        ASSERT_TRUE(asprintf(&expected, "%s:%u: %s", path, line, message) >= 0);
        if (r != -EINVAL || !error || strcmp(error, expected) != 0)
                fprintf(stderr, "for input:\n%s\n", text);
        ASSERT_EQ(r, -EINVAL);
        ASSERT_STREQ(error, expected);
        ASSERT_TRUE(c == &sentinel);
        free(expected);
        free(error);
}

#define REJECT(text, line, message) check_rejected(text, sizeof(text) - 1, line, message)

/* Everything but the sources. */
_unused_ static void assert_settings_equal(const Config *a, const Config *b)
{
        ASSERT_EQ(a->mode, b->mode);
        ASSERT_EQ(a->log_level, b->log_level);
        ASSERT_EQ(a->rescan_debounce_msec, b->rescan_debounce_msec);
        ASSERT_EQ(a->numa_balancing, b->numa_balancing);
        ASSERT_EQ(a->demotion, b->demotion);
        ASSERT_EQ(a->promote_rate_limit_mbps, b->promote_rate_limit_mbps);
        ASSERT_EQ(a->hot_threshold_msec, b->hot_threshold_msec);
        ASSERT_TRUE(strv_equal(a->placement_cgroups, b->placement_cgroups));
        ASSERT_TRUE(strv_equal(a->placement_processes, b->placement_processes));
        ASSERT_TRUE(strv_equal(a->placement_exclude_processes, b->placement_exclude_processes));
        ASSERT_EQ(a->placement_interval_msec, b->placement_interval_msec);
        ASSERT_EQ(a->placement_rate_limit_mbps, b->placement_rate_limit_mbps);
        ASSERT_EQ(a->placement_low_watermark_pct, b->placement_low_watermark_pct);
        ASSERT_EQ(a->placement_high_watermark_pct, b->placement_high_watermark_pct);
        ASSERT_EQ(a->placement_min_residency_msec, b->placement_min_residency_msec);
        ASSERT_EQ(a->n_overrides, b->n_overrides);
        for (size_t i = 0; i < a->n_overrides; i++) {
                ASSERT_EQ(a->overrides[i].node, b->overrides[i].node);
                ASSERT_EQ(a->overrides[i].by_tier, b->overrides[i].by_tier);
                ASSERT_EQ(a->overrides[i].value, b->overrides[i].value);
        }
}

_unused_ static char *format_to_string(const Config *c)
{
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);
        ASSERT_TRUE(f);
        ASSERT_OK(config_format(c, f));
        ASSERT_EQ(fclose(f), 0);
        return buf;
}

/* Formats c, loads the text back, and checks that nothing changed. */
_unused_ static void check_round_trip(const Config *c)
{
        char *text = format_to_string(c);
        Config *back = load_ok(text);
        assert_settings_equal(c, back);
        config_free(back);
        free(text);
}
