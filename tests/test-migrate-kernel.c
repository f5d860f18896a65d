/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The migration engine against the running kernel, on a child process: pages already on node 0, a target node
 * that does not exist (ENODEV), a child that exits (ESRCH), a dry run that finds what /proc/PID/smaps calls
 * resident, transparent huge pages found as one entry (PMD-mapped through PAGEMAP_SCAN, PTE-mapped through
 * kpageflags when root), the zero page, and the same without frame numbers (CAP_SYS_ADMIN dropped).  Any host
 * will do: every page of the child is on some node the kernel names, and these cases move nothing anywhere
 * else.  Moving between nodes is tests/vm-systemd/migrate-test.sh's part.
 */
#include <errno.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>

#include "migrate.h"
#include "numa-move.h"
#include "tests.h"

#define PAGE 4096u
#define HUGE_BYTES (UINT64_C(2) << 20)
#define SMALL_PAGES 64
#define ZERO_PAGES 16
#define UNTOUCHED_PAGES 16

/* A child with: 2 THP-sized areas (MADV_HUGEPAGE) written, 64 small pages written, 16 pages only read (the zero
 * page), 16 never touched.  It obeys commands on its pipe ('p': make the second half of the first THP read-only,
 * which splits its PMD) and exits when the pipe closes. */
typedef struct Child {
        pid_t pid;
        int pipe_fd, reply_fd;
        char *thp, *small, *zero, *untouched;
        void *raw;
        size_t raw_size;
} Child;

