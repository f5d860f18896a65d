/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "parse.h"
#include "topology.h"
#include "utf8.h"

Topology *topology_new(void)
{
        Topology *t = calloc(1, sizeof(*t));
        if (!t)
                return NULL;
        t->numa_balancing = -1;
        t->demotion_enabled = -1;
        return t;
}

static void topo_node_done(TopoNode *n)
{
        free(n->cpulist);
        free(n->distance);
}

Topology *topology_free(Topology *t)
{
        if (!t)
                return NULL;
        for (size_t i = 0; i < t->n_nodes; i++)
                topo_node_done(&t->nodes[i]);
        free(t->nodes);
        free(t->blocks);
        for (size_t i = 0; i < t->n_dax; i++) {
                free(t->dax[i].name);
                free(t->dax[i].driver);
        }
        free(t->dax);
        free(t->kernel_tiers);
        free(t->kernel_release);
        warning_list_clear(&t->warnings);
        free(t);
        return NULL;
}

int topology_add_node(Topology *t, unsigned id, bool has_cpu, bool has_memory, TopoNode **ret)
{
        if (id >= NODEMASK_MAX || (t->n_nodes > 0 && t->nodes[t->n_nodes - 1].id >= id))
                return -EINVAL;
        TopoNode *nodes = realloc(t->nodes, (t->n_nodes + 1) * sizeof(TopoNode));
        if (!nodes)
                return -ENOMEM;
        t->nodes = nodes;
        TopoNode *n = &t->nodes[t->n_nodes++];
        *n = (TopoNode){
                .id = id,
                .has_cpu = has_cpu,
                .has_memory = has_memory,
                .kernel_tier = -1,
        };
        if (ret)
                *ret = n;
        return 0;
}

static ssize_t node_position(const Topology *t, unsigned id)
{
        size_t lo = 0, hi = t->n_nodes;
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (t->nodes[mid].id == id)
                        return (ssize_t)mid;
                if (t->nodes[mid].id < id)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return -1;
}

TopoNode *topology_find_node(const Topology *t, unsigned id)
{
        ssize_t i = node_position(t, id);
        return i < 0 ? NULL : &t->nodes[i];
}

uint32_t topology_distance(const Topology *t, unsigned from, unsigned to)
{
        TopoNode *n = topology_find_node(t, from);
        ssize_t i = node_position(t, to);
        if (!n || i < 0 || (size_t)i >= n->n_distance)
                return 0;
        return n->distance[i];
}

int topology_node_set_distances(TopoNode *n, const uint32_t *row, size_t len)
{
        uint32_t *d = malloc(MAX(len, (size_t)1) * sizeof(uint32_t));
        if (!d)
                return -ENOMEM;
        memcpy(d, row, len * sizeof(uint32_t));
        free(n->distance);
        n->distance = d;
        n->n_distance = len;
        return 0;
}

int topology_set_kernel_release(Topology *t, const char *release)
{
        /* Free text from a file: it ends up in messages, JSON and on D-Bus, so keep it printable UTF-8. */
        char *s = utf8_escape_invalid(release);
        if (!s)
                return -ENOMEM;
        free(t->kernel_release);
        t->kernel_release = s;
        if (parse_kernel_release(s, &t->kernel_major, &t->kernel_minor, &t->kernel_patch) < 0)
                t->kernel_major = t->kernel_minor = t->kernel_patch = 0;
        return 0;
}

bool topology_kernel_at_least(const Topology *t, unsigned major, unsigned minor)
{
        if (t->kernel_major == 0)
                return false;
        return t->kernel_major > major || (t->kernel_major == major && t->kernel_minor >= minor);
}
