/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "demotion.h"
#include "snapshot.h"

Snapshot *snapshot_ref(Snapshot *s)
{
        if (s)
                s->n_ref++;
        return s;
}

Snapshot *snapshot_unref(Snapshot *s)
{
        if (!s || --s->n_ref > 0)
                return NULL;
        topology_free(s->topology);
        tier_map_free(s->map);
        warning_list_clear(&s->warnings);
        free(s->root);
        free(s);
        return NULL;
}

int snapshot_new(Topology *topology, const TierOptions *options, Snapshot **ret)
{
        _cleanup_(topology_freep) Topology *t = topology;
        _cleanup_(snapshot_unrefp) Snapshot *s = calloc(1, sizeof(*s));
        if (!s)
                return -ENOMEM;
        s->n_ref = 1;

        int k = tier_map_compute(t, options, &s->map);
        if (k < 0)
                return k;
        k = demotion_establish(t, s->map);
        if (k < 0)
                return k;
        k = warning_list_extend(&s->warnings, &t->warnings);
        if (k < 0)
                return k;
        k = compare_collect_warnings(t, s->map, &s->warnings);
        if (k < 0)
                return k;

        s->topology = TAKE_PTR(t);
        *ret = TAKE_PTR(s);
        return 0;
}

int snapshot_read(const char *root, const TierOptions *options, Snapshot **ret)
{
        Topology *t = NULL;
        int k = topology_read(root, &t);
        if (k < 0)
                return k;
        _cleanup_(snapshot_unrefp) Snapshot *s = NULL;
        k = snapshot_new(t, options, &s);
        if (k < 0)
                return k;
        if (root && strcmp(root, "/") != 0 && !(s->root = strdup(root)))
                return -ENOMEM;
        *ret = TAKE_PTR(s);
        return 0;
}

int snapshot_path(const Snapshot *s, const char *relative, char **ret)
{
        while (*relative == '/')
                relative++;
        if (!s->root)
                return asprintf(ret, "/%s", relative) < 0 ? -ENOMEM : 0;
        size_t n = strlen(s->root);
        return asprintf(ret, "%s%s%s", s->root, n > 0 && s->root[n - 1] == '/' ? "" : "/", relative) < 0 ? -ENOMEM : 0;
}