static void child_start(Child *c)
{
        int ready[2], hold[2];

        c->raw_size = 4 * HUGE_BYTES + (SMALL_PAGES + ZERO_PAGES + UNTOUCHED_PAGES) * PAGE;
        c->raw = mmap(NULL, c->raw_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        ASSERT_TRUE(c->raw != MAP_FAILED);
        c->thp = (char *)(((uintptr_t)c->raw + HUGE_BYTES - 1) & ~(uintptr_t)(HUGE_BYTES - 1));
        c->small = c->thp + 2 * HUGE_BYTES;
        c->zero = c->small + SMALL_PAGES * PAGE;
        c->untouched = c->zero + ZERO_PAGES * PAGE;
        (void)madvise(c->thp, 2 * HUGE_BYTES, MADV_HUGEPAGE); /* EINVAL without THP: small pages then */
        (void)madvise(c->small, (SMALL_PAGES + ZERO_PAGES + UNTOUCHED_PAGES) * PAGE, MADV_NOHUGEPAGE);
        ASSERT_OK(pipe2(ready, O_CLOEXEC));
        ASSERT_OK(pipe2(hold, O_CLOEXEC));
        fflush(stdout);
        c->pid = fork();
        ASSERT_TRUE(c->pid >= 0);
        if (c->pid == 0) {
                char b;
                memset(c->thp, 0x5a, 2 * HUGE_BYTES);
                memset(c->small, 0xa5, SMALL_PAGES * PAGE);
                for (size_t i = 0; i < ZERO_PAGES; i++)
                        b = *(volatile char *)(c->zero + i * PAGE);
                (void)!write(ready[1], "x", 1);
                close(hold[1]);
                while (read(hold[0], &b, 1) == 1) {
                        if (b == 'p')
                                b = mprotect(c->thp + HUGE_BYTES / 2, HUGE_BYTES / 2, PROT_READ) == 0 ? 'y' : 'n';
                        (void)!write(ready[1], &b, 1);
                }
                _exit(0);
        }
        close(ready[1]);
        close(hold[0]);
        char b;
        ASSERT_EQ(read(ready[0], &b, 1), 1);
        c->reply_fd = ready[0];
        c->pipe_fd = hold[1];
}

static char child_command(Child *c, char command)
{
        char b;
        ASSERT_EQ(write(c->pipe_fd, &command, 1), 1);
        ASSERT_EQ(read(c->reply_fd, &b, 1), 1);
        return b;
}

static void child_stop(Child *c)
{
        if (c->pid > 0) {
                close(c->pipe_fd);
                close(c->reply_fd);
                (void)waitpid(c->pid, NULL, 0);
                c->pid = 0;
        }
        munmap(c->raw, c->raw_size);
}

/* Sum a field (kB) over the child's mappings in /proc/PID/smaps that the engine scans (not the kernel's own) and
 * that lie in [from, to). */
static uint64_t smaps_kb(pid_t pid, const char *field, uintptr_t from, uintptr_t to)
{
        char path[64], line[512], name[256];
        uint64_t sum = 0;
        bool counted = false;
        size_t flen = strlen(field);

        snprintf(path, sizeof path, "/proc/%d/smaps", (int)pid);
        FILE *f = fopen(path, "re");
        ASSERT_TRUE(f);
        while (fgets(line, sizeof line, f)) {
                unsigned long long a, b, kb;
                name[0] = '\0';
                const char *space = strchr(line, ' ');
                bool field_line = space && space > line && space[-1] == ':'; /* "Rss:   12 kB" */
                if (!field_line && sscanf(line, "%llx-%llx %*s %*s %*s %*s %255s", &a, &b, name) >= 2) {
                        counted = a >= from && b <= to && strcmp(name, "[vdso]") != 0 && strcmp(name, "[vvar]") != 0 &&
                                  strcmp(name, "[vvar_vclock]") != 0 && strcmp(name, "[vsyscall]") != 0;
                        continue;
                }
                if (counted && strncmp(line, field, flen) == 0 && line[flen] == ':' &&
                    sscanf(line + flen + 1, "%llu", &kb) == 1)
                        sum += kb;
        }
        fclose(f);
        return sum;
}

static bool child_has_thps(const Child *c)
{
        return smaps_kb(c->pid, "AnonHugePages", (uintptr_t)c->thp, (uintptr_t)c->thp + 2 * HUGE_BYTES) ==
               2 * HUGE_BYTES / 1024;
}

/* Node 0 is where the child's pages are on a one-node host; on more nodes, ask. */
static int home_node(const Child *c)
{
        void *p = c->small;
        int status = -1;
        ASSERT_OK(numa_move_pages_errno(c->pid, 1, &p, NULL, &status, 0));
        ASSERT_TRUE(status >= 0);
        return status;
}

static const MigrateStats *run(SysfsRoot *sr, MigrateJob **j, pid_t pid, const MigrateRange *ranges, size_t n,
                               const MigrateOptions *o)
{
        ASSERT_OK(migrate_job_new(sr, pid, ranges, n, o, j));
        ASSERT_OK(migrate_job_run(*j));
        return migrate_job_stats(*j);
}

static void child_ranges(const Child *c, int node, MigrateRange r[4])
{
        r[0] = (MigrateRange){(uintptr_t)c->thp, (uintptr_t)c->thp + 2 * HUGE_BYTES, node, 0};
        r[1] = (MigrateRange){(uintptr_t)c->small, (uintptr_t)c->small + SMALL_PAGES * PAGE, node, 0};
        r[2] = (MigrateRange){(uintptr_t)c->zero, (uintptr_t)c->zero + ZERO_PAGES * PAGE, node, 0};
        r[3] = (MigrateRange){(uintptr_t)c->untouched, (uintptr_t)c->untouched + UNTOUCHED_PAGES * PAGE, node, 0};
}

#define THP_PAGES (2 * HUGE_BYTES / PAGE)

/* What every variant must find in the child's four areas. */
static void check_dry_run(const MigrateStats *s, int home, bool thps)
{
        ASSERT_EQ(s->end, MIGRATE_END_DONE);
        ASSERT_EQ(s->move_calls, 0);
        ASSERT_EQ(s->n_nodes, 1);
        ASSERT_EQ(s->nodes[0].node, home);
        ASSERT_EQ(s->nodes[0].found_pages, THP_PAGES + SMALL_PAGES);
        if (thps)
                ASSERT_EQ(s->nodes[0].found_huge, 2);
        ASSERT_EQ(s->total.pages[MIGRATE_FAULT], ZERO_PAGES); /* the zero page: -EFAULT, or PAGEMAP_SCAN's PFNZERO */
        ASSERT_EQ(s->total.pages[MIGRATE_NOT_PRESENT], UNTOUCHED_PAGES);
}

static void check_already_there(const MigrateStats *s, int home, bool thps)
{
        ASSERT_EQ(s->end, MIGRATE_END_DONE);
        ASSERT_EQ(s->nodes[0].node, home);
        ASSERT_EQ(s->nodes[0].end, MIGRATE_END_DONE);
        ASSERT_EQ(s->total.pages[MIGRATE_ALREADY_THERE], THP_PAGES + SMALL_PAGES);
        if (thps)
                ASSERT_EQ(s->total.huge[MIGRATE_ALREADY_THERE], 2);
        ASSERT_EQ(s->total.pages[MIGRATE_MOVED], 0);
        ASSERT_EQ(s->total.pages[MIGRATE_NOT_PRESENT], UNTOUCHED_PAGES);
        ASSERT_EQ(s->total.pages[MIGRATE_FAULT], ZERO_PAGES);
        ASSERT_TRUE(migrate_counts_all_placed(&s->total));
}

TEST(dry_run_and_already_there)
{
        Child c;
        SysfsRoot *sr;
        MigrateJob *j;
        MigrateRange r[4];

        child_start(&c);
        bool thps = child_has_thps(&c);
        int home = home_node(&c);
        ASSERT_OK(sysfs_root_new(NULL, NULL, &sr));
        child_ranges(&c, home, r);

        const MigrateStats *s = run(sr, &j, c.pid, r, 4, &(MigrateOptions){.dry_run = true});
        check_dry_run(s, home, thps);
        ASSERT_TRUE(s->scan_ioctl == (s->total.pages[MIGRATE_FAULT] == ZERO_PAGES)); /* set on 6.7+ */
        j = migrate_job_free(j);

        s = run(sr, &j, c.pid, r, 4, &(MigrateOptions){});
        check_already_there(s, home, thps);
        /* With frame numbers (root) nothing needs asking; without, one query learns it. */
        ASSERT_EQ(s->move_calls, 0);
        ASSERT_TRUE(s->pfns ? s->query_calls == 0 : s->query_calls >= 1);
        migrate_job_free(j);
        sysfs_root_free(sr);
        child_stop(&c);
}

static bool drop_cap_sys_admin(void)
{
        struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
        struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3] = {};
        if (syscall(SYS_capget, &h, d) < 0)
                return false;
        d[CAP_TO_INDEX(CAP_SYS_ADMIN)].effective &= ~CAP_TO_MASK(CAP_SYS_ADMIN);
        return syscall(SYS_capset, &h, d) == 0;
}

