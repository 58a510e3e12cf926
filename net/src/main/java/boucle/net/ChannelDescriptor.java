package boucle.net;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.channels.SelectableChannel;

/**
 * The file descriptor under a JDK channel, for the io_uring backend: it accepts on a listening
 * {@code ServerSocketChannel}'s descriptor and polls a datagram or Unix channel's descriptor
 * through the ring ({@code IORING_OP_POLL_ADD}). The JDK keeps it in {@code sun.nio.ch.SelChImpl},
 * which every selectable channel of the default provider implements: reached through the exported
 * interface's public method, never by opening a private field (the export is to the unnamed module, so this class looks it up with its own lookup), so the JVM needs
 * {@code --add-exports java.base/sun.nio.ch=ALL-UNNAMED} (the io_uring backend's probe checks it).
 *
 * <p>The channel keeps owning the descriptor: closing it is the channel's business. Any thread.
 */
final class ChannelDescriptor {
    static final String FLAG = "--add-exports java.base/sun.nio.ch=ALL-UNNAMED";

    private ChannelDescriptor() {
    }

    /** Whether this code may read channels' descriptors: the package is exported to it. */
    static boolean isReadable() {
        return Object.class.getModule().isExported("sun.nio.ch", ChannelDescriptor.class.getModule());
    }

    private static final class Getter {
        static final MethodHandle GET_FD_VAL = find();

        private static MethodHandle find() {
            try {
                Class<?> type = Class.forName("sun.nio.ch.SelChImpl");
                return MethodHandles.lookup().findVirtual(type, "getFDVal", MethodType.methodType(int.class));
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null;
            }
        }
    }

    /**
     * The descriptor of {@code channel}.
     *
     * @throws IllegalStateException naming the JVM flag, when {@code sun.nio.ch} is not exported
     */
    static int of(SelectableChannel channel) {
        MethodHandle getter = isReadable() ? Getter.GET_FD_VAL : null;
        if (getter == null) {
            throw new IllegalStateException("the io_uring backend reads the descriptors of JDK channels: run java with "
                    + FLAG + " (or use the NIO backend: -Dboucle.backend=nio)");
        }
        try {
            return (int) getter.invoke(channel);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("could not read the descriptor of " + channel, e);
        }
    }
}
