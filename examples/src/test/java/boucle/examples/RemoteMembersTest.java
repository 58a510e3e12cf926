package boucle.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** One server's view of the members other chat servers serve ({@link RemoteMembers}). */
class RemoteMembersTest {
    private static final long SECOND = 1_000_000_000L;
    private final RemoteMembers view = new RemoteMembers();
    private long seq;

    private List<String> hear(String server, long now, String... events) {
        return view.apply(RoomWire.parse(RoomWire.message(server, ++seq, List.of(events))), now, false);
    }

    private static Map<String, Long> members(Object... nickThenOrder) {
        Map<String, Long> members = new LinkedHashMap<>();
        for (int i = 0; i < nickThenOrder.length; i += 2) {
            members.put((String) nickThenOrder[i], ((Number) nickThenOrder[i + 1]).longValue());
        }
        return members;
    }

    @Test
    void joinsRenamesAndLeavesKeepTheViewAndOnlyLinesAreTold() {
        List<String> told = hear("b", 0, RoomWire.joined(4, "guest-4"), RoomWire.line("* guest-4 joined"),
                RoomWire.renamed("guest-4", "bob"), RoomWire.line("* guest-4 is now known as bob"),
                RoomWire.joined(6, "guest-6"), RoomWire.line("bob: hi"));

        assertEquals(List.of("* guest-4 joined", "* guest-4 is now known as bob", "bob: hi"), told);
        assertEquals(members("bob", 4, "guest-6", 6), view.members());
        hear("b", 0, RoomWire.left("bob"));
        assertEquals(members("guest-6", 6), view.members());
        assertEquals(6, view.highestOrder());
    }

    @Test
    void aHeartbeatRepairsWhatWasMissedAndTellsTheDifference() {
        hear("b", 0, RoomWire.present(members("bob", 4, "carol", 5)));

        List<String> told = hear("b", SECOND, RoomWire.present(members("carol", 5, "dave", 9)));

        assertEquals(List.of("* bob left", "* dave joined"), told);
        assertEquals(members("carol", 5, "dave", 9), view.members());
    }

    @Test
    void aServerHeardForTheFirstTimeWhileQuietIsLearnedWithoutNotices() {
        List<String> told = view.apply(RoomWire.parse(RoomWire.message("b", 1, List.of(
                RoomWire.present(members("bob", 4))))), 0, true);

        assertEquals(List.of(), told);
        assertEquals(members("bob", 4), view.members());
    }

    @Test
    void aSilentServersMembersLeaveOnceAfterTheTimeToLive() {
        hear("b", 0, RoomWire.present(members("bob", 4, "carol", 5)));
        hear("c", 2 * SECOND, RoomWire.present(members("dave", 6)));

        assertEquals(List.of(), view.expire(3 * SECOND, 3 * SECOND), "3 s is not more than the time to live");
        assertEquals(List.of("* bob left (server lost)", "* carol left (server lost)"), view.expire(3 * SECOND + 1, 3 * SECOND));
        assertEquals(List.of(), view.expire(4 * SECOND, 3 * SECOND), "once");
        assertEquals(members("dave", 6), view.members());
        assertEquals(List.of("* bob joined"), hear("b", 5 * SECOND, RoomWire.present(members("bob", 4))),
                "a lost server that speaks again comes back");
    }

    @Test
    void afterOurOwnOutageEveryServerGetsTheTimeToLiveAgain() {
        hear("b", 0, RoomWire.present(members("bob", 4)));

        view.heardEveryone(10 * SECOND);

        assertEquals(List.of(), view.expire(12 * SECOND, 3 * SECOND));
        assertEquals(List.of("* bob left (server lost)"), view.expire(14 * SECOND, 3 * SECOND));
    }

    @Test
    void aServerThatSaysByeLeavesAtOnceAndForGood() {
        hear("b", 0, RoomWire.present(members("bob", 4, "carol", 5)));

        assertEquals(List.of("* bob left (server shut down)", "* carol left (server shut down)"), hear("b", 0, RoomWire.bye()));
        assertEquals(List.of(), hear("b", 0, RoomWire.present(members("bob", 4)), RoomWire.line("late")));
        assertEquals(Map.of(), view.members());
        assertEquals(List.of(), view.expire(10 * SECOND, 3 * SECOND));
    }

    @Test
    void aGapInASendersCountIsCountedAsMissed() {
        view.apply(RoomWire.parse(RoomWire.message("b", 1, List.of())), 0, false);
        view.apply(RoomWire.parse(RoomWire.message("b", 5, List.of())), 0, false);

        assertEquals(3, view.missedMessages());
    }
}
