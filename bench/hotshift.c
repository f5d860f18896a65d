/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hotshift: the workload of the placement benchmark (bench/placement.sh, issue 7).
 *
 * A buffer larger than the fast node (default: twice the fast node's free memory) is first touched on the slow
 * node (MPOL_BIND while touching, then MPOL_DEFAULT, so that whoever manages placement may move it).  A hot window,
 * a fifth of the buffer by default, is then read and written at random cache lines while it moves to the next part
 * of the buffer every 15 s.  Once a second a sampler thread asks the kernel where the buffer's pages are
 * (move_pages(2) without target nodes, one address per --sample-kib) and prints a CSV line:
 *
 *     t,window,hot_fast,all_fast,accesses_per_s,fast_free_mib,sample_ms
 *
 * t: seconds since the access loop started; window: how many times the window has moved; hot_fast / all_fast: the
 * share of the hot window's / the whole buffer's sampled pages on the fast node; accesses_per_s: cache lines read
 * and written in the last interval (the progress); fast_free_mib: the fast node's MemFree; sample_ms: what the
 * placement query cost.  Lines starting with '#' are the parameters and the summary (which gives the loop's start
 * and end on CLOCK_MONOTONIC, so that a host can line them up with what the VM got of its CPUs).
 *
 * Every cache line is eight 64-bit words: word 0 counts the loop's writes to the line, words 1-7 are derived from
 * the line's index and that count.  At exit every line is checked against its count, and the counts must add up to
 * the accesses the loop made: a flipped byte, a page copied to the wrong place and a lost write (a line back in an
 * older but consistent state) are all detected.  --corrupt byte|stale injects the first and the last once, to show
 * that.  Exit status: 0, 1 error, 2 usage, 3 the data did not verify.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <numa.h>
#include <numaif.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "macro.h"

#define LINE_WORDS 8
#define LINE_BYTES (LINE_WORDS * sizeof(uint64_t))
#define HUGE_BYTES (2u << 20)
#define MIB (1u << 20)
#define BATCH 4096 /* accesses between two looks at the clock */
#define SLOW_NODE_MARGIN_MIB 64

typedef enum {
        CORRUPT_NONE,
        CORRUPT_BYTE,
        CORRUPT_STALE,
} Corruption;

typedef struct {
        uint64_t size_mib; /* 0: twice the fast node's free memory */
        unsigned hot_percent;
        double shift_sec;
        unsigned duration_sec; /* whole seconds: one sample each */
        int fast_node;
        int slow_node;
        int pin_cpu; /* -1: not pinned */
        unsigned sample_kib;
        bool sample;
        bool idle;
        const char *comm;
        Corruption corrupt;
} Options;

typedef struct {
        uint64_t *lines;
        size_t nr_lines;
        size_t bytes;
        size_t hot_lines;
        unsigned nr_windows;
        void *map;
        size_t map_bytes;
} Buffer;

typedef struct {
        const Options *opt;
        const Buffer *buf;
        struct timespec start;
        _Atomic uint64_t accesses; /* published by the access loop once per batch */
        _Atomic unsigned window;   /* how many times the window moved */
        double hot_fast_sum;
        unsigned samples;
        double sample_ms_sum;
} Run;

static atomic_bool stop_requested;

static void on_signal(int sig)
{
        atomic_store(&stop_requested, true);
}

static uint64_t line_word(size_t line, unsigned word, uint64_t count)
{
        /* Odd multipliers: distinct (line, word) pairs and distinct counts give distinct values. */
        return ((uint64_t)line * LINE_WORDS + word) * UINT64_C(0x9E3779B97F4A7C15) +
               count * UINT64_C(0xD6E8FEB86659FD93);
}

static void line_write(uint64_t *p, size_t line, uint64_t count)
{
        p[0] = count;
        for (unsigned w = 1; w < LINE_WORDS; w++)
                p[w] = line_word(line, w, count);
}

static double elapsed_sec(const struct timespec *since)
{
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        return (double)(now.tv_sec - since->tv_sec) + (double)(now.tv_nsec - since->tv_nsec) / 1e9;
}

static uint64_t xorshift64(uint64_t *state)
{
        uint64_t x = *state;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        return *state = x;
}

static int node_free_mib(int node, uint64_t *ret_total, uint64_t *ret_free)
{
        long long free_bytes;
        long long total = numa_node_size64(node, &free_bytes);
        if (total < 0)
                return -ENODEV;
        if (ret_total)
                *ret_total = (uint64_t)total / MIB;
        *ret_free = (uint64_t)free_bytes / MIB;
        return 0;
}

static int set_bind(int node)
{
        struct bitmask *mask = numa_allocate_nodemask();
        if (!mask)
                return -ENOMEM;
        numa_bitmask_setbit(mask, (unsigned)node);
        int r = set_mempolicy(MPOL_BIND, mask->maskp, mask->size + 1) < 0 ? negative_errno() : 0;
        numa_bitmask_free(mask);
        return r;
}

/* Maps the buffer 2 MiB aligned (so that THPs cover it) and writes every line's initial state on the slow node. */
static int buffer_touch(const Options *opt, Buffer *buf)
{
        uint64_t fast_free, slow_free;
        int r;

        r = node_free_mib(opt->fast_node, NULL, &fast_free);
        if (r < 0)
                return fprintf(stderr, "Cannot read node %d's memory.\n", opt->fast_node), r;
        r = node_free_mib(opt->slow_node, NULL, &slow_free);
        if (r < 0)
                return fprintf(stderr, "Cannot read node %d's memory.\n", opt->slow_node), r;

        uint64_t size_mib = opt->size_mib ?: 2 * fast_free;
        size_mib -= size_mib % (HUGE_BYTES / MIB);
        if (size_mib * opt->hot_percent / 100 < HUGE_BYTES / MIB) {
                fprintf(stderr, "A %" PRIu64 " MiB buffer is too small for a hot window of whole 2 MiB pages.\n",
                        size_mib);
                return -EINVAL;
        }
        if (size_mib + SLOW_NODE_MARGIN_MIB > slow_free) {
                fprintf(stderr, "%" PRIu64 " MiB do not fit on node %d (%" PRIu64 " MiB free).\n", size_mib,
                        opt->slow_node, slow_free);
                return -ENOSPC;
        }

        buf->bytes = size_mib * MIB;
        buf->nr_lines = buf->bytes / LINE_BYTES;
        size_t hot_bytes = buf->bytes * opt->hot_percent / 100;
        hot_bytes -= hot_bytes % HUGE_BYTES;
        buf->hot_lines = hot_bytes / LINE_BYTES;
        buf->nr_windows = (unsigned)(buf->bytes / hot_bytes);

        buf->map_bytes = buf->bytes + HUGE_BYTES;
        buf->map =
                mmap(NULL, buf->map_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (buf->map == MAP_FAILED)
                return negative_errno();
        uintptr_t aligned = ((uintptr_t)buf->map + HUGE_BYTES - 1) & ~(uintptr_t)(HUGE_BYTES - 1);
        buf->lines = (uint64_t *)aligned;

        r = set_bind(opt->slow_node);
        if (r < 0)
                return fprintf(stderr, "set_mempolicy(MPOL_BIND, %d): %s\n", opt->slow_node, strerror(-r)), r;
        for (size_t l = 0; l < buf->nr_lines; l++)
                line_write(buf->lines + l * LINE_WORDS, l, 0);
        if (set_mempolicy(MPOL_DEFAULT, NULL, 0) < 0)
                return negative_errno();
        return 0;
}

static void buffer_unmap(Buffer *buf)
{
        if (buf->map && buf->map != MAP_FAILED)
                munmap(buf->map, buf->map_bytes);
}

static size_t window_first_line(const Buffer *buf, unsigned window)
{
        return (size_t)(window % buf->nr_windows) * buf->hot_lines;
}

/* The access loop: random cache lines of the current window, each read and rewritten with its count + 1. */
static uint64_t access_loop(Run *run)
{
        const Buffer *buf = run->buf;
        uint64_t rng = UINT64_C(0x2545F4914F6CDD1D) ^ (uint64_t)getpid();
        uint64_t accesses = 0, sink = 0;
        unsigned window = 0;
        size_t first = window_first_line(buf, 0);
        unsigned last_window = (unsigned)((run->opt->duration_sec - 0.001) / run->opt->shift_sec);

        while (!atomic_load_explicit(&stop_requested, memory_order_relaxed)) {
                for (unsigned i = 0; i < BATCH; i++) {
                        /* Multiply-shift maps 32 random bits onto the window without a division. */
                        size_t line = first + (size_t)(((xorshift64(&rng) >> 32) * buf->hot_lines) >> 32);
                        uint64_t *p = buf->lines + line * LINE_WORDS;
                        sink ^= p[LINE_WORDS - 1];
                        line_write(p, line, p[0] + 1);
                }
                accesses += BATCH;
                atomic_store_explicit(&run->accesses, accesses, memory_order_relaxed);

                unsigned now_window = (unsigned)(elapsed_sec(&run->start) / run->opt->shift_sec);
                if (now_window > last_window) /* a window starting as the run ends would never be seen */
                        now_window = last_window;
                if (now_window != window) {
                        window = now_window;
                        first = window_first_line(buf, window);
                        atomic_store_explicit(&run->window, window, memory_order_relaxed);
                }
        }
        /* Keeps the reads from being optimised away; never true for this generator's outputs in practice. */
        if (sink == UINT64_C(0x0123456789ABCDEF))
                fputs("#\n", stderr);
        return accesses;
}

typedef struct {
        void **addrs;
        int *status;
        unsigned long count;
        unsigned long per_window;
} Placement;

static int placement_init(const Run *run, Placement *pl)
{
        size_t stride = (size_t)run->opt->sample_kib * 1024;

        pl->count = run->buf->bytes / stride;
        pl->per_window = run->buf->hot_lines * LINE_BYTES / stride;
        pl->addrs = calloc(pl->count, sizeof(void *));
        pl->status = calloc(pl->count, sizeof(int));
        if (!pl->addrs || !pl->status)
                return -ENOMEM;
        for (unsigned long i = 0; i < pl->count; i++)
                pl->addrs[i] = (char *)run->buf->lines + i * stride;
        return 0;
}

static void placement_done(Placement *pl)
{
        free(pl->addrs);
        free(pl->status);
}

/* Share of the window's and of all sampled pages on the fast node; negative statuses (not present) count as not. */
static int placement_query(const Run *run, Placement *pl, unsigned window, double *ret_hot, double *ret_all)
{
        if (move_pages(0, pl->count, pl->addrs, NULL, pl->status, 0) < 0)
                return negative_errno();

        unsigned long lo = window % run->buf->nr_windows * pl->per_window, hi = lo + pl->per_window;
        unsigned long hot = 0, all = 0;
        for (unsigned long i = 0; i < pl->count; i++)
                if (pl->status[i] == run->opt->fast_node) {
                        all++;
                        if (i >= lo && i < hi)
                                hot++;
                }
        *ret_hot = (double)hot / (double)pl->per_window;
        *ret_all = (double)all / (double)pl->count;
        return 0;
}

static void *sampler(void *userdata)
{
        Run *run = userdata;
        Placement pl = {};
        uint64_t prev_accesses = 0;
        double prev_t = 0;
        int r;

        if (run->opt->sample) {
                r = placement_init(run, &pl);
                if (r < 0) {
                        fprintf(stderr, "Cannot allocate the placement query: %s\n", strerror(-r));
                        atomic_store(&stop_requested, true);
                        placement_done(&pl);
                        return NULL;
                }
        }

        for (unsigned tick = 1; tick <= run->opt->duration_sec; tick++) {
                struct timespec at = run->start;
                at.tv_sec += tick;
                while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at, NULL) == EINTR &&
                       !atomic_load(&stop_requested))
                        ;
                if (atomic_load(&stop_requested))
                        break;

                double t = elapsed_sec(&run->start);
                if (t >= tick + 1) /* the previous query overran a whole interval: skip this one */
                        continue;
                uint64_t accesses = atomic_load_explicit(&run->accesses, memory_order_relaxed);
                unsigned window = atomic_load_explicit(&run->window, memory_order_relaxed);
                double aps = (double)(accesses - prev_accesses) / (t - prev_t);
                prev_accesses = accesses;
                prev_t = t;

                uint64_t fast_free = 0;
                (void)node_free_mib(run->opt->fast_node, NULL, &fast_free);

                if (!run->opt->sample) {
                        printf("%.1f,%u,,,%.0f,%" PRIu64 ",\n", t, window, aps, fast_free);
                        continue;
                }
                struct timespec q0;
                double hot = 0, all = 0;
                clock_gettime(CLOCK_MONOTONIC, &q0);
                r = placement_query(run, &pl, window, &hot, &all);
                double ms = elapsed_sec(&q0) * 1000;
                if (r < 0) {
                        fprintf(stderr, "move_pages() failed: %s\n", strerror(-r));
                        atomic_store(&stop_requested, true);
                        break;
                }
                run->hot_fast_sum += hot;
                run->sample_ms_sum += ms;
                run->samples++;
                printf("%.1f,%u,%.4f,%.4f,%.0f,%" PRIu64 ",%.1f\n", t, window, hot, all, aps, fast_free, ms);
        }
        atomic_store(&stop_requested, true);
        placement_done(&pl);
        return NULL;
}

