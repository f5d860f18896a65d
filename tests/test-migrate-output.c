/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A migration job's stats as JSON and as a table, on hand-built stats. */
#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "migrate-output.h"
#include "tests.h"

static json_object *get(json_object *o, const char *key)
{
        json_object *v = NULL;
        ASSERT_TRUE(json_object_object_get_ex(o, key, &v));
        return v;
}

static int64_t get_int(json_object *o, const char *key)
{
        return json_object_get_int64(get(o, key));
}

/* 512 pages moved (one THP) and 8 busy to node 0; node 1 gone with 3 not attempted; 5 not present. */
static MigrateStats example(MigrateNodeStats nodes[2])
{
        nodes[0] = (MigrateNodeStats){.node = 0, .end = MIGRATE_END_DONE};
        nodes[0].sent.pages[MIGRATE_MOVED] = 512;
        nodes[0].sent.huge[MIGRATE_MOVED] = 1;
        nodes[0].sent.pages[MIGRATE_BUSY] = 8;
        nodes[0].sent.pages[MIGRATE_NOT_PRESENT] = 5;
        nodes[1] = (MigrateNodeStats){.node = 1, .end = MIGRATE_END_NODE_GONE, .end_error = -ENODEV};
        nodes[1].sent.pages[MIGRATE_NOT_ATTEMPTED] = 3;
        MigrateStats s = {
                .pid = 77,
                .page_size = 4096,
                .nodes = nodes,
                .n_nodes = 2,
                .move_calls = 3,
                .query_calls = 1,
                .call_usec = 1500,
                .max_call_usec = 900,
                .calls_over_budget = 0,
                .elapsed_usec = 2000000,
                .end = MIGRATE_END_DONE,
                .pfns = true,
                .scan_ioctl = true,
        };
        s.total.pages[MIGRATE_MOVED] = 512;
        s.total.huge[MIGRATE_MOVED] = 1;
        s.total.pages[MIGRATE_BUSY] = 8;
        s.total.pages[MIGRATE_NOT_PRESENT] = 5;
        s.total.pages[MIGRATE_NOT_ATTEMPTED] = 3;
        return s;
}

TEST(json)
{
        MigrateNodeStats nodes[2];
        MigrateStats s = example(nodes);
        char *text = NULL;

        ASSERT_OK(migrate_stats_json_string(&s, &text));
        ASSERT_TRUE(text[strlen(text) - 1] == '\n');
        json_object *o = json_tokener_parse(text);
        ASSERT_TRUE(o);
        ASSERT_EQ(get_int(o, "pid"), 77);
        ASSERT_TRUE(!json_object_get_boolean(get(o, "dry_run")));
        ASSERT_STREQ(json_object_get_string(get(o, "end")), "done");
        ASSERT_TRUE(get(o, "end_error") == NULL);
        ASSERT_EQ(get_int(get(o, "pages"), "moved"), 512);
        ASSERT_EQ(get_int(get(o, "pages"), "busy"), 8);
        ASSERT_EQ(get_int(get(o, "pages"), "not_present"), 5);
        ASSERT_EQ(get_int(get(o, "pages"), "not_attempted"), 3);
        ASSERT_EQ(get_int(get(o, "pages"), "already_there"), 0);
        ASSERT_EQ(get_int(get(o, "huge_pages"), "moved"), 1);
        ASSERT_EQ(json_object_object_length(get(o, "pages")), _MIGRATE_REASON_MAX);
        ASSERT_EQ(get_int(o, "present_pages"), 512 + 8 + 3);
        ASSERT_TRUE(!json_object_get_boolean(get(o, "all_placed")));
        ASSERT_EQ(get_int(o, "bytes_moved"), 512 * 4096);
        ASSERT_EQ(get_int(o, "move_calls"), 3);
        ASSERT_EQ(get_int(o, "query_calls"), 1);
        ASSERT_EQ(get_int(o, "call_usec"), 1500);
        ASSERT_EQ(get_int(o, "max_call_usec"), 900);
        ASSERT_EQ(get_int(o, "elapsed_usec"), 2000000);
        /* 2 MiB in 2 s */
        ASSERT_TRUE(json_object_get_double(get(o, "moved_mib_per_sec")) == 1.0);
        ASSERT_TRUE(json_object_get_boolean(get(o, "page_frames")));
        ASSERT_TRUE(!json_object_get_boolean(get(o, "kpageflags")));
        ASSERT_TRUE(json_object_get_boolean(get(o, "pagemap_scan")));

        json_object *a = get(o, "nodes");
        ASSERT_EQ(json_object_array_length(a), 2);
        json_object *n0 = json_object_array_get_idx(a, 0), *n1 = json_object_array_get_idx(a, 1);
        ASSERT_EQ(get_int(n0, "node"), 0);
        ASSERT_EQ(get_int(get(n0, "pages"), "moved"), 512);
        ASSERT_EQ(get_int(n0, "bytes_moved"), 512 * 4096);
        ASSERT_EQ(get_int(n1, "node"), 1);
        ASSERT_STREQ(json_object_get_string(get(n1, "end")), "node_gone");
        ASSERT_STREQ(json_object_get_string(get(n1, "end_error")), strerror(ENODEV));
        ASSERT_EQ(get_int(get(n1, "pages"), "not_attempted"), 3);
        ASSERT_EQ(get_int(n1, "bytes_moved"), 0);
        json_object_put(o);
        free(text);

        /* Every outcome moved or already there: all placed. */
        s.total.pages[MIGRATE_BUSY] = s.total.pages[MIGRATE_NOT_ATTEMPTED] = 0;
        s.total.pages[MIGRATE_ALREADY_THERE] = 4;
        o = migrate_stats_json(&s);
        ASSERT_TRUE(json_object_get_boolean(get(o, "all_placed")));
        ASSERT_EQ(get_int(o, "present_pages"), 516);
        json_object_put(o);
}

