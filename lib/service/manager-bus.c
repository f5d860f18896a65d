/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The org.tierd.Manager1 object: vtable and handlers only. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "explain.h"
#include "log.h"
#include "manager-bus.h"
#include "manager-placement.h"
#include "output.h"
#include "utf8.h"

/* sd-bus refuses a message with a string that is not UTF-8, and the caller would wait for a reply that never
 * comes: whatever came from a file goes out escaped where it is not. */
static int append_text(sd_bus_message *reply, const char *s)
{
        if (utf8_is_valid(s))
                return sd_bus_message_append(reply, "s", s);
        _cleanup_free_ char *escaped = utf8_escape_invalid(s);
        if (!escaped)
                return -ENOMEM;
        return sd_bus_message_append(reply, "s", escaped);
}

static int reply_text(sd_bus_message *message, const char *s)
{
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r = sd_bus_message_new_method_return(message, &reply);
        if (r < 0)
                return r;
        r = append_text(reply, s);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

/* Mutating methods: root only on the system bus (the bus policy says the same; this is the second lock). */
static int check_privileged(Manager *m, sd_bus_message *message, sd_bus_error *error)
{
        if (m->user_bus)
                return 0;
        _cleanup_(sd_bus_creds_unrefp) sd_bus_creds *creds = NULL;
        uid_t uid;
        int r = sd_bus_query_sender_creds(message, SD_BUS_CREDS_EUID, &creds);
        if (r < 0)
                return r;
        r = sd_bus_creds_get_euid(creds, &uid);
        if (r < 0)
                return r;
        if (uid != 0)
                return sd_bus_error_set(error, SD_BUS_ERROR_ACCESS_DENIED, "Only root may do this.");
        return 0;
}

static int method_get_topology(sd_bus_message *message, void *userdata, sd_bus_error *error)
{
        Manager *m = userdata;
        _cleanup_free_ char *json = NULL;
        (void)error;
        int r = output_classification_json_string(m->snapshot, &json);
        if (r < 0)
                return r;
        return reply_text(message, json);
}

static int method_explain(sd_bus_message *message, void *userdata, sd_bus_error *error)
{
        Manager *m = userdata;
        uint32_t node;
        int r = sd_bus_message_read(message, "u", &node);
        if (r < 0)
                return r;
        _cleanup_free_ char *text = NULL;
        r = explain_node(m->snapshot, node, &text);
        if (r == -ENOENT)
                return sd_bus_error_setf(error, TIERD_BUS_ERROR_NO_SUCH_NODE, "Node %u is not online.", node);
        if (r < 0)
                return r;
        return reply_text(message, text);
}

static int method_rescan(sd_bus_message *message, void *userdata, sd_bus_error *error)
{
        Manager *m = userdata;
        int r = check_privileged(m, message, error);
        if (r < 0)
                return r;
        r = manager_rescan(m, "Rescan() requested");
        if (r < 0)
                return sd_bus_error_set_errnof(error, -r, "Rescan failed: %m");
        return sd_bus_reply_method_return(message, NULL);
}

static int method_reload(sd_bus_message *message, void *userdata, sd_bus_error *error)
{
        Manager *m = userdata;
        int r = check_privileged(m, message, error);
        if (r < 0)
                return r;
        _cleanup_free_ char *why = NULL;
        r = manager_reload(m, &why);
        if (r < 0) {
                _cleanup_free_ char *safe = why ? utf8_escape_invalid(why) : NULL;
                return sd_bus_error_setf(error, TIERD_BUS_ERROR_CONFIG_REJECTED, "%s",
                                         safe ?: "The configuration could not be loaded.");
        }
        return sd_bus_reply_method_return(message, NULL);
}

static int method_get_stats(sd_bus_message *message, void *userdata, sd_bus_error *error)
{
        Manager *m = userdata;
        _cleanup_free_ char *json = NULL;
        int r = manager_placement_stats_json(m, &json);
        if (r < 0)
                return r;
        return reply_text(message, json);
}

static int method_migrate_process(sd_bus_message *message, void *userdata, sd_bus_error *error)
{
        Manager *m = userdata;
        uint32_t pid, rate;
        int32_t node;
        int r = check_privileged(m, message, error);
        if (r < 0)
                return r;
        r = sd_bus_message_read(message, "uiu", &pid, &node, &rate);
        if (r < 0)
                return r;
        if (pid == 0 || pid > INT32_MAX)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "pid: %" PRIu32 " is not a process id.",
                                         pid);
        const NodeTier *nt = node >= 0 ? tier_map_find(m->snapshot->map, (unsigned)node) : NULL;
        if (!nt || !nt->has_memory)
                return sd_bus_error_setf(error, TIERD_BUS_ERROR_NO_SUCH_NODE,
                                         "node: %" PRIi32 " is not a node with memory.", node);
        return manager_placement_migrate_process(m, message, (pid_t)pid, node, rate, error);
}

