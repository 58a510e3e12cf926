package boucle.core;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails every core test during which a task failed with nothing awaiting it: an assertion in a
 * spawned task must fail its test, not be logged and forgotten. Registered for every test class
 * through the extension service file. A test that means to leave a failure unawaited sets its
 * loop's {@link Loop#setUnobservedFailureHandler handler}, which is then not logged; a test of the
 * logging itself is tagged {@value #EXPECTED}.
 */
public final class NoUnobservedFailures implements BeforeEachCallback, AfterEachCallback {
    /** The tag of a test that checks the default logging of an unobserved failure. */
    static final String EXPECTED = "logs-unobserved-failure";
    private static final ExtensionContext.Namespace HERE = ExtensionContext.Namespace.create(NoUnobservedFailures.class);

    @Override
    public void beforeEach(ExtensionContext context) {
        context.getStore(HERE).put("log", new LogCapture());
    }

    @Override
    public void afterEach(ExtensionContext context) {
        try (LogCapture log = context.getStore(HERE).remove("log", LogCapture.class)) {
            List<String> lost = log.warningsAbout("nothing awaited it");
            if (!lost.isEmpty() && !context.getTags().contains(EXPECTED)) {
                AssertionError error = new AssertionError("a task failed and nothing awaited it: " + lost);
                log.records.stream().filter(r -> r.getThrown() != null).forEach(r -> error.addSuppressed(r.getThrown()));
                throw error;
            }
        }
    }
}
