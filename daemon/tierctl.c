/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "classify.h"
#include "explain.h"
#include "log.h"
#include "output.h"
#include "parse.h"

static const char *arg_root = "/";
static bool arg_json = false;

static void help(void)
{
        printf("tierctl - inspect memory tiers\n\n"
               "Usage:\n"
               "  tierctl classify [--root DIR] [--json]   compute memory tiers from sysfs, no daemon needed\n"
               "  tierctl explain NODE [--root DIR]        show the arithmetic behind NODE's tier\n\n"
               "Options:\n"
               "  -r, --root DIR   read sysfs/procfs below DIR instead of / (a captured or fixture tree)\n"
               "  -j, --json       print JSON (classify)\n"
               "  -h, --help       show this help\n"
               "      --version    show the version\n");
}

static int parse_argv(int argc, char *argv[])
{
        enum { ARG_VERSION = 0x100 };
        static const struct option options[] = {
                {"root", required_argument, NULL, 'r'},
                {"json", no_argument, NULL, 'j'},
                {"help", no_argument, NULL, 'h'},
                {"version", no_argument, NULL, ARG_VERSION},
                {},
        };
        int c;

        while ((c = getopt_long(argc, argv, "r:jh", options, NULL)) >= 0)
                switch (c) {
                case 'r':
                        arg_root = optarg;
                        break;
                case 'j':
                        arg_json = true;
                        break;
                case 'h':
                        help();
                        return 0;
                case ARG_VERSION:
                        puts("tierctl " TIERD_VERSION);
                        return 0;
                default:
                        return -EINVAL;
                }
        return 1;
}

static int load(Classification **ret)
{
        int r = classification_run(arg_root, NULL, ret);
        if (r == -ENOENT)
                return log_error_errno(r, "No NUMA nodes found below %s (no %s/sys/devices/system/node).", arg_root,
                                       strcmp(arg_root, "/") == 0 ? "" : arg_root);
        if (r < 0)
                return log_error_errno(r, "Failed to read the topology below %s: %m", arg_root);
        return 0;
}

static int verb_classify(int argc, char *argv[])
{
        (void)argv;
        if (argc != 1)
                return log_error_errno(-EINVAL, "classify takes no arguments.");

        _cleanup_(classification_freep) Classification *c = NULL;
        int r = load(&c);
        if (r < 0)
                return r;

        if (arg_json) {
                _cleanup_free_ char *s = NULL;
                r = output_classification_json_string(c, &s);
                if (r < 0)
                        return log_oom();
                fputs(s, stdout);
        } else {
                r = output_classification_text(c, stdout);
                if (r < 0)
                        return log_oom();
        }
        return 0;
}

static int verb_explain(int argc, char *argv[])
{
        if (argc != 2)
                return log_error_errno(-EINVAL, "explain takes exactly one node number.");
        int node;
        if (parse_int(argv[1], &node) < 0 || node < 0)
                return log_error_errno(-EINVAL, "Invalid node number '%s'.", argv[1]);

        _cleanup_(classification_freep) Classification *c = NULL;
        int r = load(&c);
        if (r < 0)
                return r;

        _cleanup_free_ char *text = NULL;
        r = explain_node(c, (unsigned)node, &text);
        if (r == -ENOENT)
                return log_error_errno(r, "Node %d is not online below %s.", node, arg_root);
        if (r < 0)
                return log_oom();
        fputs(text, stdout);
        return 0;
}

int main(int argc, char *argv[])
{
        static const struct {
                const char *name;
                int (*run)(int argc, char *argv[]);
        } verbs[] = {
                {"classify", verb_classify},
                {"explain", verb_explain},
        };

        int r = parse_argv(argc, argv);
        if (r <= 0)
                return r < 0 ? 2 : 0;
        if (optind >= argc) {
                help();
                return 2;
        }
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                if (strcmp(argv[optind], verbs[i].name) == 0)
                        return verbs[i].run(argc - optind, argv + optind) < 0 ? 1 : 0;
        log_error("Unknown command '%s'. See 'tierctl --help'.", argv[optind]);
        return 2;
}
