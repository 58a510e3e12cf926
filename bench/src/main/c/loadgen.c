/*
 * loadgen: a non-blocking (epoll, one thread) load generator for echo servers that verifies every
 * byte it gets back.
 *
 *   loadgen --port P [--host 127.0.0.1] [--connections N] [--size S] [--inflight K]
 *           [--warmup SECONDS] [--duration SECONDS] [--server-pid PID] [--sources M]
 *   loadgen --port P --idle --connections N [--sources M]   open N connections, echo one message on
 *           each, print "ready", then hold them open until standard input closes
 *   loadgen --self-test
 *
 * Design notes:
 *  1. Each connection sends one endless byte stream; byte o of connection c is
 *     pattern[(phase(c) + o) % PERIOD]. PERIOD is prime, so no message size divides it: a server
 *     that replays, drops, reorders or mixes up bytes or connections produces a mismatch. A
 *     mismatch, a closed connection or a byte still missing after the drain fails the run
 *     (exit status 3).
 *  2. K messages of S bytes are kept in flight per connection: each fully received message issues
 *     the next one, so the load is closed-loop. A message is stamped when it is issued and its
 *     latency recorded when its last byte comes back.
 *  3. Phases: connect, warm-up (nothing counted), measure (counts, latencies, server CPU from
 *     /proc/PID/stat, server read and write system calls from /proc/PID/io), drain (no new message; every byte sent must come back).
 *  4. One output line, "result key=value ...", for the Java side to parse.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "measure.h"

#define PERIOD 65521u          /* prime */
#define MAX_CONNECTING 256     /* connects in progress at once: never overflow a listen backlog */
#define READ_BUFFER (256 * 1024)

static unsigned char pattern[2 * PERIOD]; /* pattern[i] == pattern[i + PERIOD]: any run <= PERIOD is contiguous */
static unsigned char read_buffer[READ_BUFFER];

typedef struct {
    int fd;
    int connected;
    int want_out;             /* EPOLLOUT registered */
    uint32_t phase;
    uint64_t queued;          /* bytes issued (messages * size) */
    uint64_t sent;            /* bytes written */
    uint64_t received;        /* bytes read and verified */
    uint64_t issued;          /* messages issued */
    uint64_t *stamps;         /* issue time of message n at n % inflight */
} conn_t;

typedef struct {
    const char *host;
    int port, connections, size, inflight, sources, idle, server_pid;
    double warmup, duration;
} config_t;

static config_t cfg = {"127.0.0.1", 0, 1, 64, 1, 1, 0, 0, 2.0, 4.0};
static conn_t *conns;
static int epfd;
static histogram_t latencies;

static void fail(const char *format, ...) {
    va_list args;
    va_start(args, format);
    fprintf(stderr, "loadgen: FAILED: ");
    vfprintf(stderr, format, args);
    fprintf(stderr, "\n");
    va_end(args);
    exit(3);
}

/* ---- the byte stream ---- */

static void make_pattern(void) {
    uint32_t x = 2463534242u;
    for (uint32_t i = 0; i < PERIOD; i++) {
        x ^= x << 13; x ^= x >> 17; x ^= x << 5;
        pattern[i] = (unsigned char) x;
        pattern[i + PERIOD] = (unsigned char) x;
    }
}

static uint32_t phase_of(int id) { return (uint32_t) (((uint64_t) id * 7919u + 17u) % PERIOD); }

/* Returns -1 if data[0..n) is the stream of a connection with `phase` from `offset` on, else the first wrong index. */
static long verify(uint32_t phase, uint64_t offset, const unsigned char *data, size_t n) {
    size_t done = 0;
    while (done < n) {
        size_t at = (size_t) ((phase + offset + done) % PERIOD);
        size_t chunk = n - done < PERIOD ? n - done : PERIOD;
        if (memcmp(data + done, pattern + at, chunk) != 0) {
            for (size_t i = 0; i < chunk; i++) {
                if (data[done + i] != pattern[at + i]) return (long) (done + i);
            }
        }
        done += chunk;
    }
    return -1;
}

/* ---- connections ---- */

static void watch(int i, int want_out, int op) {
    struct epoll_event ev = {.events = EPOLLIN | (want_out ? EPOLLOUT : 0), .data.u32 = (uint32_t) i};
    if (epoll_ctl(epfd, op, conns[i].fd, &ev) != 0) fail("epoll_ctl: %s", strerror(errno));
    conns[i].want_out = want_out;
}

