package boucle.net.uring;

/**
 * The kernel's io_uring interface as numbers: system call numbers, opcodes, flags and the byte
 * offsets of the structures shared with the kernel, copied from {@code <linux/io_uring.h>} (the
 * names are the header's, so a reader can check them against it). These are the kernel's stable
 * ABI: a value never changes meaning once a kernel has shipped it.
 *
 * <p>Immutable: any thread.
 */
final class Abi {
    private Abi() {
    }

    // System call numbers: one table for x86_64, aarch64 and every other 64-bit architecture (since 5.1).
    static final long SYS_IO_URING_SETUP = 425;
    static final long SYS_IO_URING_ENTER = 426;
    static final long SYS_IO_URING_REGISTER = 427;

    // errno values (asm-generic/errno-base.h, errno.h)
    static final int EPERM = 1;
    static final int ENOENT = 2;
    static final int EINTR = 4;
    static final int EAGAIN = 11;
    static final int ENOMEM = 12;
    static final int EBUSY = 16;
    static final int EEXIST = 17;
    static final int EINVAL = 22;
    static final int ENOSYS = 38;
    static final int ETIME = 62;
    static final int ENOBUFS = 105;
    static final int EALREADY = 114;
    static final int ECANCELED = 125;

    // enum io_uring_op
    static final int IORING_OP_NOP = 0;
    static final int IORING_OP_POLL_ADD = 6;
    static final int IORING_OP_TIMEOUT = 11;
    static final int IORING_OP_TIMEOUT_REMOVE = 12;
    static final int IORING_OP_SENDMSG = 9;
    static final int IORING_OP_ACCEPT = 13;
    static final int IORING_OP_ASYNC_CANCEL = 14;
    static final int IORING_OP_LINK_TIMEOUT = 15;
    static final int IORING_OP_CONNECT = 16;
    static final int IORING_OP_CLOSE = 19;
    static final int IORING_OP_READ = 22;
    static final int IORING_OP_WRITE = 23;
    static final int IORING_OP_SEND = 26;
    static final int IORING_OP_RECV = 27;
    static final int IORING_OP_SHUTDOWN = 34;
    static final int IORING_OP_MSG_RING = 40;

    // io_uring_setup flags
    static final int IORING_SETUP_CQSIZE = 1 << 3;
    static final int IORING_SETUP_CLAMP = 1 << 4;
    static final int IORING_SETUP_SUBMIT_ALL = 1 << 7;
    static final int IORING_SETUP_COOP_TASKRUN = 1 << 8;
    static final int IORING_SETUP_SINGLE_ISSUER = 1 << 12;
    static final int IORING_SETUP_DEFER_TASKRUN = 1 << 13;

    // io_uring_params.features
    static final int IORING_FEAT_SINGLE_MMAP = 1;
    static final int IORING_FEAT_NODROP = 1 << 1;
    static final int IORING_FEAT_SUBMIT_STABLE = 1 << 2;
    static final int IORING_FEAT_FAST_POLL = 1 << 5;
    static final int IORING_FEAT_EXT_ARG = 1 << 8;

    // io_uring_enter flags
    static final int IORING_ENTER_GETEVENTS = 1;
    static final int IORING_ENTER_EXT_ARG = 1 << 3;

    // sq_ring.flags
    static final int IORING_SQ_CQ_OVERFLOW = 1 << 1;

    // io_uring_register opcodes
    static final int IORING_REGISTER_EVENTFD = 4;
    static final int IORING_UNREGISTER_EVENTFD = 5;
    static final int IORING_REGISTER_PROBE = 8;
    static final int IORING_REGISTER_PBUF_RING = 22;
    static final int IORING_UNREGISTER_PBUF_RING = 23;
    static final int IORING_REGISTER_PBUF_STATUS = 26;

    // mmap offsets
    static final long IORING_OFF_SQ_RING = 0L;
    static final long IORING_OFF_CQ_RING = 0x8000000L;
    static final long IORING_OFF_SQES = 0x10000000L;

    // io_uring_sqe.flags
    static final int IOSQE_IO_LINK = 1 << 2;
    static final int IOSQE_BUFFER_SELECT = 1 << 5;
    static final int IOSQE_CQE_SKIP_SUCCESS = 1 << 6;

    // io_uring_sqe.ioprio for accept, recv and send
    static final int IORING_ACCEPT_MULTISHOT = 1;
    static final int IORING_RECVSEND_POLL_FIRST = 1;
    static final int IORING_RECV_MULTISHOT = 1 << 1;

    // io_uring_sqe.cancel_flags
    static final int IORING_ASYNC_CANCEL_ALL = 1;
    static final int IORING_ASYNC_CANCEL_FD = 1 << 1;

    // io_uring_sqe.timeout_flags
    static final int IORING_TIMEOUT_ABS = 1;

    // io_uring_cqe.flags
    static final int IORING_CQE_F_BUFFER = 1;
    static final int IORING_CQE_F_MORE = 1 << 1;
    static final int IORING_CQE_F_SOCK_NONEMPTY = 1 << 2;
    static final int IORING_CQE_BUFFER_SHIFT = 16;

