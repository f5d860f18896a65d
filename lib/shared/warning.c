/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "warning.h"

int warning_list_add(WarningList *l, const char *code, int node, const char *fmt, ...)
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

void warning_list_clear(WarningList *l)
{
        for (size_t i = 0; i < l->n; i++)
                free(l->items[i].message);
        free(l->items);
        *l = (WarningList){0};
}
