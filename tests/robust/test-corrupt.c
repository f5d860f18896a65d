/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Every fixture tree, corrupted at random a few files at a time (emptied, garbage bytes, out-of-range numbers,
 * a directory, a FIFO or a looping or escaping symlink in place of a file, removed), read and reported in full:
 * no crash, no sanitizer report (the asan setup runs this), and what comes out is valid UTF-8 JSON and text.
 * Deterministic: the seed is fixed, a failure names the fixture, the round and the files.
 */
#include <ftw.h>
#include <limits.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "explain.h"
#include "output.h"
#include "snapshot.h"
#include "strv.h"
#include "tests.h"
#include "utf8.h"

#define ROUNDS 60
#define FILES_PER_ROUND 4

static const char *const fixtures[] = {
        "laptop",       "two-socket",           "spr-cxl",       "optane-kmem",
        "xeon-max-hbm", "linux61-hmat-ignored", "hmat-mismatch", "linux61-cpuless",
};

static char **files;
static size_t n_files, files_allocated;
static size_t prefix_len;

static int collect(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
        if (type != FTW_F)
                return 0;
        if (GREEDY_REALLOC(files, files_allocated, n_files + 1) < 0)
                return -1;
        files[n_files] = strdup(path + prefix_len);
        return files[n_files++] ? 0 : -1;
}

/* Replacement contents: "" empties the file; NULL entries are the non-text corruptions below. */
static const char *const texts[] = {
        "",
        "18446744073709551616\n",                                 /* one past the u64 limit */
        "Node 0 MemTotal: 18446744073709551615 kB\n4294967295\n", /* at the u64 and u32 limits */
        "-1\n",
};

static void write_text(const char *path, const char *text)
{
        FILE *f = fopen(path, "we");
        ASSERT_TRUE(f);
        fputs(text, f);
        ASSERT_TRUE(fclose(f) == 0);
}

static void corrupt(const char *root, const char *file, unsigned how, char *what, size_t size)
{
        char path[PATH_MAX * 2];
        snprintf(path, sizeof path, "%s/%s", root, file);
        if (rmdir(path) < 0) /* picked twice in a round, and a directory the first time */
                (void)unlink(path);
        how %= ELEMENTSOF(texts) + 6;
        if (how < ELEMENTSOF(texts)) {
                snprintf(what, size, "%s text #%u", file, how);
                write_text(path, texts[how]);
                return;
        }
        switch (how - ELEMENTSOF(texts)) {
        case 0: {
                snprintf(what, size, "%s random bytes", file);
                FILE *f = fopen(path, "we");
                ASSERT_TRUE(f);
                size_t n = (size_t)(rand() % 300);
                for (size_t i = 0; i < n; i++)
                        fputc(rand() % 256, f); /* NUL bytes too */
                ASSERT_TRUE(fclose(f) == 0);
                break;
        }
        case 1:
                snprintf(what, size, "%s a directory", file);
                ASSERT_TRUE(mkdir(path, 0755) == 0);
                break;
        case 2:
                snprintf(what, size, "%s a looping symlink", file);
                ASSERT_TRUE(symlink(path, path) == 0);
                break;
        case 3:
                snprintf(what, size, "%s a symlink out of the tree", file);
                ASSERT_TRUE(symlink("../../../../../../../../../../proc/self/status", path) == 0);
                break;
        case 4:
                snprintf(what, size, "%s a FIFO", file); /* alarm() below turns a hang into a failure */
                ASSERT_TRUE(mkfifo(path, 0644) == 0);
                break;
        default:
                snprintf(what, size, "%s removed", file);
                break;
        }
}

/* Put a corrupted file back as it was in the fixture. */
static void restore(const char *source, const char *root, const char *file)
{
        char from[PATH_MAX * 2], to[PATH_MAX * 2];
        snprintf(from, sizeof from, "%s/%s", source, file);
        snprintf(to, sizeof to, "%s/%s", root, file);
        if (rmdir(to) < 0)
                (void)unlink(to);
        FILE *in = fopen(from, "re"), *out = fopen(to, "we");
        ASSERT_TRUE(in && out);
        char buf[4096];
        size_t n;
        while ((n = fread(buf, 1, sizeof buf, in)) > 0)
                ASSERT_TRUE(fwrite(buf, 1, n, out) == n);
        fclose(in);
        ASSERT_TRUE(fclose(out) == 0);
}

static void check_round(const char *root)
{
        _cleanup_(snapshot_unrefp) Snapshot *s = NULL;
        int r = snapshot_read(root, NULL, &s);
        if (r < 0) {
                ASSERT_TRUE(r != -ENOMEM);
                return; /* refusing a tree is fine: it must only be refused cleanly */
        }
        _cleanup_free_ char *json = NULL;
        ASSERT_OK(output_classification_json_string(s, &json));
        ASSERT_TRUE(utf8_is_valid(json));
        json_object *o = json_tokener_parse(json);
        ASSERT_TRUE(o);
        json_object_put(o);

        char *text = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&text, &size);
        ASSERT_TRUE(f);
        ASSERT_OK(output_classification_text(s, f));
        fclose(f);
        free(text);

        for (size_t i = 0; i < s->topology->n_nodes; i++) {
                _cleanup_free_ char *e = NULL;
                ASSERT_OK(explain_node(s, s->topology->nodes[i].id, &e));
                ASSERT_TRUE(utf8_is_valid(e));
        }
}

TEST(corrupted_fixtures)
{
        srand(6);
        char tmp[] = "/tmp/tierd-corrupt-XXXXXX";
        ASSERT_TRUE(mkdtemp(tmp));
        for (size_t fx = 0; fx < ELEMENTSOF(fixtures); fx++) {
                char source[PATH_MAX], cmd[PATH_MAX * 3];
                snprintf(source, sizeof source, "%s/%s", FIXTURES_DIR, fixtures[fx]);
                prefix_len = strlen(source) + 1;
                ASSERT_TRUE(nftw(source, collect, 16, FTW_PHYS) == 0);
                ASSERT_TRUE(n_files > 0);
                char root[PATH_MAX];
                snprintf(root, sizeof root, "%s/%s", tmp, fixtures[fx]);
                snprintf(cmd, sizeof cmd, "cp -a '%s' '%s'", source, root);
                ASSERT_TRUE(system(cmd) == 0);
                for (int round = 0; round < ROUNDS; round++) {
                        char what[FILES_PER_ROUND][PATH_MAX + 64];
                        const char *picked[FILES_PER_ROUND];
                        for (int k = 0; k < FILES_PER_ROUND; k++) {
                                picked[k] = files[(size_t)rand() % n_files];
                                corrupt(root, picked[k], (unsigned)rand(), what[k], sizeof what[k]);
                        }
                        fprintf(stderr, "%s round %d: %s; %s; %s; %s\n", fixtures[fx], round, what[0], what[1], what[2],
                                what[3]);
                        alarm(30);
                        check_round(root);
                        alarm(0);
                        for (int k = FILES_PER_ROUND; k-- > 0;)
                                restore(source, root, picked[k]);
                }
                snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
                ASSERT_TRUE(system(cmd) == 0);
                for (size_t i = 0; i < n_files; i++)
                        free(files[i]);
                free(files);
                files = NULL;
                n_files = files_allocated = 0;
        }
        ASSERT_TRUE(rmdir(tmp) == 0);
}

TESTS_MAIN(TEST_ENTRY(corrupted_fixtures))
