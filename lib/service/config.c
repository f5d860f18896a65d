/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>

#include "config-schema.h"
#include "config.h"
#include "escape.h"
#include "parse.h"
#include "strv.h"

static bool endswith(const char *s, const char *suffix)
{
        size_t n = strlen(s), m = strlen(suffix);
        return n >= m && strcmp(s + n - m, suffix) == 0;
}

static void file_closep(FILE **f)
{
        if (*f)
                fclose(*f);
}

static void dir_closep(DIR **d)
{
        if (*d)
                closedir(*d);
}

Config *config_new(void)
{
        Config *c = calloc(1, sizeof(Config));
        if (!c)
                return NULL;
        /* Always valid (empty) NULL-terminated lists, so that readers need no NULL check. */
        c->sources = calloc(1, sizeof(char *));
        c->placement_cgroups = calloc(1, sizeof(char *));
        c->placement_processes = calloc(1, sizeof(char *));
        c->placement_exclude_processes = calloc(1, sizeof(char *));
        if (!c->sources || !c->placement_cgroups || !c->placement_processes || !c->placement_exclude_processes)
                return config_free(c);
        c->mode = TIERD_MODE_OBSERVE;
        c->log_level = LOG_INFO;
        c->rescan_debounce_msec = CONFIG_DEFAULT_RESCAN_DEBOUNCE_MSEC;
        c->numa_balancing = NUMA_BALANCING_KEEP;
        c->demotion = DEMOTION_KEEP;
        c->promote_rate_limit_mbps = CONFIG_KEEP;
        c->hot_threshold_msec = CONFIG_KEEP;
        c->placement_interval_msec = CONFIG_DEFAULT_PLACEMENT_INTERVAL_MSEC;
        c->placement_rate_limit_mbps = CONFIG_DEFAULT_PLACEMENT_RATE_LIMIT_MBPS;
        c->placement_low_watermark_pct = CONFIG_DEFAULT_PLACEMENT_LOW_WATERMARK_PCT;
        c->placement_high_watermark_pct = CONFIG_DEFAULT_PLACEMENT_HIGH_WATERMARK_PCT;
        c->placement_min_residency_msec = CONFIG_DEFAULT_PLACEMENT_MIN_RESIDENCY_MSEC;
        return c;
}

Config *config_free(Config *c)
{
        if (!c)
                return NULL;
        for (size_t i = 0; i < c->n_sources; i++)
                free(c->sources[i]);
        free(c->sources);
        strv_free(c->placement_cgroups);
        strv_free(c->placement_processes);
        strv_free(c->placement_exclude_processes);
        free(c->overrides);
        free(c);
        return NULL;
}

/* A Config under construction, with the allocation size of its sources while they grow. */
typedef struct LoadState {
        Config *config;
        size_t sources_allocated;
} LoadState;

static int load_state_add_source(LoadState *s, const char *path)
{
        Config *c = s->config;
        _cleanup_free_ char *copy = strdup(path);

        if (!copy)
                return -ENOMEM;
        if (GREEDY_REALLOC(c->sources, s->sources_allocated, c->n_sources + 2) < 0)
                return -ENOMEM;
        c->sources[c->n_sources++] = TAKE_PTR(copy);
        c->sources[c->n_sources] = NULL;
        return 0;
}

/* One file on its way through libinih. */
typedef struct FileParser {
        LoadState *state;
        const char *path;
        char *path_escaped; /* for messages */
        FILE *file;
        size_t bytes_read;
        unsigned line_number;

        const ConfigSection *section; /* NULL before the first header */
        char *section_name;           /* as written between the brackets */
        unsigned id;                  /* of a numbered section */

        int error;           /* the first error, negative errno; parsing stops there */
        unsigned error_line; /* of that error when it is -EINVAL */
        char *error_message; /* "FILE:LINE: ..."; NULL with -ENOMEM */
} FileParser;

static void file_parser_done(FileParser *p)
{
        free(p->path_escaped);
        free(p->section_name);
        free(p->error_message);
}

static int parser_oom(FileParser *p)
{
        if (p->error == 0)
                p->error = -ENOMEM;
        return -ENOMEM;
}

/* Untrusted text in a message: short, and printable ASCII, so that it can go into a D-Bus error. */
static char *quote(const char *s)
{
        return escape_bounded(s, ESCAPE_VALUE_MAX);
}

