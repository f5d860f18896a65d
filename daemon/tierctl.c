/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>
#include <linux/capability.h>
#include <sys/syscall.h>
#include <systemd/sd-bus.h>

#include "snapshot.h"
#include "explain.h"
#include "log.h"
#include "migrate-output.h"
#include "migrate.h"
#include "tierd-bus.h"
#include "output.h"
#include "placement-output.h"
#include "parse.h"

/* Verbs return this for a command line that is wrong (exit status 2), any other negative errno for a failure (1). */
#define USAGE_ERROR INT_MIN

_printf_(1, 2) static int usage_error(const char *format, ...)
{
        va_list ap;
        va_start(ap, format);
        vfprintf(stderr, format, ap);
        va_end(ap);
        fputs(" See 'tierctl --help'.\n", stderr);
        return USAGE_ERROR;
}

static const char *arg_root = NULL; /* NULL: the live system, through the daemon where a verb needs it */
static bool arg_json = false;
static bool arg_user = false;
/* migrate */
static int arg_to_node = -1;
static uint64_t arg_rate_mbps = 0; /* 0: no limit */
static uint64_t arg_free_floor_mib = 0;
static bool arg_dry_run = false;
static bool arg_migrate_options = false;

static void help(void)
{
        printf("tierctl - inspect and steer memory tiers\n\n"
               "Offline (no daemon needed):\n"
               "  tierctl classify [--root DIR] [--json]   compute memory tiers from sysfs\n"
               "  tierctl explain NODE --root DIR          the arithmetic behind NODE's tier in a tree\n\n"
               "From the running tierd (D-Bus):\n"
               "  tierctl status      daemon, kernel, mode, tier map generation\n"
               "  tierctl tiers       the tiers\n"
               "  tierctl nodes       the nodes with their tiers\n"
               "  tierctl explain N   the arithmetic behind node N's tier (computed locally when tierd is not\n"
               "                      running)\n"
               "  tierctl stats       what placement (migrate mode) and the kernel moved\n"
               "  tierctl reload      re-read the configuration (root)\n"
               "  tierctl rescan      rediscover the topology now (root)\n\n"
               "Moving pages (in-process, no daemon needed; root or CAP_SYS_NICE):\n"
               "  tierctl migrate PID --to-node N [--rate MBPS] [--free-floor MIB]\n"
               "                      move every page of process PID to node N\n"
               "  tierctl migrate PID --dry-run   where the pages of process PID are\n\n"
               "Options:\n"
               "  -r, --root DIR   read sysfs/procfs below DIR instead of / (a captured or fixture tree)\n"
               "  -j, --json       print JSON\n"
               "      --to-node N        migrate: the target node\n"
               "      --rate MBPS        migrate: at most MBPS MiB per second (default: no limit)\n"
               "      --free-floor MIB   migrate: leave at least MIB MiB free on the target node\n"
               "      --dry-run          migrate: only report where the pages are\n"
               "      --user       talk to a tierd on the session bus (tests)\n"
               "  -h, --help       show this help\n"
               "      --version    show the version\n");
}