/* Run a job in a child process without CAP_SYS_ADMIN (pagemap then hides frame numbers); the stats come back
 * through a pipe, with node 0's stats only. */
static void run_without_frames(pid_t pid, const MigrateRange *r, size_t n, const MigrateOptions *o, MigrateStats *ret,
                               MigrateNodeStats *ret_node)
{
        int p[2];
        ASSERT_OK(pipe2(p, O_CLOEXEC));
        fflush(stdout);
        pid_t helper = fork();
        ASSERT_TRUE(helper >= 0);
        if (helper == 0) {
                SysfsRoot *sr;
                MigrateJob *j;
                if (!drop_cap_sys_admin() || sysfs_root_new(NULL, NULL, &sr) < 0 ||
                    migrate_job_new(sr, pid, r, n, o, &j) < 0 || migrate_job_run(j) < 0)
                        _exit(1);
                const MigrateStats *s = migrate_job_stats(j);
                (void)!write(p[1], s, sizeof(*s));
                (void)!write(p[1], s->nodes, sizeof(*s->nodes));
                _exit(0);
        }
        close(p[1]);
        ASSERT_EQ(read(p[0], ret, sizeof(*ret)), (ssize_t)sizeof(*ret));
        ASSERT_EQ(read(p[0], ret_node, sizeof(*ret_node)), (ssize_t)sizeof(*ret_node));
        close(p[0]);
        int status;
        ASSERT_EQ(waitpid(helper, &status, 0), helper);
        ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        ret->nodes = ret_node;
}

TEST(without_frame_numbers)
{
        Child c;
        MigrateRange r[4];
        MigrateStats s;
        MigrateNodeStats node;

        child_start(&c);
        bool thps = child_has_thps(&c);
        int home = home_node(&c);
        child_ranges(&c, home, r);

        run_without_frames(c.pid, r, 4, &(MigrateOptions){.dry_run = true}, &s, &node);
        ASSERT_TRUE(!s.pfns);
        check_dry_run(&s, home, thps && s.scan_ioctl); /* huge pages then known from PAGEMAP_SCAN only */

        run_without_frames(c.pid, r, 4, &(MigrateOptions){}, &s, &node);
        ASSERT_TRUE(!s.pfns);
        check_already_there(&s, home, thps && s.scan_ioctl);
        ASSERT_EQ(s.move_calls, 0);
        ASSERT_TRUE(s.query_calls >= 1);
        child_stop(&c);
}

/* A child whose THP areas are THPs, or the test skipped. */
static void child_start_with_thps(Child *c)
{
        child_start(c);
        if (!child_has_thps(c)) {
                child_stop(c);
                TEST_SKIP("no transparent huge pages here");
        }
}

