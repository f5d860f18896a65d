/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* config_format(): the effective configuration as INI text, driven by the schema rows. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "config-schema.h"
#include "macro.h"
#include "nodemask.h"
#include "strv.h"

/* Source paths go into a comment line: a control character (a newline in a file name) must not end it. */
static void fputs_escaped(const char *s, FILE *f)
{
        for (; *s; s++) {
                unsigned char ch = (unsigned char)*s;
                if (ch < 0x20 || ch == 0x7f)
                        fprintf(f, "\\x%02x", ch);
                else
                        fputc(ch, f);
        }
}

/* config_format() writes only what config_load() reads back the same: overrides ascending, one per node. */
bool config_node_sections_valid(const Config *c)
{
        for (size_t i = 0; i < c->n_overrides; i++) {
                const TierOverride *o = &c->overrides[i];
                if (o->node >= NODEMASK_MAX || (i > 0 && o->node <= c->overrides[i - 1].node))
                        return false;
                if (o->value < 0 || (uint64_t)o->value > config_node_key(o)->max)
                        return false;
        }
        return true;
}

void config_format_node_sections(const Config *c, FILE *f)
{
        if (c->n_overrides == 0)
                fputs("\n# No [Node N] overrides: every node keeps its computed abstract distance.\n", f);
        else
                fputs("\n# [Node N] overrides of the computed abstract distance (Tier=T means T * 128 + 64).\n", f);
        for (size_t i = 0; i < c->n_overrides; i++) {
                const TierOverride *o = &c->overrides[i];
                fprintf(f, "%s[Node %u]\n%s=%d\n", i > 0 ? "\n" : "", o->node, config_node_key(o)->name, o->value);
        }
}

static bool key_valid(const Config *c, const ConfigKey *k)
{
        switch (k->kind) {
        case VALUE_ENUM:
                return config_table_to_string(k->names, k->n_names, *(const int *)config_field_const(c, k));
        case VALUE_UNSIGNED: {
                uint64_t v = *(const uint64_t *)config_field_const(c, k);
                return v >= k->min && v <= k->max;
        }
        case VALUE_KEEP_OR_UNSIGNED: {
                int64_t v = *(const int64_t *)config_field_const(c, k);
                return v == CONFIG_KEEP || (v >= 0 && (uint64_t)v <= k->max);
        }
        case VALUE_LIST:
                /* A word must read back as itself: no quote inside, nothing empty, and valid for the key. */
                for (char *const *w = *(char **const *)config_field_const(c, k); w && *w; w++) {
                        const char *expected;
                        if (!**w || strchr(*w, '"') || strpbrk(*w, "\n\r") || k->valid_word(*w, &expected) < 0)
                                return false;
                }
                return true;
        }
        return false;
}

static void format_key(const Config *c, const ConfigKey *k, FILE *f)
{
        fputs(k->comment ?: "", f);
        switch (k->kind) {
        case VALUE_ENUM:
                fprintf(f, "%s=%s\n", k->name,
                        config_table_to_string(k->names, k->n_names, *(const int *)config_field_const(c, k)));
                break;
        case VALUE_UNSIGNED:
                fprintf(f, "%s=%" PRIu64 "\n", k->name, *(const uint64_t *)config_field_const(c, k));
                break;
        case VALUE_KEEP_OR_UNSIGNED: {
                int64_t v = *(const int64_t *)config_field_const(c, k);
                if (v == CONFIG_KEEP)
                        fprintf(f, "%s=keep\n", k->name);
                else
                        fprintf(f, "%s=%" PRId64 "\n", k->name, v);
                break;
        }
        case VALUE_LIST:
                fprintf(f, "%s=", k->name);
                for (char *const *w = *(char **const *)config_field_const(c, k); w && *w; w++)
                        fprintf(f, strpbrk(*w, " \t") ? "%s\"%s\"" : "%s%s",
                                w == *(char **const *)config_field_const(c, k) ? "" : " ", *w);
                fputc('\n', f);
                break;
        }
}

static bool sections_valid(const Config *c)
{
        for (size_t i = 0; i < config_n_sections; i++) {
                const ConfigSection *section = &config_sections[i];
                if (section->valid) {
                        if (!section->valid(c))
                                return false;
                        continue;
                }
                for (size_t j = 0; j < section->n_keys; j++)
                        if (!key_valid(c, &section->keys[j]))
                                return false;
        }
        return true;
}

int config_format(const Config *c, FILE *f)
{
        if (!sections_valid(c))
                return -EINVAL;

        fputs("# Sources: ", f);
        if (c->n_sources == 0)
                fputs("(defaults)", f);
        for (size_t i = 0; i < c->n_sources; i++) {
                if (i > 0)
                        fputs(", ", f);
                fputs_escaped(c->sources[i], f);
        }
        fputs("\n# The effective tierd configuration, every key with its value; see tierd.conf(5).\n", f);

        for (size_t i = 0; i < config_n_sections; i++) {
                const ConfigSection *section = &config_sections[i];
                if (section->format) {
                        section->format(c, f);
                        continue;
                }
                fprintf(f, "\n[%s]\n%s", section->name, section->comment ?: "");
                for (size_t j = 0; j < section->n_keys; j++)
                        format_key(c, &section->keys[j], f);
        }

        if (fflush(f) != 0)
                return negative_errno();
        return ferror(f) ? -EIO : 0;
}
