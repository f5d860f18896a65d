/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The migration engine (migrate.h) against a simulated kernel on a scratch tree.  The simulation follows
 * do_pages_move() in mm/migrate.c (Linux 6.12): entries batched while their target stays the same, the batch
 * migrated when an entry is not queued (already there, an error: its status written first) or at the end; a
 * failed batch leaves its statuses unwritten and the call returns the pages not migrated plus those not
 * attempted (-ENOMEM as such); a second address of a folio isolated in the batch answers -EBUSY, the folio's
 * other pages "already there" once it has moved.  Expected outcomes are worked out by hand for each case.
 */
#include <errno.h>

#include <numaif.h>

#include "migrate.h"
#include "proc-tree.h"
#include "tests.h"

#define N_PAGES 16384 /* the big process; the usual one uses the first 1024 */
#define SMALL 1024
#define THP_FIRST 512

typedef struct Fake {
        int node[N_PAGES]; /* -1: not present */
        int head[N_PAGES]; /* the folio's first page */
        bool busy[N_PAGES];
        bool isolated[N_PAGES];
        uint64_t free_pages[3];
        bool node_gone[3];
        unsigned calls, move_calls;
        int flags;                /* of the last call */
        unsigned esrch_at_call;   /* that call and later: -ESRCH */
        unsigned fail_batch_call; /* in that call, the first batch migrates fail_batch_keep folios, fails the rest */
        unsigned fail_batch_keep;
        bool write_meminfo; /* keep the tree's MemFree as free_pages says */
        uint64_t now, call_usec, page_usec, query_usec;
        uint64_t max_batch_pages; /* the most base pages one move call carried */
        size_t queue[N_PAGES], n_queue;
} Fake;

static int page_of(uint64_t addr)
{
        return addr >= BASE && addr < BASE + N_PAGES * (uint64_t)PAGE ? (int)((addr - BASE) / PAGE) : -1;
}

static unsigned folio_pages(const Fake *f, int head)
{
        unsigned n = 0;
        for (int i = head; i < N_PAGES && f->head[i] == head; i++)
                n++;
        return n;
}

static void write_meminfo(Fake *f)
{
        if (!f->write_meminfo)
                return;
        for (int n = 0; n < 3; n++) {
                char p[64];
                snprintf(p, sizeof p, "sys/devices/system/node/node%d/meminfo", n);
                put(p, "Node %d MemFree:  %" PRIu64 " kB\n", n, f->free_pages[n] * PAGE / 1024);
        }
}

static void put_back(Fake *f)
{
        for (size_t q = 0; q < f->n_queue; q++)
                f->isolated[f->queue[q]] = false;
        f->n_queue = 0;
}

/* move_pages_and_store_status(): 0, a positive count (with the rest not attempted) or -ENOMEM. */
static long flush(Fake *f, int node, int *status, size_t start, size_t i, size_t n)
{
        if (f->n_queue == 0)
                return 0;
        uint64_t batch = 0;
        for (size_t q = 0; q < f->n_queue; q++) {
                int h = (int)f->queue[q];
                unsigned pages = folio_pages(f, h);
                if (f->move_calls == f->fail_batch_call && q >= f->fail_batch_keep) {
                        size_t failed = f->n_queue - q;
                        put_back(f);
                        return (long)(failed + (n - i));
                }
                if (f->free_pages[node] < pages) {
                        put_back(f);
                        write_meminfo(f);
                        return -ENOMEM;
                }
                f->free_pages[node] -= pages;
                f->free_pages[f->node[h]] += pages;
                for (int p = h; p < h + (int)pages; p++)
                        f->node[p] = node;
                f->isolated[h] = false;
                f->now += pages * f->page_usec;
                batch += pages;
        }
        f->n_queue = 0;
        f->max_batch_pages = MAX(f->max_batch_pages, batch);
        write_meminfo(f);
        for (size_t k = start; k < i; k++)
                status[k] = node;
        return 0;
}

/* add_page_for_migration(): 1 queued, 0 already there, or the error. */
static int add_page(Fake *f, uint64_t addr, int node)
{
        int p = page_of(addr);
        if (p < 0)
                return -EFAULT;
        if (f->node[p] < 0)
                return -ENOENT;
        int h = f->head[p];
        if (f->node[h] == node)
                return 0;
        if (f->busy[p] || f->isolated[h])
                return -EBUSY;
        f->isolated[h] = true;
        f->queue[f->n_queue++] = (size_t)h;
        return 1;
}