static void start_connect(int i) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (fd < 0) fail("socket: %s (raise ulimit -n?)", strerror(errno));
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (cfg.sources > 1) { /* spread over 127.0.0.x source addresses: each has its own ephemeral ports */
        setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
        struct sockaddr_in local = {.sin_family = AF_INET, .sin_port = 0};
        local.sin_addr.s_addr = htonl(0x7f000001u + (uint32_t) (i % cfg.sources));
        if (bind(fd, (struct sockaddr *) &local, sizeof local) != 0) fail("bind source: %s", strerror(errno));
    }
    struct sockaddr_in server = {.sin_family = AF_INET, .sin_port = htons((uint16_t) cfg.port)};
    if (inet_pton(AF_INET, cfg.host, &server.sin_addr) != 1) fail("bad host %s", cfg.host);
    if (connect(fd, (struct sockaddr *) &server, sizeof server) != 0 && errno != EINPROGRESS) {
        fail("connect %d: %s", i, strerror(errno));
    }
    conns[i].fd = fd;
    conns[i].phase = phase_of(i);
    conns[i].stamps = calloc((size_t) cfg.inflight, sizeof(uint64_t));
    watch(i, 1, EPOLL_CTL_ADD);
}

static void connect_all(void) {
    int started = 0, done = 0, in_progress = 0;
    struct epoll_event events[512];
    uint64_t deadline = now_ns() + 60ull * 1000000000u;
    while (done < cfg.connections) {
        while (started < cfg.connections && in_progress < MAX_CONNECTING) { start_connect(started++); in_progress++; }
        if (now_ns() > deadline) fail("only %d of %d connections were accepted within 60 s", done, cfg.connections);
        int n = epoll_wait(epfd, events, 512, 100);
        for (int e = 0; e < n; e++) {
            conn_t *c = &conns[events[e].data.u32];
            if (c->connected || !(events[e].events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) continue;
            int error = 0;
            socklen_t len = sizeof error;
            getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &error, &len);
            if (error != 0) fail("connect %u: %s", events[e].data.u32, strerror(error));
            c->connected = 1;
            watch((int) events[e].data.u32, 0, EPOLL_CTL_MOD);
            done++;
            in_progress--;
        }
    }
}

static void flush_out(int i) {
    conn_t *c = &conns[i];
    while (c->sent < c->queued) {
        size_t at = (size_t) ((c->phase + c->sent) % PERIOD);
        size_t left = c->queued - c->sent;
        ssize_t n = send(c->fd, pattern + at, left < PERIOD ? left : PERIOD, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EAGAIN) break;
            if (errno == EPIPE || errno == ECONNRESET) fail("connection %d was closed by the server while writing (%s)", i, strerror(errno));
            fail("write on connection %d: %s", i, strerror(errno));
        }
        c->sent += (uint64_t) n;
    }
    int want_out = c->sent < c->queued;
    if (want_out != c->want_out) watch(i, want_out, EPOLL_CTL_MOD);
}

static void issue(int i, uint64_t now) {
    conn_t *c = &conns[i];
    c->stamps[c->issued % (uint64_t) cfg.inflight] = now;
    c->issued++;
    c->queued += (uint64_t) cfg.size;
}

typedef struct { int measuring, draining; uint64_t window_start, window_end, messages; } run_t;

/* Reads what arrived, verifies it, completes messages and issues the next ones. */
static void on_readable(int i, run_t *run) {
    conn_t *c = &conns[i];
    for (;;) {
        ssize_t n = read(c->fd, read_buffer, READ_BUFFER);
        if (n == 0) fail("connection %d was closed by the server after %lu bytes", i, (unsigned long) c->received);
        if (n < 0) {
            if (errno == EAGAIN) break;
            if (errno == ECONNRESET) fail("connection %d was closed by the server (reset) after %lu bytes", i, (unsigned long) c->received);
            fail("read on connection %d: %s", i, strerror(errno));
        }
        if (c->received + (uint64_t) n > c->sent) fail("connection %d got %ld bytes more than it sent", i, (long) (c->received + (uint64_t) n - c->sent));
        long bad = verify(c->phase, c->received, read_buffer, (size_t) n);
        if (bad >= 0) fail("connection %d: byte %lu of its stream is wrong", i, (unsigned long) (c->received + (uint64_t) bad));
        uint64_t before = c->received / (uint64_t) cfg.size;
        c->received += (uint64_t) n;
        uint64_t after = c->received / (uint64_t) cfg.size, now = now_ns();
        for (uint64_t m = before; m < after; m++) {
            if (run->measuring) {
                hist_record(&latencies, now - c->stamps[m % (uint64_t) cfg.inflight]);
                run->messages++;
            }
            if (!run->draining) issue(i, now);
        }
        if (n < READ_BUFFER) break;
    }
    flush_out(i);
}

