package boucle.redis;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Where a Redis is: {@code redis://[[user]:password@]host[:port][/db]}, as Redis's own tools and
 * most clients write it. The port defaults to 6379 and the database to 0; an IPv6 host goes in
 * brackets ({@code redis://[::1]:6379}). With a password, the client sends {@code AUTH} on every
 * (re)connection; with a database other than 0, {@code SELECT}.
 *
 * <pre>{@code
 * RedisUri uri = RedisUri.parse("redis://127.0.0.1:6379/2");
 * }</pre>
 *
 * Anything else ({@code rediss://} for TLS, a query, a path that is not a database number, a port
 * out of range) is refused by {@link #parse} with a message that names the fault. Immutable; any
 * thread. {@link #toString()} never shows the password.
 */
public record RedisUri(String host, int port, int database, String user, String password) {
    public static final int DEFAULT_PORT = 6379;

    public RedisUri {
        Objects.requireNonNull(host, "host");
        if (host.isEmpty()) {
            throw new IllegalArgumentException("a Redis URI needs a host");
        }
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("port " + port + " is not in 1..65535");
        }
        if (database < 0) {
            throw new IllegalArgumentException("database " + database + " is negative");
        }
        if (user != null && password == null) {
            throw new IllegalArgumentException("a user without a password");
        }
    }

    /** {@code host:port}, database 0, no password. */
    public static RedisUri of(String host, int port) {
        return new RedisUri(host, port, 0, null, null);
    }

    /**
     * Reads {@code redis://[[user]:password@]host[:port][/db]}.
     *
     * @throws IllegalArgumentException naming what is wrong with {@code text}
     */
    public static RedisUri parse(String text) {
        Objects.requireNonNull(text, "text");
        if (!text.contains("://")) {
            throw refused(text, "expected redis://host[:port][/db]");
        }
        URI uri;
        try {
            uri = new URI(text.strip());
        } catch (URISyntaxException e) {
            throw refused(text, e.getReason());
        }
        if (uri.getScheme() == null || uri.isOpaque()) {
            throw refused(text, "expected redis://host[:port][/db]");
        }
        String scheme = uri.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (scheme.equals("rediss")) {
            throw refused(text, "TLS (rediss://) is not supported by this client");
        }
        if (!scheme.equals("redis")) {
            throw refused(text, "the scheme must be redis://, not " + uri.getScheme() + "://");
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw refused(text, "no host (or a host that is not a valid name or address)");
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw refused(text, "a query or fragment is not understood");
        }
        int port = uri.getPort() == -1 ? DEFAULT_PORT : uri.getPort();
        if (port < 1 || port > 65_535) {
            throw refused(text, "port " + port + " is not in 1..65535");
        }
        int database = 0;
        String path = uri.getPath();
        if (path != null && !path.isEmpty() && !path.equals("/")) {
            String number = path.substring(1);
            if (!number.matches("[0-9]{1,9}")) {
                throw refused(text, "the path must be a database number, not '" + number + "'");
            }
            database = Integer.parseInt(number);
        }
        String user = null;
        String password = null;
        String userInfo = uri.getRawUserInfo();
        if (userInfo != null) {
            int colon = userInfo.indexOf(':');
            if (colon < 0) {
                throw refused(text, "credentials must be user:password or :password");
            }
            user = colon == 0 ? null : decode(userInfo.substring(0, colon));
            password = decode(userInfo.substring(colon + 1));
        }
        return new RedisUri(host, port, database, user, password);
    }

    private static String decode(String part) {
        return URLDecoder.decode(part.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static IllegalArgumentException refused(String text, String why) {
        return new IllegalArgumentException("not a Redis URI: '" + hidePassword(text) + "': " + why);
    }

    /** The text with whatever stands between {@code ://} and {@code @} hidden, for messages. */
    private static String hidePassword(String text) {
        int at = text.lastIndexOf('@');
        int scheme = text.indexOf("://");
        return at > 0 && scheme >= 0 && at > scheme ? text.substring(0, scheme + 3) + "***" + text.substring(at) : text;
    }

    /** {@code host:port} as people write it (an IPv6 host in brackets). */
    public String address() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    /** The URI, without the password. */
    @Override
    public String toString() {
        return "redis://" + (password == null ? "" : (user == null ? "" : user) + ":***@") + address()
                + (database == 0 ? "" : "/" + database);
    }
}