static long fake_move_pages(void *userdata, pid_t pid, unsigned long n, void **pages, const int *nodes, int *status,
                            int flags)
{
        Fake *f = userdata;

        f->calls++;
        f->flags = flags;
        f->now += f->call_usec;
        if (pid != TEST_PID || (f->esrch_at_call && f->calls >= f->esrch_at_call))
                return -ESRCH;
        if (!nodes) {
                for (size_t i = 0; i < n; i++) {
                        int p = page_of((uint64_t)(uintptr_t)pages[i]);
                        status[i] = p < 0 ? -EFAULT : f->node[p] < 0 ? -ENOENT : f->node[p];
                        f->now += f->query_usec;
                }
                return 0;
        }
        f->move_calls++;
        int current = -1;
        size_t start = 0, i;
        long err = 0;
        for (i = 0; i < n; i++) {
                int node = nodes[i];
                if (node < 0 || node > 2 || f->node_gone[node]) {
                        err = -ENODEV;
                        goto out_flush;
                }
                if (current < 0) {
                        current = node;
                        start = i;
                } else if (node != current) {
                        err = flush(f, current, status, start, i, n);
                        if (err)
                                goto out;
                        start = i;
                        current = node;
                }
                int a = add_page(f, (uint64_t)(uintptr_t)pages[i], current);
                if (a > 0)
                        continue;
                status[i] = a ?: current;
                err = flush(f, current, status, start, i, n);
                if (err) {
                        if (err > 0)
                                err--;
                        goto out;
                }
                current = -1;
        }
out_flush:;
        long err1 = current < 0 ? 0 : flush(f, current, status, start, i, n);
        if (err >= 0)
                err = err1;
out:
        put_back(f);
        return err;
}

static uint64_t fake_now(void *userdata)
{
        return ((Fake *)userdata)->now;
}

/*
 * The process: pages 0-63 on node 1 (4 KiB), 64-71 absent, 72-79 on node 0, 80-511 absent, 512-1023 one THP
 * on node 1.  pfns: whether pagemap shows frame numbers (else the engine must ask where pages are).
 */
static uint64_t pm[N_PAGES];

static void make_process(Fake *f, bool pfns)
{
        uint64_t kf[512];

        *f = (Fake){
                .free_pages = {1 << 20, 1 << 20, 1 << 20}, .call_usec = 50, .page_usec = 10, .query_usec = 1, .now = 1};
        for (int i = 0; i < N_PAGES; i++) {
                f->head[i] = i >= THP_FIRST && i < SMALL ? THP_FIRST : i;
                f->node[i] = i >= SMALL ? -1 : i < 64 || i >= THP_FIRST ? 1 : i >= 72 && i < 80 ? 0 : -1;
                pm[i] = 0;
                if (f->node[i] < 0)
                        continue;
                /* 4 KiB pages on every other frame (no runs); the THP on 512 consecutive, aligned frames. */
                uint64_t pfn = i >= THP_FIRST ? NODE1_PFN + 0x1f00 + (uint64_t)(i - THP_FIRST)
                                              : (f->node[i] ? NODE1_PFN : NODE0_PFN) + 2 * (uint64_t)i;
                pm[i] = PM_PRESENT | (pfns ? pfn : 0);
        }
        for (int i = 0; i < 512; i++)
                kf[i] = KF(KPF_THP) | KF(KPF_ANON) | (i == 0 ? KF(KPF_COMPOUND_HEAD) : KF(KPF_COMPOUND_TAIL));
        make_proc_tree();
        put_pagemap(BASE, pm, N_PAGES);
        put_kpageflags(NODE1_PFN + 0x1f00, kf, 512);
}

/* All N_PAGES pages on node 1, 4 KiB each. */
static void make_big_process(Fake *f)
{
        make_process(f, true);
        for (int i = 0; i < N_PAGES; i++) {
                f->head[i] = i;
                f->node[i] = 1;
                pm[i] = PM_PRESENT | (NODE1_PFN + 2 * (uint64_t)i);
        }
        put_pagemap(BASE, pm, N_PAGES);
}

/* As make_process(), with pages 0-31 on a third node, 2, whose memory block holds frames 65536-98303. */
#define NODE2_PFN UINT64_C(0x10100)
static void make_three_node_process(Fake *f, bool pfns)
{
        make_process(f, pfns);
        put("sys/devices/system/node/node2/memory2/online", "1\n");
        put("sys/devices/system/node/node2/meminfo", "Node 2 MemFree:  1048576 kB\n");
        for (int i = 0; i < 32; i++) {
                f->node[i] = 2;
                pm[i] = PM_PRESENT | (pfns ? NODE2_PFN + 2 * (uint64_t)i : 0);
        }
        put_pagemap(BASE, pm, 32);
}

static bool all_on(const Fake *f, int node, int from, int to)
{
        for (int i = from; i < to; i++)
                if (f->node[i] >= 0 && f->node[i] != node)
                        return false;
        return true;
}

typedef struct Run {
        SysfsRoot *root;
        MigrateJob *job;
        MigrateOps ops;
        const MigrateStats *stats;
        unsigned steps;
} Run;

