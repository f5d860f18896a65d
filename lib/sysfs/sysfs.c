/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "escape.h"
#include "parse.h"
#include "sysfs.h"

/* Symlinks followed in one lookup before -ELOOP, as the kernel's MAXSYMLINKS. */
#define SYSFS_MAX_LINKS 40

int sysfs_root_new(const char *path, WarningList *warnings, SysfsRoot **ret)
{
        if (path && !*path)
                return -EINVAL;
        _cleanup_(sysfs_root_freep) SysfsRoot *r = calloc(1, sizeof(*r));
        if (!r)
                return -ENOMEM;
        r->fd = r->dir_fd = -EBADF;
        r->context_node = -1;
        r->path = strdup(path ?: "/");
        if (!r->path)
                return -ENOMEM;
        r->fd = open(r->path, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (r->fd < 0)
                return negative_errno();
        r->warnings = warnings;
        *ret = TAKE_PTR(r);
        return 0;
}

int sysfs_root_clone(SysfsRoot *r, WarningList *warnings, SysfsRoot **ret)
{
        _cleanup_(sysfs_root_freep) SysfsRoot *c = calloc(1, sizeof(*c));
        if (!c)
                return -ENOMEM;
        c->fd = c->dir_fd = -EBADF;
        c->context_node = -1;
        c->resolver = r->resolver;
        c->keep_dir = r->keep_dir;
        c->warnings = warnings;
        c->path = strdup(r->path);
        if (!c->path)
                return -ENOMEM;
        c->fd = fcntl(r->fd, F_DUPFD_CLOEXEC, 3);
        if (c->fd < 0)
                return negative_errno();
        *ret = TAKE_PTR(c);
        return 0;
}

SysfsRoot *sysfs_root_free(SysfsRoot *r)
{
        if (!r)
                return NULL;
        if (r->fd >= 0)
                close(r->fd);
        if (r->dir_fd >= 0)
                close(r->dir_fd);
        free(r->path);
        free(r);
        return NULL;
}

_printf_(3, 0) static int format_path(char *buf, size_t size, const char *fmt, va_list ap)
{
        int n = vsnprintf(buf, size, fmt, ap);
        if (n < 0 || (size_t)n >= size)
                return -ENAMETOOLONG;
        return 0;
}

/* The path named by a variadic function's own format arguments, into the char array path. */
#define FORMAT_PATH(path, fmt)                                                                                         \
        ({                                                                                                             \
                va_list _ap_;                                                                                          \
                va_start(_ap_, fmt);                                                                                   \
                int _k_ = format_path(path, sizeof(path), fmt, _ap_);                                                  \
                va_end(_ap_);                                                                                          \
                _k_;                                                                                                   \
        })

static void close_dirs(int *dirs, size_t n)
{
        for (size_t i = 0; i < n; i++)
                close(dirs[i]);
}

/*
 * RESOLVE_IN_ROOT in user space: look up one component at a time with O_NOFOLLOW, expand symlinks ourselves
 * (an absolute target starts again at the root), and keep the chain of directories so that ".." goes back
 * one step but never above the root.  Nothing is ever resolved by the kernel across a symlink or "..".
 * Unlike openat2 this cannot stop a concurrent rename from moving a directory out of the root mid-walk; the
 * trees it guards are captures and test fixtures, not hostile writers.
 */
static int open_in_root_userspace(SysfsRoot *r, const char *path, int flags)
{
        _cleanup_free_ char *buf = strdup(path);
        if (!buf)
                return -ENOMEM;
        _cleanup_free_ int *dirs = NULL; /* dirs[i]: the (i+1)-th directory below the root on the way */
        size_t depth = 0, allocated = 0;
        unsigned links = 0;
        char *p = buf;
        int k;

        for (;;) {
                while (*p == '/')
                        p++;
                int cur = depth > 0 ? dirs[depth - 1] : r->fd;
                if (!*p) { /* the path named a directory: the root, or ended in "/", "." or ".." */
                        k = openat(cur, ".", flags | O_CLOEXEC);
                        k = k < 0 ? negative_errno() : k;
                        break;
                }
                char *name = p, *end = strchrnul(p, '/');
                bool last = !end[strspn(end, "/")];
                char saved = *end;
                *end = '\0';
                if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
                        if (name[1] == '.' && depth > 0)
                                close(dirs[--depth]);
                        *end = saved;
                        p = end;
                        continue;
                }

                int fd = openat(cur, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0) {
                        k = negative_errno();
                        break;
                }
                struct stat st;
                if (fstat(fd, &st) < 0) {
                        k = negative_errno();
                        close(fd);
                        break;
                }
                if (S_ISLNK(st.st_mode)) {
                        char target[PATH_MAX];
                        ssize_t n = readlinkat(fd, "", target, sizeof target);
                        close(fd);
                        if (n < 0) {
                                k = negative_errno();
                                break;
                        }
                        if ((size_t)n >= sizeof target) {
                                k = -ENAMETOOLONG;
                                break;
                        }
                        if (++links > SYSFS_MAX_LINKS) {
                                k = -ELOOP;
                                break;
                        }
                        if (n == 0) {
                                k = -ENOENT;
                                break;
                        }
                        /* Continue with the target followed by what was left of the path. */
                        const char *rest = saved ? end + 1 : "";
                        char *next;
                        if (asprintf(&next, "%.*s/%s", (int)n, target, rest) < 0) {
                                k = -ENOMEM;
                                break;
                        }
                        free(buf);
                        buf = p = next;
                        if (target[0] == '/') {
                                close_dirs(dirs, depth);
                                depth = 0;
                        }
                        continue;
                }
                if (last) {
                        close(fd);
                        /* O_NOFOLLOW: had it turned into a symlink since the check, fail rather than follow. */
                        k = openat(cur, name, flags | O_NOFOLLOW | O_CLOEXEC);
                        k = k < 0 ? negative_errno() : k;
                        break;
                }
                if (!S_ISDIR(st.st_mode)) {
                        close(fd);
                        k = -ENOTDIR;
                        break;
                }
                if (GREEDY_REALLOC(dirs, allocated, depth + 1) < 0) {
                        close(fd);
                        k = -ENOMEM;
                        break;
                }
                dirs[depth++] = fd;
                *end = saved;
                p = end;
        }
        close_dirs(dirs, depth);
        return k;
}

