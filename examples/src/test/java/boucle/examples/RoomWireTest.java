package boucle.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The chat's messages on a room's Redis channel ({@link RoomWire}). */
class RoomWireTest {

    @Test
    void everyEventReadsBackAsWritten() {
        Map<String, Long> members = new LinkedHashMap<>();
        members.put("bob", 3L);
        members.put("guest-17", 17L);
        String payload = RoomWire.message("a1b2c3d4", 42, List.of(
                RoomWire.line("guest-1: hello: world  "), RoomWire.joined(17, "guest-17"), RoomWire.renamed("guest-17", "alice"),
                RoomWire.left("alice"), RoomWire.present(members), RoomWire.present(Map.of()), RoomWire.hello(), RoomWire.bye()));

        RoomWire.Message message = RoomWire.parse(payload);

        assertEquals("a1b2c3d4", message.server());
        assertEquals(42, message.seq());
        assertEquals(List.of(new RoomWire.Line("guest-1: hello: world  "), new RoomWire.Joined(17, "guest-17"),
                new RoomWire.Renamed("guest-17", "alice"), new RoomWire.Left("alice"), new RoomWire.Present(members),
                new RoomWire.Present(Map.of()), new RoomWire.Hello(), new RoomWire.Bye()), message.events());
        assertEquals(List.of("bob", "guest-17"),
                List.copyOf(((RoomWire.Present) message.events().get(4)).members().keySet()), "in join order");
    }

    @Test
    void aLineBreakInALineCannotForgeAnEvent() {
        RoomWire.Message message = RoomWire.parse(RoomWire.message("s", 1, List.of(RoomWire.line("hi\nB"))));

        assertEquals(List.of(new RoomWire.Line("hi?B")), message.events());
    }

    @Test
    void whatIsNotAMessageIsRefusedSayingWhy() {
        for (String garbage : new String[] {"", "hello", "s 1 2", "s x", "s 1\nZ what", "s 1\nJ x guest-1",
                "s 1\nJ 3", "s 1\nH 3:", "s 1\nH bob", "s 1\n"}) {
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> RoomWire.parse(garbage),
                    garbage);
            assertTrue(refused.getMessage() != null && !refused.getMessage().isEmpty(), garbage);
        }
    }
}
