/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A process with memory to move, for the migration VM test and benchmark:
 *
 *   migrate-workload --size MIB [--node N] [--thp-percent P]
 *
 * maps MIB MiB of anonymous memory, the first P% (default 50) in 2 MiB-aligned transparent huge pages
 * (MADV_HUGEPAGE), the rest in 4 KiB pages (MADV_NOHUGEPAGE), all of it first bound to node N while it is
 * written (then the policy is reset, so that nothing but a migration moves it), fills every 8-byte word with a
 * pattern of its offset, prints
 *
 *   ready pid=PID addr=0xADDR size=BYTES thp_bytes=BYTES
 *
 * and waits for signals: SIGUSR1 checks the pattern and prints "verify ok WORDS" or "verify bad offset=N";
 * SIGTERM checks it, prints the same and exits 0 (ok) or 1 (bad).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <numaif.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define HUGE (UINT64_C(2) << 20)

static uint64_t pattern(uint64_t offset)
{
        return (offset / 8 + 1) * UINT64_C(0x9E3779B97F4A7C15) ^ UINT64_C(0x5A5A5A5A00000000);
}

/* The first bad offset, or -1. */
static int64_t verify(const uint64_t *words, uint64_t bytes)
{
        for (uint64_t i = 0; i < bytes / 8; i++)
                if (words[i] != pattern(i * 8))
                        return (int64_t)i * 8;
        return -1;
}

static void usage(void)
{
        fputs("usage: migrate-workload --size MIB [--node N] [--thp-percent P]\n", stderr);
        exit(2);
}

int main(int argc, char *argv[])
{
        static const struct option options[] = {
                {"size", required_argument, NULL, 's'},
                {"node", required_argument, NULL, 'n'},
                {"thp-percent", required_argument, NULL, 't'},
                {},
        };
        uint64_t mib = 0, thp_percent = 50;
        int node = -1, c;

        while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0)
                switch (c) {
                case 's':
                        mib = strtoull(optarg, NULL, 10);
                        break;
                case 'n':
                        node = atoi(optarg);
                        break;
                case 't':
                        thp_percent = strtoull(optarg, NULL, 10);
                        break;
                default:
                        usage();
                }
        if (mib == 0 || thp_percent > 100 || optind != argc)
                usage();

        uint64_t bytes = mib << 20, thp_bytes = bytes * thp_percent / 100 / HUGE * HUGE;
        /* One huge page more, to align the start. */
        char *raw = mmap(NULL, bytes + HUGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (raw == MAP_FAILED) {
                perror("mmap");
                return 1;
        }
        char *base = (char *)(((uintptr_t)raw + HUGE - 1) & ~(uintptr_t)(HUGE - 1));
        if ((thp_bytes && madvise(base, thp_bytes, MADV_HUGEPAGE) < 0) ||
            (bytes > thp_bytes && madvise(base + thp_bytes, bytes - thp_bytes, MADV_NOHUGEPAGE) < 0)) {
                perror("madvise");
                return 1;
        }
        if (node >= 0) {
                unsigned long mask[16] = {};
                mask[node / 64] = 1UL << (node % 64);
                if (mbind(base, bytes, MPOL_BIND, mask, sizeof(mask) * 8, 0) < 0) {
                        perror("mbind");
                        return 1;
                }
        }
        uint64_t *words = (uint64_t *)base;
        for (uint64_t i = 0; i < bytes / 8; i++)
                words[i] = pattern(i * 8);
        if (node >= 0 && mbind(base, bytes, MPOL_DEFAULT, NULL, 0, 0) < 0) {
                perror("mbind");
                return 1;
        }

        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGUSR1);
        sigaddset(&set, SIGTERM);
        sigprocmask(SIG_BLOCK, &set, NULL);
        printf("ready pid=%d addr=%p size=%" PRIu64 " thp_bytes=%" PRIu64 "\n", (int)getpid(), (void *)base, bytes,
               thp_bytes);
        fflush(stdout);

        for (;;) {
                int sig;
                if (sigwait(&set, &sig) != 0)
                        continue;
                int64_t bad = verify(words, bytes);
                if (bad < 0)
                        printf("verify ok %" PRIu64 "\n", bytes / 8);
                else
                        printf("verify bad offset=%" PRId64 "\n", bad);
                fflush(stdout);
                if (sig == SIGTERM)
                        return bad < 0 ? 0 : 1;
        }
}
