/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The text table of `tierctl classify` (output_classification_text()), line by line, for hand-built snapshots.
 * The expected lines are written from the column layout the table promises (left-aligned columns of 5, 13, 12,
 * 11 and 11 characters for tiers; 5, CPUS, 10, 11, 15, 6, 5, 13 and 6 for nodes, CPUS as wide as the longest
 * cpulist and at least 4) and hand arithmetic, not from the code's output.
 */
#include <json-c/json.h>
#include <stdlib.h>

#include "output.h"
#include "snapshot.h"
#include "topo-builder.h"
#include "utf8.h"

static char *render(const Snapshot *s)
{
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);
        ASSERT_TRUE(f);
        ASSERT_OK(output_classification_text(s, f));
        ASSERT_EQ(fclose(f), 0);
        return buf;
}

static void expect_lines(const char *text, const char *const *lines, size_t n)
{
        const char *p = text;
        for (size_t i = 0; i < n; i++) {
                const char *nl = strchr(p, '\n');
                if (!nl) {
                        fprintf(stderr, "output ends before line %zu, expected \"%s\"\n", i + 1, lines[i]);
                        ASSERT_TRUE(false);
                }
                size_t len = (size_t)(nl - p);
                if (len != strlen(lines[i]) || memcmp(p, lines[i], len) != 0) {
                        fprintf(stderr, "line %zu:\n  got      \"%.*s\"\n  expected \"%s\"\n", i + 1, (int)len, p,
                                lines[i]);
                        ASSERT_TRUE(false);
                }
                p = nl + 1;
        }
        if (*p) {
                fprintf(stderr, "unexpected output after line %zu: \"%s\"\n", n, p);
                ASSERT_TRUE(false);
        }
}

static void set_memory(TopoNode *n, uint64_t total_kb, uint64_t free_kb)
{
        n->has_meminfo = true;
        n->mem_total_kb = total_kb;
        n->mem_free_kb = free_kb;
}

/*
 * Node 0: CPUs 0-3, 16 GiB (8 GiB free), the HMAT reference.  Node 1: CPU-less, 4 GiB (1 GiB free), 300 ns /
 * 20000 MB/s: 576 * 600 / 200 = 1728; * 200000 / 40000 = 8640 -> 67.  Node 2: CPUs 4-7,64-127 (10 characters:
 * the CPUS column widens), no memory, no meminfo, no HMAT.  Node 3: CPU-less, 2 GiB all free, 105 ns / 100000
 * MB/s: 576 * 210 / 200 = 604; * 200000 / 200000 = 604 -> 4.  Tier 4 = nodes 0,3 (18 GiB, 10 GiB free),
 * tier 67 = node 1; nodes 0 and 3 demote to 1.
 */
