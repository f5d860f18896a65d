/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * damon-workload TOTAL_MIB HOT_MIB: for the DAMON VM test.  Maps TOTAL_MIB of anonymous memory, writes all of it
 * once, prints "PID START HOT_END END" (hex addresses), then writes one byte per page of the first HOT_MIB in a
 * loop forever: a hot part and a cold part.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv)
{
        if (argc != 3)
                return 2;
        size_t total = strtoull(argv[1], NULL, 10) << 20, hot = strtoull(argv[2], NULL, 10) << 20;
        long page = sysconf(_SC_PAGESIZE);
        if (hot > total || page <= 0)
                return 2;
        volatile char *p = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
                return 1;
        memset((char *)p, 1, total);
        printf("%d %lx %lx %lx\n", (int)getpid(), (unsigned long)p, (unsigned long)(p + hot),
               (unsigned long)(p + total));
        fflush(stdout);
        for (;;)
                for (size_t o = 0; o < hot; o += (size_t)page)
                        p[o]++;
}
