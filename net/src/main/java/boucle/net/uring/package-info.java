/**
 * io_uring on {@code java.lang.foreign}: the raw layer under the io_uring backend. No JNI and no
 * native library in the jar: the three system calls go through libc's {@code syscall}, and the
 * rings the kernel shares are mapped into the process and read and written as memory segments.
 * This package is the ring, not a socket API: {@code boucle.net} builds its event source and
 * transport on it. It needs the JVM flag {@code --enable-native-access=ALL-UNNAMED} (in a jar's
 * manifest: {@code Enable-Native-Access: ALL-UNNAMED}); without it {@link boucle.net.uring.IoUring#probe()}
 * says so, and nothing native is touched.
 *
 * <pre>{@code
 * IoUringSupport support = IoUring.probe();       // once per JVM, never throws
 * if (support.available()) {
 *     try (IoUring ring = IoUring.open(256);
 *          BufferRing buffers = ring.registerBufferRing(0, 256, 2048)) {
 *         ring.recv(fd, buffers, true, CONNECTION_ID);   // multishot: armed once
 *         ring.submitAndWait(1, IoUring.NO_TIMEOUT);
 *         ring.drain((id, result, flags) -> {
 *             int bid = buffers.take(flags);               // -1: no data (end, error, cancelled)
 *             try { ... buffers.buffer(bid).asSlice(0, result) ... }
 *             finally { if (bid >= 0) buffers.recycle(bid); }
 *         });
 *     }
 * }
 * }</pre>
 *
 * <h2>Design notes</h2>
 * <ul>
 *   <li><b>One way to read a result.</b> libc calls return {@code -errno} on failure, as the
 *       kernel's completions do ({@code Libc}, with {@code errno} captured by the downcall itself).
 *       Setup and registration failures are {@link boucle.net.uring.NativeException}s with the
 *       errno's name.</li>
 *   <li><b>Batching is the point.</b> Preparing an operation writes an SQE and nothing else; one
 *       {@code io_uring_enter} submits a turn's operations and waits for completions, with the
 *       loop's timer deadline as its timeout (IORING_ENTER_EXT_ARG). {@code enterCalls()} counts
 *       the system calls.</li>
 *   <li><b>Memory ordering.</b> Release store of the tail we produce (SQ, buffer ring), acquire
 *       load of the tail the kernel produces (CQ), release store of the CQ head we consume,
 *       acquire load of the SQ head the kernel consumes: {@code VarHandle}s on the mapped
 *       memory.</li>
 *   <li><b>Memory lent to the kernel</b> stays valid until the operation's completion is drained.
 *       A timeout's timespec lives in a slot of the ring's own (one per SQ slot), since the kernel
 *       copies it when it consumes the SQE.</li>
 *   <li><b>An idle socket holds no buffer.</b> A receive names a buffer group; the kernel picks a
 *       buffer only when bytes arrive ({@link boucle.net.uring.BufferRing}), and the consumer gives
 *       it back. {@code held()} and {@code kernelConsumed()} prove that none went missing.</li>
 *   <li><b>Cancellation really cancels:</b> {@code IORING_OP_ASYNC_CANCEL} ends the operation in
 *       the kernel; its last completion ({@code -ECANCELED}, no "more" flag, no buffer) is the
 *       proof that nothing of it is left.</li>
 *   <li><b>Probe, never fail.</b> {@link boucle.net.uring.IoUring#probe()} sets up a ring once,
 *       checks features, opcodes and buffer rings, and returns a reason in one sentence for what
 *       is missing (not Linux, the flag, the sysctl, seccomp's EPERM, ENOSYS, an old kernel).</li>
 * </ul>
 *
 * <p>A ring and its buffer rings belong to one thread (a loop's); only
 * {@link boucle.net.uring.EventFd#signal()} is for other threads.
 */
package boucle.net.uring;
