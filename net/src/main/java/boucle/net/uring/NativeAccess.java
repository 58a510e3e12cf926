package boucle.net.uring;

/**
 * Whether this code may call native functions: the JVM asks for {@code --enable-native-access}
 * on the command line, or {@code Enable-Native-Access: ALL-UNNAMED} in an executable jar's
 * manifest. Checked before anything links a downcall, so that a missing flag gives
 * {@link #MISSING} once, and not the JVM's warning (or, under {@code --illegal-native-access=deny},
 * its exception).
 *
 * <p>Any thread.
 */
final class NativeAccess {
    /** The one message for a missing flag. */
    static final String MISSING = "native access is not enabled: run java with --enable-native-access=ALL-UNNAMED"
            + " (an executable jar: 'Enable-Native-Access: ALL-UNNAMED' in its manifest)";

    private NativeAccess() {
    }

    static boolean isEnabled() {
        return NativeAccess.class.getModule().isNativeAccessEnabled();
    }
}