/* A job over the whole process to node (ranges NULL) or over ranges, stepped to the end on the fake clock. */
static void run_job(Run *run, Fake *f, MigrateOptions *o, const MigrateRange *ranges, size_t n, int node)
{
        MigrateRange all = {.start = BASE, .end = BASE + SMALL * (uint64_t)PAGE, .node = node};

        run->ops = (MigrateOps){.move_pages = fake_move_pages, .now_usec = fake_now, .userdata = f};
        o->ops = &run->ops;
        ASSERT_OK(sysfs_root_new(root, NULL, &run->root));
        ASSERT_OK(migrate_job_new(run->root, TEST_PID, ranges ?: &all, ranges ? n : 1, o, &run->job));
        for (run->steps = 0; run->steps < 100000; run->steps++) {
                uint64_t next = 0;
                int r = migrate_job_step(run->job, &next);
                ASSERT_OK(r);
                if (r == 1)
                        break;
                ASSERT_TRUE(next >= f->now - 1);
                f->now = MAX(f->now, next);
        }
        ASSERT_EQ(migrate_job_step(run->job, NULL), 1); /* ended stays ended */
        run->stats = migrate_job_stats(run->job);
}

static void run_done(Run *run)
{
        migrate_job_free(run->job);
        sysfs_root_free(run->root);
        remove_root();
}

#define PAGES(s, r) ((s)->total.pages[MIGRATE_##r])
#define HUGE(s, r) ((s)->total.huge[MIGRATE_##r])

static Fake f; /* large: not on the stack */

TEST(moves_everything_and_counts_by_folio)
{
        Run run;
        MigrateOptions o = {};

        make_process(&f, true);
        run_job(&run, &f, &o, NULL, 0, 0);
        const MigrateStats *s = run.stats;
        ASSERT_EQ(s->end, MIGRATE_END_DONE);
        ASSERT_EQ(PAGES(s, MOVED), 64 + 512);
        ASSERT_EQ(HUGE(s, MOVED), 1);
        ASSERT_EQ(PAGES(s, ALREADY_THERE), 8); /* known from the frames: never sent */
        ASSERT_EQ(PAGES(s, NOT_PRESENT), 8 + 432);
        ASSERT_EQ(migrate_counts_present(&s->total), 64 + 512 + 8);
        ASSERT_TRUE(migrate_counts_all_placed(&s->total));
        ASSERT_TRUE(all_on(&f, 0, 0, N_PAGES));
        ASSERT_EQ(s->query_calls, 0);
        /* The first batch is 256 pages: the 64 small pages; then the THP, as one address. */
        ASSERT_EQ(s->move_calls, 2);
        ASSERT_EQ(s->n_nodes, 1);
        ASSERT_EQ(s->nodes[0].node, 0);
        ASSERT_EQ(s->nodes[0].end, MIGRATE_END_DONE);
        ASSERT_EQ(s->nodes[0].sent.pages[MIGRATE_MOVED], 576);
        ASSERT_EQ(f.flags, MPOL_MF_MOVE);
        run_done(&run);

        /* Shared pages too: MPOL_MF_MOVE_ALL. */
        make_process(&f, true);
        o.move_all = true;
        run_job(&run, &f, &o, NULL, 0, 0);
        ASSERT_EQ(f.flags, MPOL_MF_MOVE_ALL);
        run_done(&run);
}

TEST(hidden_frames_ask_the_kernel_first)
{
        Run run;
        MigrateOptions o = {};

        /* No frame numbers: no nodes, no kpageflags, so the THP is 512 separate pages.  A query finds where each
         * batch of 256 is: pages 0-63, 72-79 (already there) and the THP's first 184.  The move sends those 248:
         * the THP's second page answers -EBUSY (its head is isolated), is queried again and found moved; its
         * next 182 are on node 0 by then and count as moved, since the query saw them on node 1.  The THP's
         * other 328 pages are asked about after it moved: already there. */
        make_process(&f, false);
        run_job(&run, &f, &o, NULL, 0, 0);
        const MigrateStats *s = run.stats;
        ASSERT_EQ(s->end, MIGRATE_END_DONE);
        ASSERT_TRUE(!s->pfns);
        ASSERT_EQ(PAGES(s, MOVED), 64 + 184);
        ASSERT_EQ(HUGE(s, MOVED), 0);
        ASSERT_EQ(PAGES(s, ALREADY_THERE), 8 + 328);
        ASSERT_EQ(PAGES(s, BUSY), 0);
        ASSERT_EQ(s->move_calls, 1);
        ASSERT_EQ(PAGES(s, NOT_PRESENT), 440);
        ASSERT_EQ(s->query_calls, 3); /* two batches, the -EBUSY page */
        ASSERT_TRUE(all_on(&f, 0, 0, N_PAGES));
        run_done(&run);
}

TEST(busy_page_stays_busy)
{
        Run run;
        MigrateOptions o = {};

        make_process(&f, true);
        f.busy[5] = true;
        run_job(&run, &f, &o, NULL, 0, 0);
        const MigrateStats *s = run.stats;
        ASSERT_EQ(PAGES(s, BUSY), 1);
        ASSERT_EQ(PAGES(s, MOVED), 63 + 512);
        ASSERT_EQ(f.node[5], 1);
        ASSERT_EQ(s->query_calls, 1); /* the busy page, asked once more */
        ASSERT_TRUE(!migrate_counts_all_placed(&s->total));
        run_done(&run);
}

