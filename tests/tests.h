/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * A minimal test harness: each test binary lists its cases in a table and main() runs them all, printing TAP
 * lines.  A failed assertion reports file:line and the values, and fails the case (not the whole binary).
 */
#include <inttypes.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

extern jmp_buf test_failed;

#define ASSERT_TRUE(expr)                                                                                              \
        do {                                                                                                           \
                if (!(expr)) {                                                                                         \
                        fprintf(stderr, "%s:%d: assertion failed: %s\n", __FILE__, __LINE__, #expr);                   \
                        longjmp(test_failed, 1);                                                                       \
                }                                                                                                      \
        } while (0)

#define ASSERT_EQ(a, b)                                                                                                \
        do {                                                                                                           \
                long long _a_ = (long long)(a), _b_ = (long long)(b);                                                  \
                if (_a_ != _b_) {                                                                                      \
                        fprintf(stderr, "%s:%d: %s == %s failed: %lld != %lld\n", __FILE__, __LINE__, #a, #b, _a_,     \
                                _b_);                                                                                  \
                        longjmp(test_failed, 1);                                                                       \
                }                                                                                                      \
        } while (0)

#define ASSERT_STREQ(a, b)                                                                                             \
        do {                                                                                                           \
                const char *_a_ = (a), *_b_ = (b);                                                                     \
                if (!_a_ || !_b_ || strcmp(_a_, _b_) != 0) {                                                           \
                        fprintf(stderr, "%s:%d: %s == %s failed: \"%s\" != \"%s\"\n", __FILE__, __LINE__, #a, #b,      \
                                _a_ ?: "(null)", _b_ ?: "(null)");                                                     \
                        longjmp(test_failed, 1);                                                                       \
                }                                                                                                      \
        } while (0)

/* End the case as skipped (TAP "# SKIP"), e.g. when the machine lacks what the case needs. */
#define TEST_SKIP(reason)                                                                                              \
        do {                                                                                                           \
                fprintf(stderr, "skipped: %s\n", reason);                                                              \
                longjmp(test_failed, 2);                                                                               \
        } while (0)

#define ASSERT_OK(expr)                                                                                                \
        do {                                                                                                           \
                long long _r_ = (long long)(expr);                                                                     \
                ASSERT_EQ(_r_ < 0 ? _r_ : 0, 0);                                                                       \
        } while (0)

typedef struct TestCase {
        const char *name;
        void (*run)(void);
} TestCase;

#define TEST(name) static void test_##name(void)
#define TEST_ENTRY(name)                                                                                               \
        {                                                                                                              \
#name, test_##name                                                                                     \
        }

int tests_run(const TestCase *cases, size_t n);

#define TESTS_MAIN(...)                                                                                                \
        jmp_buf test_failed;                                                                                           \
        int main(void)                                                                                                 \
        {                                                                                                              \
                static const TestCase cases[] = {__VA_ARGS__};                                                         \
                return tests_run(cases, sizeof(cases) / sizeof(cases[0]));                                             \
        }

/* CLOCK_MONOTONIC in microseconds, as the daemon's own timestamps. */
static inline uint64_t monotonic_usec(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static inline int tests_run_impl(const TestCase *cases, size_t n)
{
        volatile unsigned failed = 0;
        printf("1..%zu\n", n);
        for (volatile size_t i = 0; i < n; i++) {
                int how = setjmp(test_failed);
                if (how == 0) {
                        cases[i].run();
                        printf("ok %zu - %s\n", i + 1, cases[i].name);
                } else if (how == 2) {
                        printf("ok %zu - %s # SKIP\n", i + 1, cases[i].name);
                } else {
                        printf("not ok %zu - %s\n", i + 1, cases[i].name);
                        failed++;
                }
        }
        return failed ? 1 : 0;
}
#define tests_run tests_run_impl
