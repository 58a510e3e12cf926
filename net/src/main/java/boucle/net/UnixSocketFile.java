package boucle.net;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * The file a listening Unix domain socket lives in: claimed before {@code bind}, removed at close.
 *
 * <h2>Stale or live</h2>
 * A server that died without closing leaves its socket file behind, and {@code bind} on it fails
 * with "Address already in use". Before binding, an existing file is probed with a non-blocking
 * {@code connect}: refused means nobody listens (stale: the file is deleted and the bind goes on);
 * accepted or pending means a server is alive there, and the bind is refused with a clear error.
 * A file that is not a socket is never deleted. A live server sees the probe as a connection that
 * closes at once.
 *
 * <h2>Removal</h2>
 * At close the file is deleted only if it is still the one this server made (same file key: device
 * and inode), so a server that was replaced never deletes its successor's socket.
 */
final class UnixSocketFile {
    /** {@code S_IFMT} and {@code S_IFSOCK} of {@code stat(2)}'s mode. */
    private static final int FILE_TYPE_MASK = 0170000;
    private static final int SOCKET_TYPE = 0140000;

    private final Path path;
    private final Object fileKey;

    private UnixSocketFile(Path path, Object fileKey) {
        this.path = path;
        this.fileKey = fileKey;
    }

    /** Makes {@code path} free to bind: deletes a stale socket file, refuses a live one or any other file. */
    static void claim(UnixDomainSocketAddress address) throws IOException {
        Path path = address.getPath();
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException absent) {
            return;
        }
        if (!isSocket(path, attributes)) {
            throw new FileAlreadyExistsException(path.toString(), null,
                    "exists and is not a socket; it is left alone: remove it or choose another path");
        }
        if (isLive(address)) {
            throw new BindException("a server is already listening on the Unix socket " + path
                    + "; stop it, or choose another path");
        }
        Files.deleteIfExists(path); // stale: left by a server that did not close it
    }

    /** Notes the file {@code bind} just made, to remove exactly that one later. */
    static UnixSocketFile bound(UnixDomainSocketAddress address) throws IOException {
        Path path = address.getPath();
        return new UnixSocketFile(path, Files.readAttributes(path, BasicFileAttributes.class,
                LinkOption.NOFOLLOW_LINKS).fileKey());
    }

    /** Deletes the socket file if it is still the one this server bound. */
    void remove() {
        try {
            Object now = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            if (fileKey == null || fileKey.equals(now)) {
                Files.deleteIfExists(path);
            }
        } catch (IOException goneOrUnreadable) {
            // already removed, or no longer ours to judge: leaving it is the safe side
        }
    }

    private static boolean isSocket(Path path, BasicFileAttributes attributes) throws IOException {
        if (!attributes.isOther()) {
            return false; // a regular file, a directory or a link
        }
        try {
            int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            return (mode & FILE_TYPE_MASK) == SOCKET_TYPE;
        } catch (UnsupportedOperationException noUnixView) {
            return true; // "other" is the best this platform can tell
        }
    }

    /** Whether a server accepts on the socket: a non-blocking connect that is not refused. */
    private static boolean isLive(UnixDomainSocketAddress address) throws IOException {
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.configureBlocking(false); // a live server with a full backlog must not block us
            probe.connect(address); // connected, or pending: someone listens
            return true;
        } catch (ConnectException refused) {
            return false;
        }
    }

    @Override
    public String toString() {
        return path.toString();
    }
}
