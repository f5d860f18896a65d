/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Linux 6.12's DAMON admin tree (sys/kernel/mm/damon/admin) and /proc/PID/stat in a scratch tree, for the tests
 * of the hotness tracker and of what uses it.  The tree holds the directories the kernel creates when nr_kdamonds,
 * nr_targets, nr_schemes, nr_filters and nr_regions are written (a plain file tree cannot grow them on a write).
 */
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "scratch-root.h"

#define KD "sys/kernel/mm/damon/admin/kdamonds"
#define CTX KD "/0/contexts/0"
#define SLOTS_MAX 4

_printf_(2, 3) static inline void putf(const char *value, const char *fmt, ...)
{
        char path[PATH_MAX];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(path, sizeof path, fmt, ap);
        va_end(ap);
        put(path, "%s\n", value);
}

/* A file's content without its final newline (a few of them stay valid at once). */
_printf_(1, 2) static inline const char *get(const char *fmt, ...)
{
        static char bufs[8][4096];
        static unsigned next;
        char path[PATH_MAX], full[PATH_MAX * 2];
        char *buf = bufs[next++ % 8];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(path, sizeof path, fmt, ap);
        va_end(ap);
        snprintf(full, sizeof full, "%s/%s", root, path);
        int fd = open(full, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return "(missing)";
        ssize_t n = read(fd, buf, sizeof bufs[0] - 1);
        close(fd);
        buf[n > 0 ? n : 0] = '\0';
        buf[strcspn(buf, "\n")] = '\0';
        return buf;
}

/* Kdamond k's directories as the kernel leaves them after nr_kdamonds was written, and the nr_* below. */
static inline void put_kdamond(unsigned k)
{
        static const char *const ranges[] = {"sz", "nr_accesses", "age"};
        char c[128];

        snprintf(c, sizeof c, KD "/%u/contexts/0", k);
        putf("off", KD "/%u/state", k);
        putf("-1", KD "/%u/pid", k);
        putf("0", KD "/%u/contexts/nr_contexts", k);
        putf("vaddr", "%s/operations", c);
        putf("5000", "%s/monitoring_attrs/intervals/sample_us", c);
        putf("100000", "%s/monitoring_attrs/intervals/aggr_us", c);
        putf("60000000", "%s/monitoring_attrs/intervals/update_us", c);
        putf("10", "%s/monitoring_attrs/nr_regions/min", c);
        putf("1000", "%s/monitoring_attrs/nr_regions/max", c);
        putf("0", "%s/targets/nr_targets", c);
        putf("0", "%s/schemes/nr_schemes", c);
        for (unsigned i = 0; i < SLOTS_MAX; i++) {
                putf("0", "%s/targets/%u/pid_target", c, i);
                putf("0", "%s/targets/%u/regions/nr_regions", c, i);
                putf("0", "%s/targets/%u/regions/0/start", c, i);
                putf("0", "%s/targets/%u/regions/0/end", c, i);
                putf("stat", "%s/schemes/%u/action", c, i);
                putf("0", "%s/schemes/%u/apply_interval_us", c, i);
                for (size_t j = 0; j < ELEMENTSOF(ranges); j++) {
                        putf("0", "%s/schemes/%u/access_pattern/%s/min", c, i, ranges[j]);
                        putf("0", "%s/schemes/%u/access_pattern/%s/max", c, i, ranges[j]);
                }
                putf("0", "%s/schemes/%u/filters/nr_filters", c, i);
                putf("anon", "%s/schemes/%u/filters/0/type", c, i);
                putf("N", "%s/schemes/%u/filters/0/matching", c, i);
                putf("0", "%s/schemes/%u/filters/0/damon_target_idx", c, i);
                putf("none", "%s/schemes/%u/watermarks/metric", c, i);
                putf("0", "%s/schemes/%u/watermarks/interval_us", c, i);
                putf("0", "%s/schemes/%u/tried_regions/total_bytes", c, i);
        }
}

/* A process as /proc/PID/stat shows it: state letter and starttime (field 22). */
static inline void put_process(int pid, char state, unsigned long long starttime)
{
        char path[64];
        snprintf(path, sizeof path, "proc/%d/stat", pid);
        put(path, "%d (work (a) b) %c 1 %d %d 0 -1 4194560 100 0 0 0 5 6 0 0 20 0 1 0 %llu 1000000 50\n", pid, state,
            pid, pid, starttime);
}

static inline void remove_process(int pid)
{
        char path[PATH_MAX * 2];
        snprintf(path, sizeof path, "%s/proc/%d/stat", root, pid);
        ASSERT_OK(unlink(path));
}

/* A tried region of scheme i: the kernel numbers them across all schemes. */
static inline void put_region(unsigned scheme, unsigned id, const char *start, const char *end, const char *nr_accesses,
                              const char *age)
{
        putf(start, CTX "/schemes/%u/tried_regions/%u/start", scheme, id);
        putf(end, CTX "/schemes/%u/tried_regions/%u/end", scheme, id);
        putf(nr_accesses, CTX "/schemes/%u/tried_regions/%u/nr_accesses", scheme, id);
        putf(age, CTX "/schemes/%u/tried_regions/%u/age", scheme, id);
}
