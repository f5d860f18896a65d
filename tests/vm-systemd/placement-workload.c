/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A workload for tierd's placement VM test (placement-test.sh):
 *
 *   placement-workload TOTAL_MIB HOT_MIB [PAUSE_MSEC]
 *
 * maps TOTAL_MIB of anonymous memory (2 MiB-aligned, MADV_HUGEPAGE: DAMON reads a transparent huge page's
 * accessed bit as one), writes the first 8-byte word of every 64-byte line with a pattern of its offset (the
 * other words stay zero: an eighth of the stores, which matters under TCG, and every word is still checked; where
 * it lands is the caller's memory policy: numactl --membind=N), prints where it is (as for SIGUSR2 below) and
 *
 *   ready pid=PID start=0xADDR hot_end=0xADDR end=0xADDR
 *
 * and then rewrites the first word of every 4 KiB page of the first HOT_MIB in a loop, with a generation count
 * per page, pausing PAUSE_MSEC (default 1) after each pass (the hot part; HOT_MIB 0: it only waits, 100 ms at a
 * time).  Between passes it answers signals:
 *
 *   SIGUSR1  checks every word and prints "verify ok WORDS" or "verify bad offset=N"
 *   SIGUSR2  asks move_pages(2) where each 4 KiB page is and prints
 *            "where hot0=N hot1=N hotx=N cold0=N cold1=N coldx=N" (pages on node 0, node 1, elsewhere or absent)
 *   SIGTERM  checks, prints as SIGUSR1, exits 0 (ok) or 1 (bad)
 */
#include <inttypes.h>
#include <numaif.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define HUGE (UINT64_C(2) << 20)
#define PAGE UINT64_C(4096)
#define WORDS_PER_PAGE (PAGE / 8)
#define WORDS_PER_LINE 8

static volatile sig_atomic_t want_verify, want_where, want_exit;

static void on_signal(int sig)
{
        if (sig == SIGUSR1)
                want_verify = 1;
        else if (sig == SIGUSR2)
                want_where = 1;
        else
                want_exit = 1;
}

static uint64_t pattern(uint64_t offset)
{
        return (offset / 8 + 1) * UINT64_C(0x9E3779B97F4A7C15) ^ UINT64_C(0x5A5A5A5A00000000);
}

/* The first bad line's offset, or -1.  A line's first word is its pattern (a hot page's first one xor the page's
 * generation), the others zero. */
static int64_t verify(const uint64_t *words, uint64_t bytes, const uint64_t *gen, uint64_t hot_pages)
{
        for (uint64_t i = 0; i < bytes / 8; i += WORDS_PER_LINE) {
                uint64_t want = pattern(i * 8), rest = 0;
                if (i % WORDS_PER_PAGE == 0 && i / WORDS_PER_PAGE < hot_pages)
                        want ^= gen[i / WORDS_PER_PAGE];
                for (unsigned k = 1; k < WORDS_PER_LINE; k++)
                        rest |= words[i + k];
                if (words[i] != want || rest != 0)
                        return (int64_t)i * 8;
        }
        return -1;
}

static void report_verify(int64_t bad, uint64_t bytes)
{
        if (bad < 0)
                printf("verify ok %" PRIu64 "\n", bytes / 8);
        else
                printf("verify bad offset=%" PRId64 "\n", bad);
        fflush(stdout);
}

/* Pages of [first, first + n) on node 0, node 1 and elsewhere (or not present), from move_pages(2). */
static void count_nodes(char *base, uint64_t first, uint64_t n, void **pages, int *status, uint64_t out[3])
{
        out[0] = out[1] = out[2] = 0;
        for (uint64_t i = 0; i < n; i++) {
                pages[i] = base + (first + i) * PAGE;
                status[i] = -1;
        }
        if (n > 0 && move_pages(0, n, pages, NULL, status, 0) < 0) {
                out[2] = n;
                return;
        }
        for (uint64_t i = 0; i < n; i++)
                out[status[i] == 0 ? 0 : status[i] == 1 ? 1 : 2]++;
}

static void report_where(char *base, uint64_t pages, uint64_t hot_pages, void **addrs, int *status)
{
        uint64_t h[3], c[3];
        count_nodes(base, 0, hot_pages, addrs, status, h);
        count_nodes(base, hot_pages, pages - hot_pages, addrs, status, c);
        printf("where hot0=%" PRIu64 " hot1=%" PRIu64 " hotx=%" PRIu64 " cold0=%" PRIu64 " cold1=%" PRIu64
               " coldx=%" PRIu64 "\n",
               h[0], h[1], h[2], c[0], c[1], c[2]);
        fflush(stdout);
}

int main(int argc, char **argv)
{
        if (argc != 3 && argc != 4) {
                fputs("usage: placement-workload TOTAL_MIB HOT_MIB [PAUSE_MSEC]\n", stderr);
                return 2;
        }
        uint64_t bytes = strtoull(argv[1], NULL, 10) << 20, hot = strtoull(argv[2], NULL, 10) << 20;
        uint64_t pause_ms = argc == 4 ? strtoull(argv[3], NULL, 10) : 1;
        if (bytes == 0 || hot > bytes || pause_ms > 10000)
                return 2;
        if (hot == 0)
                pause_ms = 100;
        struct timespec pause = {.tv_sec = (time_t)(pause_ms / 1000), .tv_nsec = (long)(pause_ms % 1000) * 1000000};
        uint64_t pages = bytes / PAGE, hot_pages = hot / PAGE;

        char *raw = mmap(NULL, bytes + HUGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (raw == MAP_FAILED) {
                perror("mmap");
                return 1;
        }
        char *base = (char *)(((uintptr_t)raw + HUGE - 1) & ~(uintptr_t)(HUGE - 1));
        (void)madvise(base, bytes, MADV_HUGEPAGE);
        uint64_t *words = (uint64_t *)base;
        for (uint64_t i = 0; i < bytes / 8; i += WORDS_PER_LINE)
                words[i] = pattern(i * 8);

        uint64_t *gen = calloc(hot_pages ? hot_pages : 1, sizeof(uint64_t));
        void **addrs = calloc(pages, sizeof(void *));
        int *status = calloc(pages, sizeof(int));
        if (!gen || !addrs || !status) {
                perror("calloc");
                return 1;
        }

        struct sigaction sa = {.sa_handler = on_signal};
        sigemptyset(&sa.sa_mask);
        sigaction(SIGUSR1, &sa, NULL);
        sigaction(SIGUSR2, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        report_where(base, pages, hot_pages, addrs, status); /* where the writes put it */
        printf("ready pid=%d start=%p hot_end=%p end=%p\n", (int)getpid(), (void *)base, (void *)(base + hot),
               (void *)(base + bytes));
        fflush(stdout);

        for (;;) {
                for (uint64_t p = 0; p < hot_pages; p++) {
                        uint64_t i = p * WORDS_PER_PAGE;
                        gen[p]++;
                        words[i] = pattern(i * 8) ^ gen[p];
                }
                nanosleep(&pause, NULL); /* a signal cuts it short */
                if (want_where) {
                        want_where = 0;
                        report_where(base, pages, hot_pages, addrs, status);
                }
                if (want_verify || want_exit) {
                        int64_t bad = verify(words, bytes, gen, hot_pages);
                        want_verify = 0;
                        report_verify(bad, bytes);
                        if (want_exit)
                                return bad < 0 ? 0 : 1;
                }
        }
}
