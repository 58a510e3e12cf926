package boucle.examples;

import boucle.net.AsyncServer;
import boucle.net.AsyncSocket;
import boucle.net.LoopGroup;
import boucle.net.IncompleteLineException;
import boucle.net.LineTooLongException;
import boucle.net.MalformedLineException;
import boucle.net.ServerShuttingDownException;
import boucle.redis.RedisException;
import java.io.IOException;
import java.io.PrintStream;
import java.util.function.Supplier;

/**
 * {@code chat [--host H] [--port P] [--loops N] [--backend B] [--redis URI]}: a line-based chat room for
 * {@code nc} and {@code telnet}, served by N loops (default: one per core) that share one room
 * ({@link SharedRoom}), and with {@code --redis} one room with every other chat server on that Redis
 * ({@link RedisRoom}).
 * Each connection is one {@link #handle} task reading lines in a plain loop; the {@link ChatRoom}
 * delivers them to the others as {@code NAME: text}.
 *
 * <p>Commands: {@code /nick NAME}, {@code /who}, {@code /quit}. A line over {@value #MAX_LINE}
 * bytes, or one that is not UTF-8, gets an error reply and is not sent; the client stays. A client
 * that leaves in the middle of a line has that half line dropped. When the server shuts down
 * (Ctrl-C, SIGTERM), each client is told {@code * server shutting down} before it is closed.
 */
final class Chat implements Command {
    static final int DEFAULT_PORT = 7001;
    static final int DEFAULT_TLS_PORT = 7444;
    static final int MAX_LINE = 1000;
    static final int MAX_QUEUED_BYTES = 256 * 1024;
    /** The name of the room that chat servers linked through one Redis share. */
    static final String ROOM = "lobby";

    /** The part of the room of the loop that runs the caller. */
    private final Supplier<ChatRoom> roomHere;

    Chat() {
        this.roomHere = null; // run() makes the room, once it knows the loops
    }

    /** A chat whose every client is in {@code room} (one loop). */
    Chat(ChatRoom room) {
        this.roomHere = () -> room;
    }

    /** A chat whose room spans the loops of {@code room}: each handler uses its own loop's part. */
    Chat(SharedRoom room) {
        this.roomHere = room::here;
    }

    @Override
    public String name() {
        return "chat";
    }

    @Override
    public String summary() {
        return "line-based chat room for nc/telnet (port " + DEFAULT_PORT + "; /nick, /who, /quit)";
    }

    /** One client, from join to leave. */
    void handle(AsyncSocket socket) throws Exception {
        ChatRoom room = roomHere.get();
        ChatRoom.Member me = room.join(socket);
        try {
            room.tell(me, "* welcome, you are " + me.nick() + ". Commands: /nick NAME, /who, /quit");
            boolean staying = true;
            while (staying) {
                String line;
                try {
                    line = socket.readLine(MAX_LINE);
                } catch (LineTooLongException tooLong) {
                    room.tell(me, "! line too long (the limit is " + MAX_LINE + " bytes); it was not sent");
                    continue;
                } catch (MalformedLineException notUtf8) {
                    room.tell(me, "! that line is not valid UTF-8; it was not sent");
                    continue;
                } catch (IncompleteLineException cut) {
                    line = null; // the client left mid-line: half a line is not sent to the room
                } catch (ServerShuttingDownException stopping) {
                    room.closing(); // everyone leaves now: no "left" notices
                    room.tell(me, "* server shutting down"); // the server flushes it, then closes
                    return;
                }
                staying = line != null && obey(room, me, line);
            }
        } finally {
            room.leave(me);
        }
    }

    /** Acts on one line; returns {@code false} when the client leaves. */
    private boolean obey(ChatRoom room, ChatRoom.Member me, String line) throws Exception {
        String text = printable(line.strip()); // strip first: a stray CR is whitespace, not a "?"
        if (text.isEmpty()) {
            return true;
        }
        if (text.equals("/quit")) {
            room.tell(me, "* bye");
            return false;
        }
        if (text.equals("/who")) {
            room.tell(me, "* here: " + room.who());
        } else if (text.startsWith("/nick ")) {
            String error = room.rename(me, text.substring("/nick ".length()).strip());
            if (error != null) {
                room.tell(me, error);
            }
        } else if (text.startsWith("/")) {
            room.tell(me, "! unknown command " + text.split(" ")[0] + "; try /nick NAME, /who, /quit");
        } else {
            room.broadcast(me, me.nick() + ": " + text);
        }
        return true;
    }

    /** Control characters (terminal escapes, bells) become '?': a client must not drive another's terminal. */
    private static String printable(String line) {
        StringBuilder clean = new StringBuilder(line.length());
        line.codePoints().forEach(c -> clean.appendCodePoint(Character.isISOControl(c) && c != '\t' ? '?' : c));
        return clean.toString();
    }

    @Override
    public int run(String[] args, PrintStream out) throws IOException {
        return Servers.run("chat", args, new Servers.Ports(DEFAULT_PORT, DEFAULT_TLS_PORT),
                java.util.Set.of(ServerOptions.TLS, ServerOptions.UNIX, ServerOptions.REDIS), this::usage,
                (group, options) -> AsyncServer.builder(new Chat(room(group, options))::handle), null, out);
    }

    /** The room of a chat server: its loops', and with {@code --redis} the other servers' too. */
    private static SharedRoom room(LoopGroup group, ServerOptions options) throws Servers.CannotServeException {
        if (options.redis() == null) {
            return new SharedRoom(group.loops(), MAX_QUEUED_BYTES);
        }
        try {
            return SharedRoom.linked(group, options.redis(), ROOM, MAX_QUEUED_BYTES);
        } catch (RedisException unreachable) { // exit, not a room of its own: see RedisRoom's notes
            throw new Servers.CannotServeException("cannot link the room through Redis: " + unreachable.getMessage()
                    + " (start Redis there, or run without --redis for a room of this server alone)", unreachable);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new Servers.CannotServeException("interrupted while linking to Redis", interrupted);
        }
    }

    private void usage(PrintStream out) {
        out.println("usage: chat [--host H] [--port P] [--loops N] [--backend auto|io_uring|nio] [--redis URI]"
                + " [--tls [--keystore FILE] | --unix PATH]");
        out.println("  A chat room: each line a client sends goes to the others as 'NAME: text'.");
        out.println("  --host H   address to listen on (default 127.0.0.1)");
        out.println("  --port P   port to listen on (default " + DEFAULT_PORT + ", " + DEFAULT_TLS_PORT
                + " with --tls; 0 picks a free one)");
        out.println("  --loops N  event loops, one thread each (default: all " + ServerOptions.defaultLoops()
                + " cores); one room across them");
        out.println(ServerOptions.backendUsage(13));
        out.println("  --unix PATH  listen on a Unix domain socket file instead (try: nc -U PATH)");
        out.println("  --redis URI  share the room with every chat server started with the same Redis,");
        out.println("             redis://HOST[:PORT][/DB] (lines, joins, leaves, nicknames, /who cross servers;");
        out.println("             a server that dies leaves the others' /who within 4 s; Redis must answer at start)");
        Servers.tlsUsage(out, DEFAULT_TLS_PORT);
        out.println("  In the room: /nick NAME  changes your nickname, /who  lists who is here, /quit  leaves.");
        out.println("  Try it: nc localhost " + DEFAULT_PORT + " in two terminals   (Ctrl-C or SIGTERM stops the server");
        out.println("  gracefully, telling each client; a second one stops it at once)");
    }
}
