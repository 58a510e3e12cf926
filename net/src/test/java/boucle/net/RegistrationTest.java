package boucle.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import boucle.core.Boucle;
import boucle.core.CancelledException;
import boucle.core.Loop;
import boucle.core.Task;
import boucle.core.TaskFailedException;
import java.nio.channels.ClosedChannelException;
import org.junit.jupiter.api.Test;

/** One waiter per direction, waits that undo themselves, closing that wakes. */
class RegistrationTest {

    @Test
    void aSecondReaderOnTheSameSocketIsAClearError() {
        SocketPair.run((client, server) -> {
            Task<String> first = server.loop().spawn(() -> server.readLine(100));
            Boucle.interrupt();
            IllegalStateException second = assertThrows(IllegalStateException.class, () -> server.readLine(100));
            assertTrue(second.getMessage().contains("already waits to read"), second.getMessage());
            client.write("for the first\n");
            assertEquals("for the first", first.await());
        });
    }

    @Test
    void cancellingAParkedReaderFreesItsPlace() {
        SocketPair.run((client, server) -> {
            Task<String> doomed = server.loop().spawn(() -> server.readLine(100));
            Boucle.interrupt();
            doomed.cancel();
            assertThrows(CancelledException.class, doomed::await);
            assertFalse(Net.source(Loop.current()).hasWaiters(), "the cancelled wait left nothing behind");
            client.write("next reader\n");
            assertEquals("next reader", server.readLine(100));
        });
    }

    @Test
    void closingASocketWakesItsParkedTaskWithAClosedError() {
        SocketPair.run((client, server) -> {
            Task<String> reader = server.loop().spawn(() -> server.readLine(100));
            Boucle.interrupt();
            server.close();
            // await wraps a checked failure: the reader's own exception is the cause
            Throwable closed = assertThrows(TaskFailedException.class, reader::await).getCause();
            assertInstanceOf(SocketClosedException.class, closed);
            assertInstanceOf(ClosedChannelException.class, closed);
            assertTrue(closed.getMessage().contains("closed by this side"), closed.getMessage());
            assertThrows(SocketClosedException.class, () -> server.write("after close"));
        });
    }
}