    /** io_uring_probe_op.flags: the opcode is supported. */
    static final int IO_URING_OP_SUPPORTED = 1;

    /** struct io_uring_params: 120 bytes; sq_off at 40, cq_off at 80. */
    static final class Params {
        static final long SIZE = 120;
        static final long SQ_ENTRIES = 0;
        static final long CQ_ENTRIES = 4;
        static final long FLAGS = 8;
        static final long FEATURES = 20;
        // struct io_sqring_offsets sq_off
        static final long SQ_HEAD = 40;
        static final long SQ_TAIL = 44;
        static final long SQ_RING_MASK = 48;
        static final long SQ_RING_ENTRIES = 52;
        static final long SQ_FLAGS = 56;
        static final long SQ_DROPPED = 60;
        static final long SQ_ARRAY = 64;
        // struct io_cqring_offsets cq_off
        static final long CQ_HEAD = 80;
        static final long CQ_TAIL = 84;
        static final long CQ_RING_MASK = 88;
        static final long CQ_RING_ENTRIES = 92;
        static final long CQ_OVERFLOW = 96;
        static final long CQ_CQES = 100;

        private Params() {
        }
    }

    /** struct io_uring_sqe: 64 bytes. */
    static final class Sqe {
        static final long SIZE = 64;
        static final long OPCODE = 0; // u8
        static final long FLAGS = 1; // u8
        static final long IOPRIO = 2; // u16
        static final long FD = 4; // s32
        static final long OFF = 8; // u64, also addr2
        static final long ADDR = 16; // u64
        static final long LEN = 24; // u32
        static final long OP_FLAGS = 28; // u32: rw_flags, msg_flags, timeout_flags, accept_flags, cancel_flags...
        static final long USER_DATA = 32; // u64
        static final long BUF_GROUP = 40; // u16, also buf_index
        static final long PERSONALITY = 42; // u16
        static final long FILE_INDEX = 44; // u32, also splice_fd_in
        static final long ADDR3 = 48; // u64

        private Sqe() {
        }
    }

    /** struct io_uring_cqe: 16 bytes. */
    static final class Cqe {
        static final long SIZE = 16;
        static final long USER_DATA = 0; // u64
        static final long RES = 8; // s32
        static final long FLAGS = 12; // u32

        private Cqe() {
        }
    }

    /** struct io_uring_probe: a 16-byte header, then 8 bytes per opcode. */
    static final class Probe {
        static final long LAST_OP = 0; // u8
        static final long OPS_LEN = 1; // u8
        static final long OPS = 16;
        static final long OP_SIZE = 8;
        static final long OP_FLAGS = 2; // u16, within one op
        static final int MAX_OPS = 256;

        private Probe() {
        }
    }

    /** struct io_uring_buf_reg (40 bytes), io_uring_buf (16 bytes) and the buffer ring's tail. */
    static final class BufRing {
        static final long REG_SIZE = 40;
        static final long REG_RING_ADDR = 0; // u64
        static final long REG_RING_ENTRIES = 8; // u32
        static final long REG_BGID = 12; // u16
        static final long BUF_SIZE = 16;
        static final long BUF_ADDR = 0; // u64
        static final long BUF_LEN = 8; // u32
        static final long BUF_BID = 12; // u16
        /** The ring's tail overlays the {@code resv} field of entry 0. */
        static final long TAIL = 14; // u16
        /** struct io_uring_buf_status: u32 buf_group, u32 head, u32 resv[8]. */
        static final long STATUS_SIZE = 40;
        static final long STATUS_HEAD = 4;

        private BufRing() {
        }
    }

    /** struct io_uring_getevents_arg: u64 sigmask, u32 sigmask_sz, u32 min_wait_usec, u64 ts. */
    static final class GeteventsArg {
        static final long SIZE = 24;
        static final long TS = 16;

        private GeteventsArg() {
        }
    }

    /** The name of an opcode this package uses, for messages. */
    static String opName(int opcode) {
        return switch (opcode) {
            case IORING_OP_NOP -> "NOP";
            case IORING_OP_POLL_ADD -> "POLL_ADD";
            case IORING_OP_TIMEOUT -> "TIMEOUT";
            case IORING_OP_TIMEOUT_REMOVE -> "TIMEOUT_REMOVE";
            case IORING_OP_SENDMSG -> "SENDMSG";
            case IORING_OP_ACCEPT -> "ACCEPT";
            case IORING_OP_ASYNC_CANCEL -> "ASYNC_CANCEL";
            case IORING_OP_LINK_TIMEOUT -> "LINK_TIMEOUT";
            case IORING_OP_CONNECT -> "CONNECT";
            case IORING_OP_CLOSE -> "CLOSE";
            case IORING_OP_READ -> "READ";
            case IORING_OP_WRITE -> "WRITE";
            case IORING_OP_SEND -> "SEND";
            case IORING_OP_RECV -> "RECV";
            case IORING_OP_SHUTDOWN -> "SHUTDOWN";
            case IORING_OP_MSG_RING -> "MSG_RING";
            default -> "opcode " + opcode;
        };
    }
}