static int property_version(sd_bus *bus, const char *path, const char *interface, const char *property,
                            sd_bus_message *reply, void *userdata, sd_bus_error *error)
{
        return sd_bus_message_append(reply, "s", TIERD_VERSION);
}

static int property_kernel_release(sd_bus *bus, const char *path, const char *interface, const char *property,
                                   sd_bus_message *reply, void *userdata, sd_bus_error *error)
{
        Manager *m = userdata;
        return append_text(reply, m->snapshot->topology->kernel_release ?: "");
}

static int property_generation(sd_bus *bus, const char *path, const char *interface, const char *property,
                               sd_bus_message *reply, void *userdata, sd_bus_error *error)
{
        Manager *m = userdata;
        return sd_bus_message_append(reply, "t", m->snapshot->generation);
}

static int property_mode(sd_bus *bus, const char *path, const char *interface, const char *property,
                         sd_bus_message *reply, void *userdata, sd_bus_error *error)
{
        Manager *m = userdata;
        return sd_bus_message_append(reply, "s", tierd_mode_to_string(m->config->mode));
}

/* Nodes: (node, adistance, tier, kernel tier, reason); -1 where there is none. */
static int property_nodes(sd_bus *bus, const char *path, const char *interface, const char *property,
                          sd_bus_message *reply, void *userdata, sd_bus_error *error)
{
        Manager *m = userdata;
        const Topology *t = m->snapshot->topology;
        int r = sd_bus_message_open_container(reply, 'a', "(uiiis)");
        if (r < 0)
                return r;
        for (size_t i = 0; i < t->n_nodes; i++) {
                const TopoNode *n = &t->nodes[i];
                const NodeTier *nt = tier_map_find(m->snapshot->map, n->id);
                if (!nt)
                        return -EINVAL;
                r = sd_bus_message_append(reply, "(uiiis)", nt->node, nt->has_memory ? nt->adistance : -1,
                                          nt->has_memory ? nt->tier : -1, n->kernel_tier,
                                          nt->has_memory ? tier_reason_to_string(nt->reason) : "no-memory");
                if (r < 0)
                        return r;
        }
        return sd_bus_message_close_container(reply);
}

/* Tiers: (tier, lowest adistance, highest adistance, nodes). */
static int property_tiers(sd_bus *bus, const char *path, const char *interface, const char *property,
                          sd_bus_message *reply, void *userdata, sd_bus_error *error)
{
        Manager *m = userdata;
        const TierMap *map = m->snapshot->map;
        int r = sd_bus_message_open_container(reply, 'a', "(iiiau)");
        if (r < 0)
                return r;
        for (size_t i = 0; i < map->n_tiers; i++) {
                const TierGroup *g = &map->tiers[i];
                if ((r = sd_bus_message_open_container(reply, 'r', "iiiau")) < 0 ||
                    (r = sd_bus_message_append(reply, "iii", g->id, g->adistance_min, g->adistance_max)) < 0 ||
                    (r = sd_bus_message_open_container(reply, 'a', "u")) < 0)
                        return r;
                NODEMASK_FOREACH (n, &g->nodes)
                        if ((r = sd_bus_message_append(reply, "u", (uint32_t)n)) < 0)
                                return r;
                if ((r = sd_bus_message_close_container(reply)) < 0 || (r = sd_bus_message_close_container(reply)) < 0)
                        return r;
        }
        return sd_bus_message_close_container(reply);
}

static const sd_bus_vtable manager_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Version", "s", property_version, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("KernelRelease", "s", property_kernel_release, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Mode", "s", property_mode, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("TierMapGeneration", "t", property_generation, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Nodes", "a(uiiis)", property_nodes, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Tiers", "a(iiiau)", property_tiers, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_METHOD_WITH_ARGS("GetTopology", SD_BUS_NO_ARGS, SD_BUS_RESULT("s", json), method_get_topology,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Explain", SD_BUS_ARGS("u", node), SD_BUS_RESULT("s", text), method_explain,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("GetStats", SD_BUS_NO_ARGS, SD_BUS_RESULT("s", json), method_get_stats,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("MigrateProcess", SD_BUS_ARGS("u", pid, "i", node, "u", rate_mbps),
                                SD_BUS_RESULT("s", json), method_migrate_process, 0),
        SD_BUS_METHOD_WITH_ARGS("Rescan", SD_BUS_NO_ARGS, SD_BUS_NO_RESULT, method_rescan, 0),
        SD_BUS_METHOD_WITH_ARGS("Reload", SD_BUS_NO_ARGS, SD_BUS_NO_RESULT, method_reload, 0),
        SD_BUS_SIGNAL_WITH_ARGS("TierMapChanged", SD_BUS_ARGS("t", generation), 0),
        SD_BUS_VTABLE_END,
};

int manager_bus_add_object(Manager *m)
{
        return sd_bus_add_object_vtable(m->bus, &m->object_slot, TIERD_BUS_PATH, TIERD_BUS_INTERFACE, manager_vtable,
                                        m);
}
