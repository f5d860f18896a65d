/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdio.h>

#include "placer-stats.h"
#include "vmstat.h"

/*
 * Placement statistics as JSON (GetStats() on D-Bus, `tierctl stats --json`); the keys are a public interface:
 * add keys, never rename them.
 *
 *   { "mode": "migrate", "managed": 2, "cycles": 40, "interval_msec": 1000,
 *     "totals": { "promoted_pages": 100, "demoted_pages": 80, "moved_bytes": 737280,
 *                 "failed_pages": { "busy": 0, "not_present": 0, ... } },
 *     "last_cycle": { "number": 40, "outcome": "moves", "moves": 3, "jobs": 2, "budget_bytes": 33554432,
 *                     "planned_bytes": 737280,
 *                     "collect_usec": 101000, "cycle_usec": 180000, "hotness": null,
 *                     "promoted_pages": 100, "demoted_pages": 80, "bytes_per_sec": 4096000 },
 *     "workloads": [ { "pid": 1234, "comm": "postgres", "rule": "/system.slice/postgresql.service",
 *                      "home_node": 0, "regions": 120, "hot_regions": 10, "promoted_pages": ..., ... } ],
 *     "nodes": [ { "node": 0, "free_bytes": ..., "total_bytes": ..., "promoted_in_pages": ..., "demoted_in_pages":
 *                  ..., "promoted_out_pages": ..., "demoted_out_pages": ..., "failed_pages": {...}, "notes": [...] } ],
 *     "kernel": { "pgpromote_success": ..., "pgdemote_kswapd": ..., ... since tierd started } }
 *
 * s may be NULL (not in migrate mode): then only "mode", "managed": 0 and "kernel".
 */
int placement_stats_json_string(const PlacerStats *s, const char *mode, const VmstatTiering *kernel_since_start,
                                char **ret);
/* The same as a short table. */
int placement_stats_text_from_json(const char *json, FILE *f);
