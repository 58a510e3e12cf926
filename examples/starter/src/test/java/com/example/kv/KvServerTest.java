package com.example.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import boucle.core.VirtualClock;
import boucle.net.AsyncServer;
import boucle.net.AsyncSocket;
import boucle.net.BackgroundServer;
import boucle.test.BoucleTest;
import boucle.test.LineClient;
import boucle.core.Boucle;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class KvServerTest {

    @Test
    void setThenGetOverARealSocket() throws Exception {
        try (BackgroundServer server = KvServer.startInBackground();
             LineClient client = LineClient.connect(server.port())) {
            assertEquals("OK", client.send("SET color blue").readLine());
            assertEquals("blue", client.send("GET color").readLine());
            assertEquals("(nil)", client.send("GET size").readLine());
            assertEquals("BYE", client.send("QUIT").readLine());
        }
    }

    @Test
    void clientsShareTheStore() throws Exception {
        try (BackgroundServer server = KvServer.startInBackground();
             LineClient alice = LineClient.connect(server.port());
             LineClient bob = LineClient.connect(server.port())) {
            alice.send("SET greeting hello world").readLine();
            assertEquals("hello world", bob.send("GET greeting").readLine());
            assertEquals(2, server.connectionCount());
        }
    }

    @BoucleTest
    void anIdleClientIsDisconnectedAfterFiveMinutesOfVirtualTime(VirtualClock clock) throws Exception {
        try (AsyncServer server = KvServer.builder().bind()) {
            var serving = Boucle.spawn(server::serveForever);
            try (AsyncSocket client = AsyncSocket.connect("127.0.0.1", server.port(), Duration.ofSeconds(5))) {
                assertNull(client.readLine(1024), "the server hung up on the silent client");
                assertEquals(Duration.ofMinutes(5), clock.elapsed());
            }
            server.shutdown();
            serving.await();
        }
    }
}
