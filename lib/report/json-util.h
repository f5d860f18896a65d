/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <errno.h>
#include <json-c/json.h>

#include "macro.h"

static inline void json_object_putp(json_object **j)
{
        if (*j)
                json_object_put(*j);
}
#define _cleanup_json_ _cleanup_(json_object_putp)

/* Add v under key, taking v also on failure; json-c's adders fail only on allocation failure: -ENOMEM. */
static inline int json_add(json_object *o, const char *key, json_object *v)
{
        if (!v)
                return -ENOMEM;
        if (json_object_object_add(o, key, v) < 0) {
                json_object_put(v);
                return -ENOMEM;
        }
        return 0;
}

/* Return from the function with expr's error, when it fails: for chains of json_add() and the like. */
#define TRY(expr)                                                                                                      \
        do {                                                                                                           \
                int _k_ = (expr);                                                                                      \
                if (_k_ < 0)                                                                                           \
                        return _k_;                                                                                    \
        } while (0)
