/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "pfn-node.h"
#include "sysfs.h"

/*
 * Where a process's pages are, read from user space for the migration engine: its mappings (/proc/PID/maps) and,
 * within a virtual range, the pages that are present, as one item per folio, so that move_pages(2) gets one
 * address per huge page (a second address inside a huge page the kernel has isolated answers -EBUSY).
 *
 * Present pages come from the PAGEMAP_SCAN ioctl on /proc/PID/pagemap (Linux 6.7+: it walks the page tables and
 * skips holes, so a sparse mapping of terabytes, like a sanitizer's shadow, costs nothing), or else from reading
 * the pagemap entries.  Folios, most exact first:
 *   - PMD-mapped huge pages: PAGEMAP_SCAN's PAGE_IS_HUGE, one item per huge page, counting all its pages also
 *     where the range cuts it (move_pages(2) moves it whole); a huge page returned for a range that ended inside
 *     it is not returned again for the next range, unless that one starts below it (a new pass);
 *   - with page frame numbers (pagemap shows them to CAP_SYS_ADMIN) and /proc/kpageflags readable (root):
 *     runs of consecutive frames split at KPF_COMPOUND_HEAD, a head's KPF_COMPOUND_TAIL pages joining it
 *     (PTE-mapped THPs and multi-size THPs too);
 *   - otherwise one item per page: a PTE-mapped large folio then costs one address per page and the kernel's
 *     -EBUSY for its second page, which the engine re-queries (documented in migrate.h).
 * With page frame numbers each item also knows its node (pfn-node.h).
 */
typedef struct PageRange {
        uint64_t start, end; /* [start, end) */
} PageRange;

/* Every mapping of a /proc/PID/maps text but the kernel's own ([vdso], [vvar], [vvar_vclock], [vsyscall],
 * [uprobes]: nothing there belongs to the process or can move), in file order (ascending).  -EINVAL when a line
 * is not a mapping. */
int page_ranges_parse_maps(const char *text, PageRange **ret, size_t *ret_n);
/* -ESRCH when the process is gone. */
int page_ranges_read_maps(SysfsRoot *root, pid_t pid, PageRange **ret, size_t *ret_n);

typedef struct PageItem {
        uint64_t addr;
        uint32_t pages; /* base pages of the folio: inside the scanned range, a PMD-mapped one whole */
        int32_t node;   /* from the page frame number; -1: unknown */
        bool huge;      /* more than one page: a THP, multi-size THP or hugetlb page */
} PageItem;

typedef struct PageScanTally {
        uint64_t not_present; /* never touched, swapped out, or no mapping there */
        uint64_t zero;        /* the shared zero page (read, never written): nothing to move */
} PageScanTally;

typedef struct PageScan PageScan;

/* Opens /proc/PID/pagemap (-ESRCH when the process is gone, -EACCES/-EPERM without ptrace access) and, when
 * readable, /proc/kpageflags; reads the memory block map. */
int page_scan_new(SysfsRoot *root, pid_t pid, PageScan **ret);
PageScan *page_scan_free(PageScan *s);
DEFINE_TRIVIAL_CLEANUP_FUNC(PageScan *, page_scan_free);

uint64_t page_scan_page_size(const PageScan *s);
/* What the scan could use (for the stats and tests): frame numbers, kpageflags, PAGEMAP_SCAN.  Frame numbers are
 * known only once a present page has been read; until then they count as visible. */
bool page_scan_has_pfns(const PageScan *s);
bool page_scan_has_kpageflags(const PageScan *s);
bool page_scan_has_scan_ioctl(const PageScan *s);

/* Scan [start, end) next (rounded out to pages). */
void page_scan_start(PageScan *s, uint64_t start, uint64_t end);
/* The next items of the range: at most max_items, and no more once max_pages pages are reached (one item is
 * always allowed).  Pages that are not present or map the zero page are added to *tally.  Returns the number of
 * items, 0 once the range is done, -ESRCH when the process has exited, or another negative errno. */
int page_scan_next(PageScan *s, PageItem *items, size_t max_items, uint64_t max_pages, PageScanTally *tally);
