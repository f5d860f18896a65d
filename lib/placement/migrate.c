/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <limits.h>
#include <numaif.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "migrate.h"
#include "numa-move.h"
#include "pagescan.h"

/* No status the kernel writes: node ids are >= 0, errors -4095..-1. */
#define STATUS_UNWRITTEN INT_MIN

/* Bounds of one call: its arrays (16 bytes an entry) and its pages (1 GiB of 4 KiB pages). */
#define CALL_MAX_ITEMS 65536
#define MOVE_MAX_PAGES (UINT64_C(1) << 18)
#define MOVE_FIRST_PAGES 256
/* Calls with fewer pages say more about the call's fixed cost (lru_cache_disable() drains every CPU's lists)
 * than about the cost of a page: they do not change the estimate. */
#define ADAPT_MIN_UNITS 64
#define QUERY_FIRST_ITEMS 4096

typedef struct ItemQueue {
        PageItem *v; /* the queue is v[head, head + n) */
        size_t head, n, allocated;
        uint64_t pages;
} ItemQueue;

typedef struct VerifyItem {
        PageItem item;
        MigrateReason reason; /* the outcome unless the query finds the page on its target */
} VerifyItem;

struct MigrateJob {
        SysfsRoot *root;
        pid_t pid;
        MigrateOptions options;
        MigrateOps ops;
        PageScan *scan;

        MigrateRange *ranges; /* sorted by target node, then address; a node's ranges are its part */
        size_t n_ranges;
        size_t part;  /* the first range of the current part; n_ranges once all are done */
        size_t range; /* the next range to scan */
        bool range_open;
        uint64_t range_queued_pages; /* of the open range, towards its max_bytes */
        bool any_source;             /* options.from_nodes is empty */
        bool draining;               /* the part ended early: its pages are counted as drain_reason, without calls */
        MigrateReason drain_reason;

        ItemQueue ready;
        VerifyItem *verify;
        size_t n_verify, verify_allocated;

        void **addrs;
        int *nodes, *status;
        size_t call_allocated;

        uint64_t move_ns_per_page, query_ns_per_item;
        uint64_t move_batch_pages, query_batch_items;
        uint64_t started_usec;
        bool started;
        MigrateStats stats;
};

static long kernel_move_pages(void *userdata, pid_t pid, unsigned long count, void **pages, const int *nodes,
                              int *status, int flags)
{
        return numa_move_pages_errno(pid, count, pages, nodes, status, flags);
}

static uint64_t kernel_now_usec(void *userdata)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static const MigrateOps kernel_ops = {.move_pages = kernel_move_pages, .now_usec = kernel_now_usec};

static uint64_t now_usec(const MigrateJob *j)
{
        return j->ops.now_usec(j->ops.userdata);
}

static uint64_t budget_usec(const MigrateJob *j)
{
        return j->options.call_budget_usec ?: MIGRATE_CALL_BUDGET_USEC_DEFAULT;
}

static int cmp_range_address(const void *a, const void *b)
{
        const MigrateRange *x = a, *y = b;
        return x->start < y->start ? -1 : x->start > y->start;
}

static int cmp_range_node(const void *a, const void *b)
{
        const MigrateRange *x = a, *y = b;
        if (x->node != y->node)
                return x->node < y->node ? -1 : 1;
        return cmp_range_address(a, b);
}

/* Round out to pages, merge overlaps with one target, refuse overlaps with two; then group by target. */
static int normalize_ranges(MigrateRange *v, size_t *n, uint64_t page_size, bool dry_run)
{
        size_t out = 0;

        for (size_t i = 0; i < *n; i++) {
                if (v[i].start >= v[i].end || (!dry_run && v[i].node < 0))
                        return -EINVAL;
                v[i].start -= v[i].start % page_size;
                if (v[i].end % page_size)
                        v[i].end += page_size - v[i].end % page_size;
                if (dry_run) {
                        v[i].node = -1;
                        v[i].max_bytes = 0;
                }
        }
        if (*n == 0)
                return 0;
        qsort(v, *n, sizeof(*v), cmp_range_address);
        for (size_t i = 1; i < *n; i++) {
                if (v[i].start >= v[out].end)
                        v[++out] = v[i];
                else if (v[i].node == v[out].node) {
                        v[out].end = MAX(v[out].end, v[i].end);
                        v[out].max_bytes = v[out].max_bytes == 0 || v[i].max_bytes == 0 ? 0
                                           : v[i].max_bytes > UINT64_MAX - v[out].max_bytes
                                                   ? UINT64_MAX
                                                   : v[out].max_bytes + v[i].max_bytes;
                } else
                        return -EINVAL;
        }
        *n = out + 1;
        qsort(v, *n, sizeof(*v), cmp_range_node);
        return 0;
}

