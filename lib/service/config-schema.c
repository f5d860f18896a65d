/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The rows of the configuration: sections, keys, their names, kinds, limits and comments. */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <syslog.h>

#include "config-schema.h"
#include "macro.h"
#include "scope.h"

#define RESCAN_DEBOUNCE_MSEC_MAX UINT64_C(10000)
#define PLACEMENT_INTERVAL_MSEC_MIN UINT64_C(100)
#define PLACEMENT_INTERVAL_MSEC_MAX UINT64_C(600000)
#define PLACEMENT_RATE_LIMIT_MBPS_MAX UINT64_C(1000000)
#define PLACEMENT_MIN_RESIDENCY_MSEC_MAX UINT64_C(3600000)
/* Free memory kept on a fast node; above half of it, placement would empty the fast tier. */
#define PLACEMENT_WATERMARK_PCT_MAX UINT64_C(50)
/* The kernel's own limits, so that a value it would refuse is caught when the file is read, not when applied:
 * numa_balancing_promote_rate_limit_MBps goes through proc_dointvec_minmax, hot_threshold_ms is a debugfs u32. */
#define PROMOTE_RATE_LIMIT_MBPS_MAX ((uint64_t)INT32_MAX)
#define HOT_THRESHOLD_MSEC_MAX ((uint64_t)UINT32_MAX)
#define ADISTANCE_MAX ((uint64_t)INT32_MAX)
/* A tier id becomes the adistance in the middle of its chunk, which must still fit an int. */
#define TIER_MAX ((uint64_t)(INT32_MAX >> MEMTIER_CHUNK_BITS))

static const char *const mode_table[_TIERD_MODE_MAX] = {
        [TIERD_MODE_OBSERVE] = "observe",
        [TIERD_MODE_KERNEL] = "kernel",
        [TIERD_MODE_MIGRATE] = "migrate",
};

static const char *const numa_balancing_table[_NUMA_BALANCING_MAX] = {
        [NUMA_BALANCING_KEEP] = "keep",       [NUMA_BALANCING_OFF] = "off",   [NUMA_BALANCING_NORMAL] = "normal",
        [NUMA_BALANCING_TIERING] = "tiering", [NUMA_BALANCING_BOTH] = "both",
};

static const char *const promotion_table[_PROMOTION_MAX] = {
        [PROMOTION_TIERD] = "tierd",
        [PROMOTION_KERNEL] = "kernel",
};

static const char *const demotion_table[_DEMOTION_MAX] = {
        [DEMOTION_KEEP] = "keep",
        [DEMOTION_ON] = "on",
        [DEMOTION_OFF] = "off",
};

/* Indexed by syslog level; the levels below LOG_ERR are not configurable. */
static const char *const log_level_table[LOG_DEBUG + 1] = {
        [LOG_ERR] = "err",   [LOG_WARNING] = "warning", [LOG_NOTICE] = "notice",
        [LOG_INFO] = "info", [LOG_DEBUG] = "debug",
};

const char *config_table_to_string(const char *const *table, size_t n, int i)
{
        return i >= 0 && (size_t)i < n ? table[i] : NULL;
}

int config_table_from_string(const char *const *table, size_t n, const char *s)
{
        for (size_t i = 0; i < n; i++)
                if (table[i] && strcmp(table[i], s) == 0)
                        return (int)i;
        return -EINVAL;
}

const char *tierd_mode_to_string(TierdMode m)
{
        return config_table_to_string(mode_table, ELEMENTSOF(mode_table), (int)m);
}

const char *numa_balancing_setting_to_string(NumaBalancingSetting s)
{
        return config_table_to_string(numa_balancing_table, ELEMENTSOF(numa_balancing_table), (int)s);
}

const char *demotion_setting_to_string(DemotionSetting s)
{
        return config_table_to_string(demotion_table, ELEMENTSOF(demotion_table), (int)s);
}