static int parse_argv(int argc, char *argv[])
{
        enum { ARG_VERSION = 0x100, ARG_USER, ARG_TO_NODE, ARG_RATE, ARG_FREE_FLOOR, ARG_DRY_RUN };
        static const struct option options[] = {
                {"root", required_argument, NULL, 'r'},      {"json", no_argument, NULL, 'j'},
                {"user", no_argument, NULL, ARG_USER},       {"help", no_argument, NULL, 'h'},
                {"version", no_argument, NULL, ARG_VERSION}, {"to-node", required_argument, NULL, ARG_TO_NODE},
                {"rate", required_argument, NULL, ARG_RATE}, {"free-floor", required_argument, NULL, ARG_FREE_FLOOR},
                {"dry-run", no_argument, NULL, ARG_DRY_RUN}, {},
        };
        int c;

        while ((c = getopt_long(argc, argv, "r:jh", options, NULL)) >= 0)
                switch (c) {
                case 'r':
                        if (!*optarg)
                                return usage_error("--root needs a directory (use / for the live system).");
                        arg_root = optarg;
                        break;
                case 'j':
                        arg_json = true;
                        break;
                case 'h':
                        help();
                        return 0;
                case ARG_USER:
                        arg_user = true;
                        break;
                case ARG_VERSION:
                        puts("tierctl " TIERD_VERSION);
                        return 0;
                case ARG_TO_NODE:
                        if (parse_int(optarg, &arg_to_node) < 0 || arg_to_node < 0)
                                return usage_error("Invalid node number '%s' for --to-node.", optarg);
                        arg_migrate_options = true;
                        break;
                case ARG_RATE:
                        if (parse_u64(optarg, &arg_rate_mbps) < 0 || arg_rate_mbps > RATELIMIT_MAX >> 20)
                                return usage_error("Invalid rate '%s' for --rate (MiB per second).", optarg);
                        arg_migrate_options = true;
                        break;
                case ARG_FREE_FLOOR:
                        if (parse_u64(optarg, &arg_free_floor_mib) < 0 || arg_free_floor_mib > UINT64_MAX >> 20)
                                return usage_error("Invalid size '%s' for --free-floor (MiB).", optarg);
                        arg_migrate_options = true;
                        break;
                case ARG_DRY_RUN:
                        arg_dry_run = arg_migrate_options = true;
                        break;
                default:
                        return -EINVAL;
                }
        return 1;
}

static const char *root_or_slash(void)
{
        return arg_root ?: "/";
}

static int load(Snapshot **ret)
{
        const char *root = root_or_slash();
        int r = snapshot_read(root, NULL, ret);
        if (r == -ENOENT)
                return log_error_errno(r, "No NUMA nodes found below %s (no %s/sys/devices/system/node).", root,
                                       strcmp(root, "/") == 0 ? "" : root);
        if (r < 0)
                return log_error_errno(r, "Failed to read the topology below %s: %m", root);
        return 0;
}

static bool daemon_absent(const sd_bus_error *e, int r)
{
        return sd_bus_error_has_name(e, SD_BUS_ERROR_SERVICE_UNKNOWN) ||
               sd_bus_error_has_name(e, SD_BUS_ERROR_NAME_HAS_NO_OWNER) || r == -ENOENT || r == -ECONNREFUSED;
}

static int bus_connect(sd_bus **ret)
{
        if (arg_root)
                return usage_error("--root works with classify and explain only; the other verbs ask the running "
                                   "tierd.");
        int r = arg_user ? sd_bus_open_user(ret) : sd_bus_open_system(ret);
        if (r == -ENOENT || r == -ECONNREFUSED)
                return log_error_errno(-ESRCH, "tierd is not running (no %s bus to reach it on).",
                                       arg_user ? "session" : "system");
        if (r < 0)
                return log_error_errno(r, "Failed to connect to the %s bus: %m", arg_user ? "session" : "system");
        return 0;
}

/* Report a failed call; the daemon not running gets its own, plain message. */
static int call_failed(const char *what, const sd_bus_error *e, int r)
{
        if (daemon_absent(e, r))
                return log_error_errno(-ESRCH, "tierd is not running (nobody owns %s on the %s bus).", TIERD_BUS_NAME,
                                       arg_user ? "session" : "system");
        if (sd_bus_error_is_set(e))
                return log_error_errno(r, "%s failed: %s", what, e->message ?: e->name);
        return log_error_errno(r, "%s failed: %m", what);
}

static int call_string(sd_bus *bus, const char *method, char **ret, const char *types, ...)
{
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        int r = sd_bus_message_new_method_call(bus, &m, TIERD_BUS_NAME, TIERD_BUS_PATH, TIERD_BUS_INTERFACE, method);
        if (r < 0)
                return log_oom();
        if (types) {
                va_list ap;
                va_start(ap, types);
                r = sd_bus_message_appendv(m, types, ap);
                va_end(ap);
                if (r < 0)
                        return log_oom();
        }
        r = sd_bus_call(bus, m, 0, &e, &reply);
        if (r < 0)
                return call_failed(method, &e, r);
        if (!ret)
                return 0;
        const char *s;
        r = sd_bus_message_read(reply, "s", &s);
        if (r < 0)
                return log_error_errno(r, "Unexpected reply to %s: %m", method);
        *ret = strdup(s);
        return *ret ? 0 : log_oom();
}

