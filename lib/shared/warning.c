/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "warning.h"

static const struct {
        const char *name;
        WarningCategory category;
} warning_table[_WARNING_CODE_MAX] = {
        [WARNING_MALFORMED_VALUE] = {"malformed-value", WARNING_CATEGORY_INPUT},
        [WARNING_UNREADABLE] = {"unreadable-value", WARNING_CATEGORY_INPUT},
        [WARNING_HMAT_REFERENCE_MISMATCH] = {"hmat-reference-mismatch", WARNING_CATEGORY_FIRMWARE},
        [WARNING_HMAT_REFERENCE_ZERO] = {"hmat-reference-zero", WARNING_CATEGORY_FIRMWARE},
        [WARNING_CPULESS_DEFAULT_DRAM] = {"cpuless-default-dram", WARNING_CATEGORY_FIRMWARE},
        [WARNING_KERNEL_NO_MEMORY_TIERING] = {"kernel-no-memory-tiering", WARNING_CATEGORY_KERNEL},
        [WARNING_KERNEL_PRE_6_10] = {"kernel-pre-6.10", WARNING_CATEGORY_DISAGREEMENT},
        [WARNING_KERNEL_ADISTANCE_OVERFLOW] = {"kernel-adistance-overflow", WARNING_CATEGORY_DISAGREEMENT},
        [WARNING_KERNEL_KMEM_IN_DRAM_NODE] = {"kernel-kmem-in-dram-node", WARNING_CATEGORY_DISAGREEMENT},
        [WARNING_KERNEL_DIFFERS] = {"kernel-differs", WARNING_CATEGORY_DISAGREEMENT},
        [WARNING_KERNEL_UNTIERED] = {"kernel-untiered", WARNING_CATEGORY_DISAGREEMENT},
        [WARNING_OVERRIDE] = {"override", WARNING_CATEGORY_CONFIG},
};

const char *warning_code_to_string(WarningCode code)
{
        return (unsigned)code < _WARNING_CODE_MAX ? warning_table[code].name : "unknown";
}

WarningCategory warning_code_category(WarningCode code)
{
        return (unsigned)code < _WARNING_CODE_MAX ? warning_table[code].category : WARNING_CATEGORY_INPUT;
}

int warning_list_add(WarningList *l, WarningCode code, int node, const char *fmt, ...)
{
        va_list ap;
        char *msg;

        if (GREEDY_REALLOC(l->items, l->allocated, l->n + 1) < 0)
                return -ENOMEM;
        va_start(ap, fmt);
        int r = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        l->items[l->n++] = (Warning){.code = code, .node = node, .message = msg};
        return 0;
}

int warning_list_extend(WarningList *l, const WarningList *from)
{
        for (size_t i = 0; i < from->n; i++) {
                const Warning *w = &from->items[i];
                int r = warning_list_add(l, w->code, w->node, "%s", w->message);
                if (r < 0)
                        return r;
        }
        return 0;
}

bool warning_list_contains(const WarningList *l, WarningCode code, int node)
{
        for (size_t i = 0; i < l->n; i++)
                if (l->items[i].code == code && (node < 0 || l->items[i].node == node))
                        return true;
        return false;
}

void warning_list_clear(WarningList *l)
{
        for (size_t i = 0; i < l->n; i++)
                free(l->items[i].message);
        free(l->items);
        *l = (WarningList){0};
}
