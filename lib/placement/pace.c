/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "macro.h"
#include "pace.h"

void pace_init(MigrationPace *p, uint64_t max_bytes)
{
        *p = (MigrationPace){
                .max_bytes = max_bytes,
                .budget_bytes = MIN(max_bytes, PACE_START_BYTES),
        };
}

void pace_set_max(MigrationPace *p, uint64_t max_bytes)
{
        p->max_bytes = max_bytes;
        p->budget_bytes = MIN(p->budget_bytes, max_bytes);
}

/* v as bytes, saturated */
static uint64_t to_bytes(double v)
{
        return v >= 0x1p64 ? UINT64_MAX : (uint64_t)v;
}

void pace_record(MigrationPace *p, uint64_t planned_bytes, uint64_t usec, uint64_t overhead_usec,
                 uint64_t interval_usec)
{
        if (planned_bytes < PACE_MIN_BYTES || usec == 0 || interval_usec == 0)
                return;
        uint64_t rate = to_bytes((double)planned_bytes * 1e6 / (double)usec);
        /* Half the old reading, half the new: one cycle slowed by a burst of busy pages does not halve the next. */
        p->planned_per_sec = p->planned_per_sec == 0 ? rate : p->planned_per_sec / 2 + rate / 2;
        p->overhead_usec = p->overhead_usec == 0 ? overhead_usec : p->overhead_usec / 2 + overhead_usec / 2;

        /* 4/5 last, so that whole numbers stay exact in a double */
        double target_usec = MAX((double)interval_usec * 4 / 5, 2 * (double)p->overhead_usec);
        uint64_t next = to_bytes((double)p->planned_per_sec * target_usec / 1e6);
        if (next / 2 > p->budget_bytes)
                next = p->budget_bytes * 2;
        p->budget_bytes = MIN(MAX(next, PACE_MIN_BYTES), p->max_bytes);
}

uint64_t pace_next_cycle_usec(uint64_t started_usec, uint64_t now_usec, uint64_t interval_usec)
{
        return MAX(started_usec + interval_usec, now_usec + interval_usec / 10);
}