/* Keeps overrides ascending by node with one entry per node: a later assignment replaces the earlier one. */
static int set_override(Config *c, unsigned node, bool by_tier, uint64_t value)
{
        size_t i = 0;

        while (i < c->n_overrides && c->overrides[i].node < node)
                i++;
        if (i == c->n_overrides || c->overrides[i].node != node) {
                size_t allocated = c->n_overrides; /* at least; Config does not keep the real size */
                if (GREEDY_REALLOC(c->overrides, allocated, c->n_overrides + 1) < 0)
                        return -ENOMEM;
                memmove(c->overrides + i + 1, c->overrides + i, (c->n_overrides - i) * sizeof(TierOverride));
                c->n_overrides++;
        }
        c->overrides[i] = (TierOverride){.node = node, .by_tier = by_tier, .value = (int)value};
        return 0;
}

static int set_abstract_distance(Config *c, unsigned id, uint64_t value)
{
        return set_override(c, id, /* by_tier= */ false, value);
}

static int set_tier(Config *c, unsigned id, uint64_t value)
{
        return set_override(c, id, /* by_tier= */ true, value);
}

/* The enum kinds store their index as an int at the key's offset. */
_Static_assert(sizeof(TierdMode) == sizeof(int), "TierdMode is not int-sized");
_Static_assert(sizeof(NumaBalancingSetting) == sizeof(int), "NumaBalancingSetting is not int-sized");
_Static_assert(sizeof(DemotionSetting) == sizeof(int), "DemotionSetting is not int-sized");
_Static_assert(sizeof(PromotionSetting) == sizeof(int), "PromotionSetting is not int-sized");

#define ENUM_KEY(key, table, field, ...)                                                                               \
        {                                                                                                              \
                .name = key, .kind = VALUE_ENUM, .names = table, .n_names = ELEMENTSOF(table),                         \
                .offset = offsetof(Config, field), __VA_ARGS__                                                         \
        }
#define NUMBER_KEY(key, kind_, maximum, field, ...)                                                                    \
        {                                                                                                              \
                .name = key, .kind = kind_, .max = maximum, .offset = offsetof(Config, field), __VA_ARGS__             \
        }

static const ConfigKey daemon_keys[] = {
        ENUM_KEY("Mode", mode_table, mode,
                 .comment = "# observe: compute and report only; kernel: also set the [Kernel] knobs;\n"
                            "# migrate: as kernel, and place the pages of the [Placement] scope\n"),
        ENUM_KEY("LogLevel", log_level_table, log_level, .comment = "# err, warning, notice, info or debug\n"),
        NUMBER_KEY("RescanDebounceMSec", VALUE_UNSIGNED, RESCAN_DEBOUNCE_MSEC_MAX, rescan_debounce_msec,
                   .comment = "# Milliseconds to wait for more hotplug events before re-reading the topology, 0 to "
                              "10000\n"),
};

static const ConfigKey kernel_keys[] = {
        ENUM_KEY("NumaBalancing", numa_balancing_table, numa_balancing,
                 .comment = "# keep, off, normal, tiering or both: /proc/sys/kernel/numa_balancing\n"),
        ENUM_KEY("Demotion", demotion_table, demotion,
                 .comment = "# keep, on or off: /sys/kernel/mm/numa/demotion_enabled\n"),
        NUMBER_KEY("PromoteRateLimitMBps", VALUE_KEEP_OR_UNSIGNED, PROMOTE_RATE_LIMIT_MBPS_MAX, promote_rate_limit_mbps,
                   .comment = "# keep or MB/s: /proc/sys/kernel/numa_balancing_promote_rate_limit_MBps\n"),
        NUMBER_KEY("HotThresholdMSec", VALUE_KEEP_OR_UNSIGNED, HOT_THRESHOLD_MSEC_MAX, hot_threshold_msec,
                   .comment = "# keep or milliseconds: /sys/kernel/debug/sched/numa_balancing/hot_threshold_ms\n"),
};

static int valid_cgroup_word(const char *word, const char **ret_expected)
{
        *ret_expected = "an absolute cgroup path below the cgroup2 mount, without . or .. components";
        return scope_cgroup_path_valid(word);
}

static int valid_comm_word(const char *word, const char **ret_expected)
{
        *ret_expected = "process names";
        return word[0] ? 0 : -EINVAL;
}

