/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "macro.h"

/*
 * Findings that are data, not log lines: a malformed sysfs value, the kernel disagreeing with the computed tiers.
 * They end up in `tierctl classify` output and its "warnings" JSON array, whose code strings are a public
 * interface: add codes, never rename them.
 */
typedef enum WarningCategory {
        WARNING_CATEGORY_INPUT,        /* a file that could not be read or parsed */
        WARNING_CATEGORY_FIRMWARE,     /* what the HMAT makes the kernel do */
        WARNING_CATEGORY_KERNEL,       /* what the running kernel lacks */
        WARNING_CATEGORY_DISAGREEMENT, /* the kernel tiered a node differently, with the likely cause */
        WARNING_CATEGORY_CONFIG,       /* the configuration made tierd differ on purpose */
        _WARNING_CATEGORY_MAX,
} WarningCategory;

typedef enum WarningCode {
        WARNING_MALFORMED_VALUE,
        WARNING_UNREADABLE,
        WARNING_HMAT_REFERENCE_MISMATCH,
        WARNING_HMAT_REFERENCE_ZERO,
        WARNING_CPULESS_DEFAULT_DRAM,
        WARNING_KERNEL_NO_MEMORY_TIERING,
        WARNING_KERNEL_PRE_6_10,
        WARNING_KERNEL_ADISTANCE_OVERFLOW,
        WARNING_KERNEL_KMEM_IN_DRAM_NODE,
        WARNING_KERNEL_DIFFERS,
        WARNING_KERNEL_UNTIERED,
        WARNING_OVERRIDE,
        _WARNING_CODE_MAX,
} WarningCode;

const char *warning_code_to_string(WarningCode code);
WarningCategory warning_code_category(WarningCode code);

typedef struct Warning {
        WarningCode code;
        int node; /* -1: not about one node */
        char *message;
} Warning;

typedef struct WarningList {
        Warning *items;
        size_t n, allocated;
} WarningList;

int warning_list_add(WarningList *l, WarningCode code, int node, const char *fmt, ...) _printf_(4, 5);
/* Append copies of every warning of from. */
int warning_list_extend(WarningList *l, const WarningList *from);
/* Whether l holds code (about node, or about any node when node is -1). */
bool warning_list_contains(const WarningList *l, WarningCode code, int node);
void warning_list_clear(WarningList *l);
