/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdlib.h>

#include "strv.h"

void strv_free(char **v)
{
        for (char **p = v; p && *p; p++)
                free(*p);
        free(v);
}