#define LIST_KEY(key, field, check, ...)                                                                               \
        {                                                                                                              \
                .name = key, .kind = VALUE_LIST, .valid_word = check, .offset = offsetof(Config, field), __VA_ARGS__   \
        }

static const ConfigKey placement_keys[] = {
        LIST_KEY("Cgroups", placement_cgroups, valid_cgroup_word,
                 .comment =
                         "# cgroup v2 paths relative to the cgroup2 mount: their processes and their descendants'\n"),
        LIST_KEY("Processes", placement_processes, valid_comm_word,
                 .comment = "# process names (comm, the first 15 characters count)\n"),
        LIST_KEY("ExcludeProcesses", placement_exclude_processes, valid_comm_word,
                 .comment = "# process names never managed, also when a cgroup above holds them\n"),
        NUMBER_KEY("IntervalMSec", VALUE_UNSIGNED, PLACEMENT_INTERVAL_MSEC_MAX, placement_interval_msec,
                   .min = PLACEMENT_INTERVAL_MSEC_MIN,
                   .comment = "# Milliseconds between placement cycles (hotness read, decisions, migrations)\n"),
        NUMBER_KEY("RateLimitMBps", VALUE_UNSIGNED, PLACEMENT_RATE_LIMIT_MBPS_MAX, placement_rate_limit_mbps,
                   .comment = "# Most MB/s tierd migrates, all processes together; 0: no limit\n"),
        NUMBER_KEY("LowWatermarkPercent", VALUE_UNSIGNED, PLACEMENT_WATERMARK_PCT_MAX, placement_low_watermark_pct,
                   .min = 1,
                   .comment = "# A fast node with less free memory than this (% of its size) has its coldest\n"
                              "# managed pages demoted ...\n"),
        NUMBER_KEY("HighWatermarkPercent", VALUE_UNSIGNED, PLACEMENT_WATERMARK_PCT_MAX, placement_high_watermark_pct,
                   .comment = "# ... until it has this much free again; must be above LowWatermarkPercent\n"),
        NUMBER_KEY("MinResidencyMSec", VALUE_UNSIGNED, PLACEMENT_MIN_RESIDENCY_MSEC_MAX, placement_min_residency_msec,
                   .comment = "# Milliseconds a moved range stays where tierd put it before it may move again\n"),
        ENUM_KEY("Promotion", promotion_table, placement_promotion,
                 .comment = "# tierd: tierd promotes hot pages itself; kernel: the kernel's NUMA-balancing tiering\n"
                            "# promotes them while tierd demotes colder pages to make room\n"),
};

static const ConfigKey node_keys[] = {
        {.name = "AbstractDistance", .kind = VALUE_UNSIGNED, .max = ADISTANCE_MAX, .set = set_abstract_distance},
        {.name = "Tier", .kind = VALUE_UNSIGNED, .max = TIER_MAX, .set = set_tier},
};

const ConfigKey *config_node_key(const TierOverride *o)
{
        return &node_keys[o->by_tier ? 1 : 0];
}

const ConfigSection config_sections[] = {
        {.name = "Daemon", .keys = daemon_keys, .n_keys = ELEMENTSOF(daemon_keys)},
        {
                .name = "Kernel",
                .keys = kernel_keys,
                .n_keys = ELEMENTSOF(kernel_keys),
                .comment = "# Applied in kernel and migrate mode only; keep leaves the kernel's value alone.\n",
        },
        {
                .name = "Placement",
                .keys = placement_keys,
                .n_keys = ELEMENTSOF(placement_keys),
                .comment = "# Used in migrate mode only.  Without Cgroups= or Processes=, nothing is managed.\n",
        },
        {
                .name = "Node",
                .id_name = "node id",
                .id_max = NODEMASK_MAX,
                .keys = node_keys,
                .n_keys = ELEMENTSOF(node_keys),
                .format = config_format_node_sections,
                .valid = config_node_sections_valid,
        },
};

const size_t config_n_sections = ELEMENTSOF(config_sections);
