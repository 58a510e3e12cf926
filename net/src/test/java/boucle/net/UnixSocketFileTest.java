package boucle.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import boucle.core.Loop;
import boucle.core.Task;
import java.net.BindException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The socket file of a listening Unix domain socket: stale replaced, live refused, removed at close. */
class UnixSocketFileTest {
    @TempDir
    Path directory;

    @Test
    void aStaleSocketFileIsReplaced() throws Exception {
        UnixDomainSocketAddress address = UnixDomainSocketAddress.of(directory.resolve("stale.sock"));
        ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        dead.bind(address);
        dead.close(); // a server that died: its file stays, nobody listens
        assertTrue(Files.exists(address.getPath()));
        try (AsyncServerSocket listener = AsyncServerSocket.bind(address, 8); Loop loop = Net.newLoop()) {
            loop.runTask(() -> {
                Task<AsyncSocket> accepting = loop.spawn(listener::accept);
                try (AsyncSocket client = AsyncSocket.connect(address, Duration.ofSeconds(5));
                     AsyncSocket accepted = accepting.await()) {
                    client.write("through the new file\n");
                    assertEquals("through the new file", accepted.readLine(100));
                }
            });
        }
    }

    @Test
    void aLiveSocketIsRefusedWithAClearError() throws Exception {
        UnixDomainSocketAddress address = UnixDomainSocketAddress.of(directory.resolve("live.sock"));
        try (AsyncServerSocket first = AsyncServerSocket.bind(address, 8)) {
            BindException refused = assertThrows(BindException.class, () -> AsyncServerSocket.bind(address, 8));
            assertTrue(refused.getMessage().contains("already listening") && refused.getMessage().contains("live.sock"),
                    refused.getMessage());
            assertTrue(first.isOpen());
            assertTrue(Files.exists(address.getPath()), "the live server's file is left alone");
        }
    }

    @Test
    void aFileThatIsNotASocketIsNeverDeleted() throws Exception {
        Path notes = Files.writeString(directory.resolve("notes.txt"), "precious");
        FileAlreadyExistsException refused = assertThrows(FileAlreadyExistsException.class,
                () -> AsyncServerSocket.bind(UnixDomainSocketAddress.of(notes), 8));
        assertTrue(refused.getMessage().contains("not a socket"), refused.getMessage());
        assertEquals("precious", Files.readString(notes));
    }

    @Test
    void closingRemovesTheFileButNotASuccessorsFile() throws Exception {
        UnixDomainSocketAddress address = UnixDomainSocketAddress.of(directory.resolve("echo.sock"));
        AsyncServerSocket listener = AsyncServerSocket.bind(address, 8);
        listener.close();
        assertFalse(Files.exists(address.getPath()));

        AsyncServerSocket old = AsyncServerSocket.bind(address, 8);
        Files.delete(address.getPath()); // someone removed it, and a new server took the path
        try (AsyncServerSocket successor = AsyncServerSocket.bind(address, 8)) {
            old.close();
            assertTrue(Files.exists(address.getPath()), "the old server must not delete its successor's socket");
            assertTrue(successor.isOpen());
        }
        assertFalse(Files.exists(address.getPath()));
    }
}
