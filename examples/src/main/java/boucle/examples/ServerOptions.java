package boucle.examples;

import boucle.net.Backend;
import boucle.redis.RedisUri;
import java.nio.file.Path;
import java.util.Set;

/**
 * The command line shared by the server commands: {@code [--host H] [--port P] [--loops N]
 * [--backend auto|io_uring|nio]}, plus the
 * transport options a command accepts: {@code --udp}, {@code --tls [--keystore FILE [--storepass P]]},
 * {@code --unix PATH}.
 *
 * @param host the address to listen on; {@code 127.0.0.1} unless given
 * @param port the port to listen on; the command's default (its TLS default with {@code --tls})
 *     unless given, 0 for any free one
 * @param udp whether to serve datagrams (UDP) instead of connections (TCP)
 * @param tls whether to serve TLS
 * @param keyStore the PKCS12 key store with the server's key and certificate, or {@code null} for a
 *     self-signed certificate made at start
 * @param storePassword the key store's password ({@code --storepass}, else the environment's
 *     {@code BOUCLE_STOREPASS}), or {@code null}
 * @param unixSocket the Unix domain socket file to listen on instead of a TCP port, or {@code null}
 * @param loops how many event loops (threads) serve; one per available processor unless given,
 *     and always one with {@code --udp} (one socket, one loop: there are no connections to spread)
 * @param backend how the loops do their I/O: {@code --backend}, else the system property
 *     {@code boucle.backend}, else {@link Backend#AUTO} (see {@link Backend} for why)
 * @param redis the Redis server through which this server shares its room with others
 *     ({@code --redis redis://HOST:PORT[/DB]}, the chat's), or {@code null}
 */
record ServerOptions(String host, int port, boolean udp, boolean tls, Path keyStore, String storePassword,
        Path unixSocket, int loops, Backend backend, RedisUri redis) {
    static final String UDP = "--udp";
    static final String TLS = "--tls";
    static final String UNIX = "--unix";
    /** Not a transport: the chat's link to other servers; a command that takes it passes it in {@code allowed}. */
    static final String REDIS = "--redis";
    /** Every transport option; a command passes the ones it accepts to {@link #parse}. */
    static final Set<String> TRANSPORTS = Set.of(UDP, TLS, UNIX);

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
        return parse(args, defaultPort, defaultPort, Set.of());
    }

    /**
     * Parses the arguments, accepting the transport options in {@code allowed} besides
     * {@code --host}, {@code --port} and {@code --loops}, or throws an {@link IllegalArgumentException} that says
     * what is wrong.
     */
    static ServerOptions parse(String[] args, int defaultPort, int defaultTlsPort, Set<String> allowed) {
        String host = "127.0.0.1";
        Integer port = null;
        boolean udp = false;
        boolean tls = false;
        Path keyStore = null;
        String storePassword = null;
        Path unixSocket = null;
        Integer loops = null;
        RedisUri redis = null;
        Backend backend = null;
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            boolean takesValue = option.equals("--host") || option.equals("--port") || option.equals("--loops")
                    || option.equals("--backend")
                    || (allowed.contains(TLS) && (option.equals("--keystore") || option.equals("--storepass")))
                    || (allowed.contains(UNIX) && option.equals(UNIX))
                    || (allowed.contains(REDIS) && option.equals(REDIS));
            if (option.equals(UDP) && allowed.contains(UDP)) {
                udp = true;
                continue;
            }
            if (option.equals(TLS) && allowed.contains(TLS)) {
                tls = true;
                continue;
            }
            if (!takesValue) {
                throw new IllegalArgumentException("unknown option '" + option + "'");
            }
            if (i + 1 == args.length) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            String value = args[++i];
            switch (option) {
                case "--host" -> host = value;
                case "--port" -> port = parsePort(value);
                case "--keystore" -> keyStore = Path.of(value);
                case "--storepass" -> storePassword = value;
                case "--loops" -> loops = parseLoops(value);
                case REDIS -> redis = parseRedis(value);
                case "--backend" -> backend = parseBackend(value);
                default -> unixSocket = Path.of(value);
            }
        }
        if (udp && (tls || unixSocket != null)) {
            throw new IllegalArgumentException("--udp goes with neither --tls nor --unix");
        }
        if (udp && loops != null && loops != 1) {
            throw new IllegalArgumentException("--udp serves one socket on one loop: --loops " + loops + " does not apply");
        }
        if (keyStore != null && !tls) {
            throw new IllegalArgumentException("--keystore needs --tls");
        }
        if (storePassword == null) {
            storePassword = System.getenv("BOUCLE_STOREPASS");
        }
        if (keyStore != null && storePassword == null) {
            throw new IllegalArgumentException("the key store's password is needed: --storepass P, or BOUCLE_STOREPASS in the environment");
        }
        int chosenPort = port != null ? port : tls ? defaultTlsPort : defaultPort;
        int chosenLoops = udp ? 1 : loops != null ? loops : defaultLoops();
        return new ServerOptions(host, chosenPort, udp, tls, keyStore, storePassword, unixSocket, chosenLoops,
                backend != null ? backend : Backend.configured(), redis);
    }

    private static RedisUri parseRedis(String value) {
        try {
            return RedisUri.parse(value);
        } catch (IllegalArgumentException bad) {
            throw new IllegalArgumentException("--redis needs redis://HOST[:PORT][/DB]: " + bad.getMessage());
        }
    }

    private static Backend parseBackend(String value) {
        try {
            return Backend.parse(value);
        } catch (IllegalArgumentException unknown) {
            throw new IllegalArgumentException("--backend needs auto, io_uring or nio, not '" + value + "'");
        }
    }

    /** The usage lines of {@code --backend}, its text starting at column {@code column}, shared by the server commands. */
    static String backendUsage(int column) {
        String option = "  --backend B";
        String pad = " ".repeat(column);
        return option + " ".repeat(Math.max(1, column - option.length()))
                + "auto (default: io_uring where the kernel offers it, else NIO), io_uring or nio;\n"
                + pad + "io_uring needs java --enable-native-access=ALL-UNNAMED and\n"
                + pad + "--add-exports java.base/sun.nio.ch=ALL-UNNAMED (java -jar: the jar's manifest says both)";
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
