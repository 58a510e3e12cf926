package boucle.core;

import static boucle.core.Boucle.interrupt;
import static boucle.core.Boucle.sleep;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class TaskGroupTest {
    private final List<String> events = new ArrayList<>();

    @Test
    void runReturnsOnlyOnceEveryChildHasFinished() {
        try (Loop loop = new Loop()) {
            String result = loop.runTask(() -> {
                String body = TaskGroup.run(group -> {
                    group.spawn(() -> {
                        sleep(Duration.ofMillis(20));
                        events.add("slow child");
                    });
                    group.spawn(() -> events.add("quick child"));
                    return "body's result";
                });
                events.add("run returned");
                return body;
            });
            assertEquals("body's result", result);
            assertEquals(List.of("quick child", "slow child", "run returned"), events);
        }
    }

    @Test
    void theFirstFailureCancelsTheSiblingsAndIsRethrownWithTheOthersSuppressed() {
        try (Loop loop = new Loop()) {
            IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> loop.runTask(() ->
                    TaskGroup.run(group -> {
                        group.spawn("sleeper", () -> {
                            try {
                                sleep(Duration.ofHours(1));
                            } finally {
                                events.add("sleeper cancelled");
                            }
                        });
                        group.spawn("first", () -> {
                            interrupt();
                            throw new IllegalStateException("first failure");
                        });
                        group.spawn("second", () -> {
                            try {
                                sleep(Duration.ofHours(1));
                            } catch (CancelledException cancelled) {
                                throw new IllegalArgumentException("second failure, while cancelled");
                            }
                        });
                        sleep(Duration.ofHours(1));
                        events.add("body never gets here");
                        return null;
                    })));
            assertEquals("first failure", thrown.getMessage());
            assertEquals(List.of("second failure, while cancelled"),
                    Arrays.stream(thrown.getSuppressed()).map(Throwable::getMessage).toList());
            assertEquals(List.of("sleeper cancelled"), events);
            assertEquals(0, loop.pendingTimers());
        }
    }

    @Test
    void aFailingBodyCancelsTheChildrenAndWaitsForThem() {
        try (Loop loop = new Loop()) {
            assertThrows(UnsupportedOperationException.class, () -> loop.runTask(() ->
                    TaskGroup.run(group -> {
                        group.spawn(() -> {
                            try {
                                sleep(Duration.ofHours(1));
                            } finally {
                                interrupt(); // its cleanup takes a turn: run must still wait for it
                                events.add("child cleaned up");
                            }
                        });
                        interrupt();
                        throw new UnsupportedOperationException("body failed");
                    })));
            assertEquals(List.of("child cleaned up"), events);
        }
    }

    @Test
    void aCheckedChildFailureIsWrapped() {
        try (Loop loop = new Loop()) {
            TaskFailedException thrown = assertThrows(TaskFailedException.class, () -> loop.runTask(() ->
                    TaskGroup.run(group -> {
                        group.spawn(() -> {
                            throw new IOException("disk on fire");
                        });
                        return null;
                    })));
            assertInstanceOf(IOException.class, thrown.getCause());
        }
    }

    @Test
    void cancellingTheOwnerCancelsTheChildrenAndRunStillWaitsForThem() {
        try (Loop loop = new Loop()) {
            Task<Object> owner = loop.spawn(() -> TaskGroup.run(group -> {
                group.spawn(() -> {
                    try {
                        sleep(Duration.ofHours(1));
                    } finally {
                        interrupt();
                        events.add("child ended");
                    }
                });
                return "never";
            }));
            loop.callSoon(() -> loop.callSoon(owner::cancel));
            assertThrows(CancelledException.class, () -> loop.runUntilComplete(owner));
            assertTrue(owner.isCancelled());
            assertEquals(List.of("child ended"), events);
            assertTrue(loop.tasks().isEmpty());
        }
    }

    @Test
    void spawningIntoAClosedGroupIsAnError() {
        try (Loop loop = new Loop()) {
            TaskGroup[] escaped = new TaskGroup[1];
            loop.runTask(() -> {
                TaskGroup.run(group -> escaped[0] = group);
                IllegalStateException thrown = assertThrows(IllegalStateException.class,
                        () -> escaped[0].spawn(() -> 1));
                assertTrue(thrown.getMessage().contains("closed"), thrown.getMessage());
            });
        }
    }

    @Test
    void childrenMaySpawnSiblingsWhileTheGroupIsOpen() {
        try (Loop loop = new Loop()) {
            loop.runTask(() -> TaskGroup.run(group -> {
                group.spawn(() -> {
                    interrupt();
                    group.spawn(() -> {
                        sleep(Duration.ofMillis(5));
                        events.add("grandchild-like sibling");
                    });
                });
                return null;
            }));
            assertEquals(List.of("grandchild-like sibling"), events);
        }
    }

    @Test
    void groupCancelEndsEverythingAndRunReturnsNormally() {
        try (Loop loop = new Loop()) {
            String result = loop.runTask(() -> TaskGroup.run(group -> {
                group.spawn(() -> sleep(Duration.ofHours(1)));
                Loop.current().callLater(Duration.ofMillis(5), group::cancel);
                try {
                    sleep(Duration.ofHours(1));
                } finally {
                    events.add("body cancelled");
                }
                return "not reached";
            }));
            assertNull(result);
            assertEquals(List.of("body cancelled"), events);
        }
    }

    @Test
    void aLongLivedGroupKeepsNoFinishedChildren() {
        try (Loop loop = new Loop()) {
            loop.runTask(() -> TaskGroup.run(group -> {
                for (int i = 0; i < 1_000; i++) {
                    group.spawn(() -> 1);
                }
                interrupt();
                interrupt();
                events.add("still running: " + group.tasks().size());
                return null;
            }));
            assertEquals(List.of("still running: 0"), events);
        }
    }

    @Test
    void gatherBuiltOnAGroupReturnsOnlyOnceTheCancelledTasksHaveEnded() {
        try (Loop loop = new Loop()) {
            Task<String> slowToStop = loop.spawn(() -> {
                try {
                    sleep(Duration.ofHours(1));
                    return "never";
                } finally {
                    Task.shielded(() -> {
                        sleep(Duration.ofMillis(10)); // a cleanup that takes time
                        events.add("cleanup done");
                        return null;
                    });
                }
            });
            Task<String> failing = loop.spawn(() -> {
                interrupt();
                throw new IllegalStateException("failed");
            });
            loop.runTask(() -> {
                assertThrows(IllegalStateException.class, () -> Boucle.gather(slowToStop, failing));
                events.add("gather threw");
            });
            assertEquals(List.of("cleanup done", "gather threw"), events);
        }
    }
}
