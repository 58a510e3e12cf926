package boucle.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class StatsTest {
    @Test
    void medianOfAnOddCountIsTheMiddleValue() {
        assertEquals(5.0, Stats.median(List.of(9.0, 1.0, 5.0)));
    }

    @Test
    void medianOfAnEvenCountIsTheMeanOfTheTwoMiddleValues() {
        assertEquals(4.0, Stats.median(List.of(1.0, 3.0, 5.0, 100.0)));
    }

    @Test
    void medianOfNothingIsNaN() {
        assertTrue(Double.isNaN(Stats.median(List.of())));
    }
}