static void corrupt(const Buffer *buf, Corruption how)
{
        if (how == CORRUPT_BYTE) {
                ((volatile uint8_t *)buf->lines)[buf->bytes / 2 + 13] ^= 0x10;
                printf("# corrupted: flipped a bit at offset %zu\n", buf->bytes / 2 + 13);
                return;
        }
        /* A lost write: the first line the loop wrote goes back to its previous, self-consistent state. */
        for (size_t l = 0; l < buf->nr_lines; l++) {
                uint64_t *p = buf->lines + l * LINE_WORDS;
                if (p[0] > 0) {
                        line_write(p, l, p[0] - 1);
                        printf("# corrupted: line %zu set back to count %" PRIu64 "\n", l, p[0]);
                        return;
                }
        }
}

/* Every line consistent with its own count, and the counts adding up to what the loop did. */
static bool verify(const Buffer *buf, uint64_t accesses)
{
        uint64_t sum = 0, bad = 0;

        for (size_t l = 0; l < buf->nr_lines; l++) {
                const uint64_t *p = buf->lines + l * LINE_WORDS;
                uint64_t count = p[0];
                bool ok = count <= accesses;
                for (unsigned w = 1; ok && w < LINE_WORDS; w++)
                        ok = p[w] == line_word(l, w, count);
                if (!ok) {
                        if (bad < 5)
                                printf("# verify: line %zu (page %zu) does not match its count %" PRIu64 "\n", l,
                                       l * LINE_BYTES / 4096, count);
                        bad++;
                        continue;
                }
                sum += count;
        }
        if (bad == 0 && sum != accesses)
                printf("# verify: the lines count %" PRIu64 " writes, the loop made %" PRIu64 "\n", sum, accesses);
        printf("# verify: %" PRIu64 " of %zu lines inconsistent\n", bad, buf->nr_lines);
        return bad == 0 && sum == accesses;
}

