/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <linux/kernel-page-flags.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "pagescan.h"

/* The PAGEMAP_SCAN ABI (include/uapi/linux/fs.h, Linux 6.7); Debian bookworm's headers predate it. */
typedef struct PmRegion {
        uint64_t start, end, categories;
} PmRegion;
typedef struct PmScanArg {
        uint64_t size, flags, start, end, walk_end, vec, vec_len, max_pages;
        uint64_t category_inverted, category_mask, category_anyof_mask, return_mask;
} PmScanArg;
#define PM_IOCTL_SCAN _IOWR('f', 16, PmScanArg)
#define PM_IS_PRESENT (UINT64_C(1) << 3)
#define PM_IS_PFNZERO (UINT64_C(1) << 5)
#define PM_IS_HUGE (UINT64_C(1) << 6)

/* pagemap entries (Documentation/admin-guide/mm/pagemap.rst): bit 63 present, bits 0-54 the frame number. */
#define PM_ENTRY_PRESENT (UINT64_C(1) << 63)
#define PM_ENTRY_PFN ((UINT64_C(1) << 55) - 1)

#define KPF(bit) (UINT64_C(1) << (bit))

/* Pagemap entries read at a time: 32 MiB of address space with 4 KiB pages, a whole number of 2 MiB pages. */
#define WINDOW_PAGES 8192
#define SCAN_REGIONS 256

struct PageScan {
        pid_t pid;
        int pagemap_fd, kpageflags_fd;
        bool scan_ioctl, pfns;
        uint64_t page_size, huge_bytes;
        PfnNodeMap nodes;

        uint64_t cursor, end;
        PmRegion regions[SCAN_REGIONS];
        size_t n_regions, next_region;
        uint64_t walk_end;       /* PAGEMAP_SCAN has covered [range start, walk_end) */
        uint64_t last_huge_head; /* the PMD-mapped huge page returned last, UINT64_MAX: none */

        uint64_t pm_start; /* pm[] holds the entries of pm_n pages from pm_start */
        size_t pm_n;
        uint64_t pm[WINDOW_PAGES];
        uint64_t kpf[WINDOW_PAGES];
};

static bool mapping_is_kernels(const char *name, size_t len)
{
        static const char *const names[] = {"[vdso]", "[vvar]", "[vvar_vclock]", "[vsyscall]", "[uprobes]"};
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (strlen(names[i]) == len && memcmp(names[i], name, len) == 0)
                        return true;
        return false;
}

/* Skip n whitespace-separated fields of [p, eol); NULL when the line ends first. */
static const char *skip_fields(const char *p, const char *eol, unsigned n)
{
        while (n-- > 0) {
                while (p < eol && *p == ' ')
                        p++;
                if (p == eol)
                        return NULL;
                while (p < eol && *p != ' ')
                        p++;
        }
        return p;
}

/* A hexadecimal address ending at the expected separator. */
static const char *parse_address(const char *p, const char *eol, char sep, uint64_t *ret)
{
        uint64_t v = 0;
        const char *start = p;
        for (; p < eol && *p != sep; p++) {
                int d = *p >= '0' && *p <= '9' ? *p - '0' : *p >= 'a' && *p <= 'f' ? *p - 'a' + 10 : -1;
                if (d < 0 || v >> 60)
                        return NULL;
                v = v << 4 | (uint64_t)d;
        }
        if (p == start || p == eol)
                return NULL;
        *ret = v;
        return p + 1;
}

int page_ranges_parse_maps(const char *text, PageRange **ret, size_t *ret_n)
{
        _cleanup_free_ PageRange *ranges = NULL;
        size_t n = 0, allocated = 0;

        for (const char *line = text; *line;) {
                const char *eol = strchrnul(line, '\n'), *p;
                uint64_t start, end;

                /* "start-end perms offset dev inode [name]" (no sscanf: glibc's measures the whole text each
                 * time, quadratic in a process with many mappings). */
                if (!(p = parse_address(line, eol, '-', &start)) || !(p = parse_address(p, eol, ' ', &end)) ||
                    !(p = skip_fields(p, eol, 4)) || start >= end)
                        return -EINVAL;
                while (p < eol && *p == ' ')
                        p++;
                if (!mapping_is_kernels(p, (size_t)(eol - p))) {
                        if (GREEDY_REALLOC(ranges, allocated, n + 1) < 0)
                                return -ENOMEM;
                        ranges[n++] = (PageRange){.start = start, .end = end};
                }
                line = *eol ? eol + 1 : eol;
        }
        *ret = TAKE_PTR(ranges);
        *ret_n = n;
        return 0;
}

