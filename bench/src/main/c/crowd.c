/*
 * crowd: the hostile and crowded clients of the hardening scenarios, against one server.
 *
 *   crowd --fairness --port P [--floods 2] [--interval-ms 5] [--warmup S] [--duration S] [--server-pid PID]
 *         against an echo server: FLOODS clients write as fast as they can and read everything
 *         (full duplex, like `socat TCP:127.0.0.1:P - </dev/zero >/dev/null`) while a light client
 *         sends a 5-byte ping every INTERVAL ms and times its echo.
 *   crowd --chat-fanout --port P [--members 2000] [--lines 200] [--sender-port P2] [--server-pid PID]
 *         against a chat server: MEMBERS idle members join and read; once the room is quiet, one
 *         more member sends LINES lines back to back; every member must get every line. With
 *         --sender-port, the sender joins the chat server on P2 instead, one that shares the room
 *         with P's (chat --redis): the lines cross from one server to the other.
 *   crowd --chat-paced --port P [--members 2000] [--interval-ms 5] [--sender-port P2] [--warmup S] [--duration S]
 *         against a chat server: MEMBERS members read while one more sends a line every INTERVAL ms
 *         (from P2's server with --sender-port); the delivery latency of a room that keeps up.
 *   crowd --chat-flood --port P [--interval-ms 10] [--warmup S] [--duration S] [--server-pid PID]
 *         against a chat server: one member floods lines as fast as it can, another sends a normal
 *         line every INTERVAL ms, a third only reads; times the normal lines' delivery to the reader
 *         (behind the flood lines queued for it) and to the flooder (which gets no flood).
 *
 * Design notes:
 *  1. One output line, "result key=value ...", parsed by the Java side (Crowd.java), as loadgen's.
 *  2. Nothing may be lost: echoed floods must return every byte (all zeros) before the run ends;
 *     every chat line must reach every member, in order. Anything else fails the run (exit 3).
 *  3. Latency is taken by the client that sends, on one monotonic clock: the light client times
 *     each ping in its own thread (blocking socket), so the floods' work never delays the reading
 *     of its echo; chat lines carry their send time ("@line SEQ NANOS"), read back at delivery.
 *  4. The server's costs over the measured window come from /proc: CPU time (stat) and write-class
 *     system calls (io, syscw), read before the first and after the last measured event.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "measure.h"

#define IO_BUFFER (256 * 1024)
#define FLOOD_CHUNK (64 * 1024)
#define MAX_CONNECTING 256
#define LINE_MAX 1024
#define FLOOD_LINE 64

typedef struct {
    const char *mode;
    int port, floods, interval_ms, members, lines, server_pid;
    double warmup, duration;
    int sender_port; /* chat-fanout: the sender's server, if not the members' (0) */
} config_t;

static config_t cfg = {NULL, 0, 2, 5, 2000, 200, 0, 1.0, 3.0, 0};

static void fail(const char *format, ...) {
    va_list args;
    va_start(args, format);
    fprintf(stderr, "crowd: FAILED: ");
    vfprintf(stderr, format, args);
    fprintf(stderr, "\n");
    va_end(args);
    exit(3);
}

static int connect_to_port(int port, int nonblocking);

static int connect_to_server(int nonblocking) {
    return connect_to_port(cfg.port, nonblocking);
}

static int connect_to_port(int port, int nonblocking) {
    int fd = socket(AF_INET, SOCK_STREAM | (nonblocking ? SOCK_NONBLOCK : 0), 0);
    if (fd < 0) fail("socket: %s (raise ulimit -n?)", strerror(errno));
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct sockaddr_in server = {.sin_family = AF_INET, .sin_port = htons((uint16_t) port)};
    server.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *) &server, sizeof server) != 0 && errno != EINPROGRESS) {
        fail("connect: %s", strerror(errno));
    }
    return fd;
}

static void set_nonblocking(int fd) {
    if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) != 0) fail("fcntl: %s", strerror(errno));
}