TEST(pte_mapped_thp_through_kpageflags)
{
        Child c;
        SysfsRoot *sr;
        MigrateJob *j;

        child_start_with_thps(&c);
        /* Making half of the first THP read-only splits its PMD: one folio, mapped by 512 PTEs in two mappings.
         * PAGEMAP_SCAN no longer calls it huge; its frames and kpageflags (root) still tell its pages apart. */
        ASSERT_EQ(child_command(&c, 'p'), 'y');
        ASSERT_OK(sysfs_root_new(NULL, NULL, &sr));
        int home = home_node(&c);
        MigrateRange r = {(uintptr_t)c.thp, (uintptr_t)c.thp + HUGE_BYTES, home, 0};
        const MigrateStats *s = run(sr, &j, c.pid, &r, 1, &(MigrateOptions){.dry_run = true});
        if (!s->kpageflags || !s->pfns) {
                migrate_job_free(j);
                sysfs_root_free(sr);
                child_stop(&c);
                TEST_SKIP("kpageflags and frame numbers are root's");
        }
        ASSERT_EQ(s->nodes[0].found_pages, HUGE_BYTES / PAGE);
        ASSERT_EQ(s->nodes[0].found_huge, 1); /* one entry, asked once */
        ASSERT_EQ(smaps_kb(c.pid, "AnonHugePages", (uintptr_t)c.thp, (uintptr_t)c.thp + HUGE_BYTES), 0);
        migrate_job_free(j);
        sysfs_root_free(sr);
        child_stop(&c);
}

/* A range that begins or ends inside a PMD-mapped THP: move_pages(2) moves the THP whole, so the job counts all
 * of its pages, once, also when the next range of the job holds its other half. */
TEST(range_cutting_a_thp_counts_it_whole)
{
        Child c;
        SysfsRoot *sr;
        MigrateJob *j;

        child_start_with_thps(&c);
        ASSERT_OK(sysfs_root_new(NULL, NULL, &sr));
        int home = home_node(&c);
        uint64_t thp = (uintptr_t)c.thp, half = HUGE_BYTES / 2;

        /* The second half of the first THP only. */
        MigrateRange one = {thp + half, thp + HUGE_BYTES, home, 0};
        const MigrateStats *s = run(sr, &j, c.pid, &one, 1, &(MigrateOptions){});
        if (!s->scan_ioctl) {
                migrate_job_free(j);
                sysfs_root_free(sr);
                child_stop(&c);
                TEST_SKIP("PMD mappings are seen through PAGEMAP_SCAN (Linux 6.7+)");
        }
        ASSERT_EQ(s->total.pages[MIGRATE_ALREADY_THERE], HUGE_BYTES / PAGE);
        ASSERT_EQ(s->total.huge[MIGRATE_ALREADY_THERE], 1);
        j = migrate_job_free(j);

        /* The first half of the first THP, then its second half and the first half of the second THP: two THPs,
         * each counted once. */
        MigrateRange two[2] = {{thp, thp + half, home, 0}, {thp + half, thp + HUGE_BYTES + half, home, 0}};
        s = run(sr, &j, c.pid, two, 2, &(MigrateOptions){});
        ASSERT_EQ(s->total.pages[MIGRATE_ALREADY_THERE], 2 * HUGE_BYTES / PAGE);
        ASSERT_EQ(s->total.huge[MIGRATE_ALREADY_THERE], 2);
        ASSERT_EQ(s->end, MIGRATE_END_DONE);
        migrate_job_free(j);
        sysfs_root_free(sr);
        child_stop(&c);
}

TEST(missing_node)
{
        Child c;
        SysfsRoot *sr;
        MigrateJob *j;
        MigrateRange r[4];

        /* The first node id the kernel does not have: move_pages(2) says ENODEV for it. */
        child_start(&c);
        int missing;
        char path[64];
        for (missing = 0; missing < 1024; missing++) {
                snprintf(path, sizeof path, "/sys/devices/system/node/node%d", missing);
                if (access(path, F_OK) < 0)
                        break;
        }
        ASSERT_OK(sysfs_root_new(NULL, NULL, &sr));
        child_ranges(&c, missing, r);
        const MigrateStats *s = run(sr, &j, c.pid, r, 4, &(MigrateOptions){});
        ASSERT_EQ(s->end, MIGRATE_END_DONE);
        ASSERT_EQ(s->nodes[0].node, missing);
        ASSERT_EQ(s->nodes[0].end, MIGRATE_END_NODE_GONE);
        ASSERT_EQ(s->nodes[0].end_error, -ENODEV);
        /* Everything the call held and the rest of the ranges, as they are scanned: not attempted (the zero pages
         * counted as such when PAGEMAP_SCAN or a query found them first). */
        ASSERT_TRUE(s->total.pages[MIGRATE_NOT_ATTEMPTED] >= THP_PAGES + SMALL_PAGES);
        ASSERT_EQ(s->total.pages[MIGRATE_NOT_ATTEMPTED] + s->total.pages[MIGRATE_FAULT],
                  THP_PAGES + SMALL_PAGES + ZERO_PAGES);
        ASSERT_EQ(s->total.pages[MIGRATE_NOT_PRESENT], UNTOUCHED_PAGES);
        ASSERT_EQ(s->total.pages[MIGRATE_MOVED], 0);
        ASSERT_TRUE(!migrate_counts_all_placed(&s->total));
        ASSERT_EQ(s->move_calls, 1);
        migrate_job_free(j);

        /* With a free floor the node's meminfo is read first: its missing directory says the same. */
        s = run(sr, &j, c.pid, r, 4, &(MigrateOptions){.free_floor_bytes = 1});
        ASSERT_EQ(s->nodes[0].end, MIGRATE_END_NODE_GONE);
        ASSERT_EQ(s->move_calls, 0);
        migrate_job_free(j);
        sysfs_root_free(sr);
        child_stop(&c);
}