int page_ranges_read_maps(SysfsRoot *root, pid_t pid, PageRange **ret, size_t *ret_n)
{
        _cleanup_free_ char *text = NULL;
        _cleanup_close_ int fd = sysfs_open_read(root, "proc/%d/maps", (int)pid);
        if (fd == -ENOENT)
                return -ESRCH;
        if (fd < 0)
                return fd;
        int r = sysfs_read_fd(fd, &text, NULL);
        if (r < 0)
                return r == -ENOENT ? -ESRCH : r;
        return page_ranges_parse_maps(text, ret, ret_n);
}

int page_scan_new(SysfsRoot *root, pid_t pid, PageScan **ret)
{
        _cleanup_(page_scan_freep) PageScan *s = calloc(1, sizeof(*s));
        int r;

        if (!s)
                return -ENOMEM;
        s->pid = pid;
        s->kpageflags_fd = -EBADF;
        s->scan_ioctl = s->pfns = true;
        s->page_size = (uint64_t)sysconf(_SC_PAGESIZE);
        s->pagemap_fd = sysfs_open_read(root, "proc/%d/pagemap", (int)pid);
        if (s->pagemap_fd == -ENOENT)
                return -ESRCH;
        if (s->pagemap_fd < 0)
                return s->pagemap_fd;
        /* Root only; without it folios are found by the other means. */
        s->kpageflags_fd = sysfs_open_read(root, "proc/kpageflags");
        if (s->kpageflags_fd == -ENOMEM)
                return -ENOMEM;

        r = sysfs_read_u64(root, &s->huge_bytes, "sys/kernel/mm/transparent_hugepage/hpage_pmd_size");
        if (r == -ENOMEM)
                return r;
        if (r < 0 || s->huge_bytes < s->page_size || s->huge_bytes % s->page_size != 0)
                s->huge_bytes = UINT64_C(2) << 20; /* x86-64's PMD */
        s->last_huge_head = UINT64_MAX;
        r = pfn_node_map_read(root, &s->nodes);
        if (r == -ENOMEM)
                return r;
        /* Without the map (an unreadable tree) nodes stay unknown and are asked of the kernel. */
        *ret = TAKE_PTR(s);
        return 0;
}

PageScan *page_scan_free(PageScan *s)
{
        if (!s)
                return NULL;
        if (s->pagemap_fd >= 0)
                close(s->pagemap_fd);
        if (s->kpageflags_fd >= 0)
                close(s->kpageflags_fd);
        pfn_node_map_done(&s->nodes);
        free(s);
        return NULL;
}

uint64_t page_scan_page_size(const PageScan *s)
{
        return s->page_size;
}

bool page_scan_has_pfns(const PageScan *s)
{
        return s->pfns;
}

bool page_scan_has_kpageflags(const PageScan *s)
{
        return s->kpageflags_fd >= 0;
}

bool page_scan_has_scan_ioctl(const PageScan *s)
{
        return s->scan_ioctl;
}

void page_scan_start(PageScan *s, uint64_t start, uint64_t end)
{
        if (start < s->last_huge_head) /* a scan from lower addresses again: every huge page is new */
                s->last_huge_head = UINT64_MAX;
        s->cursor = start / s->page_size * s->page_size;
        s->end = end > UINT64_MAX - s->page_size ? end / s->page_size * s->page_size
                                                 : (end + s->page_size - 1) / s->page_size * s->page_size;
        s->n_regions = s->next_region = 0;
        s->walk_end = s->cursor;
        s->pm_n = 0;
}

/* The end of the pagemap window that starts at addr: WINDOW_PAGES on, cut back to a huge page boundary so that a
 * PMD-mapped huge page never straddles two windows, and never past the range. */
static uint64_t window_end(const PageScan *s, uint64_t addr)
{
        uint64_t span = WINDOW_PAGES * s->page_size;
        uint64_t end = s->end - addr <= span ? s->end : addr + span;
        uint64_t aligned = end / s->huge_bytes * s->huge_bytes;
        if (end < s->end && aligned > addr)
                end = aligned;
        return end;
}

static uint64_t pages_between(const PageScan *s, uint64_t a, uint64_t b)
{
        return (b - a) / s->page_size;
}

/* Read the pagemap entries of [addr, window_end(addr)).  A present page without a frame number means they are
 * hidden from us (no CAP_SYS_ADMIN): stop relying on them. */
static int load_pagemap(PageScan *s, uint64_t addr)
{
        size_t want = (size_t)pages_between(s, addr, window_end(s, addr));
        ssize_t n = sysfs_pread(s->pagemap_fd, s->pm, want * sizeof(uint64_t), addr / s->page_size * sizeof(uint64_t));
        if (n < 0)
                return n == -ESRCH || n == -ENOENT ? -ESRCH : (int)n;
        if ((size_t)n < sizeof(uint64_t)) /* the address space is gone: the process exited */
                return -ESRCH;
        s->pm_start = addr;
        s->pm_n = (size_t)n / sizeof(uint64_t);
        for (size_t i = 0; i < s->pm_n && s->pfns; i++)
                if ((s->pm[i] & PM_ENTRY_PRESENT) && (s->pm[i] & PM_ENTRY_PFN) == 0)
                        s->pfns = false;
        return 0;
}