static int open_in_root_full(SysfsRoot *r, const char *path, int flags)
{
        if (r->resolver == SYSFS_RESOLVER_AUTO) {
                struct open_how how = {
                        .flags = (uint64_t)(flags | O_CLOEXEC),
                        .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
                };
                int fd = (int)syscall(SYS_openat2, r->fd, path, &how, sizeof(how));
                if (fd >= 0)
                        return fd;
                if (errno != ENOSYS)
                        return negative_errno();
                /* Never a plain openat(): it would follow absolute links and ".." out of the root. */
                r->resolver = SYSFS_RESOLVER_USERSPACE;
        }
        return open_in_root_userspace(r, path, flags);
}

/* Remember dir_fd (taken) as the directory "path" inside the root. */
static void remember_dir(SysfsRoot *r, const char *path, size_t len, int dir_fd)
{
        if (r->dir_fd >= 0)
                close(r->dir_fd);
        r->dir_fd = dir_fd;
        memcpy(r->dir_path, path, len);
        r->dir_path[len] = '\0';
}

/*
 * Siblings are read in runs (a node's files, an access class's figures), so the directory of the last file is
 * kept open and the next file in it is opened by its bare name.  That stays inside the root: the directory was
 * resolved inside it, the name is one component that is neither "." nor "..", and O_NOFOLLOW refuses to
 * follow it if it is a symlink.  A symlinked attribute (the kernel's own attributes are never symlinks, captured
 * trees may hold some) then takes the full in-root lookup.  Directories (listed, then kept for their files) and
 * O_PATH opens always take the full lookup.
 */