static int run_idle(const Options *opt, const Buffer *buf)
{
        printf("# idle: %zu MiB on node %d, waiting for SIGTERM\n", buf->bytes / MIB, opt->slow_node);
        fflush(stdout);
        sigset_t none;
        sigemptyset(&none);
        while (!atomic_load(&stop_requested))
                sigsuspend(&none);
        return 0;
}

static int run_workload(const Options *opt, const Buffer *buf, double touch_sec)
{
        Run run = {.opt = opt, .buf = buf};
        uint64_t fast_total, fast_free;
        pthread_t thread;
        int r;

        r = node_free_mib(opt->fast_node, &fast_total, &fast_free);
        if (r < 0)
                return r;
        printf("# hotshift size_mib=%zu hot_mib=%zu windows=%u shift_sec=%g duration_sec=%u fast_node=%d "
               "slow_node=%d sample_kib=%u fast_total_mib=%" PRIu64 " fast_free_mib=%" PRIu64 " touch_s=%.1f\n",
               buf->bytes / MIB, buf->hot_lines * LINE_BYTES / MIB, buf->nr_windows, opt->shift_sec, opt->duration_sec,
               opt->fast_node, opt->slow_node, opt->sample ? opt->sample_kib : 0, fast_total, fast_free, touch_sec);
        printf("t,window,hot_fast,all_fast,accesses_per_s,fast_free_mib,sample_ms\n");

        clock_gettime(CLOCK_MONOTONIC, &run.start);
        r = -pthread_create(&thread, NULL, sampler, &run);
        if (r < 0)
                return r;
        if (opt->pin_cpu >= 0) {
                cpu_set_t set;
                CPU_ZERO(&set);
                CPU_SET(opt->pin_cpu, &set);
                if (sched_setaffinity(0, sizeof set, &set) < 0)
                        fprintf(stderr, "Cannot pin to CPU %d: %m\n", opt->pin_cpu);
        }
        uint64_t accesses = access_loop(&run);
        double loop_sec = elapsed_sec(&run.start);
        pthread_join(thread, NULL);

        if (opt->corrupt != CORRUPT_NONE)
                corrupt(buf, opt->corrupt);
        struct timespec v0;
        clock_gettime(CLOCK_MONOTONIC, &v0);
        bool ok = verify(buf, accesses);
        double start_mono = (double)run.start.tv_sec + (double)run.start.tv_nsec / 1e9;
        printf("# summary accesses=%" PRIu64 " seconds=%.1f mean_aps=%.0f hot_fast_mean=%.4f sample_ms_mean=%.1f "
               "verify_s=%.1f verify=%s loop_start_mono=%.3f loop_end_mono=%.3f\n",
               accesses, loop_sec, (double)accesses / loop_sec, run.samples ? run.hot_fast_sum / run.samples : 0.0,
               run.samples ? run.sample_ms_sum / run.samples : 0.0, elapsed_sec(&v0), ok ? "ok" : "FAILED", start_mono,
               start_mono + loop_sec);
        return ok ? 0 : 3;
}