static bool pagemap_holds(const PageScan *s, uint64_t addr)
{
        return s->pm_n > 0 && addr >= s->pm_start && pages_between(s, s->pm_start, addr) < s->pm_n;
}

static uint64_t entry_at(const PageScan *s, uint64_t addr)
{
        return s->pm[pages_between(s, s->pm_start, addr)];
}

/* Move the cursor to the next present run [*ret_start, *ret_end) (with PAGEMAP_SCAN's categories), counting the
 * pages skipped as not present.  0 when the range holds no more. */
static int next_present_pagemap(PageScan *s, uint64_t *ret_start, uint64_t *ret_end, PageScanTally *tally)
{
        while (s->cursor < s->end) {
                if (!pagemap_holds(s, s->cursor)) {
                        int r = load_pagemap(s, s->cursor);
                        if (r < 0)
                                return r;
                }
                uint64_t limit = s->pm_start + s->pm_n * s->page_size;
                uint64_t a = s->cursor;
                while (a < limit && !(entry_at(s, a) & PM_ENTRY_PRESENT))
                        a += s->page_size;
                tally->not_present += pages_between(s, s->cursor, a);
                s->cursor = a;
                if (a == limit)
                        continue;
                uint64_t b = a;
                while (b < limit && (entry_at(s, b) & PM_ENTRY_PRESENT))
                        b += s->page_size;
                *ret_start = a;
                *ret_end = b;
                return 1;
        }
        return 0;
}

static int next_present(PageScan *s, uint64_t *ret_start, uint64_t *ret_end, uint64_t *ret_categories,
                        PageScanTally *tally)
{
        *ret_categories = 0;
        if (!s->scan_ioctl)
                return next_present_pagemap(s, ret_start, ret_end, tally);

        for (;;) {
                for (; s->next_region < s->n_regions; s->next_region++) {
                        const PmRegion *g = &s->regions[s->next_region];
                        if (g->end <= s->cursor)
                                continue;
                        uint64_t a = MAX(g->start, s->cursor);
                        if (a >= s->end)
                                break;
                        tally->not_present += pages_between(s, s->cursor, a);
                        s->cursor = a;
                        *ret_start = a;
                        *ret_end = MIN(g->end, s->end);
                        *ret_categories = g->categories;
                        return 1;
                }
                if (s->walk_end >= s->end)
                        break;

                uint64_t from = MAX(s->cursor, s->walk_end);
                PmScanArg arg = {
                        .size = sizeof(arg),
                        .start = from,
                        .end = s->end,
                        .vec = (uint64_t)(uintptr_t)s->regions,
                        .vec_len = SCAN_REGIONS,
                        .category_mask = PM_IS_PRESENT,
                        .return_mask = PM_IS_PRESENT | PM_IS_HUGE | PM_IS_PFNZERO,
                };
                int n = ioctl(s->pagemap_fd, PM_IOCTL_SCAN, &arg);
                if (n < 0) {
                        int r = negative_errno();
                        if (r != -ENOTTY && r != -EINVAL && r != -ENOSYS)
                                return r;
                        /* Before 6.7 (or a plain file in a test tree): read the entries instead. */
                        s->scan_ioctl = false;
                        return next_present_pagemap(s, ret_start, ret_end, tally);
                }
                if (arg.walk_end <= from) /* no progress: never loop on a kernel that says nothing */
                        return -EIO;
                s->n_regions = (size_t)n;
                s->next_region = 0;
                s->walk_end = arg.walk_end;
        }
        tally->not_present += pages_between(s, s->cursor, s->end);
        s->cursor = s->end;
        return 0;
}

typedef struct Emitter {
        PageItem *items;
        size_t n, max_items;
        uint64_t pages, max_pages;
} Emitter;

static bool emitter_full(const Emitter *e)
{
        return e->n >= e->max_items || (e->n > 0 && e->pages >= e->max_pages);
}

static int node_of(const PageScan *s, uint64_t addr)
{
        if (!s->pfns || !pagemap_holds(s, addr))
                return -1;
        return pfn_node_lookup(&s->nodes, entry_at(s, addr) & PM_ENTRY_PFN, s->page_size);
}

/* Add an item of span pages from addr that stands for a folio of folio_pages, and move the cursor past the span;
 * false (nothing added) when the emitter is full. */
