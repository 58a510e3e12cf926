package com.example.kv;

import boucle.core.Loop;
import boucle.net.AsyncServer;
import boucle.net.AsyncSocket;
import boucle.net.BackgroundServer;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * A key-value store over a line protocol: {@code SET key value} answers {@code OK},
 * {@code GET key} answers the value or {@code (nil)}, {@code QUIT} ends the session. Every
 * connection is a task of one loop, so the map needs no lock.
 */
public final class KvServer {
    private final Map<String, String> values = new HashMap<>();

    /** The server's options; bind it, or start it in the background. */
    public static AsyncServer.Builder builder() {
        return AsyncServer.builder(new KvServer()::handle).idleTimeout(Duration.ofMinutes(5));
    }

    void handle(AsyncSocket client) throws IOException {
        for (String line; (line = client.readLine(1024)) != null; ) {
            String[] words = line.trim().split(" ", 3);
            switch (words[0]) {
                case "SET" -> {
                    values.put(words[1], words[2]);
                    client.write("OK\n");
                }
                case "GET" -> client.write(values.getOrDefault(words[1], "(nil)") + "\n");
                case "QUIT" -> {
                    client.write("BYE\n");
                    client.flush();
                    return;
                }
                default -> client.write("ERR unknown command " + words[0] + "\n");
            }
        }
    }

    /** {@code java --add-exports java.base/jdk.internal.vm=ALL-UNNAMED -cp ... com.example.kv.KvServer [port]} */
    public static void main(String[] args) throws IOException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 7379;
        try (Loop loop = boucle.net.Net.newLoop()) {
            AsyncServer server = builder().port(port).bind();
            System.out.println("kv listening on " + server.localAddress());
            loop.runTask(server::serveForever);
        }
    }

    /** Serves on a thread of its own; for embedding, and for tests. */
    public static BackgroundServer startInBackground() throws IOException {
        return BackgroundServer.start(builder());
    }
}
