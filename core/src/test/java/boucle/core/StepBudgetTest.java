package boucle.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StepBudgetTest {
    private final List<String> events = new ArrayList<>();

    @Test
    void aTaskThatNeverWaitsYieldsToTheOthersOncePerBudget() {
        StepBudget budget = new StepBudget(4);
        try (Loop loop = new Loop()) {
            loop.spawn(() -> {
                for (int i = 0; i < 10; i++) {
                    budget.spend();
                    events.add("a" + i);
                }
            });
            loop.spawn(() -> {
                for (int j = 0; j < 3; j++) {
                    events.add("b" + j);
                    Boucle.interrupt();
                }
            });
            loop.run();
        }
        assertEquals(List.of("a0", "a1", "a2", "a3", "b0", "a4", "a5", "a6", "a7", "b1", "a8", "a9", "b2"), events);
        assertEquals(2, budget.yields());
    }

    @Test
    void eachStepStartsWithAFreshBudget() {
        StepBudget budget = new StepBudget(4);
        try (Loop loop = new Loop()) {
            loop.runTask(() -> {
                for (int step = 0; step < 5; step++) {
                    for (int i = 0; i < 4; i++) {
                        budget.spend();
                    }
                    Boucle.interrupt(); // the task gives the hand back by itself: its next step has 4 units again
                }
            });
        }
        assertEquals(0, budget.yields());
    }

    @Test
    void tasksTakingTurnsEachHaveTheirOwnBudget() {
        StepBudget budget = new StepBudget(3);
        try (Loop loop = new Loop()) {
            for (String name : List.of("x", "y")) {
                loop.spawn(() -> {
                    for (int i = 0; i < 3; i++) {
                        budget.spend();
                        events.add(name + i);
                    }
                });
            }
            loop.run();
        }
        assertEquals(List.of("x0", "x1", "x2", "y0", "y1", "y2"), events);
        assertEquals(0, budget.yields());
    }

    @Test
    void outsideATaskSpendingNeverYields() {
        StepBudget budget = new StepBudget(1);
        try (Loop loop = new Loop()) {
            loop.callSoon(() -> {
                for (int i = 0; i < 10; i++) {
                    budget.spend(); // a callback cannot yield: it runs once and ends
                }
                events.add("callback done");
            });
            loop.run();
        }
        assertEquals(List.of("callback done"), events);
        assertEquals(0, budget.yields());
    }

    @Test
    void aCancellationPendingAtTheYieldIsDelivered() {
        StepBudget budget = new StepBudget(2);
        try (Loop loop = new Loop()) {
            Task<Void> spinner = loop.spawn(() -> {
                while (true) {
                    budget.spend();
                }
            });
            loop.spawn(() -> { spinner.cancel(); }); // runs while the spinner has yielded at its budget
            assertThrows(CancelledException.class, () -> loop.runUntilComplete(spinner));
        }
        assertEquals(1, budget.yields());
    }

    @Test
    void aBudgetServesOneLoopAndRefusesAnotherBeforeAnyChange() {
        StepBudget budget = new StepBudget(1);
        try (Loop first = new Loop()) {
            first.runTask(budget::spend);
        }
        try (Loop second = new Loop()) {
            IllegalStateException refused = assertThrows(IllegalStateException.class, () -> second.runTask(() -> {
                budget.spend();
                budget.spend(); // not reached: a second-loop spend would yield here
            }));
            assertTrue(refused.getMessage().contains("another loop"), refused.getMessage());
        }
        assertEquals(0, budget.yields());
    }

    @Test
    void spendingFromAThreadOutsideAnyTaskChangesNothing() throws Exception {
        StepBudget budget = new StepBudget(1);
        Thread other = new Thread(() -> {
            for (int i = 0; i < 5; i++) {
                budget.spend();
            }
        });
        other.start();
        other.join();
        assertEquals(0, budget.yields());
    }

    @Test
    void aBudgetNeedsAtLeastOneUnit() {
        assertThrows(IllegalArgumentException.class, () -> new StepBudget(0));
    }
}