/* The stats of a node, added in order when missing. */
static MigrateNodeStats *node_stats(MigrateJob *j, int node)
{
        MigrateStats *s = &j->stats;
        size_t i = 0;
        while (i < s->n_nodes && s->nodes[i].node < node)
                i++;
        if (i < s->n_nodes && s->nodes[i].node == node)
                return &s->nodes[i];
        MigrateNodeStats *v = realloc(s->nodes, (s->n_nodes + 1) * sizeof(*v));
        if (!v)
                return NULL;
        memmove(v + i + 1, v + i, (s->n_nodes - i) * sizeof(*v));
        v[i] = (MigrateNodeStats){.node = node};
        s->nodes = v;
        s->n_nodes++;
        return &v[i];
}

int migrate_job_new(SysfsRoot *root, pid_t pid, const MigrateRange *ranges, size_t n_ranges,
                    const MigrateOptions *options, MigrateJob **ret)
{
        _cleanup_(migrate_job_freep) MigrateJob *j = calloc(1, sizeof(*j));
        int r;

        if (!j)
                return -ENOMEM;
        j->root = root;
        j->pid = pid;
        j->options = *options;
        j->ops = options->ops ? *options->ops : kernel_ops;
        j->any_source = nodemask_empty(&options->from_nodes);
        j->move_batch_pages = MOVE_FIRST_PAGES;
        j->query_batch_items = QUERY_FIRST_ITEMS;

        r = page_scan_new(root, pid, &j->scan);
        if (r < 0)
                return r;
        j->stats = (MigrateStats){
                .pid = pid,
                .dry_run = options->dry_run,
                .page_size = page_scan_page_size(j->scan),
                .kpageflags = page_scan_has_kpageflags(j->scan),
        };

        if (n_ranges > 0) {
                j->ranges = calloc(n_ranges, sizeof(*ranges));
                if (!j->ranges)
                        return -ENOMEM;
                memcpy(j->ranges, ranges, n_ranges * sizeof(*ranges));
        }
        j->n_ranges = n_ranges;
        r = normalize_ranges(j->ranges, &j->n_ranges, j->stats.page_size, options->dry_run);
        if (r < 0)
                return r;
        for (size_t i = 0; i < j->n_ranges && !options->dry_run; i++)
                if (!node_stats(j, j->ranges[i].node))
                        return -ENOMEM;
        *ret = TAKE_PTR(j);
        return 0;
}

int migrate_job_new_process(SysfsRoot *root, pid_t pid, int node, const MigrateOptions *options, MigrateJob **ret)
{
        _cleanup_free_ PageRange *maps = NULL;
        _cleanup_free_ MigrateRange *ranges = NULL;
        size_t n = 0;
        int r;

        r = page_ranges_read_maps(root, pid, &maps, &n);
        if (r < 0)
                return r;
        if (n > 0) {
                ranges = calloc(n, sizeof(*ranges));
                if (!ranges)
                        return -ENOMEM;
        }
        for (size_t i = 0; i < n; i++)
                ranges[i] = (MigrateRange){.start = maps[i].start, .end = maps[i].end, .node = node};
        return migrate_job_new(root, pid, ranges, n, options, ret);
}

MigrateJob *migrate_job_free(MigrateJob *j)
{
        if (!j)
                return NULL;
        page_scan_free(j->scan);
        free(j->ranges);
        free(j->ready.v);
        free(j->verify);
        free(j->addrs);
        free(j->nodes);
        free(j->status);
        free(j->stats.nodes);
        free(j);
        return NULL;
}

const MigrateStats *migrate_job_stats(const MigrateJob *j)
{
        return &j->stats;
}

static int part_node(const MigrateJob *j)
{
        return j->ranges[j->part].node;
}

/* A page on that node is the job's to move (or already on the target). */
static bool from_source(const MigrateJob *j, int node)
{
        return j->any_source || node == part_node(j) || nodemask_test(&j->options.from_nodes, (unsigned)node);
}