TEST(target_out_of_memory)
{
        Run run;
        MigrateOptions o = {};

        /* Room for 100 pages on node 0: the 64 small pages go, the THP fails -ENOMEM (nothing written); asked
         * again, it is still on node 1. */
        make_process(&f, true);
        f.free_pages[0] = 100;
        run_job(&run, &f, &o, NULL, 0, 0);
        const MigrateStats *s = run.stats;
        ASSERT_EQ(s->end, MIGRATE_END_DONE);
        ASSERT_EQ(PAGES(s, MOVED), 64);
        ASSERT_EQ(PAGES(s, NO_MEMORY), 512);
        ASSERT_EQ(HUGE(s, NO_MEMORY), 1);
        ASSERT_EQ(HUGE(s, MOVED), 0);
        ASSERT_EQ(f.free_pages[0], 36);
        run_done(&run);
}

TEST(enomem_batch_partly_moved)
{
        Run run;
        MigrateOptions o = {};

        /* 40 pages of room: the first batch (64 small pages) moves 40 and fails -ENOMEM, statuses unwritten.  The
         * query after it finds those 40 on node 0: moved, never "out of memory"; the other 24 are. */
        make_process(&f, true);
        f.free_pages[0] = 40;
        run_job(&run, &f, &o, NULL, 0, 0);
        const MigrateStats *s = run.stats;
        ASSERT_EQ(PAGES(s, MOVED), 40);
        ASSERT_EQ(PAGES(s, NO_MEMORY), 24 + 512);
        ASSERT_EQ(f.free_pages[0], 0);
        run_done(&run);
}

TEST(free_floor_holds_pages_back)
{
        Run run;
        MigrateOptions o = {.free_floor_bytes = 50 * PAGE};

        /* MemFree 100 pages, floor 50: 50 small pages fit above it; the rest (14 small pages and the THP) are
         * held back without a call, and node 0 never goes below the floor. */
        make_process(&f, true);
        f.free_pages[0] = 100;
        f.write_meminfo = true;
        write_meminfo(&f);
        run_job(&run, &f, &o, NULL, 0, 0);
        const MigrateStats *s = run.stats;
        ASSERT_EQ(PAGES(s, MOVED), 50);
        ASSERT_EQ(PAGES(s, NO_MEMORY), 14 + 512);
        ASSERT_EQ(HUGE(s, NO_MEMORY), 1);
        ASSERT_EQ(f.free_pages[0], 50);
        ASSERT_EQ(s->move_calls, 1);
        run_done(&run);
}

TEST(failed_batch_is_queried_and_the_rest_sent_again)
{
        Run run;
        MigrateOptions o = {};

        /* Page 10 busy: the first call queues 0-9, stores -EBUSY for 10 and migrates the batch, which fails after
         * 4 of its pages: 0-9 unwritten, 11-63 unwritten and not attempted (return 6 + 53).  0-3 are found
         * moved, 4-9 and 10 busy; 11-63 go in the next call. */
        make_process(&f, true);
        f.busy[10] = true;
        f.fail_batch_call = 1;
        f.fail_batch_keep = 4;
        run_job(&run, &f, &o, NULL, 0, 0);
        const MigrateStats *s = run.stats;
        ASSERT_EQ(PAGES(s, MOVED), 4 + 53 + 512);
        ASSERT_EQ(PAGES(s, BUSY), 6 + 1);
        ASSERT_EQ(PAGES(s, NOT_ATTEMPTED), 0);
        ASSERT_TRUE(all_on(&f, 0, 11, 64));
        ASSERT_TRUE(!all_on(&f, 0, 4, 11));
        run_done(&run);
}

TEST(process_exits_midway)
{
        Run run;
        MigrateOptions o = {};

        make_process(&f, true);
        f.esrch_at_call = 2;
        run_job(&run, &f, &o, NULL, 0, 0);
        const MigrateStats *s = run.stats;
        ASSERT_EQ(s->end, MIGRATE_END_PROCESS_EXITED);
        ASSERT_EQ(s->end_error, -ESRCH);
        ASSERT_EQ(PAGES(s, MOVED), 64);
        ASSERT_EQ(PAGES(s, NOT_ATTEMPTED), 512);
        ASSERT_EQ(s->nodes[0].end, MIGRATE_END_PROCESS_EXITED);
        ASSERT_EQ(s->move_calls, 2);
        run_done(&run);
}

