/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

#include "macro.h"

/*
 * Findings that are data, not log lines: a malformed sysfs value, the kernel disagreeing with the computed tiers.
 * They end up in `tierctl classify` output and its "warnings" JSON array, whose code strings are a public
 * interface.
 */
typedef struct Warning {
        const char *code; /* static string, e.g. "malformed-value" */
        int node;         /* -1: not about one node */
        char *message;
} Warning;

typedef struct WarningList {
        Warning *items;
        size_t n, allocated;
} WarningList;

int warning_list_add(WarningList *l, const char *code, int node, const char *fmt, ...) _printf_(4, 5);
void warning_list_clear(WarningList *l);