static void help(void)
{
        printf("hotshift [OPTIONS]: a workload whose hot set shifts, first placed on the slow node\n\n"
               "  --size-mib N      buffer size (default: twice the fast node's free memory)\n"
               "  --hot-percent P   hot window, percent of the buffer (default 20)\n"
               "  --shift-sec S     the window moves every S seconds (default 15)\n"
               "  --duration S      seconds of the access loop (default 60)\n"
               "  --fast-node N     node whose share is reported (default 0)\n"
               "  --slow-node N     node the buffer is first touched on (default 1)\n"
               "  --pin-cpu C       run the access loop on CPU C\n"
               "  --sample-kib K    one placement query address per K KiB, a power of two of 4..2048\n"
               "                    (default 64)\n"
               "  --no-sample       progress only, no placement query\n"
               "  --idle            touch the buffer, then wait for SIGTERM (a ballast; no loop, no check)\n"
               "  --comm NAME       the process name (e.g. to tell a ballast from the workload)\n"
               "  --corrupt byte|stale  damage the buffer once before verifying (shows the check works)\n");
}

static int parse_double(const char *s, double min, double *ret)
{
        char *end;
        errno = 0;
        double v = strtod(s, &end);
        if (errno != 0 || end == s || *end != '\0' || !(v >= min))
                return -EINVAL;
        *ret = v;
        return 0;
}