/* Records the first error, "FILE:LINE: message", or "FILE: message" for errors about the file as a whole. */
_printf_(4, 0) static int parser_failv(FileParser *p, int error, bool with_line, const char *format, va_list ap)
{
        _cleanup_free_ char *message = NULL;

        if (p->error != 0) /* only the first error counts */
                return p->error;
        if (vasprintf(&message, format, ap) < 0) {
                message = NULL;
                return parser_oom(p);
        }
        int r = with_line ? asprintf(&p->error_message, "%s:%u: %s", p->path_escaped, p->line_number, message)
                          : asprintf(&p->error_message, "%s: %s", p->path_escaped, message);
        if (r < 0) {
                p->error_message = NULL;
                return parser_oom(p);
        }
        p->error = error;
        p->error_line = p->line_number;
        return error;
}

_printf_(2, 3) static int parser_fail(FileParser *p, const char *format, ...)
{
        va_list ap;

        va_start(ap, format);
        int r = parser_failv(p, -EINVAL, /* with_line= */ true, format, ap);
        va_end(ap);
        return r;
}

_printf_(3, 4) static int parser_fail_file(FileParser *p, int error, const char *format, ...)
{
        va_list ap;

        va_start(ap, format);
        int r = parser_failv(p, error, /* with_line= */ false, format, ap);
        va_end(ap);
        return r;
}

/* Errors about a file as a whole carry no line: "FILE: message". */
_printf_(4, 5) static int format_file_error(const char *path, int error, char **ret_error, const char *format, ...)
{
        _cleanup_free_ char *escaped = escape_bounded(path, ESCAPE_PATH_MAX), *message = NULL;
        va_list ap;

        if (!escaped)
                return -ENOMEM;
        va_start(ap, format);
        int r = vasprintf(&message, format, ap);
        va_end(ap);
        if (r < 0) {
                message = NULL;
                return -ENOMEM;
        }
        if (asprintf(ret_error, "%s: %s", escaped, message) < 0) {
                *ret_error = NULL;
                return -ENOMEM;
        }
        return error;
}

static int format_io_error(const char *path, int error, char **ret_error)
{
        return format_file_error(path, error, ret_error, "%s", strerror(-error));
}

static bool section_matches(const ConfigSection *section, const char *name)
{
        size_t n = strlen(section->name);
        if (!section->id_name)
                return strcmp(name, section->name) == 0;
        /* "[Node 3]", and also the malformed "[Node]", "[Node\t3]" so that they get the precise message. */
        return strncmp(name, section->name, n) == 0 && (name[n] == '\0' || isspace((unsigned char)name[n]));
}

/* Validates a section header ("[Name]", surrounding whitespace already gone) and makes it the current one. */
static int parser_enter_section(FileParser *p, const char *header)
{
        const char *end = strchr(header, ']');
        const ConfigSection *section = NULL;
        unsigned id = 0;

        if (!end)
                return parser_fail(p, "missing ']' in section header");
        /* libinih would silently ignore anything after the ']'; it is more likely a typo than intended. */
        if (end[1] != '\0')
                return parser_fail(p, "unexpected text after ']' in section header");

        _cleanup_free_ char *name = strndup(header + 1, (size_t)(end - header - 1));
        if (!name)
                return parser_oom(p);

        for (size_t i = 0; i < config_n_sections && !section; i++)
                if (section_matches(&config_sections[i], name))
                        section = &config_sections[i];
        if (!section) {
                _cleanup_free_ char *q = quote(name);
                return q ? parser_fail(p, "unknown section [%s]", q) : parser_oom(p);
        }
        if (section->id_name) {
                const char *s = name + strlen(section->name);
                uint32_t v;
                /* Exactly one space, then a plain decimal id. */
                if (s[0] != ' ' || parse_u32(s + 1, &v) < 0 || v >= section->id_max) {
                        _cleanup_free_ char *q = quote(name);
                        return q ? parser_fail(p, "invalid %s in section [%s]", section->id_name, q) : parser_oom(p);
                }
                id = v;
        }

        free(p->section_name);
        p->section_name = TAKE_PTR(name);
        p->section = section;
        p->id = id;
        return 0;
}

