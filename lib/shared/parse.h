/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nodemask.h"

/*
 * Strict parsers for the values sysfs and procfs print.  Pure: no I/O, no logging.  All accept one optional
 * trailing newline (sysfs files end in one) and nothing else around the value.
 * Errors: -EINVAL for garbage or an empty value, -ERANGE for a value that does not fit.
 */
int parse_u64(const char *s, uint64_t *ret);
int parse_u32(const char *s, uint32_t *ret);
int parse_int(const char *s, int *ret); /* decimal, optionally negative ("-1" for NUMA_NO_NODE) */
/* Hex with or without "0x" (block_size_bytes has none, resources have it). */
int parse_hex_u64(const char *s, uint64_t *ret);
int parse_bool(const char *s, bool *ret);

/*
 * Kernel id list ("0-3,8,10-11"); an empty value is an empty list.  Ids must be < limit.  words (limit bits,
 * may be NULL) receives the set; ret_count the number of ids.
 */
int parse_id_list(const char *s, unsigned limit, uint64_t *words, unsigned *ret_count);
int parse_nodemask(const char *s, NodeMask *ret);

/* One field of a meminfo text ("MemTotal:  123 kB" or per-node "Node 0 MemTotal:  123 kB"), in kB. -ENOENT if
 * the field is absent.  A value without a unit is accepted as is (HugePages_* counts); any value above
 * INT64_MAX / 1024 is -ERANGE, so that kB * 1024 fits an int64. */
int parse_meminfo_kb(const char *text, const char *field, uint64_t *ret_kb);

/* A SLIT row ("10 21 31"): up to max entries, each 0..255. */
int parse_distance_row(const char *s, uint32_t *out, size_t max, size_t *ret_n);

/* "6.12.107+deb12-amd64" -> 6, 12, 107.  Missing patch level is 0. */
int parse_kernel_release(const char *s, unsigned *major, unsigned *minor, unsigned *patch);
