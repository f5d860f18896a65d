/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "macro.h"
#include "sysfs.h"

/*
 * Which processes placement manages: the [Placement] rules resolved against procfs and the cgroup2 tree under a
 * root.  A cgroup rule ("/system.slice/postgresql.service", relative to the cgroup2 mount) takes every process of
 * that cgroup and of its descendants, so processes that join later are found on the next resolve; a process rule
 * is a comm name (the kernel keeps 15 characters of it, so only those are compared).  ExcludeProcesses= wins over
 * both.  Kernel threads, zombies and the caller itself are never managed.
 */
typedef struct ScopeRules {
        char **cgroups;           /* NULL-terminated, may be NULL; not owned */
        char **processes;         /* comm names */
        char **exclude_processes; /* comm names */
} ScopeRules;

#define SCOPE_COMM_MAX 16 /* TASK_COMM_LEN */

typedef struct ScopeProcess {
        pid_t pid;
        uint64_t start_time; /* /proc/PID/stat starttime: a reused pid has another one */
        char comm[SCOPE_COMM_MAX];
        int processor;    /* the CPU it last ran on: where its memory is wanted */
        const char *rule; /* the cgroup rule or the process rule it matched (points into the rules) */
} ScopeProcess;
_Static_assert(offsetof(ScopeProcess, pid) == 0, "found by its leading pid (pids.h)");

typedef struct Scope {
        ScopeProcess *processes; /* ascending pid, each once */
        size_t n_processes;
        char **missing_cgroups; /* rules whose cgroup does not exist (removed, or not yet created) */
        size_t n_missing_cgroups;
} Scope;

bool scope_rules_empty(const ScopeRules *rules);
/* A rule's cgroup path is absolute ("/" is the root cgroup), without "." or ".." components: -EINVAL otherwise. */
int scope_cgroup_path_valid(const char *path);

/* Resolve the rules now.  self: a pid never to manage (the daemon's own).  Errors: -ENOMEM; unreadable procfs. */
int scope_resolve(SysfsRoot *root, const ScopeRules *rules, pid_t self, Scope **ret);
Scope *scope_free(Scope *s);
DEFINE_TRIVIAL_CLEANUP_FUNC(Scope *, scope_free);
const ScopeProcess *scope_find(const Scope *s, pid_t pid);

typedef struct ScopeStat {
        char comm[SCOPE_COMM_MAX];
        char state;
        uint64_t flags;
        uint64_t start_time;
        int processor;
} ScopeStat;

/* Parse the text of /proc/PID/stat: comm (up to SCOPE_COMM_MAX - 1 bytes), state (3), flags (9), starttime (22)
 * and processor (39). */
int scope_parse_stat(const char *text, ScopeStat *ret);
/* The cgroup2 mount point in a mountinfo text, relative to "/" without the leading slash ("sys/fs/cgroup"). */
int scope_cgroup2_mount(const char *mountinfo, char **ret);