TEST(node_gone_ends_its_part_only)
{
        Run run;
        MigrateOptions o = {};
        /* Pages 0-63 and the THP to node 0 (gone), pages 64-511 (72-79 present, on node 0) to node 1. */
        MigrateRange ranges[] = {
                {.start = BASE + 512 * (uint64_t)PAGE, .end = BASE + 1024 * (uint64_t)PAGE, .node = 0},
                {.start = BASE, .end = BASE + 64 * (uint64_t)PAGE, .node = 0},
                {.start = BASE + 64 * (uint64_t)PAGE, .end = BASE + 512 * (uint64_t)PAGE, .node = 1},
        };

        make_process(&f, true);
        f.node_gone[0] = true;
        run_job(&run, &f, &o, ranges, ELEMENTSOF(ranges), 0);
        const MigrateStats *s = run.stats;
        ASSERT_EQ(s->end, MIGRATE_END_DONE);
        ASSERT_EQ(s->n_nodes, 2);
        ASSERT_EQ(s->nodes[0].node, 0);
        ASSERT_EQ(s->nodes[0].end, MIGRATE_END_NODE_GONE);
        ASSERT_EQ(s->nodes[0].end_error, -ENODEV);
        /* One call says ENODEV; what it held and the rest of the node's ranges are counted, not sent. */
        ASSERT_EQ(s->nodes[0].sent.pages[MIGRATE_NOT_ATTEMPTED], 64 + 512);
        ASSERT_EQ(s->nodes[1].node, 1);
        ASSERT_EQ(s->nodes[1].end, MIGRATE_END_DONE);
        ASSERT_EQ(s->nodes[1].sent.pages[MIGRATE_MOVED], 8);
        ASSERT_EQ(s->nodes[1].sent.pages[MIGRATE_NOT_PRESENT], 440);
        ASSERT_EQ(s->move_calls, 2);
        ASSERT_TRUE(all_on(&f, 1, 0, N_PAGES));
        run_done(&run);

        /* A part larger than a batch: the rest of its pages are scanned and counted, without calls. */
        make_big_process(&f);
        f.node_gone[0] = true;
        MigrateRange all = {.start = BASE, .end = BASE + N_PAGES * (uint64_t)PAGE, .node = 0};
        run_job(&run, &f, &o, &all, 1, 0);
        ASSERT_EQ(run.stats->total.pages[MIGRATE_NOT_ATTEMPTED], N_PAGES);
        ASSERT_EQ(run.stats->move_calls, 1);
        run_done(&run);
}

TEST(dry_run_says_where_pages_are)
{
        Run run;
        MigrateOptions o = {.dry_run = true};

        make_process(&f, true);
        run_job(&run, &f, &o, NULL, 0, -1);
        const MigrateStats *s = run.stats;
        ASSERT_EQ(s->end, MIGRATE_END_DONE);
        ASSERT_EQ(s->move_calls, 0);
        ASSERT_EQ(s->query_calls, 1);
        ASSERT_EQ(s->n_nodes, 2);
        ASSERT_EQ(s->nodes[0].node, 0);
        ASSERT_EQ(s->nodes[0].found_pages, 8);
        ASSERT_EQ(s->nodes[0].end, MIGRATE_END_DONE);
        ASSERT_EQ(s->nodes[1].node, 1);
        ASSERT_EQ(s->nodes[1].found_pages, 64 + 512);
        ASSERT_EQ(s->nodes[1].found_huge, 1);
        ASSERT_EQ(PAGES(s, NOT_PRESENT), 440);
        ASSERT_EQ(migrate_stats_present(s), 584);
        ASSERT_EQ(f.node[0], 1);
        run_done(&run);
}

