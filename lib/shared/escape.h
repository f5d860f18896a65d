/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

/*
 * Text from files and the kernel on its way into error messages, the journal and D-Bus replies: sd-bus refuses
 * strings that are not valid UTF-8, and a message bus caps the size of a message, so an arbitrary line quoted
 * whole can make the error itself undeliverable.
 *
 * escape_bounded() copies at most max_chars bytes of s, writes every byte that is not printable ASCII, and the
 * quote characters ' and " and the backslash, as "\xNN", and appends "..." when s was longer.  The result is
 * always printable ASCII (hence valid UTF-8) of at most 4 * max_chars + 3 characters, malloc'ed; NULL only when
 * out of memory.  s == NULL gives "(null)".
 */
char *escape_bounded(const char *s, size_t max_chars);
/* The same for a buffer of n bytes that may hold NUL bytes (escaped as \x00). */
char *escape_bounded_n(const char *s, size_t n, size_t max_chars);

/* Bounds for the usual cases: a quoted value or line, and a file name. */
#define ESCAPE_VALUE_MAX 64
#define ESCAPE_PATH_MAX 256