static void poll_once(run_t *run, int timeout_ms) {
    struct epoll_event events[512];
    int n = epoll_wait(epfd, events, 512, timeout_ms);
    if (n < 0 && errno != EINTR) fail("epoll_wait: %s", strerror(errno));
    for (int e = 0; e < n; e++) {
        int i = (int) events[e].data.u32;
        if (events[e].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) on_readable(i, run);
        else if (events[e].events & EPOLLOUT) flush_out(i);
    }
}

static int all_returned(void) {
    for (int i = 0; i < cfg.connections; i++) {
        if (conns[i].received != conns[i].queued) return 0;
    }
    return 1;
}

static void drain(run_t *run) {
    run->draining = 1;
    uint64_t deadline = now_ns() + 10ull * 1000000000u;
    while (!all_returned()) {
        if (now_ns() > deadline) {
            uint64_t missing = 0;
            for (int i = 0; i < cfg.connections; i++) missing += conns[i].queued - conns[i].received;
            fail("%lu bytes sent never came back within 10 s", (unsigned long) missing);
        }
        poll_once(run, 10);
    }
}

static void run_load(void) {
    run_t run = {0};
    uint64_t start = now_ns();
    run.window_start = start + (uint64_t) (cfg.warmup * 1e9);
    run.window_end = run.window_start + (uint64_t) (cfg.duration * 1e9);
    for (int i = 0; i < cfg.connections; i++) {
        for (int k = 0; k < cfg.inflight; k++) issue(i, start);
        flush_out(i);
    }
    double user0 = 0, sys0 = 0, user1 = 0, sys1 = 0, client_cpu = 0;
    long long calls0 = -1, calls1 = -1; /* the server's read + write system calls (/proc/PID/io) */
    int server_cpu_known = cfg.server_pid != 0;
    uint64_t now;
    while ((now = now_ns()) < run.window_end) {
        if (!run.measuring && now >= run.window_start) {
            run.measuring = 1;
            run.window_start = now;
            server_cpu_known = server_cpu_known && process_cpu(cfg.server_pid, &user0, &sys0);
            if (server_cpu_known) calls0 = process_read_calls(cfg.server_pid) + process_write_calls(cfg.server_pid);
            client_cpu = own_cpu_seconds();
        }
        poll_once(&run, 5);
    }
    run.measuring = 0;
    double seconds = (double) (now_ns() - run.window_start) / 1e9;
    server_cpu_known = server_cpu_known && process_cpu(cfg.server_pid, &user1, &sys1);
    if (server_cpu_known) calls1 = process_read_calls(cfg.server_pid) + process_write_calls(cfg.server_pid);
    double server_cpu = server_cpu_known ? (user1 - user0) + (sys1 - sys0) : -1;
    double server_user = server_cpu_known ? user1 - user0 : -1;
    client_cpu = own_cpu_seconds() - client_cpu;
    drain(&run);
    if (run.messages == 0) fail("no message came back during the measured window");
    double rate = (double) run.messages / seconds;
    printf("result connections=%d size=%d inflight=%d seconds=%.3f msgs=%lu msgs_per_s=%.0f mib_per_s=%.2f"
           " p50_us=%.1f p99_us=%.1f server_cpu_s=%.3f server_cpu_us_per_msg=%.4f server_user_us_per_msg=%.4f"
           " client_cpu_s=%.3f server_syscalls_per_msg=%.3f\n",
           cfg.connections, cfg.size, cfg.inflight, seconds, (unsigned long) run.messages, rate,
           rate * cfg.size / (1024.0 * 1024.0), hist_percentile(&latencies, 0.50) / 1e3,
           hist_percentile(&latencies, 0.99) / 1e3, server_cpu,
           server_cpu < 0 ? -1.0 : server_cpu * 1e6 / (double) run.messages,
           server_user < 0 ? -1.0 : server_user * 1e6 / (double) run.messages, client_cpu,
           calls0 < 0 || calls1 < 0 ? -1.0 : (double) (calls1 - calls0) / (double) run.messages);
}

