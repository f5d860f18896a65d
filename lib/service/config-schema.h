/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The configuration schema, shared by the parser (config.c) and the formatter (config-format.c): every section
 * and key tierd reads is a row of config_sections[], and both walk these rows.  A new section or key is new rows
 * (plus a setter when a value does not land in a plain field of Config).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"

typedef struct ConfigKey ConfigKey;

typedef enum ValueKind {
        VALUE_ENUM,             /* one of .names (NULL entries are holes), the index stored as an int */
        VALUE_UNSIGNED,         /* 0 .. .max, stored as a uint64_t */
        VALUE_KEEP_OR_UNSIGNED, /* "keep" (CONFIG_KEEP) or 0 .. .max, stored as an int64_t */
        VALUE_LIST,             /* words appended to a NULL-terminated char ** (an empty value clears it) */
} ValueKind;

struct ConfigKey {
        const char *name;
        ValueKind kind;
        const char *const *names; /* VALUE_ENUM */
        size_t n_names;
        uint64_t min, max; /* the numeric kinds */
        /* VALUE_LIST: checks one word, returns 0 or -EINVAL with what it expected in *ret_expected */
        int (*valid_word)(const char *word, const char **ret_expected);
        /* Where the value goes: a field of Config, or a setter (id: of a numbered section) returning 0 or
         * -ENOMEM, for values that are not a plain field. */
        size_t offset;
        int (*set)(Config *c, unsigned id, uint64_t value);
        const char *comment; /* whole "# ..." lines config_format() puts above the key */
};

typedef struct ConfigSection {
        const char *name;
        /* Non-NULL for numbered sections, "[Name N]" with exactly one space and a decimal N < id_max; names the
         * id in errors. */
        const char *id_name;
        uint32_t id_max;
        const ConfigKey *keys;
        size_t n_keys;
        /* config_format(): comment lines after the header, or instead of the generic "every key with its value"
         * a function of its own (numbered sections have one per id, or none); valid says whether the values can
         * be written so that they read back the same. */
        const char *comment;
        void (*format)(const Config *c, FILE *f);
        bool (*valid)(const Config *c);
} ConfigSection;

/* In the order config_format() writes them. */
extern const ConfigSection config_sections[];
extern const size_t config_n_sections;

const char *config_table_to_string(const char *const *table, size_t n, int i);
int config_table_from_string(const char *const *table, size_t n, const char *s);

/* The [Node N] key an override was set with. */
const ConfigKey *config_node_key(const TierOverride *o);
void config_format_node_sections(const Config *c, FILE *f);
bool config_node_sections_valid(const Config *c);

static inline void *config_field(Config *c, const ConfigKey *k)
{
        return (char *)c + k->offset;
}

static inline const void *config_field_const(const Config *c, const ConfigKey *k)
{
        return (const char *)c + k->offset;
}