static void epoll_set(int epfd, int op, int fd, uint32_t events, uint32_t id) {
    struct epoll_event ev = {.events = events, .data.u32 = id};
    if (epoll_ctl(epfd, op, fd, &ev) != 0) fail("epoll_ctl: %s", strerror(errno));
}

typedef struct { double user, sys; long long writes; uint64_t at; } server_cost_t;

static server_cost_t server_cost(void) {
    server_cost_t cost = {-1, -1, -1, now_ns()};
    if (cfg.server_pid != 0 && process_cpu(cfg.server_pid, &cost.user, &cost.sys)) {
        cost.writes = process_write_calls(cfg.server_pid);
    }
    return cost;
}

static double cpu_between(server_cost_t a, server_cost_t b) {
    return a.user < 0 || b.user < 0 ? -1 : (b.user - a.user) + (b.sys - a.sys);
}

/* ==== fairness: two floods and a light client against an echo server ==== */

typedef struct { int fd; uint64_t sent, received; } flood_t;

static flood_t *floods;
static atomic_int flooding = 1;
static atomic_ullong flood_bytes; /* echoed back, counted by the flood thread */

static void flood_read(flood_t *f, unsigned char *buffer) {
    for (;;) {
        ssize_t n = read(f->fd, buffer, IO_BUFFER);
        if (n == 0) fail("the server closed a flood connection after %lu bytes", (unsigned long) f->received);
        if (n < 0) {
            if (errno == EAGAIN) return;
            fail("read on a flood connection: %s", strerror(errno));
        }
        for (ssize_t i = 0; i < n; i++) {
            if (buffer[i] != 0) fail("byte %lu of a flood came back changed", (unsigned long) (f->received + (uint64_t) i));
        }
        f->received += (uint64_t) n;
        if (f->received > f->sent) fail("a flood got back more than it sent");
        atomic_fetch_add_explicit(&flood_bytes, (unsigned long long) n, memory_order_relaxed);
        if (n < IO_BUFFER) return;
    }
}

/* The floods' thread: writes zeros while `flooding`, reads everything; then drains what is owed. */
static void *flood_thread(void *unused) {
    (void) unused;
    static unsigned char zeros[FLOOD_CHUNK], buffer[IO_BUFFER];
    int epfd = epoll_create1(0);
    for (int i = 0; i < cfg.floods; i++) epoll_set(epfd, EPOLL_CTL_ADD, floods[i].fd, EPOLLIN | EPOLLOUT, (uint32_t) i);
    struct epoll_event events[16];
    int writing = 1;
    uint64_t deadline = 0;
    for (;;) {
        if (writing && !atomic_load(&flooding)) {
            writing = 0;
            deadline = now_ns() + 10ull * 1000000000u;
            for (int i = 0; i < cfg.floods; i++) epoll_set(epfd, EPOLL_CTL_MOD, floods[i].fd, EPOLLIN, (uint32_t) i);
        }
        if (!writing) {
            int owed = 0;
            for (int i = 0; i < cfg.floods; i++) owed |= floods[i].received != floods[i].sent;
            if (!owed) break;
            if (now_ns() > deadline) fail("flood bytes sent never came back within 10 s");
        }
        int n = epoll_wait(epfd, events, 16, 10);
        if (n < 0 && errno != EINTR) fail("epoll_wait: %s", strerror(errno));
        for (int e = 0; e < n; e++) {
            flood_t *f = &floods[events[e].data.u32];
            if (events[e].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) flood_read(f, buffer);
            if (writing && (events[e].events & EPOLLOUT)) {
                ssize_t w = send(f->fd, zeros, sizeof zeros, MSG_NOSIGNAL);
                if (w < 0 && errno != EAGAIN) fail("write on a flood connection: %s", strerror(errno));
                if (w > 0) f->sent += (uint64_t) w;
            }
        }
    }
    close(epfd);
    return NULL;
}