static bool emit_folio(PageScan *s, Emitter *e, uint64_t addr, uint64_t span, uint64_t folio_pages, bool huge)
{
        if (emitter_full(e))
                return false;
        e->items[e->n++] = (PageItem){.addr = addr,
                                      .pages = (uint32_t)folio_pages,
                                      .node = node_of(s, addr),
                                      .huge = huge || folio_pages > 1};
        e->pages += folio_pages;
        s->cursor = addr + span * s->page_size;
        return true;
}

static bool emit(PageScan *s, Emitter *e, uint64_t addr, uint64_t pages, bool huge)
{
        return emit_folio(s, e, addr, pages, pages, huge);
}

/* A PMD-mapped run: one item per huge page, all of its pages even where the range cuts it, since the kernel
 * moves it whole.  The piece of a huge page returned already (the range before ended inside it) is skipped. */
static void emit_huge(PageScan *s, Emitter *e, uint64_t a, uint64_t b)
{
        while (a < b) {
                uint64_t head = a / s->huge_bytes * s->huge_bytes;
                uint64_t next = MIN(b, head + s->huge_bytes);
                if (head != s->last_huge_head) {
                        if (!emit_folio(s, e, a, pages_between(s, a, next), s->huge_bytes / s->page_size, true))
                                return;
                        s->last_huge_head = head;
                }
                s->cursor = next;
                a = next;
        }
}

/* Folios from the frame numbers and kpageflags: a run of consecutive frames holds whole folios, a head page
 * and its tails (or, at the start of the range, the tails of a folio that begins before it). */
static int emit_compound(PageScan *s, Emitter *e, uint64_t a, uint64_t b)
{
        while (a < b) {
                uint64_t pfn = entry_at(s, a) & PM_ENTRY_PFN, run = 1;
                while (a + run * s->page_size < b && (entry_at(s, a + run * s->page_size) & PM_ENTRY_PFN) == pfn + run)
                        run++;
                size_t at = (size_t)pages_between(s, s->pm_start, a);
                ssize_t n = 0;
                if (run > 1) {
                        n = sysfs_pread(s->kpageflags_fd, s->kpf + at, run * sizeof(uint64_t), pfn * sizeof(uint64_t));
                        if (n == -ENOMEM)
                                return -ENOMEM;
                }
                if (n < (ssize_t)(run * sizeof(uint64_t)))
                        memset(s->kpf + at, 0, run * sizeof(uint64_t)); /* unreadable: page by page */
                for (uint64_t k = 0; k < run;) {
                        uint64_t f = s->kpf[at + k], len = 1;
                        if (f & (KPF(KPF_COMPOUND_HEAD) | KPF(KPF_COMPOUND_TAIL)))
                                while (k + len < run && (s->kpf[at + k + len] & KPF(KPF_COMPOUND_TAIL)) &&
                                       !(s->kpf[at + k + len] & KPF(KPF_COMPOUND_HEAD)))
                                        len++;
                        /* Part of a large folio, even when only one of its pages lies in the range. */
                        bool large =
                                f & (KPF(KPF_COMPOUND_HEAD) | KPF(KPF_COMPOUND_TAIL) | KPF(KPF_THP) | KPF(KPF_HUGE));
                        if (!emit(s, e, a + k * s->page_size, len, large))
                                return 0;
                        k += len;
                }
                a += run * s->page_size;
        }
        return 0;
}

int page_scan_next(PageScan *s, PageItem *items, size_t max_items, uint64_t max_pages, PageScanTally *tally)
{
        Emitter e = {.items = items, .max_items = max_items, .max_pages = max_pages};

        while (!emitter_full(&e)) {
                uint64_t a, b, categories;
                int r = next_present(s, &a, &b, &categories, tally);
                if (r < 0)
                        return r;
                if (r == 0)
                        break;
                b = MIN(b, window_end(s, a));
                if (categories & PM_IS_PFNZERO) {
                        tally->zero += pages_between(s, a, b);
                        s->cursor = b;
                        continue;
                }
                /* Frame numbers, for the node and kpageflags, unless they turned out hidden. */
                if (s->pfns && !pagemap_holds(s, a)) {
                        r = load_pagemap(s, a);
                        if (r < 0)
                                return r;
                }
                b = MIN(b, s->pm_n > 0 && s->pfns ? s->pm_start + s->pm_n * s->page_size : b);
                if (categories & PM_IS_HUGE)
                        emit_huge(s, &e, a, b);
                else if (s->pfns && s->kpageflags_fd >= 0) {
                        r = emit_compound(s, &e, a, b);
                        if (r < 0)
                                return r;
                } else
                        for (uint64_t p = a; p < b && emit(s, &e, p, 1, false); p += s->page_size)
                                ;
        }
        return (int)e.n;
}