/*
 * Reads one physical line into buffer (size bytes), without its leading and trailing whitespace, a comment as an
 * empty line.  Nothing is buffered beyond size: the rest of a comment is read and dropped, and a line whose
 * size-th character arrives fails right there.  Returns the line, or NULL at the end of the file or on an error
 * (recorded in p).
 */
static char *parser_next_line(FileParser *p, char *buffer, size_t size)
{
        size_t n = 0, end = 0; /* bytes in buffer; the length without trailing whitespace */
        bool any = false, comment = false;

        for (;;) {
                int ch = getc(p->file);
                if (ch == EOF) {
                        if (ferror(p->file))
                                (void)parser_fail_file(p, -EIO, "%s", strerror(EIO));
                        if (!any || p->error != 0)
                                return NULL;
                        break;
                }
                if (!any) {
                        any = true;
                        p->line_number++;
                }
                /* fstat() checked the size; this holds also for a file that grows while it is read. */
                if (++p->bytes_read > CONFIG_FILE_SIZE_MAX) {
                        (void)parser_fail_file(p, -EFBIG, "too large (more than %d bytes)", CONFIG_FILE_SIZE_MAX);
                        return NULL;
                }
                if (ch == '\n')
                        break;
                if (ch == '\0') {
                        (void)parser_fail(p, "line contains a NUL byte");
                        return NULL;
                }
                bool space = isspace(ch);
                if (comment || (n == 0 && space))
                        continue;
                if (n == 0 && (ch == '#' || ch == ';')) {
                        comment = true;
                        continue;
                }
                if (n + 1 >= size) {
                        if (space) /* maybe trailing */
                                continue;
                        (void)parser_fail(p, "line too long (at most %zu characters)", size - 1);
                        return NULL;
                }
                buffer[n++] = (char)ch;
                if (!space)
                        end = n;
        }
        buffer[end] = '\0';
        return buffer;
}

/*
 * libinih's ini_reader.  Debian builds libinih without INI_HANDLER_LINENO (the handler gets no line number) and
 * with a fixed 200-byte line buffer that splits longer lines and counts each piece as a line of its own.  So the
 * file goes through here one physical line per call: libinih's count (in its return value) and ours stay the same,
 * and we know the line number whenever the handler runs.  The reader also does what the handler cannot:
 *   - it validates section headers, since the handler never sees a section without keys, nor text after ']';
 *   - it strips leading whitespace, which turns off libinih's continuation lines (an indented line would
 *     otherwise be appended to the previous key's value), whatever the build options;
 *   - it blanks comments, so that their length does not matter, and refuses over-long lines instead of
 *     letting libinih cut them in two.
 */
static char *parser_read_line(char *buffer, int size, void *userdata)
{
        FileParser *p = userdata;

        if (p->error != 0)
                return NULL;
        if (size <= 1) {
                (void)parser_fail(p, "line too long (at most %d characters)", size - 1);
                return NULL;
        }

        char *s = parser_next_line(p, buffer, (size_t)size);
        if (!s)
                return NULL;
        if (*s == '[') {
                if (parser_enter_section(p, s) < 0)
                        return NULL;
        } else if (*s != '\0' && s[strcspn(s, "=:")] != '=') {
                /* libinih also accepts "Key: Value"; one syntax is enough. */
                _cleanup_free_ char *q = quote(s);
                if (!q)
                        (void)parser_oom(p);
                else
                        (void)parser_fail(p, "invalid line '%s' (expected [Section], Key=Value or a comment)", q);
                return NULL;
        }
        return s;
}

static int parse_bounded_u64(const char *s, uint64_t max, uint64_t *ret)
{
        uint64_t v;
        int r = parse_u64(s, &v);
        if (r < 0)
                return r;
        if (v > max)
                return -ERANGE;
        *ret = v;
        return 0;
}

/* What a key accepts, for its error message: "keep, on or off", "an integer from 0 to 10000". */
static void format_expected(const ConfigKey *k, char *buf, size_t size)
{
        switch (k->kind) {
        case VALUE_ENUM: {
                size_t n = 0, left = 0;
                for (size_t i = 0; i < k->n_names; i++)
                        left += !!k->names[i];
                buf[0] = '\0';
                for (size_t i = 0; i < k->n_names && n < size; i++) {
                        if (!k->names[i])
                                continue;
                        left--;
                        int m = snprintf(buf + n, size - n, "%s%s", k->names[i],
                                         left > 1   ? ", "
                                         : left > 0 ? " or "
                                                    : "");
                        n += m > 0 ? (size_t)m : 0;
                }
                break;
        }
        case VALUE_UNSIGNED:
                snprintf(buf, size, "an integer from %" PRIu64 " to %" PRIu64, k->min, k->max);
                break;
        case VALUE_KEEP_OR_UNSIGNED:
                snprintf(buf, size, "keep or an integer from 0 to %" PRIu64, k->max);
                break;
        case VALUE_LIST:
                buf[0] = '\0';
                break;
        }
}