static void count_pages(MigrateCounts *c, uint64_t pages, bool huge, MigrateReason reason)
{
        c->pages[reason] += pages;
        c->huge[reason] += huge;
}

/* An outcome for pages of the current part (its node's stats exist since the job was made). */
static void count_n(MigrateJob *j, uint64_t pages, bool huge, MigrateReason reason)
{
        count_pages(&j->stats.total, pages, huge, reason);
        if (!j->options.dry_run)
                count_pages(&node_stats(j, part_node(j))->sent, pages, huge, reason);
}

static void count(MigrateJob *j, const PageItem *it, MigrateReason reason)
{
        count_n(j, it->pages, it->huge, reason);
}

static MigrateReason reason_of_errno(int status)
{
        switch (status) {
        case -ENOENT:
                return MIGRATE_NOT_PRESENT;
        case -EFAULT:
                return MIGRATE_FAULT;
        case -ENOMEM:
                return MIGRATE_NO_MEMORY;
        case -EACCES:
        case -EPERM:
                return MIGRATE_DENIED;
        case -EBUSY:
                return MIGRATE_BUSY;
        default:
                return MIGRATE_OTHER;
        }
}

static int queue_reserve(ItemQueue *q, size_t more)
{
        if (q->head > 0 && q->head + q->n + more > q->allocated) {
                memmove(q->v, q->v + q->head, q->n * sizeof(*q->v));
                q->head = 0;
        }
        return GREEDY_REALLOC(q->v, q->allocated, q->head + q->n + more);
}

static PageItem *queue_at(ItemQueue *q, size_t i)
{
        return &q->v[q->head + i];
}

static void queue_pop(ItemQueue *q, size_t k)
{
        for (size_t i = 0; i < k; i++)
                q->pages -= queue_at(q, i)->pages;
        q->head += k;
        q->n -= k;
        if (q->n == 0)
                q->head = 0;
}

static int verify_push(MigrateJob *j, const PageItem *it, MigrateReason reason)
{
        if (GREEDY_REALLOC(j->verify, j->verify_allocated, j->n_verify + 1) < 0)
                return -ENOMEM;
        j->verify[j->n_verify++] = (VerifyItem){.item = *it, .reason = reason};
        return 0;
}

/* Count what the current part holds (queued pages as `queued`, pages awaiting a query under their own outcome)
 * and record how the part ended. */
static void flush_part(MigrateJob *j, MigrateEnd end, int error, MigrateReason queued)
{
        for (size_t i = 0; i < j->ready.n; i++)
                count(j, queue_at(&j->ready, i), queued);
        queue_pop(&j->ready, j->ready.n);
        for (size_t i = 0; i < j->n_verify; i++)
                count(j, &j->verify[i].item, j->verify[i].reason);
        j->n_verify = 0;
        if (!j->options.dry_run) {
                MigrateNodeStats *ns = node_stats(j, part_node(j));
                if (ns->end == MIGRATE_END_RUNNING) {
                        ns->end = end;
                        ns->end_error = error;
                }
        }
}

/* A node's part ends early: what it still holds, and the rest of its ranges as they are scanned, count as
 * `reason`; no more calls for it. */
static void stop_part(MigrateJob *j, MigrateEnd end, int error, MigrateReason reason)
{
        flush_part(j, end, error, reason);
        j->draining = true;
        j->drain_reason = reason;
}

/* On to the next part (or the end of the ranges). */
static void next_part(MigrateJob *j, MigrateEnd end, int error, MigrateReason queued)
{
        flush_part(j, end, error, queued);
        int node = part_node(j);
        while (j->range < j->n_ranges && j->ranges[j->range].node == node)
                j->range++;
        j->range_open = false;
        j->part = j->range;
        j->draining = false;
}

static void end_job(MigrateJob *j, MigrateEnd end, int error, MigrateReason queued)
{
        while (j->part < j->n_ranges)
                next_part(j, end, error, queued);
        for (size_t i = 0; i < j->stats.n_nodes; i++) /* a dry run's nodes: where pages were found */
                if (j->stats.nodes[i].end == MIGRATE_END_RUNNING)
                        j->stats.nodes[i].end = end;
        j->stats.end = end;
        j->stats.end_error = error;
        j->stats.elapsed_usec = now_usec(j) - j->started_usec;
}