TEST(ranges)
{
        SysfsRoot *sr;
        MigrateJob *j = NULL;
        MigrateOptions o = {};
        MigrateOps ops = {.move_pages = fake_move_pages, .now_usec = fake_now, .userdata = &f};
        o.ops = &ops;

        make_process(&f, true);
        ASSERT_OK(sysfs_root_new(root, NULL, &sr));
        MigrateRange bad[][2] = {
                {{.start = BASE, .end = BASE, .node = 0}, {}},         /* empty */
                {{.start = BASE, .end = BASE + PAGE, .node = -1}, {}}, /* no node */
                {{.start = BASE, .end = BASE + 2 * PAGE, .node = 0},
                 {.start = BASE + PAGE, .end = BASE + 3 * PAGE, .node = 1}},
        };
        ASSERT_EQ(migrate_job_new(sr, TEST_PID, bad[0], 1, &o, &j), -EINVAL);
        ASSERT_EQ(migrate_job_new(sr, TEST_PID, bad[1], 1, &o, &j), -EINVAL);
        ASSERT_EQ(migrate_job_new(sr, TEST_PID, bad[2], 2, &o, &j), -EINVAL);
        ASSERT_EQ(migrate_job_new(sr, TEST_PID + 1, bad[2], 1, &o, &j), -ESRCH);

        /* Overlapping ranges to one node are merged, unaligned ends rounded out: pages 0-63 once each. */
        MigrateRange twice[] = {
                {.start = BASE + 1, .end = BASE + 40 * PAGE - 1, .node = 0},
                {.start = BASE + 20 * PAGE, .end = BASE + 64 * PAGE, .node = 0},
        };
        ASSERT_OK(migrate_job_new(sr, TEST_PID, twice, 2, &o, &j));
        int r;
        while ((r = migrate_job_step(j, NULL)) == 0)
                ;
        ASSERT_EQ(r, 1);
        ASSERT_EQ(migrate_job_stats(j)->total.pages[MIGRATE_MOVED], 64);
        ASSERT_EQ(f.node[64 + 8], 0);
        ASSERT_EQ(f.node[THP_FIRST], 1);
        j = migrate_job_free(j);

        /* No ranges: done at once. */
        ASSERT_OK(migrate_job_new(sr, TEST_PID, NULL, 0, &o, &j));
        ASSERT_EQ(migrate_job_step(j, NULL), 1);
        ASSERT_EQ(migrate_job_stats(j)->end, MIGRATE_END_DONE);
        j = migrate_job_free(j);

        sysfs_root_free(sr);
        remove_root();

        /* The whole process: the mapping of the tree's maps, pages 0-1023. */
        make_process(&f, true);
        ASSERT_OK(sysfs_root_new(root, NULL, &sr));
        ASSERT_OK(migrate_job_new_process(sr, TEST_PID, 0, &o, &j));
        while ((r = migrate_job_step(j, NULL)) == 0)
                ;
        ASSERT_EQ(migrate_job_stats(j)->total.pages[MIGRATE_MOVED], 576);
        ASSERT_EQ(migrate_job_stats(j)->total.pages[MIGRATE_ALREADY_THERE], 8);
        ASSERT_EQ(migrate_job_stats(j)->total.pages[MIGRATE_NOT_PRESENT], 440);
        migrate_job_free(j);
        ASSERT_EQ(migrate_job_new_process(sr, TEST_PID + 1, 0, &o, &j), -ESRCH);
        sysfs_root_free(sr);
        remove_root();
}

TEST(max_bytes_ends_a_range_early)
{
        Run run;
        MigrateOptions o = {};

        /* Ten pages' worth of the whole process: pages 0-9, in address order, and nothing after them is looked
         * at (neither the holes nor the pages on node 0 are counted). */
        make_process(&f, true);
        MigrateRange first = {.start = BASE, .end = BASE + N_PAGES * (uint64_t)PAGE, .node = 0, .max_bytes = 10 * PAGE};
        run_job(&run, &f, &o, &first, 1, 0);
        const MigrateStats *s = run.stats;
        ASSERT_EQ(s->end, MIGRATE_END_DONE);
        ASSERT_EQ(PAGES(s, MOVED), 10);
        ASSERT_EQ(PAGES(s, ALREADY_THERE) + PAGES(s, NOT_PRESENT), 0);
        ASSERT_TRUE(all_on(&f, 0, 0, 10));
        ASSERT_EQ(f.node[10], 1);
        run_done(&run);

        /* From page 60, 4 pages and a byte (5 pages): 60-63 move; 72-79 are already there and do not count, the
         * holes neither, so the THP is the fifth page's worth and goes whole: 4 + 512. */
        make_process(&f, true);
        MigrateRange tail = {.start = BASE + 60 * (uint64_t)PAGE,
                             .end = BASE + N_PAGES * (uint64_t)PAGE,
                             .node = 0,
                             .max_bytes = 4 * PAGE + 1};
        run_job(&run, &f, &o, &tail, 1, 0);
        s = run.stats;
        ASSERT_EQ(PAGES(s, MOVED), 4 + 512);
        ASSERT_EQ(HUGE(s, MOVED), 1);
        ASSERT_EQ(PAGES(s, ALREADY_THERE), 8);
        ASSERT_EQ(PAGES(s, NOT_PRESENT), 8 + 432);
        run_done(&run);

        /* Overlapping ranges: their caps add up (2 + 3 pages); one without a cap takes the cap away. */
        make_process(&f, true);
        MigrateRange two[] = {
                {.start = BASE, .end = BASE + 20 * (uint64_t)PAGE, .node = 0, .max_bytes = 2 * PAGE},
                {.start = BASE + 10 * (uint64_t)PAGE,
                 .end = BASE + 30 * (uint64_t)PAGE,
                 .node = 0,
                 .max_bytes = 3 * PAGE},
        };
        run_job(&run, &f, &o, two, 2, 0);
        ASSERT_EQ(PAGES(run.stats, MOVED), 5);
        run_done(&run);
        make_process(&f, true);
        two[1].max_bytes = 0;
        run_job(&run, &f, &o, two, 2, 0);
        ASSERT_EQ(PAGES(run.stats, MOVED), 30);
        run_done(&run);

        /* Each range has its own cap: 0-1 and 20-22. */
        make_process(&f, true);
        MigrateRange apart[] = {
                {.start = BASE, .end = BASE + 10 * (uint64_t)PAGE, .node = 0, .max_bytes = 2 * PAGE},
                {.start = BASE + 20 * (uint64_t)PAGE,
                 .end = BASE + 30 * (uint64_t)PAGE,
                 .node = 0,
                 .max_bytes = 3 * PAGE},
        };
        run_job(&run, &f, &o, apart, 2, 0);
        ASSERT_EQ(PAGES(run.stats, MOVED), 5);
        ASSERT_TRUE(all_on(&f, 0, 20, 23));
        ASSERT_EQ(f.node[23], 1);
        run_done(&run);

        /* Without frame numbers where a page is is learnt after it was queued: from page 56, a cap of 12 queues
         * 56-63 and 72-75, of which the query finds 72-75 on node 0 already. */
        make_process(&f, false);
        MigrateRange hidden = {.start = BASE + 56 * (uint64_t)PAGE,
                               .end = BASE + N_PAGES * (uint64_t)PAGE,
                               .node = 0,
                               .max_bytes = 12 * PAGE};
        run_job(&run, &f, &o, &hidden, 1, 0);
        s = run.stats;
        ASSERT_EQ(PAGES(s, MOVED), 8);
        ASSERT_EQ(PAGES(s, ALREADY_THERE), 4);
        ASSERT_EQ(f.node[THP_FIRST], 1);
        run_done(&run);

        /* A dry run ignores the cap: it reports every page. */
        make_process(&f, true);
        o.dry_run = true;
        run_job(&run, &f, &o, &first, 1, 0);
        ASSERT_EQ(migrate_stats_present(run.stats), 64 + 8 + 512);
        run_done(&run);
}

