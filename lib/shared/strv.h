/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "macro.h"

/* NULL-terminated vectors of malloc'ed strings. */
void strv_free(char **v);
DEFINE_TRIVIAL_CLEANUP_FUNC(char **, strv_free);
size_t strv_length(char *const *v); /* NULL is empty */
/* Append item, which the vector then owns; on -ENOMEM the caller still does. */
int strv_push(char ***v, char *item);
int strv_copy(char *const *v, char ***ret);
bool strv_equal(char *const *a, char *const *b);