TEST(classification_table)
{
        Topology *t = topology_new();
        ASSERT_TRUE(t);
        ASSERT_OK(topology_set_kernel_release(t, "6.12.0"));
        t->numa_balancing = 1;
        t->demotion_enabled = 0;
        t->memory_tiering = true;
        add_node(t, 0, true, true);
        add_node(t, 1, false, true);
        add_node(t, 2, true, false);
        add_node(t, 3, false, true);
        /* Only now: adding a node may move the array. */
        TopoNode *n0 = topology_find_node(t, 0), *n1 = topology_find_node(t, 1), *n2 = topology_find_node(t, 2),
                 *n3 = topology_find_node(t, 3);
        n0->cpulist = strdup("0-3");
        n1->cpulist = strdup("");
        n2->cpulist = strdup("4-7,64-127");
        n3->cpulist = strdup("");
        ASSERT_TRUE(n0->cpulist && n1->cpulist && n2->cpulist && n3->cpulist);
        set_memory(n0, 16777216, 8388608);
        set_memory(n1, 4194304, 1048576);
        set_memory(n3, 2097152, 2097152);
        set_hmat(t, 0, 100, 100, 100000, 100000);
        set_hmat(t, 1, 300, 300, 20000, 20000);
        set_hmat(t, 3, 105, 105, 100000, 100000);
        const int kernel[] = {4, 67, -1, 4}; /* the kernel agrees: no analysis warnings */
        for (size_t i = 0; i < t->n_nodes; i++)
                t->nodes[i].kernel_tier = kernel[i];

        _cleanup_(snapshot_unrefp) Snapshot *s = NULL;
        ASSERT_OK(snapshot_new(t, NULL, &s));
        ASSERT_EQ(s->warnings.n, 0);

        static const char *const without_warnings[] = {
                "Kernel: 6.12.0   numa_balancing: 1   demotion_enabled: false",
                "HMAT reference: valid (node 0)",
                "",
                "TIER  ADISTANCE     NODES        MEMORY      FREE        TOP",
                "4     576-604       0,3          18.0 GiB    10.0 GiB    yes",
                "67    8640          1            4.0 GiB     1.0 GiB     no",
                "",
                ("NODE  CPUS       MEMORY     LAT r/w ns  BW r/w MB/s     ADIST  TIER  REASON        KERNEL DEMOTE "
                 "preferred / fallback"),
                "0     0-3        16.0 GiB   100/100     100000/100000   576    4     hmat          4      1 / 1",
                "1     -          4.0 GiB    300/300     20000/20000     8640   67    hmat          67     - / -",
                "2     4-7,64-127 -          -           -               -      -     no-memory     -      - / -",
                "3     -          2.0 GiB    105/105     100000/100000   604    4     hmat          4      1 / 1",
        };
        _cleanup_free_ char *text = render(s);
        expect_lines(text, without_warnings, ELEMENTSOF(without_warnings));

        /* The Warnings section lists every warning in order, code in brackets, then its message. */
        ASSERT_OK(warning_list_add(&s->warnings, WARNING_OVERRIDE, 1, "a message about node %d", 1));
        ASSERT_OK(warning_list_add(&s->warnings, WARNING_KERNEL_NO_MEMORY_TIERING, -1, "one about no node"));
        const char *with_warnings[ELEMENTSOF(without_warnings) + 4];
        memcpy(with_warnings, without_warnings, sizeof(without_warnings));
        with_warnings[ELEMENTSOF(without_warnings)] = "";
        with_warnings[ELEMENTSOF(without_warnings) + 1] = "Warnings:";
        with_warnings[ELEMENTSOF(without_warnings) + 2] = "  [override] a message about node 1";
        with_warnings[ELEMENTSOF(without_warnings) + 3] = "  [kernel-no-memory-tiering] one about no node";
        _cleanup_free_ char *text2 = render(s);
        expect_lines(text2, with_warnings, ELEMENTSOF(with_warnings));
}

/*
 * Nothing known: no release, no knobs, no HMAT, an unreadable cpulist (NULL) and a small node (1536 KiB = 1.5
 * MiB, 1000 KiB free: below 1024 KiB, no decimals).  The CPUS column keeps its minimum width of 4.
 */
TEST(classification_table_unknowns)
{
        Topology *t = topology_new();
        ASSERT_TRUE(t);
        t->memory_tiering = true;
        TopoNode *n = add_node(t, 0, true, true);
        set_memory(n, 1536, 1000);
        n->kernel_tier = 4;

        _cleanup_(snapshot_unrefp) Snapshot *s = NULL;
        ASSERT_OK(snapshot_new(t, NULL, &s));
        static const char *const lines[] = {
                "Kernel: unknown   numa_balancing: n/a   demotion_enabled: n/a",
                "HMAT reference: no-hmat",
                "",
                "TIER  ADISTANCE     NODES        MEMORY      FREE        TOP",
                "4     576           0            1.5 MiB     1000 KiB    yes",
                "",
                ("NODE  CPUS MEMORY     LAT r/w ns  BW r/w MB/s     ADIST  TIER  REASON        KERNEL DEMOTE "
                 "preferred / fallback"),
                "0     -    1.5 MiB    -           -               576    4     default-dram  4      - / -",
        };
        _cleanup_free_ char *text = render(s);
        expect_lines(text, lines, ELEMENTSOF(lines));
}

static json_object *get(json_object *o, const char *path)
{
        /* "a.b.c": nested keys */
        char buf[128];
        snprintf(buf, sizeof buf, "%s", path);
        for (char *key = strtok(buf, "."); key; key = strtok(NULL, ".")) {
                json_object *next = NULL;
                if (!json_object_object_get_ex(o, key, &next)) {
                        fprintf(stderr, "no key %s in %s\n", key, path);
                        ASSERT_TRUE(false);
                }
                o = next;
        }
        return o;
}

