/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "compare.h"

Classification *classification_free(Classification *c)
{
        if (!c)
                return NULL;
        topology_free(c->topology);
        tier_map_free(c->map);
        warning_list_clear(&c->warnings);
        free(c);
        return NULL;
}

int classification_new(Topology *topology, const TierOptions *options, Classification **ret)
{
        _cleanup_(topology_freep) Topology *t = topology;
        _cleanup_(classification_freep) Classification *c = calloc(1, sizeof(*c));
        if (!c)
                return -ENOMEM;

        int k = tier_map_compute(t, options, &c->map);
        if (k < 0)
                return k;
        k = warning_list_extend(&c->warnings, &t->warnings);
        if (k < 0)
                return k;
        k = compare_collect_warnings(t, c->map, &c->warnings);
        if (k < 0)
                return k;

        c->topology = TAKE_PTR(t);
        *ret = TAKE_PTR(c);
        return 0;
}

int classification_run(const char *root, const TierOptions *options, Classification **ret)
{
        Topology *t = NULL;
        int k = topology_read(root, &t);
        if (k < 0)
                return k;
        return classification_new(t, options, ret);
}
