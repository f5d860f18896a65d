/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "manager.h"

static const char *arg_root = "/";
static const char *arg_config = NULL;
static bool arg_user = false;
static bool arg_check_config = false;

static void help(void)
{
        printf("tierd - memory-tiering daemon\n\n"
               "Usage: tierd [OPTIONS]\n\n"
               "  -r, --root DIR        read sysfs/procfs below DIR (a captured or fixture tree)\n"
               "  -c, --config FILE     configuration file instead of " CONFIG_DEFAULT_PATH
               " (drop-ins: FILE.d/*.conf)\n"
               "      --user            serve on the session bus, no root checks (tests)\n"
               "      --check-config    validate the configuration, print the effective one, exit\n"
               "  -h, --help            show this help\n"
               "      --version         show the version\n");
}

static int parse_argv(int argc, char *argv[])
{
        enum { ARG_USER = 0x100, ARG_CHECK_CONFIG, ARG_VERSION };
        static const struct option options[] = {
                {"root", required_argument, NULL, 'r'},
                {"config", required_argument, NULL, 'c'},
                {"user", no_argument, NULL, ARG_USER},
                {"check-config", no_argument, NULL, ARG_CHECK_CONFIG},
                {"help", no_argument, NULL, 'h'},
                {"version", no_argument, NULL, ARG_VERSION},
                {},
        };
        int c;

        while ((c = getopt_long(argc, argv, "r:c:h", options, NULL)) >= 0)
                switch (c) {
                case 'r':
                        if (!*optarg)
                                return log_error_errno(-EINVAL, "--root needs a directory (use / for the live "
                                                                "system).");
                        arg_root = optarg;
                        break;
                case 'c':
                        arg_config = optarg;
                        break;
                case ARG_USER:
                        arg_user = true;
                        break;
                case ARG_CHECK_CONFIG:
                        arg_check_config = true;
                        break;
                case 'h':
                        help();
                        return 0;
                case ARG_VERSION:
                        puts("tierd " TIERD_VERSION);
                        return 0;
                default:
                        return -EINVAL;
                }
        if (optind < argc)
                return log_error_errno(-EINVAL, "tierd takes no positional arguments.");
        return 1;
}

static int check_config(void)
{
        _cleanup_(config_freep) Config *c = NULL;
        _cleanup_free_ char *error = NULL;
        int r = config_load(arg_config, &c, &error);
        if (r < 0) {
                if (error)
                        log_error("%s", error);
                else
                        log_error_errno(r, "Failed to load the configuration: %m");
                return r;
        }
        return config_format(c, stdout);
}

int main(int argc, char *argv[])
{
        int r = parse_argv(argc, argv);
        if (r <= 0)
                return r < 0 ? 2 : 0;
        if (arg_check_config)
                return check_config() < 0 ? 1 : 0;

        /* Block the signals the loop handles before anything else could start a thread. */
        sigset_t mask;
        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGHUP);
        sigprocmask(SIG_BLOCK, &mask, NULL);

        ManagerOptions o = {.root = arg_root, .config_path = arg_config, .user_bus = arg_user};
        _cleanup_(manager_freep) Manager *m = NULL;
        r = manager_new(&o, &m);
        if (r < 0)
                return log_error_errno(r, "Failed to set up: %m"), 1;
        r = manager_start(m, &o);
        if (r < 0)
                return 1; /* logged; manager_free() restores any knob already changed */
        r = manager_run(m);
        if (r < 0)
                return log_error_errno(r, "Event loop failed: %m"), 1;
        return 0;
}
