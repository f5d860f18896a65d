/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "macro.h"
#include "ratelimit.h"

#define USEC_PER_SEC INT64_C(1000000)

void ratelimit_init(RateLimit *rl, uint64_t bytes_per_sec, uint64_t burst_bytes, uint64_t now_usec)
{
        rl->rate = MIN(bytes_per_sec, RATELIMIT_MAX);
        rl->burst = MIN(burst_bytes ?: ratelimit_default_burst(rl->rate), RATELIMIT_MAX);
        rl->level = (int64_t)rl->burst * USEC_PER_SEC;
        rl->last_usec = now_usec;
}

uint64_t ratelimit_default_burst(uint64_t bytes_per_sec)
{
        return MAX(MIN(bytes_per_sec, RATELIMIT_MAX) / 10, UINT64_C(2) << 20);
}

/* Add what the time since the last call earned, up to the burst.  A clock going backwards earns nothing. */
static void refill(RateLimit *rl, uint64_t now_usec)
{
        if (now_usec <= rl->last_usec)
                return;
        uint64_t elapsed = now_usec - rl->last_usec;
        int64_t cap = (int64_t)rl->burst * USEC_PER_SEC;
        rl->last_usec = now_usec;
        if (rl->level >= cap)
                return;
        /* Compare before multiplying: hours of idleness at a high rate would overflow. */
        uint64_t room = (uint64_t)(cap - rl->level);
        if (elapsed >= room / rl->rate + 1)
                rl->level = cap;
        else
                rl->level = MIN(cap, rl->level + (int64_t)(elapsed * rl->rate));
}

uint64_t ratelimit_available(RateLimit *rl, uint64_t now_usec)
{
        if (rl->rate == 0)
                return UINT64_MAX;
        refill(rl, now_usec);
        return rl->level > 0 ? (uint64_t)(rl->level / USEC_PER_SEC) : 0;
}

void ratelimit_consume(RateLimit *rl, uint64_t now_usec, uint64_t bytes)
{
        if (rl->rate == 0)
                return;
        refill(rl, now_usec);
        /* Bound the debt far from overflow; a debt that large lasts for weeks at any rate anyway. */
        int64_t take = (int64_t)MIN(bytes, RATELIMIT_MAX) * USEC_PER_SEC;
        rl->level = rl->level - take < INT64_MIN / 2 ? INT64_MIN / 2 : rl->level - take;
}

uint64_t ratelimit_next_usec(RateLimit *rl, uint64_t now_usec)
{
        if (ratelimit_available(rl, now_usec) > 0)
                return now_usec;
        /* Round up: at the returned time at least one whole byte is there.  The level is as of last_usec, which a
         * clock going backwards leaves ahead of now. */
        uint64_t missing = (uint64_t)(USEC_PER_SEC - rl->level);
        return MAX(now_usec, rl->last_usec) + (missing + rl->rate - 1) / rl->rate;
}