/* A call that failed as a whole. */
static void call_failed(MigrateJob *j, long r, bool move)
{
        switch (r) {
        case -ESRCH:
        case -EINVAL: /* the task exists but has no address space: a zombie */
                end_job(j, MIGRATE_END_PROCESS_EXITED, (int)r, MIGRATE_NOT_ATTEMPTED);
                return;
        case -EPERM:
                end_job(j, MIGRATE_END_DENIED, (int)r, MIGRATE_DENIED);
                return;
        case -ENODEV:
                if (move) {
                        stop_part(j, MIGRATE_END_NODE_GONE, (int)r, MIGRATE_NOT_ATTEMPTED);
                        return;
                }
                break;
        case -EACCES:
                if (move) {
                        stop_part(j, MIGRATE_END_DENIED, (int)r, MIGRATE_DENIED);
                        return;
                }
                break;
        }
        end_job(j, MIGRATE_END_FAILED, (int)r, MIGRATE_NOT_ATTEMPTED);
}

static int call_reserve(MigrateJob *j, size_t n)
{
        size_t a = j->call_allocated, b = j->call_allocated, c = j->call_allocated;
        if (GREEDY_REALLOC(j->addrs, a, n) < 0 || GREEDY_REALLOC(j->nodes, b, n) < 0 ||
            GREEDY_REALLOC(j->status, c, n) < 0)
                return -ENOMEM;
        j->call_allocated = MIN(a, MIN(b, c));
        return 0;
}

/* The next batch size from the time this call took: aim at 3/4 of the budget, grow at most twofold. */
static uint64_t adapt(uint64_t *ns_per_unit, uint64_t units, uint64_t usec, uint64_t budget, uint64_t current,
                      uint64_t max)
{
        if (units<ADAPT_MIN_UNITS && * ns_per_unit> 0)
                return current;
        uint64_t measured = MAX(usec * 1000 / MAX(units, 1), 1);
        *ns_per_unit = *ns_per_unit ? (*ns_per_unit + 3 * measured) / 4 : measured;
        uint64_t next = budget * 1000 * 3 / 4 / *ns_per_unit;
        return MAX(MIN(next, MIN(2 * current, max)), 1);
}

/* One move_pages(2) call on addrs[0, n): nodes NULL for a query.  Time and counts go to the stats. */
static long call(MigrateJob *j, size_t n, const int *nodes, uint64_t *ret_usec)
{
        for (size_t i = 0; i < n; i++)
                j->status[i] = STATUS_UNWRITTEN;
        int flags = j->options.move_all ? MPOL_MF_MOVE_ALL : MPOL_MF_MOVE;
        uint64_t t0 = now_usec(j);
        long r = j->ops.move_pages(j->ops.userdata, j->pid, n, j->addrs, nodes, j->status, flags);
        uint64_t usec = now_usec(j) - t0;
        if (nodes)
                j->stats.move_calls++;
        else
                j->stats.query_calls++;
        j->stats.call_usec += usec;
        j->stats.max_call_usec = MAX(j->stats.max_call_usec, usec);
        j->stats.calls_over_budget += usec > budget_usec(j);
        *ret_usec = usec;
        return r;
}

/* A query of items (stride apart in memory, so that both queues can be asked); the statuses are in j->status. */
static long query(MigrateJob *j, const PageItem *first, size_t stride, size_t n)
{
        uint64_t usec;
        if (call_reserve(j, n) < 0)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++)
                j->addrs[i] = (void *)(uintptr_t)((const PageItem *)((const char *)first + i * stride))->addr;
        long r = call(j, n, NULL, &usec);
        j->query_batch_items =
                adapt(&j->query_ns_per_item, n, usec, budget_usec(j), j->query_batch_items, CALL_MAX_ITEMS);
        return r;
}

/* Pages whose outcome a failed batch or -EBUSY left open: on the target now means moved. */
static int verify_step(MigrateJob *j)
{
        size_t n = MIN(j->n_verify, (size_t)j->query_batch_items);
        int target = part_node(j);
        long r = query(j, &j->verify[0].item, sizeof(VerifyItem), n);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                call_failed(j, r, false);
                return 0;
        }
        for (size_t i = 0; i < n; i++) {
                int s = j->status[i];
                MigrateReason reason = s == target                    ? MIGRATE_MOVED
                                       : s == -ENOENT || s == -EFAULT ? reason_of_errno(s)
                                                                      : j->verify[i].reason;
                count(j, &j->verify[i].item, reason);
        }
        memmove(j->verify, j->verify + n, (j->n_verify - n) * sizeof(*j->verify));
        j->n_verify -= n;
        return 0;
}