static int open_in_root(SysfsRoot *r, const char *path, int flags)
{
        while (*path == '/')
                path++;
        const char *slash = strrchr(path, '/');
        const char *name = slash ? slash + 1 : NULL;
        if (!r->keep_dir || !name || (flags & (O_PATH | O_DIRECTORY)) || !*name || strcmp(name, ".") == 0 ||
            strcmp(name, "..") == 0)
                return open_in_root_full(r, path, flags);

        size_t dlen = (size_t)(slash - path);
        if (r->dir_fd < 0 || strlen(r->dir_path) != dlen || memcmp(r->dir_path, path, dlen) != 0) {
                char dir[PATH_MAX];
                memcpy(dir, path, dlen);
                dir[dlen] = '\0';
                int dfd = open_in_root_full(r, dir, O_PATH | O_DIRECTORY);
                if (dfd < 0)
                        return dfd;
                remember_dir(r, path, dlen, dfd);
        }
        int fd = openat(r->dir_fd, name, flags | O_NOFOLLOW | O_CLOEXEC);
        if (fd >= 0)
                return fd;
        if (errno == ELOOP)
                return open_in_root_full(r, path, flags);
        return negative_errno();
}

/*
 * Open a file to read or write, refusing anything but a regular file without blocking: O_NONBLOCK makes
 * opening a FIFO return at once, fstat() then tells what it is.  O_NONBLOCK has no effect on regular files
 * (open(2)), so reads keep it; a write clears it anyway, as a debugfs knob is free to look at its flags.
 */
static int open_regular(SysfsRoot *r, const char *path, int flags, struct stat *ret_st)
{
        _cleanup_close_ int fd = open_in_root(r, path, flags | O_NONBLOCK | O_NOCTTY);
        if (fd == -ENXIO) {
                /* A FIFO without a reader refuses a non-blocking writer: say what it is, as for the others. */
                _cleanup_close_ int pfd = open_in_root(r, path, O_PATH);
                if (pfd >= 0 && fstat(pfd, ret_st) == 0 && S_ISFIFO(ret_st->st_mode))
                        return -EBADFD;
        }
        if (fd < 0)
                return fd;
        if (fstat(fd, ret_st) < 0)
                return negative_errno();
        if (S_ISDIR(ret_st->st_mode))
                return -EISDIR;
        if (!S_ISREG(ret_st->st_mode))
                return -EBADFD;
        if ((flags & O_ACCMODE) != O_RDONLY && fcntl(fd, F_SETFL, flags) < 0)
                return negative_errno();
        return TAKE_FD(fd);
}

/* Read a whole small file; the content is NUL-terminated and keeps its trailing newline. */
static int read_file(SysfsRoot *r, const char *path, char **ret)
{
        struct stat st;
        _cleanup_close_ int fd = open_regular(r, path, O_RDONLY, &st);
        if (fd < 0)
                return fd;

        /* Nearly every attribute fits the stack buffer.  A file whose size is known (plain files in captured
         * trees) is complete once that much is read; sysfs (4096) and procfs (0) sizes mean nothing, read to
         * EOF there. */
        char small[4096];
        _cleanup_free_ char *heap = NULL;
        char *buf = small;
        size_t size = sizeof small, len = 0;
        for (;;) {
                if (st.st_size > 0 && len == (size_t)st.st_size && len + 1 < size)
                        break;
                if (len + 1 >= size) {
                        if (size >= SYSFS_VALUE_MAX)
                                return -EFBIG;
                        char *p = realloc(heap, size * 2);
                        if (!p)
                                return -ENOMEM;
                        if (!heap)
                                memcpy(p, small, len);
                        buf = heap = p;
                        size *= 2;
                }
                ssize_t n = read(fd, buf + len, size - len - 1);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return negative_errno();
                }
                if (n == 0)
                        break;
                len += (size_t)n;
        }
        if (memchr(buf, '\0', len))
                return -EINVAL; /* a text attribute never holds NUL; do not let it truncate silently */
        buf[len] = '\0';
        if (!heap) {
                heap = malloc(len + 1);
                if (!heap)
                        return -ENOMEM;
                memcpy(heap, small, len + 1);
        }
        *ret = TAKE_PTR(heap);
        return 0;
}

