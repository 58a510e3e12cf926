package boucle.core;

/**
 * Fails with one readable message when the JVM was started without access to
 * {@code jdk.internal.vm}, instead of the {@link IllegalAccessError} the first continuation
 * would otherwise throw from deep inside the loop.
 */
final class ExportCheck {
    static final String HOW_TO_FIX = "Boucle runs tasks on JDK continuations and needs "
            + "'--add-exports java.base/jdk.internal.vm=ALL-UNNAMED' on the java command line "
            + "(or 'Add-Exports: java.base/jdk.internal.vm' in a runnable jar's manifest).";

    private ExportCheck() {
    }

    private static final boolean EXPORTED =
            Object.class.getModule().isExported("jdk.internal.vm", ExportCheck.class.getModule());

    static void requireContinuationAccess() {
        if (!EXPORTED) {
            throw new MissingExportError(HOW_TO_FIX);
        }
    }

    /** Thrown by {@code new Loop(...)} (and the first use of a task) when the export is missing. */
    static final class MissingExportError extends IllegalStateException {
        MissingExportError(String message) {
            super(message);
        }

        @Override
        public Throwable fillInStackTrace() {
            return this; // the message is the whole story; a stack of loop internals is noise
        }
    }
}
