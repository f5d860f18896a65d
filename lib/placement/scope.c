/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "pids.h"
#include "scope.h"
#include "strv.h"

#define PF_KTHREAD UINT64_C(0x00200000)
/* Deeper trees than this are not walked: cgroup.max.depth is rarely set, but a loop in a replayed tree must end. */
#define CGROUP_DEPTH_MAX 64

bool scope_rules_empty(const ScopeRules *rules)
{
        return !(rules->cgroups && rules->cgroups[0]) && !(rules->processes && rules->processes[0]);
}

int scope_cgroup_path_valid(const char *path)
{
        if (!path || path[0] != '/')
                return -EINVAL;
        for (const char *p = path; *p;) {
                while (*p == '/')
                        p++;
                size_t len = strcspn(p, "/");
                if ((len == 1 && p[0] == '.') || (len == 2 && p[0] == '.' && p[1] == '.'))
                        return -EINVAL;
                p += len;
        }
        return strchr(path, '\n') ? -EINVAL : 0;
}

int scope_parse_stat(const char *text, ScopeStat *ret)
{
        /* "pid (comm) state ppid ...": comm may hold spaces and ')', so it ends at the last ')'. */
        const char *open = strchr(text, '(');
        const char *close = strrchr(text, ')');
        if (!open || !close || close < open || close[1] != ' ')
                return -EINVAL;
        size_t len = (size_t)(close - open - 1);
        if (len >= SCOPE_COMM_MAX)
                return -EINVAL;

        ScopeStat st = {};
        uint64_t processor = 0;
        const char *p = close + 2;
        for (unsigned field = 3; field <= 39; field++) {
                size_t n = strcspn(p, " \n");
                char value[32];
                if (n == 0 || n >= sizeof value)
                        return -EINVAL;
                memcpy(value, p, n);
                value[n] = '\0';
                int r = 0;
                if (field == 3) {
                        if (n != 1)
                                return -EINVAL;
                        st.state = value[0];
                } else if (field == 9)
                        r = parse_u64(value, &st.flags);
                else if (field == 22)
                        r = parse_u64(value, &st.start_time);
                else if (field == 39)
                        r = parse_u64(value, &processor);
                if (r < 0)
                        return r;
                p += n;
                if (field < 39) {
                        if (*p != ' ')
                                return -EINVAL;
                        p++;
                }
        }
        if (processor > INT32_MAX)
                return -ERANGE;
        memcpy(st.comm, open + 1, len);
        st.comm[len] = '\0';
        st.processor = (int)processor;
        *ret = st;
        return 0;
}

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static int unescape_octal(const char *s, size_t len, char **ret)
{
        char *out = malloc(len + 1), *o = out;
        if (!out)
                return -ENOMEM;
        for (size_t i = 0; i < len; i++) {
                if (s[i] == '\\' && i + 3 < len && s[i + 1] >= '0' && s[i + 1] <= '3' && s[i + 2] >= '0' &&
                    s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7') {
                        *o++ = (char)(((s[i + 1] - '0') << 6) | ((s[i + 2] - '0') << 3) | (s[i + 3] - '0'));
                        i += 3;
                } else
                        *o++ = s[i];
        }
        *o = '\0';
        *ret = out;
        return 0;
}