static void sleep_until(uint64_t deadline) {
    struct timespec ts = {.tv_sec = (time_t) (deadline / 1000000000u), .tv_nsec = (long) (deadline % 1000000000u)};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR) {
    }
}

static void run_fairness(void) {
    floods = calloc((size_t) cfg.floods, sizeof(flood_t));
    for (int i = 0; i < cfg.floods; i++) floods[i].fd = connect_to_server(0);
    for (int i = 0; i < cfg.floods; i++) set_nonblocking(floods[i].fd); /* connected: the thread works non-blocking */
    int light = connect_to_server(0);
    struct timeval timeout = {.tv_sec = 10};
    setsockopt(light, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    pthread_t thread;
    if (pthread_create(&thread, NULL, flood_thread, NULL) != 0) fail("cannot start the flood thread");

    static histogram_t rtts;
    uint64_t interval = (uint64_t) cfg.interval_ms * 1000000u, start = now_ns();
    uint64_t window_start = start + (uint64_t) (cfg.warmup * 1e9), window_end = window_start + (uint64_t) (cfg.duration * 1e9);
    server_cost_t before = {0}, after;
    unsigned long long flood_before = 0;
    int measuring = 0;
    const unsigned char ping[5] = {'p', 'i', 'n', 'g', '\n'};
    for (uint64_t next = start; ; ) {
        uint64_t now = now_ns();
        if (now >= window_end) break;
        if (!measuring && now >= window_start) {
            measuring = 1;
            before = server_cost();
            flood_before = atomic_load(&flood_bytes);
        }
        uint64_t sent_at = now_ns();
        if (send(light, ping, sizeof ping, MSG_NOSIGNAL) != (ssize_t) sizeof ping) fail("the light client could not send: %s", strerror(errno));
        unsigned char back[sizeof ping];
        for (size_t got = 0; got < sizeof back; ) {
            ssize_t n = read(light, back + got, sizeof back - got);
            if (n == 0) fail("the server closed the light client");
            if (n < 0) fail("the light client's echo did not come (%s)", strerror(errno));
            got += (size_t) n;
        }
        if (memcmp(back, ping, sizeof ping) != 0) fail("the light client's ping came back changed");
        uint64_t rtt = now_ns() - sent_at;
        if (measuring) hist_record(&rtts, rtt);
        next += interval;
        now = now_ns();
        if (next < now) next = now; /* a late echo: the next ping goes now, none are bunched up */
        sleep_until(next);
    }
    after = server_cost();
    unsigned long long flood_measured = atomic_load(&flood_bytes) - flood_before;
    atomic_store(&flooding, 0);
    pthread_join(thread, NULL);
    close(light);
    for (int i = 0; i < cfg.floods; i++) close(floods[i].fd);
    if (rtts.total == 0) fail("no ping came back during the measured window");
    double seconds = (double) (after.at - before.at) / 1e9;
    printf("result pings=%lu p50_us=%.1f p99_us=%.1f max_us=%.1f flood_mib_per_s=%.1f server_cpu_s=%.3f seconds=%.3f\n",
           (unsigned long) rtts.total, hist_percentile(&rtts, 0.50) / 1e3, hist_percentile(&rtts, 0.99) / 1e3,
           hist_max(&rtts) / 1e3, (double) flood_measured / seconds / (1024.0 * 1024.0), cpu_between(before, after), seconds);
}

/* ==== chat: members that read lines ==== */

typedef struct {
    int fd;
    int connected, welcomed, synced;
    uint32_t next_seq;       /* the next "@line SEQ" this member must get */
    uint64_t flood_lines;    /* "@flood" lines received while counting */
    histogram_t *delivery;   /* where this member's delivery latencies go */
    size_t partial;          /* bytes of an unfinished line in `line` */
    char line[LINE_MAX];
} member_t;

typedef struct {
    member_t *members;
    int count, epfd;
    int recording;           /* record delivery latencies of lines stamped in [from, until) */
    uint64_t from, until;
    int counting_floods;
    histogram_t delivery, delivery_to_flooder;
} room_t;

static room_t room;

static void on_line(member_t *m, const char *text, size_t n, uint64_t now) {
    const char *at;
    if (n >= 9 && memcmp(text, "* welcome", 9) == 0) {
        m->welcomed = 1;
    } else if ((at = memmem(text, n, "@line ", 6)) != NULL) {
        unsigned seq;
        unsigned long long stamp;
        if (sscanf(at + 6, "%u %llu", &seq, &stamp) != 2) fail("a malformed line reached a member: %.*s", (int) n, text);
        if (seq != m->next_seq) fail("a member got line %u where line %u was due (lost or reordered)", seq, m->next_seq);
        m->next_seq++;
        if (room.recording && stamp >= room.from && stamp < room.until) hist_record(m->delivery, now - stamp);
    } else if (memmem(text, n, "@flood", 6) != NULL) {
        if (room.counting_floods) m->flood_lines++;
    } else if (memmem(text, n, "@sync", 5) != NULL) {
        m->synced = 1;
    }
}

/* Reads what arrived for member i and hands each complete line to on_line. */
static void member_read(int i) {
    static char buffer[IO_BUFFER];
    member_t *m = &room.members[i];
    for (;;) {
        ssize_t n = read(m->fd, buffer, sizeof buffer);
        if (n == 0) fail("the server closed member %d (did it drop it as a slow reader?)", i);
        if (n < 0) {
            if (errno == EAGAIN) return;
            fail("read on member %d: %s", i, strerror(errno));
        }
        uint64_t now = now_ns();
        char *p = buffer, *end = buffer + n;
        while (p < end) {
            char *newline = memchr(p, '\n', (size_t) (end - p));
            size_t piece = (size_t) ((newline ? newline : end) - p);
            if (m->partial + piece > LINE_MAX) fail("member %d got a line over %d bytes", i, LINE_MAX);
            if (m->partial == 0 && newline) {
                on_line(m, p, piece, now); /* the common case: a whole line in the buffer, no copy */
            } else {
                memcpy(m->line + m->partial, p, piece);
                m->partial += piece;
                if (newline) {
                    on_line(m, m->line, m->partial, now);
                    m->partial = 0;
                }
            }
            p += piece + (newline ? 1 : 0);
        }
        if (n < (ssize_t) sizeof buffer) return;
    }
}

static void member_connected(int i) {
    member_t *m = &room.members[i];
    int error = 0;
    socklen_t len = sizeof error;
    getsockopt(m->fd, SOL_SOCKET, SO_ERROR, &error, &len);
    if (error != 0) fail("connect of member %d: %s", i, strerror(error));
    m->connected = 1;
    epoll_set(room.epfd, EPOLL_CTL_MOD, m->fd, EPOLLIN, (uint32_t) i);
}

static void room_poll(int timeout_ms) {
    struct epoll_event events[512];
    int n = epoll_wait(room.epfd, events, 512, timeout_ms);
    if (n < 0 && errno != EINTR) fail("epoll_wait: %s", strerror(errno));
    for (int e = 0; e < n; e++) {
        int i = (int) events[e].data.u32;
        if (!room.members[i].connected) {
            if (events[e].events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) member_connected(i);
        } else if (events[e].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
            member_read(i);
        }
    }
}

static void start_member(int i) {
    int sender = (!strcmp(cfg.mode, "chat-fanout") || !strcmp(cfg.mode, "chat-paced")) && i == cfg.members
            && cfg.sender_port > 0;
    room.members[i].fd = connect_to_port(sender ? cfg.sender_port : cfg.port, 1);
    epoll_set(room.epfd, EPOLL_CTL_ADD, room.members[i].fd, EPOLLIN | EPOLLOUT, (uint32_t) i);
}

/* Until `done` holds for members [from, to), serving every member meanwhile; fails after `seconds`. */
static void room_wait(int from, int to, int (*done)(const member_t *), double seconds, const char *what) {
    uint64_t deadline = now_ns() + (uint64_t) (seconds * 1e9);
    for (int i = from; i < to; ) {
        if (done(&room.members[i])) { i++; continue; }
        if (now_ns() > deadline) fail("member %d: %s within %.0f s", i, what, seconds);
        room_poll(10);
    }
}

static int is_welcomed(const member_t *m) { return m->welcomed; }
static int is_synced(const member_t *m) { return m->synced; }
static int has_all_lines(const member_t *m) { return m->next_seq >= (uint32_t) cfg.lines; }

/* Joins `count` members, at most MAX_CONNECTING connecting at once, all welcomed by the room. */
static void room_join(int count) {
    room.count = count;
    room.members = calloc((size_t) count, sizeof(member_t));
    room.epfd = epoll_create1(0);
    if (!room.members || room.epfd < 0) fail("out of memory or epoll");
    for (int i = 0; i < count; i++) room.members[i].delivery = &room.delivery;
    for (int started = 0; started < count; ) {
        int connecting = 0;
        for (int i = 0; i < started; i++) connecting += !room.members[i].connected;
        while (started < count && connecting < MAX_CONNECTING) { start_member(started++); connecting++; }
        room_poll(10);
    }
    room_wait(0, count, is_welcomed, 120, "not welcomed by the room");
}

static void send_line(int fd, const char *text) {
    size_t n = strlen(text);
    for (size_t done = 0; done < n; ) {
        ssize_t w = send(fd, text + done, n - done, MSG_NOSIGNAL);
        if (w < 0 && errno != EAGAIN) fail("a member could not send: %s", strerror(errno));
        if (w > 0) done += (size_t) w;
        else room_poll(1); /* its buffer is full: serve the readers meanwhile */
    }
}

static void send_stamped(int fd, uint32_t seq) {
    char text[64];
    snprintf(text, sizeof text, "@line %u %llu\n", seq, (unsigned long long) now_ns());
    send_line(fd, text);
}

static void run_chat_fanout(void) {
    int sender = cfg.members;
    room_join(cfg.members + 1); /* the last one joined is the sender */
    send_line(room.members[sender].fd, "@sync\n");
    room_wait(0, sender, is_synced, 120, "the room's traffic did not settle");
    uint64_t quiet = now_ns() + 200000000u; /* let the server finish what joining left, then count */
    while (now_ns() < quiet) room_poll(10);

    room.recording = 1;
    room.from = now_ns();
    room.until = UINT64_MAX;
    server_cost_t before = server_cost();
    for (uint32_t seq = 0; seq < (uint32_t) cfg.lines; seq++) send_stamped(room.members[sender].fd, seq);
    room_wait(0, sender, has_all_lines, 120, "not every line arrived");
    server_cost_t after = server_cost();

    uint64_t deliveries = room.delivery.total;
    long long writes = before.writes < 0 || after.writes < 0 ? -1 : after.writes - before.writes;
    printf("result members=%d lines=%d deliveries=%lu p50_us=%.1f p99_us=%.1f max_us=%.1f server_cpu_s=%.3f"
           " server_writes=%lld writes_per_line_per_member=%.4f seconds=%.3f\n",
           cfg.members, cfg.lines, (unsigned long) deliveries, hist_percentile(&room.delivery, 0.50) / 1e3,
           hist_percentile(&room.delivery, 0.99) / 1e3, hist_max(&room.delivery) / 1e3, cpu_between(before, after),
           writes, writes < 0 ? -1.0 : (double) writes / (double) deliveries, (double) (after.at - before.at) / 1e9);
    for (int i = 0; i < room.count; i++) close(room.members[i].fd);
}

/* One member sends a stamped line every INTERVAL ms (with --sender-port, from the other server), the
   others read: the delivery latency of a room that is not saturated, the lines of the measured window. */
static void run_chat_paced(void) {
    int sender = cfg.members;
    room_join(cfg.members + 1);
    send_line(room.members[sender].fd, "@sync\n");
    room_wait(0, sender, is_synced, 120, "the room's traffic did not settle");
    uint64_t start = now_ns(), interval = (uint64_t) cfg.interval_ms * 1000000u, next = start;
    room.recording = 1;
    room.from = start + (uint64_t) (cfg.warmup * 1e9);
    room.until = room.from + (uint64_t) (cfg.duration * 1e9);
    server_cost_t before = {0}, after;
    int measuring = 0;
    uint32_t sent = 0;
    for (uint64_t now = start; now < room.until; now = now_ns()) {
        if (!measuring && now >= room.from) { before = server_cost(); measuring = 1; }
        if (now >= next) { send_stamped(room.members[sender].fd, sent++); next += interval; }
        room_poll(1);
    }
    after = server_cost();
    cfg.lines = (int) sent; /* has_all_lines: every line sent, measured or not, must arrive */
    room_wait(0, sender, has_all_lines, 60, "not every paced line arrived");
    printf("result members=%d lines=%u deliveries=%lu p50_us=%.1f p99_us=%.1f max_us=%.1f server_cpu_s=%.3f"
           " seconds=%.3f\n", cfg.members, sent, (unsigned long) room.delivery.total,
           hist_percentile(&room.delivery, 0.50) / 1e3, hist_percentile(&room.delivery, 0.99) / 1e3,
           hist_max(&room.delivery) / 1e3, cpu_between(before, after), (double) (after.at - before.at) / 1e9);
    for (int i = 0; i < room.count; i++) close(room.members[i].fd);
}

static void run_chat_flood(void) {
    enum { FLOODER, SENDER, OBSERVER, PEOPLE };
    room_join(PEOPLE);
    /* the flooder gets no flood (the room sends a line to the others): what it sees of the normal lines
       is the server's scheduling alone; the reader gets them behind the flood lines queued before them */
    room.members[FLOODER].delivery = &room.delivery_to_flooder;
    static char flood[FLOOD_CHUNK];
    for (int at = 0; at < FLOOD_CHUNK; at += FLOOD_LINE) {
        snprintf(flood + at, FLOOD_LINE, "@flood %056d", at / FLOOD_LINE);
        flood[at + FLOOD_LINE - 1] = '\n';
    }
    int flood_fd = room.members[FLOODER].fd, sender_fd = room.members[SENDER].fd;
    epoll_set(room.epfd, EPOLL_CTL_MOD, flood_fd, EPOLLIN | EPOLLOUT, FLOODER);
    uint64_t start = now_ns(), interval = (uint64_t) cfg.interval_ms * 1000000u;
    room.recording = 1;
    room.from = start + (uint64_t) (cfg.warmup * 1e9);
    room.until = room.from + (uint64_t) (cfg.duration * 1e9);
    server_cost_t before = {0}, after = {0};
    uint32_t sent = 0, measured_lines = 0;
    size_t flood_at = 0;
    struct epoll_event events[16];
    for (uint64_t next = start, now; (now = now_ns()) < room.until; ) {
        if (!room.counting_floods && now >= room.from) {
            room.counting_floods = 1;
            before = server_cost();
        }
        if (now >= next) {
            measured_lines += now >= room.from;
            send_stamped(sender_fd, sent++);
            next += interval;
        }
        uint64_t wait_ms = next > now ? (next - now) / 1000000u : 0;
        int n = epoll_wait(room.epfd, events, 16, (int) wait_ms);
        if (n < 0 && errno != EINTR) fail("epoll_wait: %s", strerror(errno));
        for (int e = 0; e < n; e++) {
            int i = (int) events[e].data.u32;
            if (events[e].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) member_read(i);
            if (i == FLOODER && (events[e].events & EPOLLOUT)) {
                ssize_t w = send(flood_fd, flood + flood_at, FLOOD_CHUNK - flood_at, MSG_NOSIGNAL);
                if (w < 0 && errno != EAGAIN) fail("the flooder could not send: %s", strerror(errno));
                if (w > 0) flood_at = (flood_at + (size_t) w) % FLOOD_CHUNK;
            }
        }
    }
    after = server_cost();
    room.counting_floods = 0;
    /* the flood stops at a line's end, so the room's line split is never left mid-line */
    epoll_set(room.epfd, EPOLL_CTL_MOD, flood_fd, EPOLLIN, FLOODER);
    if (flood_at % FLOOD_LINE != 0) send_line(flood_fd, "\n");
    uint64_t deadline = now_ns() + 60ull * 1000000000u;
    while (room.members[OBSERVER].next_seq < sent || room.members[FLOODER].next_seq < sent) {
        if (now_ns() > deadline) fail("normal lines never arrived within 60 s after the flood");
        room_poll(10);
    }
    double seconds = (double) (after.at - before.at) / 1e9;
    const histogram_t *reader = &room.delivery, *flooder = &room.delivery_to_flooder;
    printf("result normal_lines=%u deliveries=%lu p50_us=%.1f p99_us=%.1f max_us=%.1f flooder_p50_us=%.1f"
           " flooder_p99_us=%.1f flood_lines_per_s=%.0f server_cpu_s=%.3f seconds=%.3f\n",
           measured_lines, (unsigned long) (reader->total + flooder->total), hist_percentile(reader, 0.50) / 1e3,
           hist_percentile(reader, 0.99) / 1e3, hist_max(reader) / 1e3, hist_percentile(flooder, 0.50) / 1e3,
           hist_percentile(flooder, 0.99) / 1e3, (double) room.members[OBSERVER].flood_lines / seconds,
           cpu_between(before, after), seconds);
    for (int i = 0; i < room.count; i++) close(room.members[i].fd);
}

/* ==== main ==== */

static void parse(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--fairness") || !strcmp(a, "--chat-fanout") || !strcmp(a, "--chat-flood")
            || !strcmp(a, "--chat-paced")) { cfg.mode = a + 2; continue; }
        if (!v) fail("option %s needs a value", a);
        if (!strcmp(a, "--port")) cfg.port = atoi(v);
        else if (!strcmp(a, "--floods")) cfg.floods = atoi(v);
        else if (!strcmp(a, "--interval-ms")) cfg.interval_ms = atoi(v);
        else if (!strcmp(a, "--members")) cfg.members = atoi(v);
        else if (!strcmp(a, "--lines")) cfg.lines = atoi(v);
        else if (!strcmp(a, "--warmup")) cfg.warmup = atof(v);
        else if (!strcmp(a, "--duration")) cfg.duration = atof(v);
        else if (!strcmp(a, "--server-pid")) cfg.server_pid = atoi(v);
        else if (!strcmp(a, "--sender-port")) cfg.sender_port = atoi(v);
        else fail("unknown option %s", a);
        i++;
    }
    if (!cfg.mode || cfg.port <= 0 || cfg.floods <= 0 || cfg.interval_ms <= 0 || cfg.members <= 0 || cfg.lines <= 0
        || cfg.duration <= 0 || cfg.warmup < 0) {
        fail("usage: crowd --fairness|--chat-fanout|--chat-paced|--chat-flood --port P [--floods N] [--interval-ms MS]"
             " [--members N] [--lines N] [--sender-port P2] [--warmup S] [--duration S] [--server-pid PID]");
    }
}

int main(int argc, char **argv) {
    parse(argc, argv);
    if (!strcmp(cfg.mode, "fairness")) run_fairness();
    else if (!strcmp(cfg.mode, "chat-fanout")) run_chat_fanout();
    else if (!strcmp(cfg.mode, "chat-paced")) run_chat_paced();
    else run_chat_flood();
    return 0;
}
