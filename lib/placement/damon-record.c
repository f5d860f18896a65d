/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The tracker's crash record: which kdamond is tierd's and the mark it carries, on disk before that kdamond is
 * created, so that the next instance can remove it after a crash.  A state file like the saved kernel knobs
 * (statefile.h): an exclusive lock, a new temporary file renamed over the record, a record that is not a
 * regular file refused, one that is not valid as a whole ignored.
 */
#include <string.h>

#include "damon-internal.h"
#include "escape.h"
#include "lockfile.h"
#include "log.h"
#include "statefile.h"

int damon_record_lock(const char *path, int *ret_fd)
{
        return lockfile_take(path, "its DAMON kdamond", ret_fd);
}

int damon_record_load(const char *path, DamonRecord *ret, bool *ret_found)
{
        DamonRecordLines lines = {};

        *ret_found = false;
        /* A line that is not valid, or too large a file, is warned about (naming it) and makes all of it -EINVAL. */
        int r = statefile_load(path, "DAMON record line", STATEFILE_WHOLE, damon_record_line, &lines);
        if (r == -EINVAL)
                return 0;
        if (r <= 0)
                return r;
        if (damon_record_finish(&lines, ret) < 0) {
                _cleanup_free_ char *shown = escape_bounded(path, ESCAPE_PATH_MAX);
                if (!shown)
                        return -ENOMEM;
                log_warning("%s is not a valid DAMON record, ignoring it: no kdamond is touched on its account.",
                            shown);
                return 0;
        }
        *ret_found = true;
        return 0;
}

int damon_record_save(const char *path, const DamonRecord *rec)
{
        char text[128];
        int r = damon_record_format(rec, text, sizeof text);
        if (r < 0)
                return log_error_errno(r, "Failed to format the DAMON record: %m");
        return statefile_write(path, text, LOG_ERR);
}

int damon_record_remove(const char *path)
{
        return statefile_remove(path, LOG_ERR);
}