int scope_cgroup2_mount(const char *mountinfo, char **ret)
{
        for (const char *line = mountinfo; *line;) {
                const char *eol = strchrnul(line, '\n');
                /* "id parent major:minor root mountpoint options [optional...] - fstype source superoptions" */
                const char *sep = NULL;
                for (const char *p = line; p + 3 <= eol; p++)
                        if (p[0] == ' ' && p[1] == '-' && p[2] == ' ') {
                                sep = p;
                                break;
                        }
                if (sep && (size_t)(eol - sep) >= 11 && strncmp(sep + 3, "cgroup2 ", 8) == 0) {
                        const char *f = line;
                        for (int skip = 0; skip < 4 && f < sep; skip++) {
                                f = memchr(f, ' ', (size_t)(sep - f));
                                if (!f)
                                        break;
                                f++;
                        }
                        if (f && f < sep && *f == '/') {
                                size_t len = strcspn(f, " ");
                                _cleanup_free_ char *mp = NULL;
                                int r = unescape_octal(f, len, &mp);
                                if (r < 0)
                                        return r;
                                char *rel = strdup(mp + strspn(mp, "/"));
                                if (!rel)
                                        return -ENOMEM;
                                *ret = rel;
                                return 0;
                        }
                }
                line = *eol ? eol + 1 : eol;
        }
        return -ENOENT;
}

Scope *scope_free(Scope *s)
{
        if (!s)
                return NULL;
        free(s->processes);
        strv_free(s->missing_cgroups);
        free(s);
        return NULL;
}

typedef struct Candidate {
        pid_t pid;
        size_t order; /* cgroup rules are added first and win over a process rule for the same pid */
        const char *rule;
} Candidate;

typedef struct Resolver {
        SysfsRoot *root;
        Candidate *c;
        size_t n, allocated;
} Resolver;

static int add_candidate(Resolver *res, pid_t pid, const char *rule)
{
        if (GREEDY_REALLOC(res->c, res->allocated, res->n + 1) < 0)
                return -ENOMEM;
        res->c[res->n] = (Candidate){.pid = pid, .order = res->n, .rule = rule};
        res->n++;
        return 0;
}

/* 1 when dir is a cgroup (its processes and its descendants' added), 0 when it does not exist. */
static int add_cgroup_procs(Resolver *res, const char *dir, const char *rule, unsigned depth)
{
        _cleanup_free_ char *procs = NULL;
        int r;

        r = sysfs_read_string(res->root, &procs, "%s/cgroup.procs", dir);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return 0; /* gone (removed while walking: its processes went with it) */
        for (const char *p = procs; *p;) {
                size_t n = strcspn(p, "\n");
                char value[24];
                uint64_t pid;
                if (n > 0 && n < sizeof value) {
                        memcpy(value, p, n);
                        value[n] = '\0';
                        if (parse_u64(value, &pid) == 0 && pid > 0 && pid <= INT32_MAX) {
                                r = add_candidate(res, (pid_t)pid, rule);
                                if (r < 0)
                                        return r;
                        }
                }
                p += n;
                if (*p)
                        p++;
        }
        if (depth >= CGROUP_DEPTH_MAX)
                return 1;

        _cleanup_(strv_freep) char **children = NULL;
        r = sysfs_list_subdirs(res->root, &children, NULL, "%s", dir);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return 1;
        for (char **child = children; *child; child++) {
                _cleanup_free_ char *sub = NULL;
                if (asprintf(&sub, "%s/%s", dir, *child) < 0)
                        return -ENOMEM;
                r = add_cgroup_procs(res, sub, rule, depth + 1);
                if (r < 0)
                        return r;
        }
        return 1;
}

static bool comm_matches(char **names, const char *comm)
{
        for (char **n = names; n && *n; n++)
                if (strncmp(*n, comm, SCOPE_COMM_MAX - 1) == 0)
                        return true;
        return false;
}

static int cmp_candidate(const void *a, const void *b)
{
        const Candidate *x = a, *y = b;
        if (x->pid != y->pid)
                return x->pid < y->pid ? -1 : 1;
        return x->order < y->order ? -1 : x->order > y->order;
}