static const char *root_prefix(const SysfsRoot *r, const char **ret_sep)
{
        bool slash = strcmp(r->path, "/") == 0;
        *ret_sep = slash ? "" : "/";
        return slash ? "/" : r->path;
}

int sysfs_root_describe(SysfsRoot *r, char *buf, size_t size, const char *fmt, ...)
{
        char path[PATH_MAX];
        int k = FORMAT_PATH(path, fmt);
        if (k < 0)
                return k;
        const char *sep, *prefix = root_prefix(r, &sep);
        int n = snprintf(buf, size, "%s%s%s", prefix, sep, path);
        return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* Why a file could not be used, for an unreadable-value warning: errno text, and what that means here. */
static int report_unreadable(SysfsRoot *r, const char *path, int error)
{
        if (error == -ENOMEM)
                return error;
        if (r->warnings) {
                const char *sep, *prefix = root_prefix(r, &sep);
                const char *why = error == -EBADFD ? " (not a regular file)" : error == -EISDIR ? " (a directory)" : "";
                int k = warning_list_add(r->warnings, WARNING_UNREADABLE, r->context_node, "%s%s%s: cannot read: %s%s",
                                         prefix, sep, path, strerror(-error), why);
                if (k < 0)
                        return k;
        }
        return error;
}

int sysfs_warn_unreadable(SysfsRoot *r, int error, const char *fmt, ...)
{
        char path[PATH_MAX];
        int k = FORMAT_PATH(path, fmt);
        if (k < 0)
                return k;
        return report_unreadable(r, path, error);
}

/* Record a bad value with the file it came from, as a bounded, escaped excerpt (without its final newline). */
static int report_malformed(SysfsRoot *r, const char *path, const char *value, int error)
{
        if (r->warnings) {
                size_t n = strlen(value);
                if (n > 0 && value[n - 1] == '\n')
                        n--;
                _cleanup_free_ char *shown = escape_bounded_n(value, n, ESCAPE_VALUE_MAX);
                if (!shown)
                        return -ENOMEM;
                const char *sep, *prefix = root_prefix(r, &sep);
                int k = warning_list_add(r->warnings, WARNING_MALFORMED_VALUE, r->context_node,
                                         "%s%s%s: invalid value '%s': %s", prefix, sep, path, shown, strerror(-error));
                if (k < 0)
                        return k;
        }
        return error;
}

_printf_(5, 0) static int vread_string(SysfsRoot *r, char **ret, char *path, size_t pathsize, const char *fmt,
                                       va_list ap)
{
        int k = format_path(path, pathsize, fmt, ap);
        if (k < 0)
                return k;
        k = read_file(r, path, ret);
        if (k == -EFBIG || k == -EINVAL)
                return report_malformed(r, path, "(oversized or binary content)", k);
        if (k < 0 && k != -ENOENT)
                return report_unreadable(r, path, k);
        return k;
}

/* Read the file named by the variadic function's own format arguments into s (path receives the name). */
#define READ_FORMATTED(r, s, path, fmt)                                                                                \
        ({                                                                                                             \
                va_list _ap_;                                                                                          \
                va_start(_ap_, fmt);                                                                                   \
                int _k_ = vread_string(r, &(s), path, sizeof(path), fmt, _ap_);                                        \
                va_end(_ap_);                                                                                          \
                _k_;                                                                                                   \
        })

int sysfs_read_string(SysfsRoot *r, char **ret, const char *fmt, ...)
{
        char path[PATH_MAX];
        char *s = NULL;
        int k = READ_FORMATTED(r, s, path, fmt);
        if (k < 0)
                return k;
        size_t n = strlen(s);
        if (n > 0 && s[n - 1] == '\n')
                s[n - 1] = '\0';
        *ret = s;
        return 0;
}

/* Read a file and run one pure parser on it; reports malformed content. */
#define DEFINE_PARSED_READER(name, type, parse_call)                                                                   \
        int name(SysfsRoot *r, type *ret, const char *fmt, ...)                                                        \
        {                                                                                                              \
                char path[PATH_MAX];                                                                                   \
                _cleanup_free_ char *s = NULL;                                                                         \
                int k = READ_FORMATTED(r, s, path, fmt);                                                               \
                if (k < 0)                                                                                             \
                        return k;                                                                                      \
                type v;                                                                                                \
                k = parse_call;                                                                                        \
                if (k < 0)                                                                                             \
                        return report_malformed(r, path, s, k);                                                        \
                *ret = v;                                                                                              \
                return 0;                                                                                              \
        }

DEFINE_PARSED_READER(sysfs_read_u64, uint64_t, parse_u64(s, &v))
DEFINE_PARSED_READER(sysfs_read_u32, uint32_t, parse_u32(s, &v))
DEFINE_PARSED_READER(sysfs_read_int, int, parse_int(s, &v))
DEFINE_PARSED_READER(sysfs_read_hex, uint64_t, parse_hex_u64(s, &v))
DEFINE_PARSED_READER(sysfs_read_bool, bool, parse_bool(s, &v))
DEFINE_PARSED_READER(sysfs_read_nodemask, NodeMask, parse_nodemask(s, &v))

int sysfs_read_id_list(SysfsRoot *r, unsigned limit, char **ret_text, unsigned *ret_count, const char *fmt, ...)
{
        char path[PATH_MAX];
        _cleanup_free_ char *s = NULL;
        int k = READ_FORMATTED(r, s, path, fmt);
        if (k < 0)
                return k;
        unsigned count;
        k = parse_id_list(s, limit, NULL, &count);
        if (k < 0)
                return report_malformed(r, path, s, k);
        size_t n = strlen(s);
        if (n > 0 && s[n - 1] == '\n')
                s[n - 1] = '\0';
        if (ret_text)
                *ret_text = TAKE_PTR(s);
        if (ret_count)
                *ret_count = count;
        return 0;
}

int sysfs_read_distance_row(SysfsRoot *r, uint32_t *out, size_t max, size_t *ret_n, const char *fmt, ...)
{
        char path[PATH_MAX];
        _cleanup_free_ char *s = NULL;
        int k = READ_FORMATTED(r, s, path, fmt);
        if (k < 0)
                return k;
        k = parse_distance_row(s, out, max, ret_n);
        if (k < 0)
                return report_malformed(r, path, s, k);
        return 0;
}

int sysfs_read_meminfo_kb(SysfsRoot *r, size_t n, const char *const *fields, uint64_t *const *ret_kb, const char *fmt,
                          ...)
{
        char path[PATH_MAX];
        _cleanup_free_ char *s = NULL;
        int k = READ_FORMATTED(r, s, path, fmt);
        if (k < 0)
                return k;
        for (size_t i = 0; i < n; i++) {
                k = parse_meminfo_kb(s, fields[i], ret_kb[i]);
                if (k == -ENOENT) /* the file is there but broken: not "absent" */
                        return report_malformed(r, path, fields[i], -EINVAL);
                if (k < 0) {
                        /* Name the field's line, not the whole file. */
                        const char *line = strstr(s, fields[i]);
                        _cleanup_free_ char *excerpt = strndup(line ? line : s, 60);
                        if (!excerpt)
                                return -ENOMEM;
                        char *nl = strchr(excerpt, '\n');
                        if (nl)
                                *nl = '\0';
                        return report_malformed(r, path, excerpt, k);
                }
        }
        return 0;
}

int sysfs_open_read(SysfsRoot *r, const char *fmt, ...)
{
        char path[PATH_MAX];
        int k = FORMAT_PATH(path, fmt);
        if (k < 0)
                return k;
        struct stat st;
        return open_regular(r, path, O_RDONLY, &st);
}

ssize_t sysfs_pread(int fd, void *buf, size_t size, uint64_t offset)
{
        size_t done = 0;
        if (offset > (uint64_t)INT64_MAX)
                return -EOVERFLOW;
        while (done < size) {
                ssize_t n = pread(fd, (char *)buf + done, size - done, (off_t)(offset + done));
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return negative_errno();
                }
                if (n == 0)
                        break;
                done += (size_t)n;
        }
        return (ssize_t)done;
}

