/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "sysfs.h"
#include "vmstat.h"

static const struct {
        const char *name;
        size_t offset;
} vmstat_fields[] = {
        {"numa_hint_faults", offsetof(VmstatTiering, numa_hint_faults)},
        {"pgpromote_success", offsetof(VmstatTiering, pgpromote_success)},
        {"pgpromote_candidate", offsetof(VmstatTiering, pgpromote_candidate)},
        {"pgdemote_kswapd", offsetof(VmstatTiering, pgdemote_kswapd)},
        {"pgdemote_direct", offsetof(VmstatTiering, pgdemote_direct)},
        {"pgdemote_khugepaged", offsetof(VmstatTiering, pgdemote_khugepaged)},
        {"pgmigrate_success", offsetof(VmstatTiering, pgmigrate_success)},
        {"pgmigrate_fail", offsetof(VmstatTiering, pgmigrate_fail)},
};

int vmstat_tiering_parse(const char *text, VmstatTiering *ret)
{
        VmstatTiering v = {};

        for (const char *line = text; *line;) {
                const char *eol = strchrnul(line, '\n');
                const char *space = memchr(line, ' ', (size_t)(eol - line));
                char value[32];

                if (eol == line) { /* empty line */
                        line = *eol ? eol + 1 : eol;
                        continue;
                }
                if (!space || space == line || (size_t)(eol - space - 1) >= sizeof(value))
                        return -EINVAL;
                memcpy(value, space + 1, (size_t)(eol - space - 1));
                value[eol - space - 1] = '\0';

                for (size_t i = 0; i < ELEMENTSOF(vmstat_fields); i++) {
                        size_t len = strlen(vmstat_fields[i].name);

                        if ((size_t)(space - line) != len || memcmp(line, vmstat_fields[i].name, len) != 0)
                                continue;
                        int r = parse_u64(value, (uint64_t *)((char *)&v + vmstat_fields[i].offset));
                        if (r < 0)
                                return r;
                        break;
                }
                line = *eol ? eol + 1 : eol;
        }
        *ret = v;
        return 0;
}

int vmstat_tiering_read(SysfsRoot *root, VmstatTiering *ret)
{
        _cleanup_free_ char *text = NULL;
        int r;

        r = sysfs_read_string(root, &text, "proc/vmstat");
        if (r < 0)
                return r;
        return vmstat_tiering_parse(text, ret);
}

void vmstat_tiering_delta(const VmstatTiering *a, const VmstatTiering *b, VmstatTiering *ret)
{
        for (size_t i = 0; i < ELEMENTSOF(vmstat_fields); i++) {
                uint64_t x = *(const uint64_t *)((const char *)a + vmstat_fields[i].offset);
                uint64_t y = *(const uint64_t *)((const char *)b + vmstat_fields[i].offset);

                *(uint64_t *)((char *)ret + vmstat_fields[i].offset) = y >= x ? y - x : 0;
        }
}