static int parse_long(const char *s, long min, long max, long *ret)
{
        char *end;
        errno = 0;
        long v = strtol(s, &end, 10);
        if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
                return -EINVAL;
        *ret = v;
        return 0;
}

static int parse_options(int argc, char **argv, Options *opt)
{
        enum {
                OPT_SIZE = 256,
                OPT_HOT,
                OPT_SHIFT,
                OPT_DURATION,
                OPT_FAST,
                OPT_SLOW,
                OPT_PIN,
                OPT_SAMPLE_KIB,
                OPT_NO_SAMPLE,
                OPT_IDLE,
                OPT_COMM,
                OPT_CORRUPT
        };
        static const struct option options[] = {
                {"size-mib", required_argument, NULL, OPT_SIZE},
                {"hot-percent", required_argument, NULL, OPT_HOT},
                {"shift-sec", required_argument, NULL, OPT_SHIFT},
                {"duration", required_argument, NULL, OPT_DURATION},
                {"fast-node", required_argument, NULL, OPT_FAST},
                {"slow-node", required_argument, NULL, OPT_SLOW},
                {"pin-cpu", required_argument, NULL, OPT_PIN},
                {"sample-kib", required_argument, NULL, OPT_SAMPLE_KIB},
                {"no-sample", no_argument, NULL, OPT_NO_SAMPLE},
                {"idle", no_argument, NULL, OPT_IDLE},
                {"comm", required_argument, NULL, OPT_COMM},
                {"corrupt", required_argument, NULL, OPT_CORRUPT},
                {"help", no_argument, NULL, 'h'},
                {},
        };
        long v;
        int c;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
                int r = 0;
                switch (c) {
                case OPT_SIZE:
                        r = parse_long(optarg, 2, 1L << 30, &v);
                        opt->size_mib = (uint64_t)v;
                        break;
                case OPT_HOT:
                        r = parse_long(optarg, 1, 50, &v);
                        opt->hot_percent = (unsigned)v;
                        break;
                case OPT_SHIFT:
                        r = parse_double(optarg, 0.1, &opt->shift_sec);
                        break;
                case OPT_DURATION:
                        r = parse_long(optarg, 1, 86400, &v);
                        opt->duration_sec = (unsigned)v;
                        break;
                case OPT_FAST:
                        r = parse_long(optarg, 0, numa_max_node(), &v);
                        opt->fast_node = (int)v;
                        break;
                case OPT_SLOW:
                        r = parse_long(optarg, 0, numa_max_node(), &v);
                        opt->slow_node = (int)v;
                        break;
                case OPT_PIN:
                        r = parse_long(optarg, 0, CPU_SETSIZE - 1, &v);
                        opt->pin_cpu = (int)v;
                        break;
                case OPT_SAMPLE_KIB:
                        r = parse_long(optarg, 4, HUGE_BYTES / 1024, &v);
                        if (r == 0 && (v & (v - 1)) != 0)
                                r = -EINVAL;
                        opt->sample_kib = (unsigned)v;
                        break;
                case OPT_NO_SAMPLE:
                        opt->sample = false;
                        break;
                case OPT_IDLE:
                        opt->idle = true;
                        break;
                case OPT_COMM:
                        opt->comm = optarg;
                        break;
                case OPT_CORRUPT:
                        if (strcmp(optarg, "byte") == 0)
                                opt->corrupt = CORRUPT_BYTE;
                        else if (strcmp(optarg, "stale") == 0)
                                opt->corrupt = CORRUPT_STALE;
                        else
                                r = -EINVAL;
                        break;
                case 'h':
                        help();
                        exit(0);
                default:
                        return -EINVAL;
                }
                if (r < 0) {
                        fprintf(stderr, "Invalid value for --%s: %s\n", options[c - OPT_SIZE].name, optarg);
                        return r;
                }
        }
        if (optind < argc) {
                fprintf(stderr, "Unexpected argument: %s\n", argv[optind]);
                return -EINVAL;
        }
        if (opt->fast_node == opt->slow_node) {
                fprintf(stderr, "The fast and the slow node must differ.\n");
                return -EINVAL;
        }
        return 0;
}