static pid_t kill_before_call_pid;

/* The kernel's move_pages(2), after the child has been killed and reaped. */
static long kill_then_move(void *userdata, pid_t pid, unsigned long count, void **pages, const int *nodes, int *status,
                           int flags)
{
        if (kill_before_call_pid > 0) {
                kill(kill_before_call_pid, SIGKILL);
                (void)waitpid(kill_before_call_pid, NULL, 0);
                kill_before_call_pid = 0;
        }
        return numa_move_pages_errno(pid, count, pages, nodes, status, flags);
}

static uint64_t real_now(void *userdata)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

TEST(process_exits)
{
        Child c;
        SysfsRoot *sr;
        MigrateJob *j;
        MigrateRange r[4];
        MigrateOps ops = {.move_pages = kill_then_move, .now_usec = real_now};

        /* Gone between the scan and the call: ESRCH from the kernel, the job ends, the batch not attempted. */
        child_start(&c);
        int home = home_node(&c);
        ASSERT_OK(sysfs_root_new(NULL, NULL, &sr));
        child_ranges(&c, home, r);
        pid_t dead = kill_before_call_pid = c.pid;
        const MigrateStats *s = run(sr, &j, c.pid, r, 4, &(MigrateOptions){.dry_run = true, .ops = &ops});
        ASSERT_EQ(s->end, MIGRATE_END_PROCESS_EXITED);
        ASSERT_EQ(s->end_error, -ESRCH);
        ASSERT_TRUE(s->total.pages[MIGRATE_NOT_ATTEMPTED] > 0);
        ASSERT_EQ(s->query_calls, 1);
        migrate_job_free(j);
        close(c.pipe_fd);
        close(c.reply_fd);
        c.pid = 0;

        /* Gone before the job: no such process. */
        ASSERT_EQ(migrate_job_new(sr, dead, r, 4, &(MigrateOptions){}, &j), -ESRCH);
        sysfs_root_free(sr);
        child_stop(&c);
}

TEST(whole_process_dry_run_finds_the_resident_pages)
{
        Child c;
        SysfsRoot *sr;
        MigrateJob *j;

        child_start(&c);
        ASSERT_OK(sysfs_root_new(NULL, NULL, &sr));
        ASSERT_OK(migrate_job_new_process(sr, c.pid, -1, &(MigrateOptions){.dry_run = true}, &j));
        ASSERT_OK(migrate_job_run(j));
        const MigrateStats *s = migrate_job_stats(j);
        uint64_t found = 0;
        for (size_t i = 0; i < s->n_nodes; i++)
                found += s->nodes[i].found_pages;
        /* Rss counts neither the zero page nor what is not present, as the dry run does not. */
        ASSERT_EQ(found * PAGE / 1024, smaps_kb(c.pid, "Rss", 0, UINTPTR_MAX));
        ASSERT_TRUE(found >= THP_PAGES + SMALL_PAGES);
        ASSERT_EQ(s->end, MIGRATE_END_DONE);
        migrate_job_free(j);
        sysfs_root_free(sr);
        child_stop(&c);
}

TESTS_MAIN(TEST_ENTRY(dry_run_and_already_there), TEST_ENTRY(without_frame_numbers),
           TEST_ENTRY(pte_mapped_thp_through_kpageflags), TEST_ENTRY(range_cutting_a_thp_counts_it_whole),
           TEST_ENTRY(missing_node), TEST_ENTRY(process_exits),
           TEST_ENTRY(whole_process_dry_run_finds_the_resident_pages))
