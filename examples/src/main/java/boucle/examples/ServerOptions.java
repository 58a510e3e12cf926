package boucle.examples;

/**
 * The command line shared by the server commands: {@code [--host H] [--port P] [--loops N]}.
 *
 * @param host the address to listen on; {@code 127.0.0.1} unless given
 * @param port the port to listen on; the command's default unless given, 0 for any free one
 * @param loops how many event loops (threads) serve; one per available processor unless given
 */
record ServerOptions(String host, int port, int loops) {

    /** One loop per core, as Netty's and Vert.x's defaults. */
    static int defaultLoops() {
        return Runtime.getRuntime().availableProcessors();
    }

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
        String host = "127.0.0.1";
        int port = defaultPort;
        int loops = defaultLoops();
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (!option.equals("--host") && !option.equals("--port") && !option.equals("--loops")) {
                throw new IllegalArgumentException("unknown option '" + option + "'");
            }
            if (i + 1 == args.length) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            String value = args[++i];
            if (option.equals("--host")) {
                host = value;
            } else if (option.equals("--loops")) {
                loops = parseLoops(value);
            } else {
                port = parsePort(value);
            }
        }
        return new ServerOptions(host, port, loops);
    }

    private static int parseLoops(String value) {
        try {
            int loops = Integer.parseInt(value);
            if (loops >= 1 && loops <= 1024) {
                return loops;
            }
        } catch (NumberFormatException notANumber) {
            // said below
        }
        throw new IllegalArgumentException("--loops needs a number from 1 to 1024, not '" + value + "'");
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
