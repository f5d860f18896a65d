/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stddef.h>

#include "policy.h"

#define USEC_PER_SEC UINT64_C(1000000)

PolicyParams policy_params_default(void)
{
        return (PolicyParams){
                /* 2% / 4% on top of the kernel's own reserve (its zones' high watermarks and lowmem
                 * protection, PolicyNode.reserved_bytes), so that tierd demotes before kswapd wakes and
                 * migration never meets the kernel's min watermark; the 2% gap is the band that absorbs
                 * allocations without moving anything, and what one pressure demotion frees, so that it comes
                 * in batches rather than page by page. */
                .free_low_permille = 20,
                .free_high_permille = 40,
                /* 5 s: five cycles at a 1 s interval and 25 DAMON aggregations at tierd's 200 ms, so a
                 * moved region is measured afresh before it can move back; short enough that a hot set that
                 * shifts every 10-15 s can still displace the previous one. */
                .min_residency_usec = 5 * USEC_PER_SEC,
                /* 256 MiB per cycle, 256 MiB/s at a 1 s interval: a bound on the memory bandwidth migration
                 * takes from the workload.  tierd replaces it with RateLimitMBps= times the interval, and the
                 * pace (pace.h) keeps each cycle to what can be moved in about one interval. */
                .budget_bytes = UINT64_C(256) << 20,
                /* 5%: one of the 20 samples per aggregation (DAMON's default ratio and tierd's).  A region
                 * never accessed reads 0 without noise; a hot set of 4 KiB pages touched at random reads only
                 * one or two (each sample looks at one page of the region), so two would leave much of it
                 * behind. */
                .promote_min_permille = 50,
                /* 20%: four samples of 20.  A region's count is binomial, with a standard deviation of at most
                 * 2.2 samples (11%); twice that keeps two equally hot regions from swapping places. */
                .hotter_margin_permille = 200,
                /* 1 s: ten DAMON aggregations.  A region's age restarts when its access count changes, so
                 * a hot region that read 0 once (a pause, a sampling miss) is not displaced for it. */
                .stable_min_usec = 1 * USEC_PER_SEC,
        };
}

int policy_params_validate(const PolicyParams *p, const char **ret_field)
{
        const char *bad = NULL;

        if (p->free_low_permille < 1 || p->free_low_permille >= p->free_high_permille)
                bad = "free_low_permille";
        else if (p->free_high_permille > 500)
                bad = "free_high_permille";
        else if (p->budget_bytes < 4096)
                bad = "budget_bytes";
        else if (p->promote_min_permille < 1 || p->promote_min_permille > 1000)
                bad = "promote_min_permille";
        else if (p->hotter_margin_permille < 1 || p->hotter_margin_permille > 1000)
                bad = "hotter_margin_permille";

        if (ret_field)
                *ret_field = bad;
        return bad ? -EINVAL : 0;
}

int policy_budget_from_rate(uint64_t rate_mibps, uint64_t interval_usec, uint64_t *ret)
{
        uint64_t per_sec, q, r, bytes, rest;

        if (rate_mibps > UINT64_MAX >> 20)
                return -ERANGE;
        per_sec = rate_mibps << 20;
        /* per_sec * interval / 10^6 without the wide product: per_sec = q * 10^6 + r, interval = s * 10^6 + t,
         * so it is q * interval + r * s + r * t / 10^6, where only the last term is divided. */
        q = per_sec / USEC_PER_SEC;
        r = per_sec % USEC_PER_SEC;
        if (__builtin_mul_overflow(q, interval_usec, &bytes) ||
            __builtin_mul_overflow(r, interval_usec / USEC_PER_SEC, &rest) ||
            __builtin_add_overflow(bytes, rest, &bytes) ||
            __builtin_add_overflow(bytes, r * (interval_usec % USEC_PER_SEC) / USEC_PER_SEC, &bytes))
                return -ERANGE;
        *ret = bytes;
        return 0;
}
