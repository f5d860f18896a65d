/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The tracker's pure decisions: target slots across a change, /proc/PID/stat, the record's text, ownership. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "damon-internal.h"
#include "macro.h"
#include "parse.h"
#include "statefile.h"

static bool same_process(const DamonSlot *a, const DamonSlot *b)
{
        return a->pid == b->pid && a->starttime == b->starttime;
}

static bool contains_process(const DamonSlot *v, size_t n, const DamonSlot *s)
{
        for (size_t i = 0; i < n; i++)
                if (same_process(&v[i], s))
                        return true;
        return false;
}

int damon_plan_slots(const DamonSlot *old, size_t n_old, const DamonSlot *want, size_t n_want, DamonSlot **ret,
                     size_t *ret_n)
{
        _cleanup_free_ DamonSlot *slots = NULL;
        size_t n = 0, allocated = 0;

        if (GREEDY_REALLOC(slots, allocated, n_old + n_want + 1) < 0)
                return -ENOMEM;
        for (size_t i = 0; i < n_old; i++)
                slots[n++] = contains_process(want, n_want, &old[i])
                                     ? (DamonSlot){.pid = old[i].pid, .starttime = old[i].starttime}
                                     : (DamonSlot){};
        for (size_t j = 0; j < n_want; j++) {
                if (contains_process(old, n_old, &want[j]))
                        continue;
                size_t free_slot = 0;
                while (free_slot < n && slots[free_slot].pid != 0)
                        free_slot++;
                if (free_slot < n)
                        slots[free_slot] =
                                (DamonSlot){.pid = want[j].pid, .starttime = want[j].starttime, .reset = true};
                else
                        slots[n++] = (DamonSlot){.pid = want[j].pid, .starttime = want[j].starttime};
        }
        while (n > 0 && slots[n - 1].pid == 0)
                n--;
        *ret = TAKE_PTR(slots);
        *ret_n = n;
        return 0;
}

int damon_parse_proc_stat(const char *text, char *ret_state, uint64_t *ret_starttime)
{
        /* "pid (comm) S ppid ...": comm may hold spaces and parentheses, so the fields start after the last ')'. */
        const char *p = strrchr(text, ')');
        if (!p || p[1] != ' ' || !isalpha((unsigned char)p[2]))
                return -EINVAL;
        p += 2;
        char state = *p;
        for (unsigned field = 3; field < 22; field++) {
                p = strchr(p, ' ');
                if (!p)
                        return -EINVAL;
                p++;
        }
        char value[24];
        size_t len = strcspn(p, " \n");
        if (len == 0 || len >= sizeof value)
                return -EINVAL;
        memcpy(value, p, len);
        value[len] = '\0';
        uint64_t starttime;
        int r = parse_u64(value, &starttime);
        if (r < 0)
                return r;
        *ret_state = state;
        *ret_starttime = starttime;
        return 0;
}

int damon_record_format(const DamonRecord *r, char *buf, size_t size)
{
        int n = snprintf(buf, size, "kdamond=%u\ncookie=%" PRIu64 "\n", r->kdamond, r->cookie);
        if (n >= 0 && (size_t)n < size && r->pid > 0)
                n += snprintf(buf + n, size - (size_t)n, "pid=%d\n", (int)r->pid);
        return n < 0 || (size_t)n >= size ? -ENOBUFS : 0;
}

static int take_record_line(const char *key, const char *value, DamonRecord *rec, bool seen[3])
{
        static const char *const keys[3] = {"kdamond", "cookie", "pid"};

        for (size_t k = 0; k < 3; k++) {
                if (strcmp(key, keys[k]) != 0)
                        continue;
                if (seen[k])
                        return -EINVAL;
                seen[k] = true;
                uint32_t u32;
                int i, r;
                switch (k) {
                case 0:
                        r = parse_u32(value, &u32);
                        rec->kdamond = u32;
                        return r;
                case 1:
                        r = parse_u64(value, &rec->cookie);
                        return r < 0 ? r : rec->cookie == 0 ? -EINVAL : 0;
                default:
                        r = parse_int(value, &i);
                        rec->pid = i;
                        return r < 0 ? r : i <= 0 ? -EINVAL : 0;
                }
        }
        return -EINVAL;
}

int damon_record_line(const char *key, const char *value, void *userdata)
{
        DamonRecordLines *lines = userdata;
        /* Whatever the parser's reason (a range, a sign), the line is simply not valid. */
        return take_record_line(key, value, &lines->rec, lines->seen) < 0 ? -EINVAL : 0;
}

int damon_record_finish(const DamonRecordLines *lines, DamonRecord *ret)
{
        if (!lines->seen[0] || !lines->seen[1])
                return -EINVAL;
        *ret = lines->rec;
        return 0;
}

int damon_record_parse(const char *text, DamonRecord *ret)
{
        DamonRecordLines lines = {};
        int r = statefile_parse(text, strlen(text), NULL, NULL, STATEFILE_WHOLE, damon_record_line, &lines);
        if (r < 0)
                return r;
        return damon_record_finish(&lines, ret);
}

bool damon_kdamond_is_ours(const DamonRecord *r, const DamonFound *f)
{
        if (!f->exists)
                return false;
        if (f->cookie == r->cookie)
                return true;
        if (f->cookie != 0)
                return false;
        if (f->running)
                return r->pid > 0 && f->pid == r->pid;
        return f->nr_contexts == 0;
}

int damon_cmp_pid(const void *a, const void *b)
{
        pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;
        return x < y ? -1 : x > y;
}
