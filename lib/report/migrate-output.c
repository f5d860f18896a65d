/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <string.h>

#include "json-util.h"
#include "macro.h"
#include "migrate-output.h"
#include "output.h"

static json_object *reasons_json(const uint64_t *v)
{
        _cleanup_json_ json_object *o = json_object_new_object();
        if (!o)
                return NULL;
        for (int r = 0; r < _MIGRATE_REASON_MAX; r++)
                if (json_add(o, migrate_reason_to_string(r), json_object_new_uint64(v[r])) < 0)
                        return NULL;
        return TAKE_PTR(o);
}

static int end_json(json_object *o, MigrateEnd end, int error)
{
        TRY(json_add(o, "end", json_object_new_string(migrate_end_to_string(end))));
        if (error == 0)
                return json_object_object_add(o, "end_error", NULL) < 0 ? -ENOMEM : 0;
        return json_add(o, "end_error", json_object_new_string(strerror(-error)));
}

static int node_json(const MigrateStats *s, const MigrateNodeStats *n, json_object *a)
{
        _cleanup_json_ json_object *o = json_object_new_object();
        if (!o)
                return -ENOMEM;
        TRY(json_add(o, "node", json_object_new_int(n->node)));
        TRY(end_json(o, n->end, n->end_error));
        TRY(json_add(o, "pages", reasons_json(n->sent.pages)));
        TRY(json_add(o, "huge_pages", reasons_json(n->sent.huge)));
        TRY(json_add(o, "bytes_moved", json_object_new_uint64(n->sent.pages[MIGRATE_MOVED] * s->page_size)));
        TRY(json_add(o, "found_pages", json_object_new_uint64(n->found_pages)));
        TRY(json_add(o, "found_huge_pages", json_object_new_uint64(n->found_huge)));
        if (json_object_array_add(a, o) < 0)
                return -ENOMEM;
        TAKE_PTR(o);
        return 0;
}

static double mib_per_sec(uint64_t bytes, uint64_t usec)
{
        return usec ? (double)bytes / (1024.0 * 1024.0) / ((double)usec / 1e6) : 0;
}

static int stats_json(const MigrateStats *s, json_object *o)
{
        uint64_t moved = s->total.pages[MIGRATE_MOVED] * s->page_size;

        TRY(json_add(o, "pid", json_object_new_int((int)s->pid)));
        TRY(json_add(o, "dry_run", json_object_new_boolean(s->dry_run)));
        TRY(end_json(o, s->end, s->end_error));
        TRY(json_add(o, "page_size", json_object_new_uint64(s->page_size)));
        TRY(json_add(o, "pages", reasons_json(s->total.pages)));
        TRY(json_add(o, "huge_pages", reasons_json(s->total.huge)));
        TRY(json_add(o, "present_pages", json_object_new_uint64(migrate_stats_present(s))));
        if (s->dry_run) /* nothing was to be placed */
                TRY(json_object_object_add(o, "all_placed", NULL) < 0 ? -ENOMEM : 0);
        else
                TRY(json_add(o, "all_placed", json_object_new_boolean(migrate_counts_all_placed(&s->total))));
        TRY(json_add(o, "bytes_moved", json_object_new_uint64(moved)));
        json_object *nodes = json_object_new_array();
        TRY(json_add(o, "nodes", nodes));
        for (size_t i = 0; i < s->n_nodes; i++)
                TRY(node_json(s, &s->nodes[i], nodes));
        TRY(json_add(o, "move_calls", json_object_new_uint64(s->move_calls)));
        TRY(json_add(o, "query_calls", json_object_new_uint64(s->query_calls)));
        TRY(json_add(o, "call_usec", json_object_new_uint64(s->call_usec)));
        TRY(json_add(o, "max_call_usec", json_object_new_uint64(s->max_call_usec)));
        TRY(json_add(o, "calls_over_budget", json_object_new_uint64(s->calls_over_budget)));
        TRY(json_add(o, "elapsed_usec", json_object_new_uint64(s->elapsed_usec)));
        TRY(json_add(o, "moved_mib_per_sec", json_object_new_double(mib_per_sec(moved, s->elapsed_usec))));
        TRY(json_add(o, "page_frames", json_object_new_boolean(s->pfns)));
        TRY(json_add(o, "kpageflags", json_object_new_boolean(s->kpageflags)));
        TRY(json_add(o, "pagemap_scan", json_object_new_boolean(s->scan_ioctl)));
        return 0;
}