int sysfs_read_fd(int fd, char **ret, size_t *ret_len)
{
        _cleanup_free_ char *buf = NULL;
        size_t allocated = 0, len = 0;
        for (;;) {
                if (GREEDY_REALLOC(buf, allocated, len + 4096 + 1) < 0)
                        return -ENOMEM;
                ssize_t n = read(fd, buf + len, allocated - len - 1);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return negative_errno();
                }
                if (n == 0)
                        break;
                len += (size_t)n;
        }
        buf[len] = '\0';
        if (ret_len)
                *ret_len = len;
        *ret = TAKE_PTR(buf);
        return 0;
}

int sysfs_write_string(SysfsRoot *r, const char *value, const char *fmt, ...)
{
        char path[PATH_MAX];
        int k = FORMAT_PATH(path, fmt);
        if (k < 0)
                return k;
        /* No O_CREAT: knobs exist or the kernel lacks them; O_TRUNC so plain files in test trees behave too. */
        struct stat st;
        _cleanup_close_ int fd = open_regular(r, path, O_WRONLY | O_TRUNC, &st);
        if (fd < 0)
                return fd;
        char buf[256];
        int n = snprintf(buf, sizeof buf, "%s\n", value);
        if (n < 0 || (size_t)n >= sizeof buf)
                return -EINVAL;
        ssize_t w = write(fd, buf, (size_t)n);
        if (w < 0)
                return negative_errno();
        return w == n ? 0 : -EIO;
}