TEST(json_dry_run)
{
        MigrateNodeStats nodes[1] = {{.node = 2, .end = MIGRATE_END_DONE, .found_pages = 1000, .found_huge = 1}};
        MigrateStats s = {.pid = 5,
                          .dry_run = true,
                          .page_size = 4096,
                          .nodes = nodes,
                          .n_nodes = 1,
                          .end = MIGRATE_END_PROCESS_EXITED,
                          .end_error = -ESRCH};
        s.total.pages[MIGRATE_FAULT] = 2;

        json_object *o = migrate_stats_json(&s);
        ASSERT_TRUE(json_object_get_boolean(get(o, "dry_run")));
        ASSERT_TRUE(get(o, "all_placed") == NULL); /* nothing was to be placed */
        ASSERT_EQ(get_int(o, "present_pages"), 1000);
        ASSERT_STREQ(json_object_get_string(get(o, "end")), "process_exited");
        ASSERT_STREQ(json_object_get_string(get(o, "end_error")), strerror(ESRCH));
        json_object *n = json_object_array_get_idx(get(o, "nodes"), 0);
        ASSERT_EQ(get_int(n, "found_pages"), 1000);
        ASSERT_EQ(get_int(n, "found_huge_pages"), 1);
        json_object_put(o);
}

static char *text_of(const MigrateStats *s)
{
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);
        ASSERT_TRUE(f);
        ASSERT_OK(migrate_stats_text(s, f));
        fclose(f);
        return buf;
}

TEST(text)
{
        MigrateNodeStats nodes[2];
        MigrateStats s = example(nodes);
        char *t = text_of(&s);

        ASSERT_TRUE(strstr(t, "pid 77: done in 2.000 s, 3 move_pages calls and 1 queries (longest 0.9 ms)\n"));
        ASSERT_TRUE(strstr(t, "2.0 MiB moved (1.0 MiB/s); some pages are not on their target\n"));
        ASSERT_TRUE(strstr(t, "\n0      done                                512          0          8\n"));
        ASSERT_TRUE(strstr(t, "\n1      node_gone (No such device)            0          0          3\n"));
        ASSERT_TRUE(strstr(t, "\nmoved                 512      1      2.0 MiB\n"));
        ASSERT_TRUE(strstr(t, "\nbusy                    8      0       32 KiB\n"));
        ASSERT_TRUE(!strstr(t, "already_there")); /* no such pages: no line */
        free(t);

        MigrateNodeStats found[1] = {{.node = 1, .found_pages = 512, .found_huge = 1}};
        MigrateStats d = {
                .pid = 8, .dry_run = true, .page_size = 4096, .nodes = found, .n_nodes = 1, .end = MIGRATE_END_DONE};
        t = text_of(&d);
        ASSERT_TRUE(strstr(t, "512 present pages (2.0 MiB)\n"));
        ASSERT_TRUE(strstr(t, "\n1             512      1      2.0 MiB\n"));
        ASSERT_TRUE(!strstr(t, "moved")); /* a dry run moves nothing */
        free(t);
}

TESTS_MAIN(TEST_ENTRY(json), TEST_ENTRY(json_dry_run), TEST_ENTRY(text))