/*
 * The next word of a list value: separated by spaces, "double quotes" around a word with spaces.  Returns 1 and
 * *ret (malloc'ed) for a word, 0 at the end, -EINVAL for an unterminated quote, -ENOMEM.
 */
static int next_word(const char **p, char **ret)
{
        const char *s = *p + strspn(*p, " \t");
        size_t len;

        if (*s == '\0')
                return 0;
        if (*s == '"') {
                const char *end = strchr(s + 1, '"');
                if (!end || (end[1] != '\0' && end[1] != ' ' && end[1] != '\t'))
                        return -EINVAL;
                len = (size_t)(end - s - 1);
                *p = end + 1;
                s++;
        } else {
                len = strcspn(s, " \t\"");
                if (s[len] == '"')
                        return -EINVAL;
                *p = s + len;
        }
        char *w = strndup(s, len);
        if (!w)
                return -ENOMEM;
        *ret = w;
        return 1;
}

static int parser_set_list(FileParser *p, const ConfigKey *k, const char *value)
{
        char ***field = config_field(p->state->config, k);
        _cleanup_(strv_freep) char **words = calloc(1, sizeof(char *));
        const char *expected = "words separated by spaces, \"double quotes\" around one with spaces";

        if (!words)
                return parser_oom(p);
        for (const char *cursor = value;;) {
                _cleanup_free_ char *w = NULL;
                int r = next_word(&cursor, &w);
                if (r == -ENOMEM)
                        return parser_oom(p);
                if (r == 0)
                        break;
                if (r > 0 && k->valid_word(w, &expected) >= 0) {
                        if (strv_push(&words, w) < 0)
                                return parser_oom(p);
                        TAKE_PTR(w);
                        continue;
                }
                _cleanup_free_ char *q = quote(r > 0 ? w : value);
                if (!q)
                        return parser_oom(p);
                return parser_fail(p, "invalid value '%s' for %s= (expected %s)", q, k->name, expected);
        }
        if (!words[0]) { /* "Key=" clears what earlier lines and files added */
                strv_free(*field);
                *field = TAKE_PTR(words);
                return 0;
        }
        for (char **w = words; *w; w++) {
                if (strv_push(field, *w) < 0) {
                        for (char **rest = w; *rest; rest++)
                                free(*rest);
                        words[0] = NULL;
                        return parser_oom(p);
                }
        }
        free(TAKE_PTR(words)); /* the words now belong to the field */
        return 0;
}

/* Parses value as k says and stores it; the only place that knows the value kinds' syntax. */
static int parser_set_value(FileParser *p, const ConfigKey *k, const char *value)
{
        uint64_t v;
        int i;

        switch (k->kind) {
        case VALUE_ENUM:
                i = config_table_from_string(k->names, k->n_names, value);
                if (i < 0)
                        break;
                *(int *)config_field(p->state->config, k) = i;
                return 0;
        case VALUE_KEEP_OR_UNSIGNED:
        case VALUE_UNSIGNED:
                if (k->kind == VALUE_KEEP_OR_UNSIGNED && strcmp(value, "keep") == 0) {
                        *(int64_t *)config_field(p->state->config, k) = CONFIG_KEEP;
                        return 0;
                }
                if (parse_bounded_u64(value, k->max, &v) < 0 || v < k->min)
                        break;
                if (k->set)
                        return k->set(p->state->config, p->id, v) < 0 ? parser_oom(p) : 0;
                if (k->kind == VALUE_UNSIGNED)
                        *(uint64_t *)config_field(p->state->config, k) = v;
                else
                        *(int64_t *)config_field(p->state->config, k) = (int64_t)v;
                return 0;
        case VALUE_LIST:
                return parser_set_list(p, k, value);
        }

        char expected[256];
        format_expected(k, expected, sizeof expected);
        _cleanup_free_ char *q = quote(value);
        if (!q)
                return parser_oom(p);
        return parser_fail(p, "invalid value '%s' for %s= (expected %s)", q, k->name, expected);
}

