/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Rescan and publish: build a new snapshot, diff it against the published one in every published field, and
 * only then log, bump the generation and signal, all from that one diff, so that the journal, the bus properties
 * and GetTopology never disagree and nothing changes without a signal.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "manager.h"
#include "tierd-bus.h"
#include "tierd-messages.h"

static void log_change(const NodeChange *c)
{
        char f_node[32], f_tier[32], f_adist[48], f_old[32], f_kernel[40];
        snprintf(f_node, sizeof f_node, "TIERD_NODE=%u", c->node);
        snprintf(f_tier, sizeof f_tier, "TIERD_TIER=%d", c->new_tier);
        snprintf(f_adist, sizeof f_adist, "TIERD_ADISTANCE=%d", c->new_adistance);
        snprintf(f_old, sizeof f_old, "TIERD_OLD_TIER=%d", c->old_tier);
        snprintf(f_kernel, sizeof f_kernel, "TIERD_KERNEL_TIER=%d", c->new_kernel_tier);
        const char *fields[] = {f_node, f_tier, f_adist, f_old, f_kernel, NULL};

        switch (c->kind) {
        case NODE_CHANGE_ADDED:
                log_struct(LOG_NOTICE, TIERD_MESSAGE_NODE_ADDED, fields,
                           "Memory node %u appeared: tier %d (abstract distance %d).", c->node, c->new_tier,
                           c->new_adistance);
                break;
        case NODE_CHANGE_REMOVED:
                log_struct(LOG_NOTICE, TIERD_MESSAGE_NODE_REMOVED, fields, "Memory node %u went away (was tier %d).",
                           c->node, c->old_tier);
                break;
        case NODE_CHANGE_MOVED:
                log_struct(LOG_NOTICE, TIERD_MESSAGE_NODE_MOVED, fields,
                           "Node %u moved from tier %d to tier %d (abstract distance %d -> %d).", c->node, c->old_tier,
                           c->new_tier, c->old_adistance, c->new_adistance);
                break;
        case NODE_CHANGE_UPDATED:
                if (c->fields & NODE_FIELD_ADISTANCE)
                        log_struct(LOG_NOTICE, TIERD_MESSAGE_NODE_MOVED, fields,
                                   "Node %u stays in tier %d, abstract distance %d -> %d.", c->node, c->new_tier,
                                   c->old_adistance, c->new_adistance);
                else if (c->fields & NODE_FIELD_KERNEL_TIER)
                        log_struct(LOG_INFO, TIERD_MESSAGE_NODE_MOVED, fields,
                                   "Node %u: the kernel now has it in tier %d (was %d).", c->node, c->new_kernel_tier,
                                   c->old_kernel_tier);
                else
                        log_debug("Node %u: published details changed (fields 0x%x).", c->node, c->fields);
                break;
        }
}

static void log_kernel_disagreements(const Snapshot *s)
{
        for (size_t i = 0; i < s->warnings.n; i++) {
                const Warning *w = &s->warnings.items[i];
                if (warning_code_category(w->code) != WARNING_CATEGORY_DISAGREEMENT)
                        continue;
                char f_node[32], f_code[64];
                snprintf(f_node, sizeof f_node, "TIERD_NODE=%d", w->node);
                snprintf(f_code, sizeof f_code, "TIERD_WARNING=%s", warning_code_to_string(w->code));
                const char *fields[] = {f_node, f_code, NULL};
                log_struct(LOG_WARNING, TIERD_MESSAGE_KERNEL_DISAGREES, fields, "%s", w->message);
        }
}

static void publish_diff(Manager *m, const SnapshotDiff *d)
{
        if (!m->bus)
                return;
        int r;
        if (d->n_changes > 0)
                r = sd_bus_emit_properties_changed(m->bus, TIERD_BUS_PATH, TIERD_BUS_INTERFACE, "TierMapGeneration",
                                                   "Nodes", "Tiers", d->kernel_release ? "KernelRelease" : NULL, NULL);
        else
                r = sd_bus_emit_properties_changed(m->bus, TIERD_BUS_PATH, TIERD_BUS_INTERFACE, "TierMapGeneration",
                                                   "KernelRelease", NULL);
        if (r < 0)
                log_warning_errno(r, "Failed to emit PropertiesChanged: %m");
        r = sd_bus_emit_signal(m->bus, TIERD_BUS_PATH, TIERD_BUS_INTERFACE, "TierMapChanged", "t",
                               m->snapshot->generation);
        if (r < 0)
                log_warning_errno(r, "Failed to emit TierMapChanged: %m");
}

int manager_rescan(Manager *m, const char *why)
{
        TierOptions options = manager_tier_options(m);
        _cleanup_(snapshot_unrefp) Snapshot *s = NULL;

        m->rescans++;
        int r = snapshot_read(m->root, &options, &s);
        if (r == -ENOMEM)
                return log_oom();
        if (r < 0)
                /* Keep serving what we knew; the next event or Rescan() tries again. */
                return log_error_errno(r,
                                       "Failed to rescan the topology below %s (%s), keeping the previous tier "
                                       "map: %m",
                                       m->root, why);

        _cleanup_(snapshot_diff_done) SnapshotDiff d = {};
        r = snapshot_diff(m->snapshot, s, &d);
        if (r < 0)
                return log_oom();

        for (size_t i = 0; i < s->warnings.n; i++)
                if (warning_code_category(s->warnings.items[i].code) == WARNING_CATEGORY_INPUT)
                        log_warning("%s", s->warnings.items[i].message);

        bool first = !m->snapshot;
        bool changed = first || !snapshot_diff_empty(&d);
        /* Unchanged: the new snapshot still replaces the old one (free memory moves), under the same generation. */
        s->generation = first ? 1 : m->snapshot->generation + changed;
        snapshot_unref(m->snapshot);
        m->snapshot = TAKE_PTR(s);
        if (!changed) {
                log_debug("Rescan (%s): tier map unchanged.", why);
                return 0;
        }

        for (size_t i = 0; i < d.n_changes && !first; i++)
                log_change(&d.changes[i]);
        char f_gen[48];
        snprintf(f_gen, sizeof f_gen, "TIERD_GENERATION=%" PRIu64, m->snapshot->generation);
        const char *fields[] = {f_gen, NULL};
        log_struct(LOG_INFO, TIERD_MESSAGE_TIER_MAP_CHANGED, fields, "Tier map generation %" PRIu64 ": %zu tiers (%s).",
                   m->snapshot->generation, m->snapshot->map->n_tiers, why);
        log_kernel_disagreements(m->snapshot);
        manager_notify_status(m);
        publish_diff(m, &d);
        return 1;
}