/* Remove the items of the queue's first n whose keep[] is 0, keeping the order of the others. */
static void queue_drop(ItemQueue *q, size_t n, const int *keep)
{
        size_t w = n;
        for (size_t i = n; i-- > 0;)
                if (keep[i])
                        *queue_at(q, --w) = *queue_at(q, i);
                else
                        q->pages -= queue_at(q, i)->pages;
        q->head += w;
        q->n -= w;
        if (q->n == 0)
                q->head = 0;
}

/* A dry run's query, or learning where a batch is when frame numbers are hidden. */
static int query_step(MigrateJob *j)
{
        bool dry = j->options.dry_run;
        size_t n = 0;
        while (n < j->ready.n && n < j->query_batch_items && (dry || queue_at(&j->ready, n)->node < 0))
                n++;
        long r = query(j, queue_at(&j->ready, 0), sizeof(PageItem), n);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                call_failed(j, r, false);
                return 0;
        }
        int *keep = j->nodes; /* unused by a query; as large as the batch */
        for (size_t i = 0; i < n; i++) {
                PageItem *it = queue_at(&j->ready, i);
                int s = j->status[i];
                keep[i] = 0;
                if (s == STATUS_UNWRITTEN)
                        count(j, it, MIGRATE_OTHER);
                else if (s < 0)
                        count(j, it, reason_of_errno(s));
                else if (dry) {
                        MigrateNodeStats *ns = node_stats(j, s);
                        if (!ns)
                                return -ENOMEM;
                        ns->found_pages += it->pages;
                        ns->found_huge += it->huge;
                } else if (s == part_node(j))
                        count(j, it, MIGRATE_ALREADY_THERE);
                else if (from_source(j, s)) {
                        it->node = s;
                        keep[i] = 1;
                }
        }
        queue_drop(&j->ready, n, keep);
        return 0;
}

/* How many bytes the target may still take above the floor; -ENODEV when its node directory is gone. */
static int room_bytes(MigrateJob *j, int node, uint64_t *ret)
{
        static const char *const fields[] = {"MemFree"};
        uint64_t free_kb;
        uint64_t *out[] = {&free_kb};

        if (j->options.free_floor_bytes == 0) {
                *ret = UINT64_MAX;
                return 0;
        }
        int r = sysfs_read_meminfo_kb(j->root, 1, fields, out, "sys/devices/system/node/node%d/meminfo", node);
        if (r == -ENOENT)
                return -ENODEV;
        if (r < 0)
                return r;
        uint64_t free_bytes = free_kb * 1024;
        *ret = free_bytes > j->options.free_floor_bytes ? free_bytes - j->options.free_floor_bytes : 0;
        return 0;
}