static json_object *node_json(json_object *root, int id)
{
        json_object *nodes = get(root, "nodes");
        for (size_t i = 0; i < json_object_array_length(nodes); i++) {
                json_object *n = json_object_array_get_idx(nodes, i);
                if (json_object_get_int(get(n, "node")) == id)
                        return n;
        }
        ASSERT_TRUE(false);
        return NULL;
}

/*
 * JSON fields that come apart only when their inputs differ: access0 (any initiator) against access1 (CPUs), the
 * reference's read against write bandwidth, an override's default_cause, text that is not UTF-8.
 * Node 0: reference, 100/110 ns, 100000/90000 MB/s for CPUs, 80/85 ns, 120000/110000 for any initiator.
 * Node 1: CPU-less, no HMAT, overridden to tier 30 (its computed default: 576, no-hmat figures -> no-figures).
 */
TEST(json_fields)
{
        Topology *t = topology_new();
        ASSERT_TRUE(t);
        ASSERT_OK(topology_set_kernel_release(t, "6.12.0"));
        add_node(t, 0, true, true);
        add_node(t, 1, false, true);
        TopoNode *n0 = topology_find_node(t, 0);
        n0->access[ACCESS_CPU] = (AccessFigures){.present = true,
                                                 .read_latency = 100,
                                                 .write_latency = 110,
                                                 .read_bandwidth = 100000,
                                                 .write_bandwidth = 90000};
        n0->access[ACCESS_LOCAL] = (AccessFigures){.present = true,
                                                   .read_latency = 80,
                                                   .write_latency = 85,
                                                   .read_bandwidth = 120000,
                                                   .write_bandwidth = 110000};
        t->hmat = true;
        ASSERT_OK(warning_list_add(&t->warnings, WARNING_MALFORMED_VALUE, 1, "/tmp/caf\xe9/node1/distance: bad"));
        const TierOverride ov[] = {{.node = 1, .by_tier = true, .value = 30}};
        TierOptions o = {.overrides = ov, .n_overrides = 1};
        _cleanup_(snapshot_unrefp) Snapshot *s = NULL;
        ASSERT_OK(snapshot_new(t, &o, &s));

        _cleanup_free_ char *text = NULL;
        ASSERT_OK(output_classification_json_string(s, &text));
        ASSERT_TRUE(utf8_is_valid(text));
        json_object *root = json_tokener_parse(text);
        ASSERT_TRUE(root);
        json_object *j0 = node_json(root, 0), *j1 = node_json(root, 1);
        ASSERT_EQ(json_object_get_int(get(j0, "access1.read_latency_ns")), 100);
        ASSERT_EQ(json_object_get_int(get(j0, "access1.write_latency_ns")), 110);
        ASSERT_EQ(json_object_get_int(get(j0, "access1.write_bandwidth_mbps")), 90000);
        ASSERT_EQ(json_object_get_int(get(j0, "access0.read_latency_ns")), 80);
        ASSERT_EQ(json_object_get_int(get(j0, "access0.read_bandwidth_mbps")), 120000);
        ASSERT_EQ(json_object_get_int(get(j0, "access0.write_bandwidth_mbps")), 110000);
        ASSERT_EQ(json_object_get_int(get(root, "reference.node")), 0);
        ASSERT_EQ(json_object_get_int(get(root, "reference.read_bandwidth_mbps")), 100000);
        ASSERT_EQ(json_object_get_int(get(root, "reference.write_bandwidth_mbps")), 90000);
        ASSERT_EQ(json_object_get_int(get(root, "reference.write_latency_ns")), 110);
        ASSERT_STREQ(json_object_get_string(get(j1, "reason")), "override");
        ASSERT_TRUE(get(j1, "default_cause") == NULL);
        ASSERT_EQ(json_object_get_int(get(j1, "tier")), 30);
        ASSERT_TRUE(get(j0, "default_cause") == NULL); /* from HMAT: no default to explain */
        json_object_put(root);
}

TESTS_MAIN(TEST_ENTRY(classification_table), TEST_ENTRY(classification_table_unknowns), TEST_ENTRY(json_fields))
