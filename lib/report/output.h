/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdio.h>

#include "snapshot.h"

/*
 * The one place a Snapshot becomes JSON or a table, so that `tierctl classify`, D-Bus GetTopology and
 * the journal never disagree.  The JSON key names are a public interface: add keys, never rename them.
 */
/* Serialised with a trailing newline; *ret is malloc'ed. */
int output_classification_json_string(const Snapshot *c, char **ret);
int output_classification_text(const Snapshot *c, FILE *f);

/* "12.0 GiB" style sizes, into buf. */
const char *format_kib(uint64_t kib, char *buf, size_t size);