json_object *migrate_stats_json(const MigrateStats *s)
{
        _cleanup_json_ json_object *o = json_object_new_object();
        if (!o || stats_json(s, o) < 0)
                return NULL;
        return TAKE_PTR(o);
}

int migrate_stats_json_string(const MigrateStats *s, char **ret)
{
        _cleanup_json_ json_object *o = migrate_stats_json(s);
        if (!o)
                return -ENOMEM;
        const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                                     JSON_C_TO_STRING_NOSLASHESCAPE);
        if (!text || asprintf(ret, "%s\n", text) < 0)
                return -ENOMEM;
        return 0;
}

static const char *size_of(const MigrateStats *s, uint64_t pages, char *buf, size_t size)
{
        return format_kib(pages * s->page_size / 1024, buf, size);
}

/* "done", or "node_gone (No such device)". */
static const char *end_text(MigrateEnd end, int error, char *buf, size_t size)
{
        if (error == 0)
                return migrate_end_to_string(end);
        snprintf(buf, size, "%s (%s)", migrate_end_to_string(end), strerror(-error));
        return buf;
}

int migrate_stats_text(const MigrateStats *s, FILE *f)
{
        char a[32], e[96];
        uint64_t present = migrate_stats_present(s);

        fprintf(f, "pid %d: %s in %.3f s, %" PRIu64 " move_pages calls and %" PRIu64 " queries (longest %.1f ms)\n",
                (int)s->pid, end_text(s->end, s->end_error, e, sizeof e), (double)s->elapsed_usec / 1e6, s->move_calls,
                s->query_calls, (double)s->max_call_usec / 1e3);
        if (s->dry_run) {
                fprintf(f, "%" PRIu64 " present pages (%s)\n\n%-6s %10s %6s %12s\n", present,
                        size_of(s, present, a, sizeof a), "NODE", "PAGES", "HUGE", "SIZE");
                for (size_t i = 0; i < s->n_nodes; i++)
                        fprintf(f, "%-6d %10" PRIu64 " %6" PRIu64 " %12s\n", s->nodes[i].node, s->nodes[i].found_pages,
                                s->nodes[i].found_huge, size_of(s, s->nodes[i].found_pages, a, sizeof a));
        } else {
                uint64_t moved = s->total.pages[MIGRATE_MOVED];
                fprintf(f, "%s moved (%.1f MiB/s); %s\n\n", size_of(s, moved, a, sizeof a),
                        mib_per_sec(moved * s->page_size, s->elapsed_usec),
                        migrate_counts_all_placed(&s->total) ? "every present page is on its target"
                                                             : "some pages are not on their target");
                fprintf(f, "%-6s %-28s %10s %10s %10s\n", "NODE", "END", "MOVED", "THERE", "NOT MOVED");
                for (size_t i = 0; i < s->n_nodes; i++) {
                        const MigrateCounts *c = &s->nodes[i].sent;
                        uint64_t placed = c->pages[MIGRATE_MOVED] + c->pages[MIGRATE_ALREADY_THERE];
                        fprintf(f, "%-6d %-28s %10" PRIu64 " %10" PRIu64 " %10" PRIu64 "\n", s->nodes[i].node,
                                end_text(s->nodes[i].end, s->nodes[i].end_error, e, sizeof e), c->pages[MIGRATE_MOVED],
                                c->pages[MIGRATE_ALREADY_THERE], migrate_counts_present(c) - placed);
                }
        }
        fprintf(f, "\n%-14s %10s %6s %12s\n", "OUTCOME", "PAGES", "HUGE", "SIZE");
        for (int r = 0; r < _MIGRATE_REASON_MAX; r++)
                if (s->total.pages[r] > 0 || (r == MIGRATE_MOVED && !s->dry_run))
                        fprintf(f, "%-14s %10" PRIu64 " %6" PRIu64 " %12s\n", migrate_reason_to_string(r),
                                s->total.pages[r], s->total.huge[r], size_of(s, s->total.pages[r], a, sizeof a));
        return ferror(f) ? -EIO : 0;
}
