/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "macro.h"
#include "nodemask.h"
#include "strv.h"
#include "warning.h"

/*
 * The one reader of sysfs and procfs.  Every path is relative to a root directory ("/" on a live system, a
 * captured or hand-built tree in tests), resolved as if the root were "/": absolute symlinks inside a replayed
 * tree and ".." stay inside it.  The kernel does that (openat2 RESOLVE_IN_ROOT); where openat2 is missing (pre-5.6
 * kernels, some seccomp profiles: ENOSYS) a component-by-component walk in user space gives the same answers.
 * Paths are printf formats relative to the root ("sys/devices/system/node/online").
 *
 * Only regular files are read or written: real sysfs, procfs and debugfs attributes are regular files, and a
 * FIFO or device in a tree must not block the daemon.  Files are opened O_NONBLOCK and checked before use.
 *
 * Return values: 0 on success, -ENOENT when the file does not exist (normal: old kernels, no HMAT), -ENOMEM,
 * -EINVAL/-ERANGE for a malformed value, -EISDIR for a directory where a file was expected, -EBADFD for any other
 * file that is not a regular file (FIFO, socket, device), -ELOOP for too many symlinks, or what open/read said.
 * Readers record every failure but -ENOENT and -ENOMEM in the root's warning list (malformed-value for bad
 * content, unreadable-value for the rest) with the file, including the root prefix, and context_node as the
 * node, so callers may just skip the item and go on.  Writers record nothing; they return the error.
 * A SysfsRoot is used by one thread at a time.
 */
typedef enum SysfsResolver {
        SYSFS_RESOLVER_AUTO,      /* openat2(RESOLVE_IN_ROOT); the user-space walk once that says ENOSYS */
        SYSFS_RESOLVER_USERSPACE, /* always the user-space walk (tests, and AUTO after ENOSYS) */
} SysfsResolver;

typedef struct SysfsRoot {
        char *path;
        int fd;
        WarningList *warnings; /* not owned; may be NULL */
        int context_node;      /* the node the files being read are about, for warnings; -1: none */
        SysfsResolver resolver;
        /* Keep the directory of the last file open for its siblings (a scan's speed).  Off by default: a
         * long-lived root must not pin a directory, which would keep e.g. debugfs from being unmounted. */
        bool keep_dir;
        int dir_fd; /* private */
        char dir_path[PATH_MAX];
} SysfsRoot;

/* path NULL means "/"; "" is refused (-EINVAL): an empty option must not silently mean the live system. */
int sysfs_root_new(const char *path, WarningList *warnings, SysfsRoot **ret);
/* Another handle on the same root (same directory, resolver), e.g. for a second thread; its own warnings. */
int sysfs_root_clone(SysfsRoot *r, WarningList *warnings, SysfsRoot **ret);
SysfsRoot *sysfs_root_free(SysfsRoot *r);
DEFINE_TRIVIAL_CLEANUP_FUNC(SysfsRoot *, sysfs_root_free);
static inline void sysfs_root_set_resolver(SysfsRoot *r, SysfsResolver resolver)
{
        r->resolver = resolver;
}

/* Record an unreadable-value warning for a file (e.g. one that must exist but does not); returns error, or
 * -ENOMEM.  sysfs_root_describe() formats a file's name as warnings show it (root prefix included). */
int sysfs_warn_unreadable(SysfsRoot *r, int error, const char *fmt, ...) _printf_(3, 4);
int sysfs_root_describe(SysfsRoot *r, char *buf, size_t size, const char *fmt, ...) _printf_(4, 5);

/* Largest file the reader accepts; sysfs attributes are at most a page, /proc/meminfo a few KiB. */
#define SYSFS_VALUE_MAX (1024 * 1024)

int sysfs_read_string(SysfsRoot *r, char **ret, const char *fmt, ...) _printf_(3, 4);
int sysfs_read_u64(SysfsRoot *r, uint64_t *ret, const char *fmt, ...) _printf_(3, 4);
int sysfs_read_u32(SysfsRoot *r, uint32_t *ret, const char *fmt, ...) _printf_(3, 4);
int sysfs_read_int(SysfsRoot *r, int *ret, const char *fmt, ...) _printf_(3, 4);
int sysfs_read_hex(SysfsRoot *r, uint64_t *ret, const char *fmt, ...) _printf_(3, 4);
int sysfs_read_bool(SysfsRoot *r, bool *ret, const char *fmt, ...) _printf_(3, 4);
int sysfs_read_nodemask(SysfsRoot *r, NodeMask *ret, const char *fmt, ...) _printf_(3, 4);
/* An id list such as a cpulist: its text (newline stripped) and the number of ids, ids < limit. */
int sysfs_read_id_list(SysfsRoot *r, unsigned limit, char **ret_text, unsigned *ret_count, const char *fmt, ...)
        _printf_(5, 6);
int sysfs_read_distance_row(SysfsRoot *r, uint32_t *out, size_t max, size_t *ret_n, const char *fmt, ...)
        _printf_(5, 6);
/* Several fields of one meminfo file (in kB), read once; -ENOENT if the file is missing, a malformed-value
 * warning and -EINVAL if a field is. */
int sysfs_read_meminfo_kb(SysfsRoot *r, size_t n, const char *const *fields, uint64_t *const *ret_kb, const char *fmt,
                          ...) _printf_(5, 6);
/* The last component of a symlink's target ("kmem" for a dax device's driver link). */
int sysfs_readlink_basename(SysfsRoot *r, char **ret, const char *fmt, ...) _printf_(3, 4);

/*
 * Open a regular file for reading at offsets with sysfs_pread() (/proc/PID/pagemap, /proc/kpageflags) or to the
 * end with sysfs_read_fd() (/proc/PID/maps, which may exceed SYSFS_VALUE_MAX).  Returns the descriptor (close it),
 * or the errors above.  Nothing is recorded in the warning list: a process that exits, or a file only root may
 * read, is the caller's business.
 */
int sysfs_open_read(SysfsRoot *r, const char *fmt, ...) _printf_(2, 3);
/* pread() until size bytes or the end of the file (EINTR retried): the bytes read, or a negative errno. */
ssize_t sysfs_pread(int fd, void *buf, size_t size, uint64_t offset);
/* The rest of an open file, NUL-terminated, of any size; *ret_len (may be NULL) without the NUL. */
int sysfs_read_fd(int fd, char **ret, size_t *ret_len);

/* Write a value (a newline is appended) to an existing file; -ENOENT when it does not exist. */
int sysfs_write_string(SysfsRoot *r, const char *value, const char *fmt, ...) _printf_(3, 4);

/* Entries of a directory named PREFIX<decimal>, as sorted ids ("node3" -> 3). */
int sysfs_list_ids(SysfsRoot *r, const char *prefix, uint64_t **ret_ids, size_t *ret_n, const char *fmt, ...)
        _printf_(5, 6);
/* Entry names of a directory, sorted, without "." and "..". *ret is a NULL-terminated malloc'ed vector. */
int sysfs_list_names(SysfsRoot *r, char ***ret, size_t *ret_n, const char *fmt, ...) _printf_(4, 5);
/* The same, only the entries that are directories themselves (d_type; links are not followed): cgroup trees. */
int sysfs_list_subdirs(SysfsRoot *r, char ***ret, size_t *ret_n, const char *fmt, ...) _printf_(4, 5);
