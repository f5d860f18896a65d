/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <syslog.h>

#include "macro.h"

/*
 * Logging onto the journal when stderr is connected to it (JOURNAL_STREAM), plain stderr otherwise.
 * The *_errno variants take a negative (or positive) errno, make it available to %m and return it negative, so
 * that `return log_error_errno(r, "Failed to read %s: %m", path);` reads naturally.
 */
void log_set_max_level(int level);
/* Force a target; by default it is chosen from the environment on first use. */
void log_set_journal(bool journal);

int log_internal(int level, int error, const char *file, int line, const char *func, const char *format, ...)
        _printf_(6, 7);

#define log_full_errno(level, error, ...) log_internal(level, error, __FILE__, __LINE__, __func__, __VA_ARGS__)
#define log_full(level, ...) (void)log_full_errno(level, 0, __VA_ARGS__)

#define log_debug(...) log_full(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_full(LOG_INFO, __VA_ARGS__)
#define log_notice(...) log_full(LOG_NOTICE, __VA_ARGS__)
#define log_warning(...) log_full(LOG_WARNING, __VA_ARGS__)
#define log_error(...) log_full(LOG_ERR, __VA_ARGS__)

#define log_debug_errno(error, ...) log_full_errno(LOG_DEBUG, error, __VA_ARGS__)
#define log_warning_errno(error, ...) log_full_errno(LOG_WARNING, error, __VA_ARGS__)
#define log_error_errno(error, ...) log_full_errno(LOG_ERR, error, __VA_ARGS__)

/*
 * A structured record: MESSAGE_ID plus extra journal fields ("TIERD_NODE=2", ...; NULL-terminated, may be NULL).
 * On stderr only the message is printed.
 */
int log_struct_internal(int level, const char *file, int line, const char *func, const char *message_id,
                        const char *const *fields, const char *format, ...) _printf_(7, 8);
#define log_struct(level, message_id, fields, ...)                                                                     \
        log_struct_internal(level, __FILE__, __LINE__, __func__, message_id, fields, __VA_ARGS__)

#define log_oom() log_error_errno(-ENOMEM, "Out of memory.")
