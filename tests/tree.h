/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Writing small sysfs-like trees for tests and benchmarks: tree_put(root, "sys/...", "fmt", ...). */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "macro.h"

/* Create root/path (and its directories) with the formatted content; 0 or a negative errno. */
_printf_(3, 4) static inline int tree_put(const char *root, const char *path, const char *fmt, ...)
{
        char full[PATH_MAX * 2];
        if ((size_t)snprintf(full, sizeof full, "%s/%s", root, path) >= sizeof full)
                return -ENAMETOOLONG;
        for (char *p = full + strlen(root) + 1; (p = strchr(p, '/')); p++) {
                *p = '\0';
                if (mkdir(full, 0755) < 0 && errno != EEXIST)
                        return negative_errno();
                *p = '/';
        }
        FILE *f = fopen(full, "we");
        if (!f)
                return negative_errno();
        va_list ap;
        va_start(ap, fmt);
        vfprintf(f, fmt, ap);
        va_end(ap);
        return fclose(f) == 0 ? 0 : negative_errno();
}
