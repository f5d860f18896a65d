/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-c/json.h>
#include <stdio.h>

#include "migrate-stats.h"

/*
 * A migration job's stats as JSON (`tierctl migrate --json`, and the daemon's MigrateProcess() on D-Bus) and as
 * text.  The JSON keys are a public interface: add keys, never rename them.
 *
 *   { "pid": 1234, "dry_run": false, "end": "done", "end_error": null, "page_size": 4096,
 *     "pages": { "moved": 512, "already_there": 0, "busy": 0, "not_present": 3, "fault": 0, "no_memory": 0,
 *                "denied": 0, "not_attempted": 0, "other": 0 },
 *     "huge_pages": { ... the same keys: how many of those pages were huge pages, by number ... },
 *     "present_pages": 512, "all_placed": true, "bytes_moved": 2097152,
 *     "nodes": [ { "node": 0, "end": "done", "end_error": null, "pages": {...}, "huge_pages": {...},
 *                  "bytes_moved": 2097152, "found_pages": 0, "found_huge_pages": 0 } ],
 *     "move_calls": 1, "query_calls": 0, "call_usec": 800, "max_call_usec": 800, "elapsed_usec": 900,
 *     "moved_mib_per_sec": 2222.2, "page_frames": true, "kpageflags": true, "pagemap_scan": true }
 *
 * In a migration "nodes" are the targets, with the pages sent to each; in a dry run, the nodes the pages were
 * found on (found_pages).  end_error is the error's text when the job or the node's part ended on one.
 */
/* A new object (json_object_put() it), or NULL on ENOMEM. */
json_object *migrate_stats_json(const MigrateStats *s);
/* Serialised, pretty, with a trailing newline; *ret is malloc'ed. */
int migrate_stats_json_string(const MigrateStats *s, char **ret);
int migrate_stats_text(const MigrateStats *s, FILE *f);