TEST(only_pages_on_the_source_nodes_move)
{
        Run run;
        MigrateOptions o = {};

        /* To node 0 from node 1: pages 0-31 stay on node 2, uncounted; 32-63 and the THP move. */
        make_three_node_process(&f, true);
        nodemask_set(&o.from_nodes, 1);
        run_job(&run, &f, &o, NULL, 0, 0);
        const MigrateStats *s = run.stats;
        ASSERT_EQ(s->end, MIGRATE_END_DONE);
        ASSERT_EQ(PAGES(s, MOVED), 32 + 512);
        ASSERT_EQ(PAGES(s, ALREADY_THERE), 8);
        ASSERT_EQ(PAGES(s, NOT_PRESENT), 8 + 432);
        ASSERT_EQ(migrate_counts_present(&s->total), 32 + 512 + 8);
        ASSERT_TRUE(all_on(&f, 2, 0, 32));
        ASSERT_TRUE(all_on(&f, 0, 32, N_PAGES));
        ASSERT_EQ(s->query_calls, 0);
        run_done(&run);

        /* A cap counts the source's pages only: 10 pages are 32-41. */
        make_three_node_process(&f, true);
        MigrateRange ten = {.start = BASE, .end = BASE + SMALL * (uint64_t)PAGE, .node = 0, .max_bytes = 10 * PAGE};
        run_job(&run, &f, &o, &ten, 1, 0);
        ASSERT_EQ(PAGES(run.stats, MOVED), 10);
        ASSERT_TRUE(all_on(&f, 2, 0, 32));
        ASSERT_TRUE(all_on(&f, 0, 32, 42));
        ASSERT_EQ(f.node[42], 1);
        run_done(&run);

        /* Without frame numbers the query tells: a cap of 40 queues 0-39, of which 0-31 are on node 2. */
        make_three_node_process(&f, false);
        MigrateRange forty = ten;
        forty.max_bytes = 40 * PAGE;
        run_job(&run, &f, &o, &forty, 1, 0);
        s = run.stats;
        ASSERT_EQ(PAGES(s, MOVED), 8);
        ASSERT_EQ(PAGES(s, ALREADY_THERE), 0);
        ASSERT_EQ(s->query_calls, 1);
        ASSERT_TRUE(all_on(&f, 2, 0, 32));
        ASSERT_TRUE(all_on(&f, 0, 32, 40));
        ASSERT_EQ(f.node[40], 1);
        run_done(&run);

        /* Sources 1 and 2: everything moves, as with no sources at all. */
        make_three_node_process(&f, true);
        nodemask_set(&o.from_nodes, 2);
        run_job(&run, &f, &o, NULL, 0, 0);
        ASSERT_EQ(PAGES(run.stats, MOVED), 64 + 512);
        ASSERT_TRUE(all_on(&f, 0, 0, N_PAGES));
        run_done(&run);
        make_three_node_process(&f, true);
        o.from_nodes = NODEMASK_EMPTY;
        run_job(&run, &f, &o, NULL, 0, 0);
        ASSERT_EQ(PAGES(run.stats, MOVED), 64 + 512);
        run_done(&run);

        /* A dry run reports every node. */
        make_three_node_process(&f, true);
        nodemask_set(&o.from_nodes, 1);
        o.dry_run = true;
        run_job(&run, &f, &o, NULL, 0, -1);
        s = run.stats;
        ASSERT_EQ(s->n_nodes, 3);
        ASSERT_EQ(s->nodes[2].node, 2);
        ASSERT_EQ(s->nodes[2].found_pages, 32);
        run_done(&run);
}

