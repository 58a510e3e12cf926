package boucle.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The few statistics the report needs. */
final class Stats {
    private Stats() {
    }

    /** The median: the middle value, or the mean of the two middle ones; NaN for no value. */
    static double median(List<Double> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int middle = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
    }
}
