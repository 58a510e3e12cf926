package boucle.examples;

import java.util.Set;

/**
 * The command line shared by the server commands: {@code [--host H] [--port P]}, plus the
 * transport switches a command accepts ({@code --udp}).
 *
 * @param host the address to listen on; {@code 127.0.0.1} unless given
 * @param port the port to listen on; the command's default unless given, 0 for any free one
 * @param udp whether to serve datagrams (UDP) instead of connections (TCP)
 */
record ServerOptions(String host, int port, boolean udp) {
    static final String UDP = "--udp";

    /** Whether the arguments ask for help rather than a server. */
    static boolean wantsHelp(String[] args) {
        for (String arg : args) {
            if (arg.equals("--help") || arg.equals("-h")) {
                return true;
            }
        }
        return false;
    }

    /** Parses the arguments, or throws an {@link IllegalArgumentException} that says what is wrong. */
    static ServerOptions parse(String[] args, int defaultPort) {
        return parse(args, defaultPort, Set.of());
    }

    /**
     * Parses the arguments, accepting the switches in {@code allowed} besides {@code --host} and
     * {@code --port}, or throws an {@link IllegalArgumentException} that says what is wrong.
     */
    static ServerOptions parse(String[] args, int defaultPort, Set<String> allowed) {
        String host = "127.0.0.1";
        int port = defaultPort;
        boolean udp = false;
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (allowed.contains(option) && option.equals(UDP)) {
                udp = true;
                continue;
            }
            if (!option.equals("--host") && !option.equals("--port")) {
                throw new IllegalArgumentException("unknown option '" + option + "'");
            }
            if (i + 1 == args.length) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            String value = args[++i];
            if (option.equals("--host")) {
                host = value;
            } else {
                port = parsePort(value);
            }
        }
        return new ServerOptions(host, port, udp);
    }

    private static int parsePort(String value) {
        try {
            int port = Integer.parseInt(value);
            if (port >= 0 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException notANumber) {
            // said below
        }
        throw new IllegalArgumentException("--port needs a number from 0 to 65535, not '" + value + "'");
    }
}