/*
 * The start of every verb that asks the running tierd: it takes no arguments; connect, call method (without
 * arguments) and hand out its string reply (ret NULL: none is read).  The connection is handed out too when
 * ret_bus is not NULL, so that a verb asking more asks over the same one.  Each failure is reported here.
 */
static int ask_daemon(const char *verb, int argc, const char *method, sd_bus **ret_bus, char **ret)
{
        if (argc != 1)
                return usage_error("%s takes no arguments.", verb);
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        int r = bus_connect(&bus);
        if (r < 0)
                return r;
        r = call_string(bus, method, ret, NULL);
        if (r < 0)
                return r;
        if (ret_bus)
                *ret_bus = TAKE_PTR(bus);
        return 0;
}

/* ask_daemon() for GetTopology(), parsed; used by the verbs that print part of it. */
static int fetch_topology(const char *verb, int argc, sd_bus **ret_bus, json_object **ret)
{
        _cleanup_free_ char *json = NULL;
        int r = ask_daemon(verb, argc, "GetTopology", ret_bus, &json);
        if (r < 0)
                return r;
        json_object *o = json_tokener_parse(json);
        if (!o)
                return log_error_errno(-EBADMSG, "tierd sent a topology that is not JSON.");
        *ret = o;
        return 0;
}

static void print_json(json_object *o)
{
        puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                       JSON_C_TO_STRING_NOSLASHESCAPE));
}

static const char *json_int_or_dash(json_object *parent, const char *key, char *buf, size_t size)
{
        json_object *v;
        if (!json_object_object_get_ex(parent, key, &v) || !v)
                return "-";
        snprintf(buf, size, "%d", json_object_get_int(v));
        return buf;
}

static const char *json_str(json_object *parent, const char *key)
{
        json_object *v;
        if (!json_object_object_get_ex(parent, key, &v) || !v)
                return "";
        return json_object_get_string(v);
}

static void format_id_array(json_object *a, char *buf, size_t size)
{
        size_t len = 0;
        buf[0] = '\0';
        for (size_t i = 0; a && i < json_object_array_length(a) && len + 12 < size; i++)
                len += (size_t)snprintf(buf + len, size - len, "%s%d", i ? "," : "",
                                        json_object_get_int(json_object_array_get_idx(a, i)));
}

static int verb_status(int argc, char *argv[])
{
        (void)argv;
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        json_object *topology = NULL;
        int r = fetch_topology("status", argc, &bus, &topology);
        if (r < 0)
                return r;

        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *version = NULL, *mode = NULL, *release = NULL;
        uint64_t generation = 0;
        if ((r = sd_bus_get_property_string(bus, TIERD_BUS_NAME, TIERD_BUS_PATH, TIERD_BUS_INTERFACE, "Version", &e,
                                            &version)) < 0 ||
            (r = sd_bus_get_property_string(bus, TIERD_BUS_NAME, TIERD_BUS_PATH, TIERD_BUS_INTERFACE, "Mode", &e,
                                            &mode)) < 0 ||
            (r = sd_bus_get_property_string(bus, TIERD_BUS_NAME, TIERD_BUS_PATH, TIERD_BUS_INTERFACE, "KernelRelease",
                                            &e, &release)) < 0 ||
            (r = sd_bus_get_property_trivial(bus, TIERD_BUS_NAME, TIERD_BUS_PATH, TIERD_BUS_INTERFACE,
                                             "TierMapGeneration", &e, 't', &generation)) < 0) {
                json_object_put(topology);
                return r == -ENOMEM ? log_oom() : call_failed("Reading properties", &e, r);
        }

        json_object *tiers = NULL, *warnings = NULL;
        json_object_object_get_ex(topology, "tiers", &tiers);
        json_object_object_get_ex(topology, "warnings", &warnings);
        if (arg_json) {
                json_object *o = json_object_new_object();
                json_object_object_add(o, "version", json_object_new_string(version));
                json_object_object_add(o, "kernel_release", json_object_new_string(release));
                json_object_object_add(o, "mode", json_object_new_string(mode));
                json_object_object_add(o, "tier_map_generation", json_object_new_uint64(generation));
                json_object_object_add(o, "tiers", json_object_get(tiers));
                json_object_object_add(o, "warnings", json_object_get(warnings));
                print_json(o);
                json_object_put(o);
        } else {
                printf("tierd %s, kernel %s, mode %s, tier map generation %" PRIu64 "\n", version, release, mode,
                       generation);
                for (size_t i = 0; tiers && i < json_object_array_length(tiers); i++) {
                        json_object *t = json_object_array_get_idx(tiers, i), *nodes = NULL;
                        char ids[512], b[16];
                        json_object_object_get_ex(t, "nodes", &nodes);
                        format_id_array(nodes, ids, sizeof ids);
                        printf("  tier %s: nodes %s\n", json_int_or_dash(t, "tier", b, sizeof b), ids);
                }
                size_t nw = warnings ? json_object_array_length(warnings) : 0;
                if (nw)
                        printf("  %zu warning(s): see 'tierctl nodes' or 'tierctl status --json'\n", nw);
        }
        json_object_put(topology);
        return 0;
}