static int move_step(MigrateJob *j, uint64_t *ret_next_usec)
{
        int target = part_node(j);
        uint64_t room, now = now_usec(j);
        uint64_t allowed = j->options.rate_limit ? ratelimit_available(j->options.rate_limit, now) : UINT64_MAX;

        if (allowed == 0) {
                *ret_next_usec = ratelimit_next_usec(j->options.rate_limit, now);
                return 0;
        }
        int r = room_bytes(j, target, &room);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                stop_part(j, r == -ENODEV ? MIGRATE_END_NODE_GONE : MIGRATE_END_FAILED, r, MIGRATE_NOT_ATTEMPTED);
                return 0;
        }

        /* The batch: known to be elsewhere, within the pages, the rate and the room. */
        size_t n = 0;
        uint64_t pages = 0, bytes = 0;
        while (n < j->ready.n && n < CALL_MAX_ITEMS) {
                const PageItem *it = queue_at(&j->ready, n);
                uint64_t b = it->pages * j->stats.page_size;
                if (it->node < 0 || (n > 0 && (pages + it->pages > j->move_batch_pages || bytes + b > allowed)) ||
                    bytes + b > room)
                        break;
                pages += it->pages;
                bytes += b;
                n++;
        }
        if (n == 0) {
                /* Not even the first fits above the floor: hold a batch back as out of memory. */
                size_t k = 0;
                for (pages = 0; k < j->ready.n && pages < j->move_batch_pages; k++) {
                        pages += queue_at(&j->ready, k)->pages;
                        count(j, queue_at(&j->ready, k), MIGRATE_NO_MEMORY);
                }
                queue_pop(&j->ready, k);
                return 0;
        }

        if (call_reserve(j, n) < 0)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                j->addrs[i] = (void *)(uintptr_t)queue_at(&j->ready, i)->addr;
                j->nodes[i] = target;
        }
        if (j->options.rate_limit)
                ratelimit_consume(j->options.rate_limit, now, bytes);
        uint64_t usec;
        long k = call(j, n, j->nodes, &usec);
        j->move_batch_pages =
                adapt(&j->move_ns_per_page, pages, usec, budget_usec(j), j->move_batch_pages, MOVE_MAX_PAGES);
        if (k < 0 && k != -ENOMEM) {
                call_failed(j, k, true);
                return 0;
        }

        /* Unwritten entries: the first run is the batch the kernel failed, a run after the entry that ended it
         * was never attempted (the kernel stops there). */
        size_t failed = 0, failed_end, consumed = n;
        while (failed < n && j->status[failed] != STATUS_UNWRITTEN)
                failed++;
        for (failed_end = failed; failed_end < n && j->status[failed_end] == STATUS_UNWRITTEN; failed_end++)
                ;
        bool rest_unattempted = failed_end + 1 < n;
        for (size_t i = failed_end + 1; i < n; i++)
                rest_unattempted = rest_unattempted && j->status[i] == STATUS_UNWRITTEN;
        if (rest_unattempted)
                consumed = failed_end + 1;

        for (size_t i = 0; i < consumed; i++) {
                const PageItem *it = queue_at(&j->ready, i);
                int s = j->status[i];
                if (s == STATUS_UNWRITTEN && i >= failed && i < failed_end)
                        r = verify_push(j, it, k == -ENOMEM ? MIGRATE_NO_MEMORY : MIGRATE_BUSY);
                else if (s == -EBUSY)
                        r = verify_push(j, it, MIGRATE_BUSY);
                else {
                        count(j, it,
                              s == target                       ? MIGRATE_MOVED
                              : s >= 0 || s == STATUS_UNWRITTEN ? MIGRATE_OTHER
                                                                : reason_of_errno(s));
                        r = 0;
                }
                if (r < 0)
                        return r;
        }
        queue_pop(&j->ready, consumed);
        if (j->options.rate_limit)
                *ret_next_usec = ratelimit_next_usec(j->options.rate_limit, now_usec(j));
        return 0;
}

/* The pages a range may queue, UINT64_MAX for all. */
static uint64_t range_cap_pages(const MigrateJob *j, const MigrateRange *r)
{
        uint64_t page = j->stats.page_size;
        return r->max_bytes == 0 ? UINT64_MAX : r->max_bytes / page + (r->max_bytes % page != 0);
}

