/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <systemd/sd-journal.h>

#include "log.h"

static int max_level = LOG_INFO;
static int use_journal = -1; /* -1: not decided yet */

void log_set_max_level(int level)
{
        max_level = level;
}

void log_set_journal(bool journal)
{
        use_journal = journal;
}

/* systemd sets JOURNAL_STREAM=dev:ino for the stream it connected to stderr. */
static bool stderr_is_journal(void)
{
        const char *e = getenv("JOURNAL_STREAM");
        unsigned long long dev, ino;
        struct stat st;

        if (!e || sscanf(e, "%llu:%llu", &dev, &ino) != 2)
                return false;
        if (fstat(STDERR_FILENO, &st) < 0)
                return false;
        return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

int log_internal(int level, int error, const char *file, int line, const char *func, const char *format, ...)
{
        int saved_errno = errno;
        int e = error < 0 ? -error : error;

        if (level > max_level)
                return -e;
        if (use_journal < 0)
                use_journal = stderr_is_journal();

        char buf[2048];
        va_list ap;
        errno = e;
        va_start(ap, format);
        vsnprintf(buf, sizeof buf, format, ap);
        va_end(ap);

        if (use_journal) {
                char code_file[512], code_line[32];
                snprintf(code_file, sizeof code_file, "CODE_FILE=%s", file);
                snprintf(code_line, sizeof code_line, "CODE_LINE=%d", line);
                if (e)
                        sd_journal_send_with_location(code_file, code_line, func, "MESSAGE=%s", buf, "PRIORITY=%d",
                                                      level, "ERRNO=%d", e, NULL);
                else
                        sd_journal_send_with_location(code_file, code_line, func, "MESSAGE=%s", buf, "PRIORITY=%d",
                                                      level, NULL);
        } else
                fprintf(stderr, "%s\n", buf);

        errno = saved_errno;
        return -e;
}

int log_struct_internal(int level, const char *file, int line, const char *func, const char *message_id,
                        const char *const *fields, const char *format, ...)
{
        if (level > max_level)
                return 0;
        if (use_journal < 0)
                use_journal = stderr_is_journal();

        char message[2048];
        va_list ap;
        va_start(ap, format);
        vsnprintf(message, sizeof message, format, ap);
        va_end(ap);

        if (!use_journal) {
                fprintf(stderr, "%s\n", message);
                return 0;
        }

        char m[2100], prio[16], id[64], code_file[512], code_line[32], code_func[256];
        snprintf(m, sizeof m, "MESSAGE=%s", message);
        snprintf(prio, sizeof prio, "PRIORITY=%d", level);
        snprintf(id, sizeof id, "MESSAGE_ID=%s", message_id);
        snprintf(code_file, sizeof code_file, "CODE_FILE=%s", file);
        snprintf(code_line, sizeof code_line, "CODE_LINE=%d", line);
        snprintf(code_func, sizeof code_func, "CODE_FUNC=%s", func);

        struct iovec iov[32];
        size_t n = 0;
        const char *fixed[] = {m, prio, id, code_file, code_line, code_func, "SYSLOG_IDENTIFIER=tierd"};
        for (size_t i = 0; i < ELEMENTSOF(fixed); i++)
                iov[n++] = (struct iovec){(void *)fixed[i], strlen(fixed[i])};
        for (size_t i = 0; fields && fields[i] && n < ELEMENTSOF(iov); i++)
                iov[n++] = (struct iovec){(void *)fields[i], strlen(fields[i])};
        sd_journal_sendv(iov, (int)n);
        return 0;
}
