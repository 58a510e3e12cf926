package boucle.core;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CurrentLoopTest {
    @Test
    void insideATaskCurrentIsTheRunningLoop() {
        try (Loop loop = new Loop()) {
            assertSame(loop, loop.runTask(Loop::current));
        }
    }

    @Test
    void insideACallbackCurrentIsTheRunningLoop() {
        try (Loop loop = new Loop()) {
            Loop[] seen = new Loop[1];
            loop.callSoon(() -> seen[0] = Loop.current());
            loop.run();
            assertSame(loop, seen[0]);
        }
    }

    @Test
    void aTaskCanScheduleMoreWorkThroughTheCurrentLoop() {
        try (Loop loop = new Loop()) {
            int answer = loop.runTask(() -> Loop.current().spawn(() -> 42).await());
            assertTrue(answer == 42);
        }
    }

    @Test
    void outsideAnyLoopCurrentFailsClearly() {
        IllegalStateException thrown = assertThrows(IllegalStateException.class, Loop::current);
        assertTrue(thrown.getMessage().contains("outside a running loop"), thrown.getMessage());
    }

    @Test
    void afterTheLoopReturnsCurrentFailsAgain() {
        try (Loop loop = new Loop()) {
            loop.runTask(() -> Loop.current());
        }
        assertThrows(IllegalStateException.class, Loop::current);
    }
}