/* Scan the current part until a batch is queued, its ranges are done, or a quarter of the budget is spent. */
static int fill(MigrateJob *j)
{
        size_t want_items = j->options.dry_run ? j->query_batch_items : MIN(j->move_batch_pages, CALL_MAX_ITEMS);
        uint64_t want_pages = j->options.dry_run ? UINT64_MAX : j->move_batch_pages;
        uint64_t deadline = now_usec(j) + budget_usec(j) / 4;
        int node = part_node(j);

        while (j->ready.n < want_items && j->ready.pages < want_pages) {
                if (!j->range_open) {
                        if (j->range >= j->n_ranges || j->ranges[j->range].node != node)
                                return 0;
                        page_scan_start(j->scan, j->ranges[j->range].start, j->ranges[j->range].end);
                        j->range_open = true;
                        j->range_queued_pages = 0;
                }
                uint64_t cap = range_cap_pages(j, &j->ranges[j->range]);
                size_t room = want_items - j->ready.n;
                if (queue_reserve(&j->ready, room) < 0)
                        return -ENOMEM;
                PageItem *tail = queue_at(&j->ready, j->ready.n);
                PageScanTally tally = {};
                /* Never scan past the cap: what the scan returns is counted, and what lies beyond is left alone. */
                uint64_t max_pages = MIN(want_pages - j->ready.pages, cap - j->range_queued_pages);
                int n = page_scan_next(j->scan, tail, room, max_pages, &tally);
                if (n == -ENOMEM)
                        return n;
                if (n < 0) {
                        end_job(j, n == -ESRCH ? MIGRATE_END_PROCESS_EXITED : MIGRATE_END_FAILED, n,
                                MIGRATE_NOT_ATTEMPTED);
                        return 0;
                }
                count_n(j, tally.not_present, false, MIGRATE_NOT_PRESENT);
                count_n(j, tally.zero, false, MIGRATE_FAULT);
                if (n == 0) {
                        j->range_open = false;
                        j->range++;
                        continue;
                }
                /* Pages already on the target need no call; a stopped part's pages get none; pages on other
                 * nodes than the sources are not the job's. */
                for (int i = 0; i < n; i++) {
                        if (!j->options.dry_run && tail[i].node >= 0 && !from_source(j, tail[i].node))
                                continue;
                        if (j->draining) {
                                count(j, &tail[i], j->drain_reason);
                                continue;
                        }
                        if (!j->options.dry_run && tail[i].node == node) {
                                count(j, &tail[i], MIGRATE_ALREADY_THERE);
                                continue;
                        }
                        *queue_at(&j->ready, j->ready.n++) = tail[i];
                        j->ready.pages += tail[i].pages;
                        j->range_queued_pages += tail[i].pages;
                }
                if (j->range_queued_pages >= cap) {
                        j->range_open = false;
                        j->range++;
                }
                if (now_usec(j) >= deadline)
                        break;
        }
        return 0;
}

static bool part_scanned(const MigrateJob *j)
{
        return !j->range_open && (j->range >= j->n_ranges || j->ranges[j->range].node != part_node(j));
}

/* A full batch is queued, or all the part has. */
static bool batch_ready(const MigrateJob *j)
{
        if (part_scanned(j))
                return true;
        if (j->options.dry_run)
                return j->ready.n >= j->query_batch_items;
        return j->ready.n >= MIN(j->move_batch_pages, CALL_MAX_ITEMS) || j->ready.pages >= j->move_batch_pages;
}

static void update_sources(MigrateJob *j)
{
        j->stats.pfns = page_scan_has_pfns(j->scan);
        j->stats.scan_ioctl = page_scan_has_scan_ioctl(j->scan);
}

int migrate_job_step(MigrateJob *j, uint64_t *ret_next_usec)
{
        uint64_t next = 0;
        int r = 0;

        if (j->stats.end != MIGRATE_END_RUNNING)
                return 1;
        if (!j->started) {
                j->started_usec = now_usec(j);
                j->started = true;
        }

        if (j->part >= j->n_ranges) {
                end_job(j, MIGRATE_END_DONE, 0, MIGRATE_NOT_ATTEMPTED);
                return 1;
        }
        if (j->n_verify > 0)
                r = verify_step(j);
        else {
                r = fill(j);
                if (r >= 0 && j->stats.end == MIGRATE_END_RUNNING) {
                        if (j->ready.n == 0) {
                                if (part_scanned(j))
                                        next_part(j, MIGRATE_END_DONE, 0, MIGRATE_NOT_ATTEMPTED);
                        } else if (!batch_ready(j))
                                ; /* the scan took its time: go on with it in the next step */
                        else if (j->options.dry_run || queue_at(&j->ready, 0)->node < 0)
                                r = query_step(j);
                        else
                                r = move_step(j, &next);
                }
        }
        if (r < 0)
                return r;
        update_sources(j);
        if (j->stats.end == MIGRATE_END_RUNNING && j->part >= j->n_ranges)
                end_job(j, MIGRATE_END_DONE, 0, MIGRATE_NOT_ATTEMPTED);
        if (j->stats.end != MIGRATE_END_RUNNING)
                return 1;
        if (ret_next_usec)
                *ret_next_usec = next ?: now_usec(j);
        return 0;
}

int migrate_job_run(MigrateJob *j)
{
        for (;;) {
                uint64_t next;
                int r = migrate_job_step(j, &next);
                if (r != 0)
                        return r < 0 ? r : 0;
                struct timespec ts = {.tv_sec = (time_t)(next / 1000000), .tv_nsec = (long)(next % 1000000) * 1000};
                while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
                        ;
        }
}
