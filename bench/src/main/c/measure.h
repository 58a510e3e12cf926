/*
 * measure.h: what the benchmark's C clients share: a monotonic clock, a latency histogram, and a
 * server process's costs read from /proc (CPU time from /proc/PID/stat, write system calls from
 * /proc/PID/io). Header-only: each client is one translation unit, built with one gcc command.
 */
#ifndef BOUCLE_BENCH_MEASURE_H
#define BOUCLE_BENCH_MEASURE_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define HIST_BUCKETS (128 + 57 * 64)

typedef struct { uint64_t counts[HIST_BUCKETS]; uint64_t total; } histogram_t;

static inline uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}

/* ---- histogram: 128 exact buckets, then 64 per power of two (error < 1.6 %) ---- */

static inline int hist_index(uint64_t v) {
    if (v < 128) return (int) v;
    int e = 63 - __builtin_clzll(v);
    return 128 + (e - 7) * 64 + (int) ((v >> (e - 6)) & 63);
}

static inline double hist_value(int index) { /* middle of the bucket */
    if (index < 128) return index;
    int e = (index - 128) / 64 + 7, sub = (index - 128) % 64;
    double low = (double) ((64u + sub) * (1ull << (e - 6)));
    return low + (double) (1ull << (e - 6)) / 2;
}

static inline void hist_record(histogram_t *h, uint64_t v) { h->counts[hist_index(v)]++; h->total++; }

static inline double hist_percentile(const histogram_t *h, double p) {
    uint64_t rank = (uint64_t) (p * (double) h->total + 0.5), seen = 0;
    if (rank < 1) rank = 1;
    for (int i = 0; i < HIST_BUCKETS; i++) {
        seen += h->counts[i];
        if (seen >= rank) return hist_value(i);
    }
    return 0;
}

static inline double hist_max(const histogram_t *h) {
    for (int i = HIST_BUCKETS - 1; i >= 0; i--) {
        if (h->counts[i]) return hist_value(i);
    }
    return 0;
}

/* ---- the server's costs, seen from outside ---- */

/* utime and stime of /proc/pid/stat, in seconds; 0 if unreadable (then the figures say -1) */
static inline int process_cpu(int pid, double *user, double *sys) {
    char path[64], text[4096];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = 0;
    char *p = strrchr(text, ')');  /* the command name may hold spaces: fields restart after it */
    if (!p) return 0;
    unsigned long utime = 0, stime = 0;
    if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) != 2) return 0;
    *user = (double) utime / (double) sysconf(_SC_CLK_TCK);
    *sys = (double) stime / (double) sysconf(_SC_CLK_TCK);
    return 1;
}

/* One counter of /proc/pid/io ("syscr" or "syscw"); -1 if unreadable. */
static inline long long process_io_counter(int pid, const char *name) {
    char path[64], line[256], key[32];
    snprintf(path, sizeof path, "/proc/%d/io", pid);
    snprintf(key, sizeof key, "%s: %%lld", name);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    long long value = -1;
    while (fgets(line, sizeof line, f)) {
        if (sscanf(line, key, &value) == 1) break;
    }
    fclose(f);
    return value;
}

/* The process's write-class system calls so far (write, writev, send*...); -1 if unreadable. */
static inline long long process_write_calls(int pid) { return process_io_counter(pid, "syscw"); }

/* The process's read-class system calls so far (read, readv, recv*...); -1 if unreadable. */
static inline long long process_read_calls(int pid) { return process_io_counter(pid, "syscr"); }

static inline double own_cpu_seconds(void) {
    struct rusage r;
    getrusage(RUSAGE_SELF, &r);
    return (double) r.ru_utime.tv_sec + r.ru_utime.tv_usec / 1e6 + r.ru_stime.tv_sec + r.ru_stime.tv_usec / 1e6;
}

#endif