static int parser_assign(FileParser *p, const char *section, const char *key, const char *value)
{
        _cleanup_free_ char *q = quote(key);
        if (!q)
                return parser_oom(p);
        if (!value) /* only in builds with INI_ALLOW_NO_VALUE; the reader lets no such line through */
                return parser_fail(p, "missing '=' after '%s'", q);
        if (key[0] == '\0')
                return parser_fail(p, "missing key name before '='");
        if (!p->section)
                return parser_fail(p, "key '%s' outside of any section", q);
        /* The reader validated the header libinih now reports; should they ever disagree, refuse. */
        if (strcmp(section, p->section_name) != 0)
                return parser_fail(p, "section [%s] not understood", p->section->name);

        for (size_t i = 0; i < p->section->n_keys; i++)
                if (strcmp(key, p->section->keys[i].name) == 0)
                        return parser_set_value(p, &p->section->keys[i], value);
        _cleanup_free_ char *qs = quote(p->section_name);
        if (!qs)
                return parser_oom(p);
        return parser_fail(p, "unknown key '%s' in section [%s]", q, qs);
}

static int parser_handle(void *userdata, const char *section, const char *key, const char *value)
{
        FileParser *p = userdata;

        if (!key) /* a new section, in builds with INI_CALL_HANDLER_ON_NEW_SECTION: the reader checked it */
                return 1;
        return parser_assign(p, section, key, value) >= 0;
}

/*
 * Opens a configuration file without hanging on a FIFO or a device (O_NONBLOCK until fstat() has shown a regular
 * file) and refuses anything else, or a file over CONFIG_FILE_SIZE_MAX.  *ret stays NULL for a missing file when
 * missing_ok.
 */
static int open_config_file(const char *path, bool missing_ok, FILE **ret, char **ret_error)
{
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        struct stat st;

        if (fd < 0) {
                if (errno == ENOENT && missing_ok)
                        return 0;
                return format_io_error(path, negative_errno(), ret_error);
        }
        if (fstat(fd, &st) < 0)
                return format_io_error(path, negative_errno(), ret_error);
        if (S_ISDIR(st.st_mode))
                return format_io_error(path, -EISDIR, ret_error);
        if (!S_ISREG(st.st_mode))
                return format_file_error(path, -EBADFD, ret_error, "not a regular file");
        if (st.st_size > CONFIG_FILE_SIZE_MAX)
                return format_file_error(path, -EFBIG, ret_error, "too large (%jd bytes, at most %d)",
                                         (intmax_t)st.st_size, CONFIG_FILE_SIZE_MAX);
        int flags = fcntl(fd, F_GETFL);
        if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0)
                return format_io_error(path, negative_errno(), ret_error);

        FILE *f = fdopen(fd, "r");
        if (!f)
                return errno == ENOMEM ? -ENOMEM : format_io_error(path, negative_errno(), ret_error);
        TAKE_FD(fd);
        *ret = f;
        return 0;
}

/* Parses one file into s->config.  A missing file is fine when missing_ok; it is not recorded as a source. */
static int load_file(LoadState *s, const char *path, bool missing_ok, char **ret_error)
{
        _cleanup_(file_closep) FILE *f = NULL;
        int r = open_config_file(path, missing_ok, &f, ret_error);
        if (r < 0 || !f)
                return r;

        _cleanup_(file_parser_done) FileParser p = {.state = s, .path = path, .file = f};
        p.path_escaped = escape_bounded(path, ESCAPE_PATH_MAX);
        if (!p.path_escaped)
                return -ENOMEM;
        /* A UTF-8 byte order mark is skipped; a regular file can be read from its start again. */
        char bom[3];
        if (fread(bom, 1, sizeof bom, f) == sizeof bom && memcmp(bom, "\xef\xbb\xbf", sizeof bom) == 0)
                p.bytes_read = sizeof bom;
        else
                rewind(f);

        r = ini_parse_stream(parser_read_line, &p, parser_handle, &p);
        if (r == -2 || p.error == -ENOMEM)
                return -ENOMEM;
        if (r > 0 && (p.error == 0 || (unsigned)r < p.error_line)) {
                /* libinih refused a line the reader let through (it does not stop there, so this is the first
                 * error only if it comes before ours). */
                free(TAKE_PTR(p.error_message));
                p.error = 0;
                p.line_number = (unsigned)r;
                (void)parser_fail(&p, "invalid line (expected [Section], Key=Value or a comment)");
                if (p.error == -ENOMEM)
                        return -ENOMEM;
        } else if (r < 0 && p.error == 0)
                return format_io_error(path, -EIO, ret_error);
        if (p.error < 0) {
                *ret_error = TAKE_PTR(p.error_message);
                return p.error;
        }
        return load_state_add_source(s, path);
}

