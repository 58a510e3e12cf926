package boucle.core;

import static boucle.core.Boucle.interrupt;
import static boucle.core.Boucle.runTask;
import static boucle.core.Boucle.runTasks;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BoucleTest {
    private final List<String> events = new ArrayList<>();

    private void steps(String name, int count) {
        for (int i = 0; i < count; i++) {
            events.add(name + i);
            interrupt();
        }
    }

    @Test
    void runTaskDrivesOneTaskToItsEnd() {
        assertEquals("done", runTask(() -> {
            steps("a", 3);
            return "done";
        }));
        assertEquals(List.of("a0", "a1", "a2"), events);
    }

    @Test
    void runTasksIsRoundRobinLikeTheSeed() {
        runTasks(() -> steps("a", 3), () -> steps("b", 1), () -> steps("c", 2));
        assertEquals(List.of("a0", "b0", "c0", "a1", "c1", "a2"), events);
    }

    @Test
    void runTasksRethrowsAFailureOnceAllHaveEnded() {
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> runTasks(
                () -> {
                    steps("a", 1);
                    throw new IllegalStateException("a failed");
                },
                () -> steps("b", 3)));
        assertEquals("a failed", thrown.getMessage());
        assertEquals(List.of("a0", "b0", "b1", "b2"), events);
    }

    @Test
    void interruptLetsTheOtherTasksRunOneStepEach() {
        runTasks(() -> {
            events.add("x before");
            interrupt();
            events.add("x after");
        }, () -> events.add("y"));
        assertEquals(List.of("x before", "y", "x after"), events);
    }
}
