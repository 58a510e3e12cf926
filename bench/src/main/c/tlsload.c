/*
 * tlsload: a non-blocking (epoll, one thread) TLS client for echo servers, on OpenSSL: the same
 * client for every TLS server the benchmark compares, cheap enough that the server is what limits.
 *
 *   tlsload --port P [--host 127.0.0.1] [--connections N] [--size S] [--new]
 *           [--warmup SECONDS] [--duration SECONDS] [--count N] [--server-pid PID]
 *
 * Design notes:
 *  1. Each connection sends a message of S bytes, reads its echo (checked byte for byte), and sends
 *     the next: closed-loop, one message in flight per connection. With --new, each connection
 *     carries one message only: connect, full handshake, one echo, close_notify, close, and again.
 *     That measures new TLS connections per second. Without --new, the connections open at most
 *     MAX_HANDSHAKING at a time: a cold server given a hundred handshakes at once on a loaded
 *     machine lets some reach its handshake timeout (Netty's is 10 s) before it answers them.
 *  2. No session is ever offered for resumption (no session is kept, no ticket is used): every
 *     handshake is a full TLS 1.3 one, whatever the server's session cache does.
 *  3. The certificate is not verified: the client's cost stays out of the comparison, and the
 *     servers under test use the same key. This is a benchmark client, not a TLS client to copy.
 *  4. Phases: connect, warm-up (nothing counted), measure (ends after --duration, or sooner once
 *     --count messages are counted: a warm-up by amount of work, whatever the machine's load) (messages, server CPU from /proc/PID/stat,
 *     server read and write system calls from /proc/PID/io). A wrong byte, a handshake failure or a
 *     connection the server closes fails the run (exit status 3).
 *  5. Output: "cipher NAME" (the suite the server chose), then one line "result key=value ...",
 *     for the Java side to parse.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "measure.h"

#define MAX_HANDSHAKING 8

enum state { HANDSHAKING, WRITING, READING, CLOSED };

typedef struct {
    int fd;
    SSL *ssl;
    enum state state;
    size_t written;     /* of the current message */
    size_t received;    /* of its echo */
    unsigned char seed; /* the current message's first byte: each message differs */
} conn_t;

typedef struct {
    const char *host;
    int port, connections, size, fresh, server_pid;
    double warmup, duration;
    uint64_t count;
} config_t;

static config_t cfg = {"127.0.0.1", 0, 1, 64, 0, 0, 1.0, 2.0, UINT64_MAX};
static conn_t *conns;
static int epfd;
static SSL_CTX *ctx;
static unsigned char *message, *echo;
static int measuring;
static uint64_t messages, handshakes;
static const char *cipher = "none"; /* the suite the server chose, for the report */
static int opened;                  /* connections opened so far (they open a few at a time: note 1) */

static void fail(const char *format, ...) {
    va_list args;
    va_start(args, format);
    fprintf(stderr, "tlsload: FAILED: ");
    vfprintf(stderr, format, args);
    fprintf(stderr, "\n");
    va_end(args);
    ERR_print_errors_fp(stderr);
    exit(3);
}

static void fill(unsigned char seed) {
    for (int i = 0; i < cfg.size; i++) message[i] = (unsigned char) (seed + i * 31);
}

static void open_connection(int i) {
    conn_t *c = &conns[i];
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (fd < 0) fail("socket: %s", strerror(errno));
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct sockaddr_in server = {.sin_family = AF_INET, .sin_port = htons((uint16_t) cfg.port)};
    if (inet_pton(AF_INET, cfg.host, &server.sin_addr) != 1) fail("bad host %s", cfg.host);
    if (connect(fd, (struct sockaddr *) &server, sizeof server) != 0 && errno != EINPROGRESS) {
        fail("connect %d: %s", i, strerror(errno));
    }
    c->fd = fd;
    c->ssl = SSL_new(ctx);
    if (!c->ssl) fail("SSL_new");
    SSL_set_fd(c->ssl, fd);
    SSL_set_connect_state(c->ssl);
    c->state = HANDSHAKING;
    c->written = c->received = 0;
    /* edge-triggered: drive() goes on until OpenSSL says it would block */
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLET, .data.u32 = (uint32_t) i};
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) != 0) fail("epoll_ctl: %s", strerror(errno));
}

static void close_connection(int i) {
    conn_t *c = &conns[i];
    SSL_shutdown(c->ssl); /* sends close_notify; the server's answer is not awaited */
    SSL_free(c->ssl);
    close(c->fd);
    c->ssl = NULL;
    c->state = CLOSED;
}

/* 1 if the call would block (wait for the next event), else fails the run. */
static int would_block(int i, SSL *ssl, int ret, const char *what) {
    int error = SSL_get_error(ssl, ret);
    if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) return 1;
    if (error == SSL_ERROR_ZERO_RETURN) fail("connection %d: the server closed the TLS session during %s", i, what);
    fail("connection %d: %s failed (SSL error %d, errno %s)", i, what, error, strerror(errno));
    return 0;
}