static int verb_tiers(int argc, char *argv[])
{
        (void)argv;
        json_object *topology = NULL, *tiers = NULL;
        int r = fetch_topology("tiers", argc, NULL, &topology);
        if (r < 0)
                return r;
        json_object_object_get_ex(topology, "tiers", &tiers);
        if (arg_json)
                print_json(tiers);
        else {
                printf("%-5s %-13s %-12s %s\n", "TIER", "ADISTANCE", "NODES", "TOP");
                for (size_t i = 0; tiers && i < json_object_array_length(tiers); i++) {
                        json_object *t = json_object_array_get_idx(tiers, i), *nodes = NULL, *top = NULL;
                        char ids[512], range[40], a[16], b[16], c[16];
                        json_object_object_get_ex(t, "nodes", &nodes);
                        json_object_object_get_ex(t, "top_tier", &top);
                        format_id_array(nodes, ids, sizeof ids);
                        snprintf(range, sizeof range, "%s-%s", json_int_or_dash(t, "adistance_min", a, sizeof a),
                                 json_int_or_dash(t, "adistance_max", b, sizeof b));
                        printf("%-5s %-13s %-12s %s\n", json_int_or_dash(t, "tier", c, sizeof c), range, ids,
                               json_object_get_boolean(top) ? "yes" : "no");
                }
        }
        json_object_put(topology);
        return 0;
}

static int verb_nodes(int argc, char *argv[])
{
        (void)argv;
        json_object *topology = NULL, *nodes = NULL, *warnings = NULL;
        int r = fetch_topology("nodes", argc, NULL, &topology);
        if (r < 0)
                return r;
        json_object_object_get_ex(topology, "nodes", &nodes);
        json_object_object_get_ex(topology, "warnings", &warnings);
        if (arg_json)
                print_json(nodes);
        else {
                printf("%-5s %-7s %-6s %-6s %-14s %s\n", "NODE", "ADIST", "TIER", "KERNEL", "REASON", "CPUS");
                for (size_t i = 0; nodes && i < json_object_array_length(nodes); i++) {
                        json_object *n = json_object_array_get_idx(nodes, i);
                        char a[16], b[16], c[16], d[16];
                        const char *cpus = json_str(n, "cpus");
                        printf("%-5s %-7s %-6s %-6s %-14s %s\n", json_int_or_dash(n, "node", a, sizeof a),
                               json_int_or_dash(n, "adistance", b, sizeof b), json_int_or_dash(n, "tier", c, sizeof c),
                               json_int_or_dash(n, "kernel_tier", d, sizeof d), json_str(n, "reason"),
                               *cpus ? cpus : "-");
                }
                for (size_t i = 0; warnings && i < json_object_array_length(warnings); i++) {
                        json_object *w = json_object_array_get_idx(warnings, i);
                        printf("%s[%s] %s\n", i ? "" : "\nWarnings:\n", json_str(w, "code"), json_str(w, "message"));
                }
        }
        json_object_put(topology);
        return 0;
}