int sysfs_readlink_basename(SysfsRoot *r, char **ret, const char *fmt, ...)
{
        char path[PATH_MAX], target[PATH_MAX];
        int k = FORMAT_PATH(path, fmt);
        if (k < 0)
                return k;

        /* Open the parent inside the root, then read the link itself without following it. */
        char *slash = strrchr(path, '/');
        const char *name = slash ? slash + 1 : path;
        _cleanup_close_ int dfd = -EBADF;
        if (slash) {
                *slash = '\0';
                dfd = open_in_root(r, path, O_PATH | O_DIRECTORY);
                *slash = '/';
                if (dfd < 0)
                        return dfd == -ENOENT ? dfd : report_unreadable(r, path, dfd);
        }
        ssize_t n = readlinkat(slash ? dfd : r->fd, name, target, sizeof(target) - 1);
        if (n < 0) {
                k = negative_errno();
                return k == -ENOENT ? k : report_unreadable(r, path, k);
        }
        target[n] = '\0';
        const char *base = strrchr(target, '/');
        char *s = strdup(base ? base + 1 : target);
        if (!s)
                return -ENOMEM;
        *ret = s;
        return 0;
}

typedef int (*DirEntryFunc)(const char *name, unsigned char type, void *userdata);

/* Call f for each entry of a directory but "." and ".."; the directory is then kept for opening its files. */
_printf_(4, 0) static int list_dir(SysfsRoot *r, DirEntryFunc f, void *userdata, const char *fmt, va_list ap)
{
        char path[PATH_MAX];
        int k = format_path(path, sizeof path, fmt, ap);
        if (k < 0)
                return k;
        _cleanup_close_ int fd = open_in_root(r, path, O_RDONLY | O_DIRECTORY);
        if (fd < 0)
                return fd == -ENOENT ? fd : report_unreadable(r, path, fd);

        /* getdents64() into the stack: no DIR and its 32 KiB buffer per directory. */
        _Alignas(struct dirent64) char buf[8192];
        for (;;) {
                ssize_t n = getdents64(fd, buf, sizeof buf);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return report_unreadable(r, path, negative_errno());
                }
                if (n == 0)
                        break;
                for (ssize_t off = 0; off < n;) {
                        const struct dirent64 *de = (const struct dirent64 *)(buf + off);
                        off += de->d_reclen;
                        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                                continue;
                        k = f(de->d_name, de->d_type, userdata);
                        if (k < 0)
                                return k;
                }
        }
        size_t len = strlen(path);
        while (len > 0 && path[len - 1] == '/')
                len--;
        if (r->keep_dir && len > 0)
                remember_dir(r, path, len, TAKE_FD(fd));
        return 0;
}