/* Moves connection i on as far as it goes without blocking. */
static void drive(int i) {
    conn_t *c = &conns[i];
    for (;;) {
        switch (c->state) {
        case HANDSHAKING: {
            int ret = SSL_do_handshake(c->ssl);
            if (ret != 1) {
                if (would_block(i, c->ssl, ret, "the handshake")) return;
            }
            cipher = SSL_get_cipher_name(c->ssl);
            c->state = WRITING;
            if (opened < cfg.connections) open_connection(opened++); /* the next one starts as this one is done */
            break;
        }
        case WRITING: {
            int ret = SSL_write(c->ssl, message + c->written, cfg.size - (int) c->written);
            if (ret <= 0) {
                if (would_block(i, c->ssl, ret, "a write")) return;
            }
            c->written += (size_t) ret;
            if ((int) c->written == cfg.size) c->state = READING;
            break;
        }
        case READING: {
            int ret = SSL_read(c->ssl, echo + c->received, cfg.size - (int) c->received);
            if (ret <= 0) {
                if (would_block(i, c->ssl, ret, "a read")) return;
            }
            c->received += (size_t) ret;
            if ((int) c->received < cfg.size) break;
            if (memcmp(echo, message, (size_t) cfg.size) != 0) fail("connection %d: the echo differs from the message", i);
            if (measuring) {
                messages++;
                handshakes += cfg.fresh;
            }
            if (cfg.fresh) {
                close_connection(i);
                open_connection(i);
                return; /* the new socket reports its own events */
            }
            c->written = c->received = 0;
            c->state = WRITING;
            break;
        }
        case CLOSED:
            return;
        }
    }
}

static void run_for(double seconds) {
    struct epoll_event events[512];
    uint64_t end = now_ns() + (uint64_t) (seconds * 1e9);
    while (now_ns() < end && !(measuring && messages >= cfg.count)) {
        int n = epoll_wait(epfd, events, 512, 100);
        if (n < 0 && errno != EINTR) fail("epoll_wait: %s", strerror(errno));
        for (int e = 0; e < n; e++) drive((int) events[e].data.u32);
    }
}

static void parse(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--new")) { cfg.fresh = 1; continue; }
        if (i + 1 >= argc) fail("%s needs a value", a);
        const char *v = argv[++i];
        if (!strcmp(a, "--host")) cfg.host = v;
        else if (!strcmp(a, "--port")) cfg.port = atoi(v);
        else if (!strcmp(a, "--connections")) cfg.connections = atoi(v);
        else if (!strcmp(a, "--size")) cfg.size = atoi(v);
        else if (!strcmp(a, "--warmup")) cfg.warmup = atof(v);
        else if (!strcmp(a, "--duration")) cfg.duration = atof(v);
        else if (!strcmp(a, "--count")) cfg.count = strtoull(v, NULL, 10);
        else if (!strcmp(a, "--server-pid")) cfg.server_pid = atoi(v);
        else fail("unknown option %s", a);
    }
    if (cfg.port <= 0 || cfg.connections <= 0 || cfg.size <= 0 || cfg.duration <= 0) {
        fail("usage: tlsload --port P [--connections N] [--size S] [--new] [--warmup S] [--duration S] [--count N] [--server-pid PID]");
    }
}

int main(int argc, char **argv) {
    parse(argc, argv);
    ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx) fail("SSL_CTX_new");
    SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF); /* note 2: full handshakes only */
    SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    message = malloc((size_t) cfg.size);
    echo = malloc((size_t) cfg.size);
    fill(7);
    conns = calloc((size_t) cfg.connections, sizeof(conn_t));
    epfd = epoll_create1(0);
    while (opened < cfg.connections && (cfg.fresh || opened < MAX_HANDSHAKING)) open_connection(opened++);

    run_for(cfg.warmup);
    double user0 = 0, sys0 = 0, user1 = 0, sys1 = 0;
    int cpu = cfg.server_pid > 0 && process_cpu(cfg.server_pid, &user0, &sys0);
    long long writes0 = cfg.server_pid > 0 ? process_write_calls(cfg.server_pid) : -1;
    long long reads0 = cfg.server_pid > 0 ? process_read_calls(cfg.server_pid) : -1;
    double own0 = own_cpu_seconds();
    uint64_t start = now_ns();
    measuring = 1;
    run_for(cfg.duration);
    measuring = 0;
    double seconds = (double) (now_ns() - start) / 1e9;
    cpu = cpu && process_cpu(cfg.server_pid, &user1, &sys1);
    long long writes1 = cfg.server_pid > 0 ? process_write_calls(cfg.server_pid) : -1;
    long long reads1 = cfg.server_pid > 0 ? process_read_calls(cfg.server_pid) : -1;
    double own = own_cpu_seconds() - own0;
    double per_msg = messages ? 1e6 / (double) messages : 0;
    printf("cipher %s\n", cipher);
    printf("result connections=%d size=%d new=%d seconds=%.3f msgs=%lu msgs_per_s=%.0f handshakes=%lu"
           " server_cpu_us_per_msg=%.2f server_user_us_per_msg=%.2f server_writes_per_msg=%.3f"
           " server_reads_per_msg=%.3f client_cpu_s=%.3f\n",
           cfg.connections, cfg.size, cfg.fresh, seconds, (unsigned long) messages, (double) messages / seconds,
           (unsigned long) handshakes,
           cpu ? (user1 + sys1 - user0 - sys0) * per_msg : -1.0, cpu ? (user1 - user0) * per_msg : -1.0,
           writes0 >= 0 && writes1 >= 0 ? (double) (writes1 - writes0) * per_msg / 1e6 : -1.0,
           reads0 >= 0 && reads1 >= 0 ? (double) (reads1 - reads0) * per_msg / 1e6 : -1.0, own);
    for (int i = 0; i < cfg.connections; i++) {
        if (conns[i].ssl) close_connection(i);
    }
    SSL_CTX_free(ctx);
    return 0;
}
