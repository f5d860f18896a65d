/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * A process as the migration engine reads it, in a scratch tree: /proc/PID/pagemap and /proc/kpageflags (binary,
 * one 64-bit word per page / frame, written at their offsets), /proc/PID/maps, and two nodes whose memory blocks
 * (128 MiB) map frames 0-32767 to node 0 and 32768-65535 to node 1.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <linux/kernel-page-flags.h>
#include <stdint.h>
#include <unistd.h>

#include "scratch-root.h"

#define TEST_PID 4242
#define PAGE 4096u
#define BASE UINT64_C(0x40000000) /* 1 GiB: 2 MiB aligned */
#define PM_PRESENT (UINT64_C(1) << 63)
#define NODE0_PFN UINT64_C(0x100)
#define NODE1_PFN UINT64_C(0x8100)
#define KF(bit) (UINT64_C(1) << (bit))

static inline void put_words(const char *path, uint64_t word, const uint64_t *v, size_t n)
{
        char full[PATH_MAX * 2];
        snprintf(full, sizeof full, "%s/%s", root, path);
        int fd = open(full, O_WRONLY | O_CREAT | O_CLOEXEC, 0644); /* its directory exists (make_proc_tree()) */
        ASSERT_TRUE(fd >= 0);
        ASSERT_EQ(pwrite(fd, v, n * sizeof(*v), (off_t)(word * sizeof(*v))), (ssize_t)(n * sizeof(*v)));
        close(fd);
}

static inline void put_pagemap(uint64_t addr, const uint64_t *entries, size_t n)
{
        char p[64];
        snprintf(p, sizeof p, "proc/%d/pagemap", TEST_PID);
        put_words(p, addr / PAGE, entries, n);
}

static inline void put_kpageflags(uint64_t pfn, const uint64_t *flags, size_t n)
{
        put_words("proc/kpageflags", pfn, flags, n);
}

static inline void make_proc_tree(void)
{
        make_root();
        put("sys/devices/system/memory/block_size_bytes", "8000000\n");
        put("sys/devices/system/node/node0/memory0/online", "1\n");
        put("sys/devices/system/node/node1/memory1/online", "1\n");
        put("sys/devices/system/node/node0/meminfo", "Node 0 MemFree:  1048576 kB\n");
        put("sys/devices/system/node/node1/meminfo", "Node 1 MemFree:  1048576 kB\n");
        char p[64];
        snprintf(p, sizeof p, "proc/%d/pagemap", TEST_PID);
        put(p, "%s", "");
        snprintf(p, sizeof p, "proc/%d/maps", TEST_PID);
        put(p, "%" PRIx64 "-%" PRIx64 " rw-p 00000000 00:00 0 \n", BASE, BASE + 1024 * (uint64_t)PAGE);
}
