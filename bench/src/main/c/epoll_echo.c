/*
 * epoll_echo: the floor of the io_uring comparison, a minimal C echo server on epoll, one thread.
 *
 *   epoll_echo --port P [--host 127.0.0.1]     prints "epoll-echo listening on HOST:P", serves until killed
 *
 * Design notes:
 *  1. Level-triggered epoll, one read per readiness event into one 64 KiB buffer, written straight
 *     back: for small messages that is one read and one write per message, and one epoll_wait per
 *     batch of ready connections, the least a readiness-based server can do.
 *  2. Backpressure: a short write keeps the rest in a buffer of that connection and swaps its
 *     interest from readable to writable; reading resumes once the rest is written. A connection
 *     never holds more than one read's worth of unwritten bytes.
 *  3. A connection that ends (read 0) or fails is closed; nothing else is logged.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define READ_BUFFER (64 * 1024)
#define EVENTS 512
#define BACKLOG 4096 /* the same listen backlog as every server of the benchmark */

typedef struct {
    int fd;
    unsigned char *pending; /* unwritten bytes of the last read, or NULL */
    size_t pending_at, pending_len;
} conn_t;

static unsigned char buffer[READ_BUFFER];
static int epfd;

static void die(const char *what) {
    fprintf(stderr, "epoll_echo: %s: %s\n", what, strerror(errno));
    exit(1);
}

static void interest(conn_t *c, uint32_t events, int op) {
    struct epoll_event ev = {.events = events, .data.ptr = c};
    if (epoll_ctl(epfd, op, c->fd, &ev) != 0) die("epoll_ctl");
}

static void drop(conn_t *c) {
    close(c->fd); /* also removes it from the epoll set */
    free(c->pending);
    free(c);
}

/* Writes what is pending; returns 0 when all is written, 1 when the socket is full, -1 on error. */
static int flush_pending(conn_t *c) {
    while (c->pending_at < c->pending_len) {
        ssize_t n = send(c->fd, c->pending + c->pending_at, c->pending_len - c->pending_at, MSG_NOSIGNAL);
        if (n < 0) return errno == EAGAIN ? 1 : -1;
        c->pending_at += (size_t) n;
    }
    free(c->pending);
    c->pending = NULL;
    return 0;
}

static void on_readable(conn_t *c) {
    ssize_t n = read(c->fd, buffer, sizeof buffer);
    if (n == 0 || (n < 0 && errno != EAGAIN)) { drop(c); return; }
    if (n < 0) return;
    ssize_t written = send(c->fd, buffer, (size_t) n, MSG_NOSIGNAL);
    if (written < 0 && errno != EAGAIN) { drop(c); return; }
    if (written < 0) written = 0;
    if (written < n) { /* keep the rest, wait for room, stop reading meanwhile */
        c->pending_len = (size_t) (n - written);
        c->pending_at = 0;
        c->pending = malloc(c->pending_len);
        if (!c->pending) die("malloc");
        memcpy(c->pending, buffer + written, c->pending_len);
        interest(c, EPOLLOUT, EPOLL_CTL_MOD);
    }
}

static void on_writable(conn_t *c) {
    int status = flush_pending(c);
    if (status < 0) drop(c);
    else if (status == 0) interest(c, EPOLLIN, EPOLL_CTL_MOD);
}

static void accept_all(int listener) {
    for (;;) {
        int fd = accept4(listener, NULL, NULL, SOCK_NONBLOCK);
        if (fd < 0) {
            if (errno == EAGAIN || errno == EINTR || errno == ECONNABORTED) return;
            if (errno == EMFILE || errno == ENFILE) return; /* try again on the next readiness */
            die("accept4");
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        conn_t *c = calloc(1, sizeof *c);
        if (!c) die("calloc");
        c->fd = fd;
        interest(c, EPOLLIN, EPOLL_CTL_ADD);
    }
}

int main(int argc, char **argv) {
    const char *host = "127.0.0.1";
    int port = -1;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--port")) port = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--host")) host = argv[i + 1];
        else { fprintf(stderr, "epoll_echo: unknown option %s\n", argv[i]); return 2; }
    }
    if (port < 0 || port > 65535) { fprintf(stderr, "usage: epoll_echo --port P [--host 127.0.0.1]\n"); return 2; }
    signal(SIGPIPE, SIG_IGN);
    int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (listener < 0) die("socket");
    int one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t) port)};
    if (inet_pton(AF_INET, host, &address.sin_addr) != 1) { fprintf(stderr, "epoll_echo: bad host %s\n", host); return 2; }
    if (bind(listener, (struct sockaddr *) &address, sizeof address) != 0) die("bind");
    if (listen(listener, BACKLOG) != 0) die("listen");
    socklen_t length = sizeof address;
    getsockname(listener, (struct sockaddr *) &address, &length);
    epfd = epoll_create1(0);
    if (epfd < 0) die("epoll_create1");
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL}; /* NULL: the listener */
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, listener, &ev) != 0) die("epoll_ctl listener");
    printf("epoll-echo listening on %s:%d\n", host, ntohs(address.sin_port));
    fflush(stdout);
    struct epoll_event events[EVENTS];
    for (;;) {
        int n = epoll_wait(epfd, events, EVENTS, -1);
        if (n < 0) {
            if (errno == EINTR) continue;
            die("epoll_wait");
        }
        for (int e = 0; e < n; e++) {
            conn_t *c = events[e].data.ptr;
            if (c == NULL) accept_all(listener);
            else if (c->pending) on_writable(c); /* only EPOLLOUT is watched while something is pending */
            else on_readable(c);
        }
    }
}