TEST(batches_follow_the_measured_time)
{
        Run run;
        MigrateOptions o = {};

        /* 0.5 ms a call and 20 us a page: 3/4 of 20 ms is 725 pages (500 + 20 * 725 = 15000). */
        make_big_process(&f);
        f.call_usec = 500;
        f.page_usec = 20;
        MigrateRange all = {.start = BASE, .end = BASE + N_PAGES * (uint64_t)PAGE, .node = 0};
        run_job(&run, &f, &o, &all, 1, 0);
        const MigrateStats *s = run.stats;
        ASSERT_EQ(PAGES(s, MOVED), N_PAGES);
        ASSERT_TRUE(f.max_batch_pages >= 700 && f.max_batch_pages <= 750);
        ASSERT_EQ(s->calls_over_budget, 0);
        ASSERT_TRUE(s->max_call_usec <= 20000);
        /* 256, 512, then about 725: at least 16384 / 750 calls, not many more. */
        ASSERT_TRUE(s->move_calls >= 22 && s->move_calls <= 26);
        run_done(&run);

        /* Ten times slower pages: the batch shrinks to fit. */
        make_big_process(&f);
        f.call_usec = 500;
        f.page_usec = 200;
        run_job(&run, &f, &o, &all, 1, 0);
        ASSERT_EQ(run.stats->total.pages[MIGRATE_MOVED], N_PAGES);
        ASSERT_TRUE(f.max_batch_pages <= 256); /* the first batch; then about 72 */
        ASSERT_TRUE(run.stats->max_call_usec <= 500 + 256 * 200);
        ASSERT_EQ(run.stats->calls_over_budget, 1); /* the first: 51.7 ms */
        run_done(&run);
}

TEST(rate_limit)
{
        Run run;
        RateLimit rl;
        MigrateOptions o = {.rate_limit = &rl};

        /* 64 MiB at 32 MiB/s, the bucket holding 3355443 bytes to begin with: (64 MiB - 3355443) / 32 MiB/s
         * = 1.9 s, give or take the last batch. */
        make_big_process(&f);
        ratelimit_init(&rl, UINT64_C(32) << 20, 0, f.now);
        MigrateRange all = {.start = BASE, .end = BASE + N_PAGES * (uint64_t)PAGE, .node = 0};
        run_job(&run, &f, &o, &all, 1, 0);
        const MigrateStats *s = run.stats;
        ASSERT_EQ(PAGES(s, MOVED), N_PAGES);
        ASSERT_TRUE(s->elapsed_usec >= 1800000 && s->elapsed_usec <= 2000000);
        run_done(&run);

        /* A step before the bucket has refilled makes no call and says when to come back. */
        make_big_process(&f);
        ratelimit_init(&rl, UINT64_C(1) << 20, 0, f.now);
        ratelimit_consume(&rl, f.now, UINT64_C(3) << 20); /* the 2 MiB burst and 1 MiB of debt */
        MigrateOps ops = {.move_pages = fake_move_pages, .now_usec = fake_now, .userdata = &f};
        o.ops = &ops;
        SysfsRoot *sr;
        MigrateJob *j;
        uint64_t next = 0;
        ASSERT_OK(sysfs_root_new(root, NULL, &sr));
        ASSERT_OK(migrate_job_new(sr, TEST_PID, &all, 1, &o, &j));
        for (int i = 0; i < 3; i++)
                ASSERT_EQ(migrate_job_step(j, &next), 0);
        ASSERT_EQ(migrate_job_stats(j)->move_calls, 0);
        ASSERT_TRUE(next > f.now + 900000); /* 1 MiB of debt at 1 MiB/s */
        migrate_job_free(j);
        sysfs_root_free(sr);
        remove_root();

        /* Unlimited, the same takes the calls' time only: 16384 * 10 us plus the calls. */
        make_big_process(&f);
        o.rate_limit = NULL;
        run_job(&run, &f, &o, &all, 1, 0);
        ASSERT_TRUE(run.stats->elapsed_usec < 200000);
        run_done(&run);
}

TESTS_MAIN(TEST_ENTRY(moves_everything_and_counts_by_folio), TEST_ENTRY(hidden_frames_ask_the_kernel_first),
           TEST_ENTRY(busy_page_stays_busy), TEST_ENTRY(target_out_of_memory), TEST_ENTRY(enomem_batch_partly_moved),
           TEST_ENTRY(free_floor_holds_pages_back), TEST_ENTRY(failed_batch_is_queried_and_the_rest_sent_again),
           TEST_ENTRY(process_exits_midway), TEST_ENTRY(node_gone_ends_its_part_only),
           TEST_ENTRY(dry_run_says_where_pages_are), TEST_ENTRY(ranges), TEST_ENTRY(max_bytes_ends_a_range_early),
           TEST_ENTRY(only_pages_on_the_source_nodes_move), TEST_ENTRY(batches_follow_the_measured_time),
           TEST_ENTRY(rate_limit))