int main(int argc, char **argv)
{
        Options opt = {
                .hot_percent = 20,
                .shift_sec = 15,
                .duration_sec = 60,
                .fast_node = 0,
                .slow_node = 1,
                .pin_cpu = -1,
                .sample_kib = 64,
                .sample = true,
        };
        Buffer buf = {};
        int r;

        if (numa_available() < 0) {
                fprintf(stderr, "This kernel has no NUMA support.\n");
                return 1;
        }
        if (parse_options(argc, argv, &opt) < 0)
                return 2;
        if (opt.comm)
                (void)prctl(PR_SET_NAME, opt.comm);
        setvbuf(stdout, NULL, _IOLBF, 0);

        struct sigaction sa = {.sa_handler = on_signal};
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGINT, &sa, NULL);

        struct timespec t0;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        r = buffer_touch(&opt, &buf);
        if (r < 0) {
                fprintf(stderr, "Cannot set up the buffer: %s\n", strerror(-r));
                buffer_unmap(&buf);
                return 1;
        }
        double touch_sec = elapsed_sec(&t0);

        r = opt.idle ? run_idle(&opt, &buf) : run_workload(&opt, &buf, touch_sec);
        buffer_unmap(&buf);
        if (r < 0) {
                fprintf(stderr, "hotshift failed: %s\n", strerror(-r));
                return 1;
        }
        return r;
}
