package boucle.net.uring;

/** Prints what the probe finds: run by {@link ProbeTest} in a JVM of its own. */
final class ProbeMain {
    private ProbeMain() {
    }

    public static void main(String[] args) {
        System.out.println(IoUring.probe());
    }
}
