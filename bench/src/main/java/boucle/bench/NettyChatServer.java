package boucle.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.util.AttributeKey;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The chat anchor: the examples' chat room on Netty NIO with ONE event-loop thread, written the
 * way Netty is meant to be used: a broadcast {@code write}s the line to each member (queued, no
 * system call), and every member written to is {@code flush}ed once when the read burst that
 * produced the lines ends ({@code channelReadComplete}), so lines read together leave together.
 *
 * <p>The same line protocol as {@code boucle.examples.Chat} on the broadcast path: a newcomer is
 * greeted with {@code * welcome, you are guest-N. ...} and announced to the others as
 * {@code * guest-N joined}; each line a member sends reaches every other member as
 * {@code guest-N: text}, CR/LF-terminated; a departure is announced as {@code * guest-N left}.
 * The same limits: a line over 1,000 bytes is refused with a notice, and a member with more than
 * 256 KiB of unread output is disconnected. The commands ({@code /nick}, {@code /who},
 * {@code /quit}) are not modelled: the benchmark measures delivery.
 *
 * <pre>{@code
 * try (NettyChatServer server = NettyChatServer.start(0)) {
 *     int port = server.port();
 * }
 * }</pre>
 */
final class NettyChatServer implements AutoCloseable {
    static final int MAX_LINE = 1000;
    static final int MAX_QUEUED_BYTES = 256 * 1024;

    private final NettyAnchor anchor;

    private NettyChatServer(NettyAnchor anchor) {
        this.anchor = anchor;
    }

    static NettyChatServer start(int port) throws InterruptedException {
        return new NettyChatServer(NettyAnchor.bind(1, port, new Room(),
                bootstrap -> bootstrap.childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(MAX_QUEUED_BYTES / 2, MAX_QUEUED_BYTES))));
    }

    int port() {
        return anchor.port();
    }

    @Override
    public void close() {
        // time for every member's departure to run (each releases its line buffer), even after a flood
        anchor.close(10);
    }

    /**
     * The one room, shared by every connection; all of it runs on the one event-loop thread, so it
     * needs no lock. Splits each member's bytes into lines itself (a cumulation buffer per member).
     */
    @ChannelHandler.Sharable
    private static final class Room extends ChannelInboundHandlerAdapter {
        private static final AttributeKey<Member> MEMBER = AttributeKey.valueOf("chat-member");

        private final Map<Channel, Member> members = new LinkedHashMap<>();
        /** Members written to since the last flush: flushed once at the end of the read burst. */
        private final List<Member> unflushed = new ArrayList<>();
        private int guests;

        @Override
        public void channelActive(ChannelHandlerContext context) {
            Member me = new Member(context.channel(), "guest-" + ++guests);
            context.channel().attr(MEMBER).set(me);
            members.put(me.channel, me);
            tell(me, "* welcome, you are " + me.nick + ". Commands: /nick NAME, /who, /quit");
            broadcast(me, "* " + me.nick + " joined");
            flushAll();
        }

        @Override
        public void channelInactive(ChannelHandlerContext context) {
            Member me = context.channel().attr(MEMBER).get();
            if (me != null && members.remove(me.channel) != null) {
                me.release();
                broadcast(me, "* " + me.nick + " left");
                flushAll();
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext context, Object message) {
            Member me = context.channel().attr(MEMBER).get();
            ByteBuf bytes = (ByteBuf) message;
            try {
                me.pending.writeBytes(bytes);
            } finally {
                bytes.release();
            }
            for (int end; (end = me.pending.indexOf(me.pending.readerIndex(), me.pending.writerIndex(), (byte) '\n')) >= 0; ) {
                int length = end - me.pending.readerIndex();
                if (me.discarding || length > MAX_LINE) {
                    me.discarding = false;
                    tell(me, "! line too long (the limit is " + MAX_LINE + " bytes); it was not sent");
                } else {
                    obey(me, me.pending.toString(me.pending.readerIndex(), length, StandardCharsets.UTF_8));
                }
                me.pending.readerIndex(end + 1);
            }
            if (me.pending.readableBytes() > MAX_LINE) { // a line too long so far: drop it up to its end
                me.discarding = true;
                me.pending.clear();
            }
            me.pending.discardReadBytes();
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext context) {
            flushAll();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
            context.close(); // a peer that vanished ends its own connection only
        }

        private void obey(Member me, String line) {
            String text = printable(line.strip());
            if (!text.isEmpty()) {
                broadcast(me, me.nick + ": " + text);
            }
        }

        /** As the examples' chat: control characters become '?'. */
        private static String printable(String line) {
            StringBuilder clean = new StringBuilder(line.length());
            line.codePoints().forEach(c -> clean.appendCodePoint(Character.isISOControl(c) && c != '\t' ? '?' : c));
            return clean.toString();
        }

        private void broadcast(Member from, String line) {
            ByteBuf encoded = PooledByteBufAllocator.DEFAULT.directBuffer(line.length() * 3 + 2);
            try {
                encoded.writeCharSequence(line, StandardCharsets.UTF_8);
                encoded.writeByte('\r').writeByte('\n');
                for (Member member : members.values()) {
                    if (member != from) {
                        queue(member, encoded.retainedDuplicate());
                    }
                }
            } finally {
                encoded.release();
            }
        }

        private void tell(Member member, String line) {
            queue(member, PooledByteBufAllocator.DEFAULT.directBuffer().writeBytes(
                    (line + "\r\n").getBytes(StandardCharsets.UTF_8)));
        }

        /** Queues (no system call) and remembers to flush the member at the end of the read burst. */
        private void queue(Member member, ByteBuf line) {
            if (!member.channel.isActive()) {
                line.release();
                return;
            }
            member.channel.write(line, member.channel.voidPromise());
            if (!member.unflushed) {
                member.unflushed = true;
                unflushed.add(member);
            }
        }

        /**
         * Flushes every member written to; one whose socket did not take it all and still has more
         * than {@link #MAX_QUEUED_BYTES} waiting is not reading, and is disconnected. (Judged after the
         * flush: before it, a read burst's lines are all queued, which says nothing about the reader.)
         */
        private void flushAll() {
            for (Member member : unflushed) {
                member.unflushed = false;
                member.channel.flush();
                if (!member.channel.isWritable() && member.channel.isActive()) {
                    member.channel.close();
                }
            }
            unflushed.clear();
        }
    }

    /** One person in the room: their channel, nickname and the bytes of an unfinished line. */
    private static final class Member {
        final Channel channel;
        final String nick;
        /**
         * Unpooled heap memory, which the garbage collector reclaims: a member still connected when
         * the server's event loop is torn down may never see its departure run.
         */
        final ByteBuf pending = Unpooled.buffer(256);
        boolean discarding;
        boolean unflushed;

        Member(Channel channel, String nick) {
            this.channel = channel;
            this.nick = nick;
        }

        void release() {
            pending.release();
        }
    }
}