static void run_idle(void) {
    run_t run = {.draining = 1};
    for (int i = 0; i < cfg.connections; i++) { issue(i, now_ns()); flush_out(i); }
    drain(&run);
    printf("ready connections=%d\n", cfg.connections);
    fflush(stdout);
    char ignored[64];
    while (read(0, ignored, sizeof ignored) > 0) {
        /* hold the connections until standard input closes */
    }
    for (int i = 0; i < cfg.connections; i++) close(conns[i].fd);
}

/* ---- self-test ---- */

static int check(int ok, const char *what) {
    printf("%s %s\n", ok ? "ok  " : "FAIL", what);
    return ok ? 0 : 1;
}

static int self_test(void) {
    int failures = 0;
    make_pattern();
    static histogram_t h;
    for (uint64_t v = 1; v <= 100000; v++) hist_record(&h, v);
    double p50 = hist_percentile(&h, 0.5), p99 = hist_percentile(&h, 0.99);
    failures += check(p50 > 49000 && p50 < 51000, "histogram p50 of 1..100000 is 50000 within 2 %");
    failures += check(p99 > 97000 && p99 < 101000, "histogram p99 of 1..100000 is 99000 within 2 %");
    failures += check(hist_percentile(&(histogram_t) {{0}, 0}, 0.5) == 0, "empty histogram reports 0");
    unsigned char data[3 * PERIOD];
    uint32_t phase = phase_of(5);
    uint64_t offset = PERIOD - 10; /* spans the end of the period */
    for (size_t i = 0; i < sizeof data; i++) data[i] = pattern[(phase + offset + i) % PERIOD];
    failures += check(verify(phase, offset, data, sizeof data) == -1, "the right bytes across the period boundary verify");
    data[PERIOD + 3] ^= 1;
    failures += check(verify(phase, offset, data, sizeof data) == (long) PERIOD + 3, "one flipped byte is found at its index");
    data[PERIOD + 3] ^= 1;
    failures += check(verify(phase_of(6), offset, data, 64) >= 0, "bytes of another connection do not verify");
    failures += check(verify(phase, offset + 64, data, 64) >= 0, "a replayed message does not verify");
    printf("%d passed, %d failed\n", 7 - failures, failures);
    return failures ? 1 : 0;
}

/* ---- main ---- */

static void parse(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--idle")) { cfg.idle = 1; continue; }
        if (!v) fail("option %s needs a value", a);
        if (!strcmp(a, "--host")) cfg.host = v;
        else if (!strcmp(a, "--port")) cfg.port = atoi(v);
        else if (!strcmp(a, "--connections")) cfg.connections = atoi(v);
        else if (!strcmp(a, "--size")) cfg.size = atoi(v);
        else if (!strcmp(a, "--inflight")) cfg.inflight = atoi(v);
        else if (!strcmp(a, "--warmup")) cfg.warmup = atof(v);
        else if (!strcmp(a, "--duration")) cfg.duration = atof(v);
        else if (!strcmp(a, "--server-pid")) cfg.server_pid = atoi(v);
        else if (!strcmp(a, "--sources")) cfg.sources = atoi(v);
        else fail("unknown option %s", a);
        i++;
    }
    if (cfg.port <= 0 || cfg.connections <= 0 || cfg.size <= 0 || cfg.inflight <= 0 || cfg.sources <= 0
        || cfg.sources > 254 || cfg.duration <= 0 || cfg.warmup < 0) {
        fail("usage: loadgen --port P [--connections N] [--size S] [--inflight K] [--warmup S] [--duration S]"
             " [--server-pid PID] [--sources M] [--idle] | --self-test");
    }
}

int main(int argc, char **argv) {
    if (argc == 2 && !strcmp(argv[1], "--self-test")) return self_test();
    parse(argc, argv);
    make_pattern();
    conns = calloc((size_t) cfg.connections, sizeof(conn_t));
    epfd = epoll_create1(0);
    if (!conns || epfd < 0) fail("out of memory or epoll");
    connect_all();
    if (cfg.idle) run_idle();
    else run_load();
    return 0;
}
