/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

/* D-Bus refuses strings that are not valid UTF-8; text read from files may be anything. */
bool utf8_is_valid(const char *s);
/* A copy with every byte that is not part of valid UTF-8, and every control character but newline and tab, as
 * \xNN (backslash itself as \\).  NULL on ENOMEM. */
char *utf8_escape_invalid(const char *s);