static int verb_simple_call(const char *verb, const char *method, int argc)
{
        int r = ask_daemon(verb, argc, method, NULL, NULL);
        if (r < 0)
                return r;
        if (arg_json)
                puts("{ \"ok\": true }");
        return 0;
}

static int verb_stats(int argc, char *argv[])
{
        (void)argv;
        _cleanup_free_ char *json = NULL;
        int r = ask_daemon("stats", argc, "GetStats", NULL, &json);
        if (r < 0)
                return r;
        if (arg_json) {
                fputs(json, stdout);
                return 0;
        }
        r = placement_stats_text_from_json(json, stdout);
        if (r < 0)
                return log_error_errno(r, "tierd sent statistics that are not JSON.");
        return 0;
}

static int verb_reload(int argc, char *argv[])
{
        (void)argv;
        return verb_simple_call("reload", "Reload", argc);
}

static int verb_rescan(int argc, char *argv[])
{
        (void)argv;
        return verb_simple_call("rescan", "Rescan", argc);
}

static int verb_classify(int argc, char *argv[])
{
        (void)argv;
        if (argc != 1)
                return usage_error("classify takes no arguments.");

        _cleanup_(snapshot_unrefp) Snapshot *c = NULL;
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
                return usage_error("explain takes exactly one node number.");
        int node;
        if (parse_int(argv[1], &node) < 0 || node < 0)
                return usage_error("Invalid node number '%s'.", argv[1]);

        _cleanup_free_ char *text = NULL;
        if (!arg_root) {
                int r;
                _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
                _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
                _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
                r = arg_user ? sd_bus_open_user(&bus) : sd_bus_open_system(&bus);
                if (r < 0)
                        log_debug_errno(r, "No bus to ask tierd on (%m): computing locally.");
                else {
                        r = sd_bus_call_method(bus, TIERD_BUS_NAME, TIERD_BUS_PATH, TIERD_BUS_INTERFACE, "Explain", &e,
                                               &reply, "u", (uint32_t)node);
                        if (r < 0 && !daemon_absent(&e, r))
                                return call_failed("Explain", &e, r);
                        if (r < 0)
                                log_debug("tierd is not running: computing locally.");
                        else {
                                const char *s;
                                r = sd_bus_message_read(reply, "s", &s);
                                if (r < 0)
                                        return log_error_errno(r, "Unexpected reply to Explain: %m");
                                text = strdup(s);
                                if (!text)
                                        return log_oom();
                        }
                }
        }
        if (!text) {
                _cleanup_(snapshot_unrefp) Snapshot *c = NULL;
                int r = load(&c);
                if (r < 0)
                        return r;
                r = explain_node(c, (unsigned)node, &text);
                if (r == -ENOENT)
                        return log_error_errno(r, "Node %d is not online below %s.", node, root_or_slash());
                if (r < 0)
                        return log_oom();
        }
        if (arg_json) {
                json_object *o = json_object_new_object();
                json_object_object_add(o, "node", json_object_new_int(node));
                json_object_object_add(o, "text", json_object_new_string(text));
                print_json(o);
                json_object_put(o);
        } else
                fputs(text, stdout);
        return 0;
}

/* MPOL_MF_MOVE_ALL (shared pages too, as migratepages moves them for root) needs CAP_SYS_NICE. */
static bool have_cap_sys_nice(void)
{
        struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
        struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3] = {};
        if (syscall(SYS_capget, &h, d) < 0)
                return false;
        return d[CAP_TO_INDEX(CAP_SYS_NICE)].effective & CAP_TO_MASK(CAP_SYS_NICE);
}

/* The one line for a job or node part that ended early. */
static void log_migrate_end(const MigrateStats *s)
{
        if (s->end == MIGRATE_END_PROCESS_EXITED)
                log_error("Process %d exited during the migration; the job ended.", (int)s->pid);
        else if (s->end == MIGRATE_END_DENIED)
                log_error_errno(s->end_error, "Not allowed to move the pages of process %d: %m", (int)s->pid);
        else if (s->end == MIGRATE_END_FAILED)
                log_error_errno(s->end_error, "Migrating the pages of process %d failed: %m", (int)s->pid);
        else
                for (size_t i = 0; i < s->n_nodes; i++)
                        if (s->nodes[i].end == MIGRATE_END_NODE_GONE)
                                log_error("Node %d has no memory (any more): nothing moved there.", s->nodes[i].node);
                        else if (s->nodes[i].end == MIGRATE_END_DENIED)
                                log_error("Node %d is outside process %d's cpuset: nothing moved there.",
                                          s->nodes[i].node, (int)s->pid);
                        else if (s->nodes[i].end == MIGRATE_END_FAILED)
                                log_error_errno(s->nodes[i].end_error, "Moving pages to node %d failed: %m",
                                                s->nodes[i].node);
}

