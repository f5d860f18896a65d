/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* GetStats()'s JSON and tierctl stats' table, from hand-built placement statistics; what the summary record
 * counts as not moved. */
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "placement-output.h"
#include "placer.h"
#include "tests.h"

static json_object *get(json_object *o, const char *key)
{
        json_object *v = NULL;
        ASSERT_TRUE(json_object_object_get_ex(o, key, &v));
        return v;
}

static PlacerCounts totals = {.promoted_pages = 1969, .demoted_pages = 512, .moved_bytes = 2481 * 4096};
static PlacerCycle cycle = {.number = 9,
                            .started_usec = 1000000,
                            .planned_usec = 1100000,
                            .ended_usec = 1250000,
                            .outcome = POLICY_OUTCOME_MOVES,
                            .n_moves = 3,
                            .n_jobs = 2,
                            .counts = {.promoted_pages = 100, .moved_bytes = 409600}};
static PlacerWorkload workload = {.pid = 216,
                                  .comm = "damon-workload",
                                  .rule = (char *)"damon-workload",
                                  .home_node = 0,
                                  .regions = 40,
                                  .hot_regions = 3,
                                  .counts = {.promoted_pages = 1969, .failed_pages = {[MIGRATE_BUSY] = 7}}};
static PlacerNode node = {.node = 0,
                          .total_bytes = UINT64_C(1) << 30,
                          .free_bytes = UINT64_C(100) << 20,
                          .promoted_in_pages = 1969,
                          .last_notes = POLICY_NOTE_BELOW_LOW | POLICY_NOTE_BUDGET};

TEST(json)
{
        PlacerStats st = {.managed = 1,
                          .cycles = 9,
                          .interval_usec = 1000000,
                          .totals = &totals,
                          .last_cycle = &cycle,
                          .workloads = &workload,
                          .n_workloads = 1,
                          .nodes = &node,
                          .n_nodes = 1};
        VmstatTiering kernel = {.pgpromote_success = 5, .pgdemote_kswapd = 6};
        char *text = NULL;

        ASSERT_OK(placement_stats_json_string(&st, "migrate", &kernel, &text));
        json_object *o = json_tokener_parse(text);
        ASSERT_TRUE(o);
        ASSERT_STREQ(json_object_get_string(get(o, "mode")), "migrate");
        ASSERT_EQ(json_object_get_int64(get(o, "managed")), 1);
        ASSERT_EQ(json_object_get_int64(get(o, "interval_msec")), 1000);
        ASSERT_EQ(json_object_get_int64(get(get(o, "totals"), "promoted_pages")), 1969);
        ASSERT_EQ(json_object_get_int64(get(get(o, "totals"), "demoted_pages")), 512);
        json_object *c = get(o, "last_cycle");
        ASSERT_TRUE(get(c, "hotness") == NULL); /* a working DAMON: null */
        ASSERT_EQ(json_object_get_int64(get(c, "cycle_usec")), 250000);
        /* 409600 bytes in 0.25 s */
        ASSERT_EQ(json_object_get_int64(get(c, "bytes_per_sec")), 1638400);
        ASSERT_STREQ(json_object_get_string(get(c, "outcome")), "moves");
        json_object *w = json_object_array_get_idx(get(o, "workloads"), 0);
        ASSERT_EQ(json_object_get_int(get(w, "pid")), 216);
        ASSERT_STREQ(json_object_get_string(get(w, "comm")), "damon-workload");
        ASSERT_EQ(json_object_get_int64(get(get(w, "failed_pages"), "busy")), 7);
        ASSERT_TRUE(!json_object_object_get_ex(get(w, "failed_pages"), "moved", NULL));
        json_object *n = json_object_array_get_idx(get(o, "nodes"), 0);
        ASSERT_EQ(json_object_get_int64(get(n, "free_bytes")), 100 << 20);
        ASSERT_EQ(json_object_array_length(get(n, "notes")), 2u);
        ASSERT_STREQ(json_object_get_string(json_object_array_get_idx(get(n, "notes"), 0)), "below-low");
        ASSERT_EQ(json_object_get_int64(get(get(o, "kernel"), "pgdemote_kswapd")), 6);

        /* the table tierctl stats prints from it */
        char *table = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&table, &size);
        ASSERT_OK(placement_stats_text_from_json(text, f));
        ASSERT_EQ(fclose(f), 0);
        ASSERT_TRUE(strstr(table, "Mode: migrate, managed processes: 1, cycles: 9\n"));
        ASSERT_TRUE(strstr(table, "Promoted 1969 pages, demoted 512 pages, 10162176 bytes moved\n"));
        ASSERT_TRUE(strstr(table, "216      damon-workload       0        40         1969            0\n"));
        free(table);
        json_object_put(o);
        free(text);
}

TEST(json_with_hotness_paused_and_outside_migrate_mode)
{
        PlacerCycle paused = cycle;
        paused.hotness = "damon-busy";
        PlacerStats st = {.totals = &totals, .last_cycle = &paused};
        char *text = NULL;

        ASSERT_OK(placement_stats_json_string(&st, "migrate", NULL, &text));
        json_object *o = json_tokener_parse(text);
        ASSERT_STREQ(json_object_get_string(get(get(o, "last_cycle"), "hotness")), "damon-busy");
        ASSERT_TRUE(!json_object_object_get_ex(o, "kernel", NULL));
        json_object_put(o);
        free(text);

        ASSERT_OK(placement_stats_json_string(NULL, "kernel", &(VmstatTiering){}, &text));
        o = json_tokener_parse(text);
        ASSERT_EQ(json_object_get_int64(get(o, "managed")), 0);
        ASSERT_TRUE(!json_object_object_get_ex(o, "workloads", NULL));
        json_object_put(o);
        free(text);
}

/* The summary's "not moved": refusals, not the absent pages of the gaps and untouched memory DAMON's regions span
 * (a placement VM run logged 713213 "not moved" in 10 s, all of them not present, when nothing had failed). */
TEST(not_moved_leaves_out_absent_pages)
{
        PlacerCounts c = {.promoted_pages = 10,
                          .failed_pages = {[MIGRATE_BUSY] = 1,
                                           [MIGRATE_NOT_PRESENT] = 713213,
                                           [MIGRATE_FAULT] = 2,
                                           [MIGRATE_NO_MEMORY] = 4,
                                           [MIGRATE_DENIED] = 8,
                                           [MIGRATE_NOT_ATTEMPTED] = 16,
                                           [MIGRATE_OTHER] = 32}};
        ASSERT_EQ(placer_counts_not_moved(&c), 63);
        ASSERT_EQ(placer_counts_not_moved(&(PlacerCounts){.failed_pages = {[MIGRATE_NOT_PRESENT] = 5}}), 0);
}

TESTS_MAIN(TEST_ENTRY(json), TEST_ENTRY(json_with_hotness_paused_and_outside_migrate_mode),
           TEST_ENTRY(not_moved_leaves_out_absent_pages))
