/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>

/*
 * A token bucket in bytes, shared by every migration job so that together they stay under one rate.  Pure: the
 * caller passes the time (CLOCK_MONOTONIC microseconds), nothing here reads a clock.
 *
 * A batch may take more than is available (it ends at a whole page or huge page); the bucket then goes into
 * debt, and nothing more is granted until the rate has paid it back, so the long-run rate holds exactly.  The
 * level is kept in byte-microseconds, so that fractions of a byte earned between two frequent calls add up.
 */
typedef struct RateLimit {
        uint64_t rate;  /* bytes per second; 0: unlimited */
        uint64_t burst; /* the most a full bucket grants at once after a pause */
        int64_t level;  /* bytes * 1e6; negative: in debt */
        uint64_t last_usec;
} RateLimit;

/* The largest rate and burst kept exactly (1 TB/s, 1 TB); larger values are clamped to it. */
#define RATELIMIT_MAX UINT64_C(1000000000000)

/* Starts full.  bytes_per_sec 0 is unlimited; burst 0 takes ratelimit_default_burst(). */
void ratelimit_init(RateLimit *rl, uint64_t bytes_per_sec, uint64_t burst_bytes, uint64_t now_usec);
/* 100 ms worth of the rate, at least one 2 MiB huge page, so that a huge page never waits on a debt. */
uint64_t ratelimit_default_burst(uint64_t bytes_per_sec);
/* Bytes that may go now (UINT64_MAX when unlimited; 0 while in debt or empty). */
uint64_t ratelimit_available(RateLimit *rl, uint64_t now_usec);
/* Take bytes (possibly more than available). */
void ratelimit_consume(RateLimit *rl, uint64_t now_usec, uint64_t bytes);
/* When at least one byte is available again: now_usec if it already is. */
uint64_t ratelimit_next_usec(RateLimit *rl, uint64_t now_usec);
