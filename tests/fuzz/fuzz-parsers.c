/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: every sysfs/procfs value parser on arbitrary bytes. None may crash, hang or overread. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        /* sysfs values are NUL-free text; the reader rejects embedded NULs before parsing. */
        char *s = malloc(size + 1);
        if (!s)
                return 0;
        memcpy(s, data, size);
        s[size] = '\0';

        uint64_t u64, words[1024];
        uint32_t u32, row[64];
        int i;
        bool b;
        unsigned count, major, minor, patch;
        size_t n;
        NodeMask mask;

        (void)parse_u64(s, &u64);
        (void)parse_u32(s, &u32);
        (void)parse_int(s, &i);
        (void)parse_hex_u64(s, &u64);
        (void)parse_bool(s, &b);
        (void)parse_id_list(s, 65536, NULL, &count);
        (void)parse_id_list(s, 1024 * 64, words, &count);
        (void)parse_nodemask(s, &mask);
        (void)parse_meminfo_kb(s, "MemTotal", &u64);
        (void)parse_distance_row(s, row, 64, &n);
        (void)parse_kernel_release(s, &major, &minor, &patch);
        if (parse_nodemask(s, &mask) >= 0) {
                char *text = nodemask_format(&mask);
                NodeMask again;
                if (text && (parse_nodemask(text, &again) < 0 || !nodemask_equal(&mask, &again)))
                        abort(); /* formatting must round-trip */
                free(text);
        }
        free(s);
        return 0;
}
