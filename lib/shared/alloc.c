/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdint.h>
#include <stdlib.h>

#include "macro.h"

int greedy_realloc(void **array, size_t *allocated, size_t need, size_t elsize)
{
        if (need <= *allocated)
                return 0;
        size_t n = MAX(need, *allocated * 2);
        if (n < 8)
                n = 8;
        if (n > SIZE_MAX / elsize)
                return -ENOMEM;
        void *p = realloc(*array, n * elsize);
        if (!p)
                return -ENOMEM;
        *array = p;
        *allocated = n;
        return 0;
}
