/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "macro.h"
#include "migrate-stats.h"

const char *migrate_reason_to_string(MigrateReason r)
{
        static const char *const names[_MIGRATE_REASON_MAX] = {
                [MIGRATE_MOVED] = "moved",   [MIGRATE_ALREADY_THERE] = "already_there",
                [MIGRATE_BUSY] = "busy",     [MIGRATE_NOT_PRESENT] = "not_present",
                [MIGRATE_FAULT] = "fault",   [MIGRATE_NO_MEMORY] = "no_memory",
                [MIGRATE_DENIED] = "denied", [MIGRATE_NOT_ATTEMPTED] = "not_attempted",
                [MIGRATE_OTHER] = "other",
        };
        return r >= 0 && r < _MIGRATE_REASON_MAX ? names[r] : NULL;
}

const char *migrate_end_to_string(MigrateEnd e)
{
        static const char *const names[_MIGRATE_END_MAX] = {
                [MIGRATE_END_RUNNING] = "running",
                [MIGRATE_END_DONE] = "done",
                [MIGRATE_END_PROCESS_EXITED] = "process_exited",
                [MIGRATE_END_DENIED] = "denied",
                [MIGRATE_END_NODE_GONE] = "node_gone",
                [MIGRATE_END_FAILED] = "failed",
        };
        return e >= 0 && e < _MIGRATE_END_MAX ? names[e] : NULL;
}

uint64_t migrate_counts_present(const MigrateCounts *c)
{
        uint64_t n = 0;
        for (int r = 0; r < _MIGRATE_REASON_MAX; r++)
                if (r != MIGRATE_NOT_PRESENT && r != MIGRATE_FAULT)
                        n += c->pages[r];
        return n;
}

bool migrate_counts_all_placed(const MigrateCounts *c)
{
        return c->pages[MIGRATE_MOVED] + c->pages[MIGRATE_ALREADY_THERE] == migrate_counts_present(c);
}

uint64_t migrate_stats_present(const MigrateStats *s)
{
        uint64_t n = migrate_counts_present(&s->total);
        for (size_t i = 0; i < s->n_nodes; i++)
                n += s->nodes[i].found_pages;
        return n;
}