typedef struct PathList {
        char **paths;
        size_t n, allocated;
} PathList;

static void path_list_done(PathList *l)
{
        for (size_t i = 0; i < l->n; i++)
                free(l->paths[i]);
        free(l->paths);
}

static int compare_paths(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The drop-ins in dir, "*.conf" but not hidden files (editors' lock and backup files), in strcmp() order. */
static int list_dropins(const char *dir, PathList *ret, char **ret_error)
{
        _cleanup_(dir_closep) DIR *d = opendir(dir);
        if (!d) {
                if (errno == ENOENT)
                        return 0;
                return format_io_error(dir, negative_errno(), ret_error);
        }

        for (;;) {
                errno = 0;
                struct dirent *de = readdir(d);
                if (!de) {
                        if (errno != 0)
                                return format_io_error(dir, negative_errno(), ret_error);
                        break;
                }
                if (de->d_name[0] == '.' || !endswith(de->d_name, ".conf"))
                        continue;
                if (GREEDY_REALLOC(ret->paths, ret->allocated, ret->n + 1) < 0)
                        return -ENOMEM;
                if (asprintf(&ret->paths[ret->n], "%s/%s", dir, de->d_name) < 0)
                        return -ENOMEM;
                ret->n++;
        }
        if (ret->n > 0)
                qsort(ret->paths, ret->n, sizeof(char *), compare_paths);
        return 0;
}

static int load_all(const char *path, Config **ret, char **ret_error)
{
        _cleanup_(config_freep) Config *c = config_new();
        _cleanup_(path_list_done) PathList dropins = {0};
        _cleanup_free_ char *dropin_dir = NULL;
        const char *main_path = path ?: CONFIG_DEFAULT_PATH;
        int r;

        if (!c)
                return -ENOMEM;
        LoadState state = {.config = c};

        r = load_file(&state, main_path, /* missing_ok= */ !path, ret_error);
        if (r < 0)
                return r;

        if (asprintf(&dropin_dir, "%s.d", main_path) < 0) {
                dropin_dir = NULL;
                return -ENOMEM;
        }
        r = list_dropins(dropin_dir, &dropins, ret_error);
        if (r < 0)
                return r;
        for (size_t i = 0; i < dropins.n; i++) {
                r = load_file(&state, dropins.paths[i], /* missing_ok= */ false, ret_error);
                if (r < 0)
                        return r;
        }

        /* Keys that depend on each other are checked once every file has had its say. */
        if (c->placement_low_watermark_pct >= c->placement_high_watermark_pct)
                return format_file_error(
                        c->n_sources > 0 ? c->sources[c->n_sources - 1] : main_path, -EINVAL, ret_error,
                        "[Placement] HighWatermarkPercent=%" PRIu64 " must be above LowWatermarkPercent=%" PRIu64,
                        c->placement_high_watermark_pct, c->placement_low_watermark_pct);
        if (c->placement_promotion == PROMOTION_KERNEL && c->numa_balancing == NUMA_BALANCING_OFF)
                return format_file_error(c->n_sources > 0 ? c->sources[c->n_sources - 1] : main_path, -EINVAL,
                                         ret_error,
                                         "[Placement] Promotion=kernel needs NUMA balancing, but [Kernel] "
                                         "NumaBalancing=off turns it off (use keep, normal, tiering or both)");

        *ret = TAKE_PTR(c);
        return 0;
}

int config_load(const char *path, Config **ret, char **ret_error)
{
        _cleanup_free_ char *error = NULL;

        int r = load_all(path, ret, &error);
        if (ret_error)
                *ret_error = r < 0 ? TAKE_PTR(error) : NULL;
        return r;
}