static int cmp_u64(const void *a, const void *b)
{
        uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
        return x < y ? -1 : x > y;
}

typedef struct IdList {
        const char *prefix;
        size_t plen, n, allocated;
        uint64_t *ids;
} IdList;

static int add_id(const char *name, unsigned char type, void *userdata)
{
        IdList *l = userdata;
        uint64_t id;
        if (strncmp(name, l->prefix, l->plen) != 0 || parse_u64(name + l->plen, &id) < 0 || strchr(name, '\n'))
                return 0;
        if (GREEDY_REALLOC(l->ids, l->allocated, l->n + 1) < 0)
                return -ENOMEM;
        l->ids[l->n++] = id;
        return 0;
}

int sysfs_list_ids(SysfsRoot *r, const char *prefix, uint64_t **ret_ids, size_t *ret_n, const char *fmt, ...)
{
        IdList l = {.prefix = prefix, .plen = strlen(prefix)};
        va_list ap;
        va_start(ap, fmt);
        int k = list_dir(r, add_id, &l, fmt, ap);
        va_end(ap);
        if (k < 0) {
                free(l.ids);
                return k;
        }
        if (l.n > 0)
                qsort(l.ids, l.n, sizeof(*l.ids), cmp_u64);
        *ret_ids = l.ids;
        *ret_n = l.n;
        return 0;
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

typedef struct NameList {
        char **v;
        size_t n, allocated;
        bool dirs_only;
} NameList;

static int add_name(const char *name, unsigned char type, void *userdata)
{
        NameList *l = userdata;
        if (l->dirs_only && type != DT_DIR)
                return 0;
        if (GREEDY_REALLOC(l->v, l->allocated, l->n + 2) < 0 || !(l->v[l->n] = strdup(name)))
                return -ENOMEM;
        l->v[++l->n] = NULL;
        return 0;
}

_printf_(5, 0) static int list_names(SysfsRoot *r, bool dirs_only, char ***ret, size_t *ret_n, const char *fmt,
                                     va_list ap)
{
        NameList l = {.dirs_only = dirs_only};
        int k = list_dir(r, add_name, &l, fmt, ap);
        _cleanup_(strv_freep) char **v = l.v;
        if (k < 0)
                return k;
        if (!v) {
                v = calloc(1, sizeof(char *));
                if (!v)
                        return -ENOMEM;
        }
        qsort(v, l.n, sizeof(char *), cmp_str);
        *ret = TAKE_PTR(v);
        if (ret_n)
                *ret_n = l.n;
        return 0;
}

int sysfs_list_names(SysfsRoot *r, char ***ret, size_t *ret_n, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        int k = list_names(r, /* dirs_only= */ false, ret, ret_n, fmt, ap);
        va_end(ap);
        return k;
}

int sysfs_list_subdirs(SysfsRoot *r, char ***ret, size_t *ret_n, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        int k = list_names(r, /* dirs_only= */ true, ret, ret_n, fmt, ap);
        va_end(ap);
        return k;
}