static int verb_migrate(int argc, char *argv[])
{
        if (argc != 2)
                return usage_error("migrate takes exactly one process id.");
        int pid;
        if (parse_int(argv[1], &pid) < 0 || pid <= 0)
                return usage_error("Invalid process id '%s'.", argv[1]);
        if (arg_root)
                return usage_error("--root works with classify and explain only; migrate acts on the live system.");
        if (!arg_dry_run && arg_to_node < 0)
                return usage_error("migrate needs --to-node N (or --dry-run).");

        _cleanup_(sysfs_root_freep) SysfsRoot *root = NULL;
        int r = sysfs_root_new(NULL, NULL, &root);
        if (r < 0)
                return log_error_errno(r, "Failed to open /: %m");
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        RateLimit rate;
        ratelimit_init(&rate, arg_rate_mbps << 20, 0, (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000);
        MigrateOptions options = {
                .dry_run = arg_dry_run,
                .move_all = have_cap_sys_nice(),
                .rate_limit = arg_rate_mbps > 0 ? &rate : NULL,
                .free_floor_bytes = arg_free_floor_mib << 20,
        };
        _cleanup_(migrate_job_freep) MigrateJob *job = NULL;
        r = migrate_job_new_process(root, pid, arg_to_node, &options, &job);
        if (r == -ESRCH)
                return log_error_errno(r, "No process %d.", pid);
        if (r == -EACCES || r == -EPERM)
                return log_error_errno(r,
                                       "Not allowed to read the memory map of process %d (root or "
                                       "CAP_SYS_NICE with ptrace access needed): %m",
                                       pid);
        if (r < 0)
                return log_error_errno(r, "Failed to read the memory map of process %d: %m", pid);
        r = migrate_job_run(job);
        if (r < 0)
                return log_oom();

        const MigrateStats *s = migrate_job_stats(job);
        if (arg_json) {
                _cleanup_free_ char *text = NULL;
                if (migrate_stats_json_string(s, &text) < 0)
                        return log_oom();
                fputs(text, stdout);
        } else if (migrate_stats_text(s, stdout) < 0)
                return log_error_errno(-EIO, "Failed to print the result.");
        fflush(stdout);
        log_migrate_end(s);
        if (s->end != MIGRATE_END_DONE)
                return -EIO;
        /* Exit status 1 when a page could not go (the table above says why). */
        return s->dry_run || migrate_counts_all_placed(&s->total) ? 0 : -EAGAIN;
}

int main(int argc, char *argv[])
{
        static const struct {
                const char *name;
                int (*run)(int argc, char *argv[]);
        } verbs[] = {
                {"classify", verb_classify}, {"explain", verb_explain}, {"status", verb_status},
                {"tiers", verb_tiers},       {"nodes", verb_nodes},     {"reload", verb_reload},
                {"rescan", verb_rescan},     {"migrate", verb_migrate}, {"stats", verb_stats},
        };

        int r = parse_argv(argc, argv);
        if (r <= 0)
                return r < 0 ? 2 : 0;
        if (optind >= argc) {
                help();
                return 2;
        }
        if (arg_migrate_options && strcmp(argv[optind], "migrate") != 0) {
                (void)usage_error("--to-node, --rate, --free-floor and --dry-run work with migrate only.");
                return 2;
        }
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                if (strcmp(argv[optind], verbs[i].name) == 0) {
                        r = verbs[i].run(argc - optind, argv + optind);
                        return r == USAGE_ERROR ? 2 : r < 0 ? 1 : 0;
                }
        log_error("Unknown command '%s'. See 'tierctl --help'.", argv[optind]);
        return 2;
}
