/**
 * Benchmarks, each against an anchor measured in the same run: JMH microbenchmarks against bare
 * JDK continuations and JDK baselines; Boucle's {@code echo} against a Netty NIO echo server and a
 * virtual-thread-per-connection server, driven by the C load generator ({@code src/main/c}) that
 * verifies every byte; the heap of sleeping tasks and of idle connections; the hardening scenarios
 * (a light client under floods, chat fan-out and a line flood against a Netty chat anchor), driven by
 * the C client {@code crowd.c}; and, given another build's jar, this build's echo throughput against
 * it, alternating; the io_uring comparison ({@link boucle.bench.UringBench}: Boucle on io_uring and
 * NIO against Netty's io_uring and NIO transports and a C epoll server, {@code src/main/c/epoll_echo.c},
 * with each server's system calls per message). {@link boucle.bench.Main}
 * runs them and writes {@code bench/results/REPORT.md}. Built only with the Maven profile
 * {@code bench}; nothing here is a dependency of {@code core}, {@code net} or {@code examples}.
 */
package boucle.bench;
