/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The naive baseline of bench-migrate.sh: move a range of another process's pages with one move_pages(2) call
 * per 4 KiB page, as a tool that knows nothing of batches or huge pages would.
 *
 *   migrate-onepage PID ADDR BYTES NODE
 *
 * Prints "onepage pages=N moved=M calls=C" (moved: the calls whose status is NODE).  Exit 1 when a call fails as a
 * whole.
 */
#include <errno.h>
#include <inttypes.h>
#include <numaif.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
        if (argc != 5) {
                fputs("usage: migrate-onepage PID ADDR BYTES NODE\n", stderr);
                return 2;
        }
        int pid = atoi(argv[1]), node = atoi(argv[4]);
        uintptr_t addr = (uintptr_t)strtoull(argv[2], NULL, 0);
        uint64_t bytes = strtoull(argv[3], NULL, 0), page = (uint64_t)sysconf(_SC_PAGESIZE), moved = 0, calls = 0;

        for (uint64_t off = 0; off < bytes; off += page) {
                void *p = (void *)(addr + off);
                int status = -1;
                if (move_pages(pid, 1, &p, &node, &status, MPOL_MF_MOVE_ALL) < 0) {
                        fprintf(stderr, "move_pages at %p: %s\n", p, strerror(errno));
                        return 1;
                }
                calls++;
                moved += status == node;
        }
        printf("onepage pages=%" PRIu64 " moved=%" PRIu64 " calls=%" PRIu64 "\n", bytes / page, moved, calls);
        return 0;
}
