/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* One scratch tree per test case: make_root(), put("sys/...", "fmt", ...), remove_root(). */
#include <limits.h>
#include <stdlib.h>

#include "tests.h"
#include "tree.h"

static char root[PATH_MAX];

/* Every put() in these tests must succeed: a failure is the test's own fault. */
#define put(path, ...) ASSERT_OK(tree_put(root, path, __VA_ARGS__))

static inline void make_root(void)
{
        snprintf(root, sizeof root, "%s/tierd-test-XXXXXX", getenv("TMPDIR") ?: "/tmp");
        ASSERT_TRUE(mkdtemp(root));
}

static inline void remove_root(void)
{
        char cmd[PATH_MAX + 16];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
        (void)!system(cmd);
}