int scope_resolve(SysfsRoot *root, const ScopeRules *rules, pid_t self, Scope **ret)
{
        _cleanup_(scope_freep) Scope *s = calloc(1, sizeof(Scope));
        _cleanup_free_ char *mount = NULL, *mountinfo = NULL;
        Resolver res = {.root = root};
        size_t allocated = 0, missing_allocated = 0;
        int r;

        if (!s)
                return -ENOMEM;

        if (rules->cgroups && rules->cgroups[0]) {
                r = sysfs_read_string(root, &mountinfo, "proc/self/mountinfo");
                if (r == -ENOMEM)
                        return r;
                r = r < 0 ? -ENOENT : scope_cgroup2_mount(mountinfo, &mount);
                if (r == -ENOMEM)
                        return r;
                if (r < 0 && !(mount = strdup("sys/fs/cgroup")))
                        return -ENOMEM;
        }
        for (char **cg = rules->cgroups; cg && *cg; cg++) {
                _cleanup_free_ char *dir = NULL;
                const char *rel = *cg + strspn(*cg, "/");

                if (asprintf(&dir, "%s%s%s", mount, *rel ? "/" : "", rel) < 0) {
                        r = -ENOMEM;
                        goto fail;
                }
                r = add_cgroup_procs(&res, dir, *cg, 0);
                if (r < 0)
                        goto fail;
                if (r == 0) {
                        if (GREEDY_REALLOC(s->missing_cgroups, missing_allocated, s->n_missing_cgroups + 2) < 0 ||
                            !(s->missing_cgroups[s->n_missing_cgroups] = strdup(*cg))) {
                                r = -ENOMEM;
                                goto fail;
                        }
                        s->missing_cgroups[++s->n_missing_cgroups] = NULL;
                }
        }

        if (rules->processes && rules->processes[0]) {
                _cleanup_free_ uint64_t *pids = NULL;
                size_t n_pids = 0;
                r = sysfs_list_ids(root, "", &pids, &n_pids, "proc");
                if (r < 0)
                        goto fail;
                for (size_t i = 0; i < n_pids; i++)
                        if (pids[i] > 0 && pids[i] <= INT32_MAX) {
                                r = add_candidate(&res, (pid_t)pids[i], NULL);
                                if (r < 0)
                                        goto fail;
                        }
        }

        if (res.n > 0)
                qsort(res.c, res.n, sizeof(Candidate), cmp_candidate);
        for (size_t i = 0; i < res.n;) {
                pid_t pid = res.c[i].pid;
                size_t end = i;
                while (end < res.n && res.c[end].pid == pid)
                        end++;

                _cleanup_free_ char *stat = NULL;
                ScopeStat st;
                r = pid == self ? -ESRCH : sysfs_read_string(root, &stat, "proc/%d/stat", (int)pid);
                if (r == -ENOMEM)
                        goto fail;
                if (r >= 0 && scope_parse_stat(stat, &st) >= 0 && !(st.flags & PF_KTHREAD) && st.state != 'Z' &&
                    st.state != 'X' && !comm_matches(rules->exclude_processes, st.comm)) {
                        const char *rule = NULL;
                        for (size_t k = i; k < end && !rule; k++)
                                if (res.c[k].rule)
                                        rule = res.c[k].rule;
                        if (!rule) {
                                for (char **n = rules->processes; n && *n && !rule; n++)
                                        if (comm_matches((char *[]){*n, NULL}, st.comm))
                                                rule = *n;
                        }
                        if (rule) {
                                if (GREEDY_REALLOC(s->processes, allocated, s->n_processes + 1) < 0) {
                                        r = -ENOMEM;
                                        goto fail;
                                }
                                ScopeProcess *p = &s->processes[s->n_processes++];
                                *p = (ScopeProcess){.pid = pid,
                                                    .start_time = st.start_time,
                                                    .processor = st.processor,
                                                    .rule = rule};
                                memcpy(p->comm, st.comm, sizeof st.comm);
                        }
                }
                i = end;
        }
        free(res.c);
        *ret = TAKE_PTR(s);
        return 0;
fail:
        free(res.c);
        return r;
}

const ScopeProcess *scope_find(const Scope *s, pid_t pid)
{
        return pid_bsearch(pid, s->processes, s->n_processes, sizeof(s->processes[0]));
}
