/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "macro.h"
#include "memtier.h"

/*
 * tierd's configuration: /etc/tierd/tierd.conf, then /etc/tierd/tierd.conf.d/\*.conf in lexical order, later
 * files overriding earlier ones key by key.  INI, parsed with libinih.  Sections and keys:
 *
 *   [Daemon]   Mode=observe|kernel|migrate   LogLevel=err|warning|notice|info|debug   RescanDebounceMSec=N
 *   [Kernel]   NumaBalancing=keep|off|normal|tiering|both   Demotion=keep|on|off
 *              PromoteRateLimitMBps=keep|N   HotThresholdMSec=keep|N
 *   [Placement] Cgroups=PATH...  Processes=COMM...  ExcludeProcesses=COMM...   (lists: each assignment adds,
 *              an empty one clears; words are separated by spaces, "double quotes" keep one with spaces)
 *              IntervalMSec=N  RateLimitMBps=N  LowWatermarkPercent=N  HighWatermarkPercent=N  MinResidencyMSec=N
 *              Promotion=tierd|kernel
 *   [Node N]   AbstractDistance=N  or  Tier=N   (one per node; the later assignment wins)
 *
 * Any unknown section or key, or a bad value, is an error naming FILE:LINE.
 */

typedef enum TierdMode {
        TIERD_MODE_OBSERVE, /* compute, log and answer; change nothing */
        TIERD_MODE_KERNEL,  /* also drive the kernel's own tiering knobs */
        TIERD_MODE_MIGRATE, /* also place the pages of the [Placement] scope itself */
        _TIERD_MODE_MAX,
} TierdMode;

typedef enum NumaBalancingSetting {
        NUMA_BALANCING_KEEP,
        NUMA_BALANCING_OFF,     /* 0 */
        NUMA_BALANCING_NORMAL,  /* 1 */
        NUMA_BALANCING_TIERING, /* 2 */
        NUMA_BALANCING_BOTH,    /* 3 */
        _NUMA_BALANCING_MAX,
} NumaBalancingSetting;

/* Who moves hot pages up: tierd with move_pages(2), or the kernel's NUMA-balancing tiering mode while tierd only
 * makes room for them. */
typedef enum PromotionSetting {
        PROMOTION_TIERD,
        PROMOTION_KERNEL,
        _PROMOTION_MAX,
} PromotionSetting;

typedef enum DemotionSetting {
        DEMOTION_KEEP,
        DEMOTION_ON,
        DEMOTION_OFF,
        _DEMOTION_MAX,
} DemotionSetting;

#define CONFIG_KEEP (-1) /* for the numeric kernel knobs */

typedef struct Config {
        TierdMode mode;
        int log_level; /* LOG_ERR .. LOG_DEBUG */
        uint64_t rescan_debounce_msec;

        NumaBalancingSetting numa_balancing;
        DemotionSetting demotion;
        int64_t promote_rate_limit_mbps; /* CONFIG_KEEP or >= 0 */
        int64_t hot_threshold_msec;      /* CONFIG_KEEP or >= 0 */

        /* [Placement]: the scope (NULL-terminated lists, never NULL) and the cycle's tunables */
        char **placement_cgroups;
        char **placement_processes;
        char **placement_exclude_processes;
        uint64_t placement_interval_msec;
        uint64_t placement_rate_limit_mbps; /* 0: unlimited */
        uint64_t placement_low_watermark_pct;
        uint64_t placement_high_watermark_pct;
        uint64_t placement_min_residency_msec;
        PromotionSetting placement_promotion;

        TierOverride *overrides; /* one per node at most, ascending node */
        size_t n_overrides;

        char **sources; /* the files read, in order; NULL-terminated */
        size_t n_sources;
} Config;

#ifndef TIERD_SYSCONFDIR
#define TIERD_SYSCONFDIR "/etc"
#endif
#define CONFIG_DEFAULT_PATH TIERD_SYSCONFDIR "/tierd/tierd.conf"
#define CONFIG_DEFAULT_RESCAN_DEBOUNCE_MSEC 20
#define CONFIG_DEFAULT_PLACEMENT_INTERVAL_MSEC 1000
#define CONFIG_DEFAULT_PLACEMENT_RATE_LIMIT_MBPS 512
#define CONFIG_DEFAULT_PLACEMENT_LOW_WATERMARK_PCT 2
#define CONFIG_DEFAULT_PLACEMENT_HIGH_WATERMARK_PCT 4
#define CONFIG_DEFAULT_PLACEMENT_MIN_RESIDENCY_MSEC 5000
/* Largest configuration file read, each of the main file and the drop-ins. */
#define CONFIG_FILE_SIZE_MAX (1024 * 1024)

Config *config_new(void); /* the defaults */
Config *config_free(Config *c);
DEFINE_TRIVIAL_CLEANUP_FUNC(Config *, config_free);

/*
 * Load path (NULL: CONFIG_DEFAULT_PATH), then the drop-ins "<path>.d/\*.conf" in lexical order.  A missing
 * default file is not an error (defaults apply), a missing explicitly named one is; a missing drop-in directory
 * never is.  Every file must be a regular file (links are followed) of at most CONFIG_FILE_SIZE_MAX bytes; it is
 * opened without blocking, so a FIFO or a device is refused (-EBADFD, "not a regular file"), never waited on, and
 * a larger file is refused unread (-EFBIG).  On a bad file: returns -EINVAL (or the I/O error) and *ret_error =
 * "FILE:LINE: message" (malloc'ed; "FILE: message" for errors without a line).  The message is short printable
 * ASCII, fit for a D-Bus error: quoted text and file names are cut and escaped (see escape.h).  Nothing is
 * half-applied: *ret is set only on success.
 */
int config_load(const char *path, Config **ret, char **ret_error);

/* The effective configuration as a complete, commented INI text that config_load() would read back the same. */
int config_format(const Config *c, FILE *f);

const char *tierd_mode_to_string(TierdMode m);
const char *numa_balancing_setting_to_string(NumaBalancingSetting s);
const char *demotion_setting_to_string(DemotionSetting s);
