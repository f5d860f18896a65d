/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _unused_ __attribute__((unused))
#define _printf_(a, b) __attribute__((format(printf, a, b)))

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))

/* Hand the pointer over to the caller and make the cleanup a no-op. */
#define TAKE_PTR(p)                                                                                                    \
        ({                                                                                                             \
                __typeof__(p) _ptr_ = (p);                                                                             \
                (p) = NULL;                                                                                            \
                _ptr_;                                                                                                 \
        })

#define TAKE_FD(fd)                                                                                                    \
        ({                                                                                                             \
                int _fd_ = (fd);                                                                                       \
                (fd) = -EBADF;                                                                                         \
                _fd_;                                                                                                  \
        })

#define DEFINE_TRIVIAL_CLEANUP_FUNC(type, func)                                                                        \
        static inline void func##p(type *p)                                                                            \
        {                                                                                                              \
                if (*p)                                                                                                \
                        func(*p);                                                                                      \
        }

static inline void freep(void *p)
{
        free(*(void **)p);
}
#define _cleanup_free_ _cleanup_(freep)

static inline void closep(int *fd)
{
        if (*fd >= 0)
                close(*fd);
}
#define _cleanup_close_ _cleanup_(closep)

static inline int negative_errno(void)
{
        /* Callers use this right after a libc failure; never let a bogus 0 slip through as success. */
        return errno > 0 ? -errno : -EIO;
}

#ifndef MIN /* GLib (pulled in by umockdev in a test) defines the same */
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#endif
#ifndef MAX
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#endif

/* Grow *array (of *allocated elements of size elsize) so that at least need elements fit. */
int greedy_realloc(void **array, size_t *allocated, size_t need, size_t elsize);
#define GREEDY_REALLOC(array, allocated, need)                                                                         \
        greedy_realloc((void **)&(array), &(allocated), (need), sizeof((array)[0]))
