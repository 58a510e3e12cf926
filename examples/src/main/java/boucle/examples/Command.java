package boucle.examples;

import java.io.PrintStream;

/** One command of {@code boucle-examples.jar}: {@code java -jar boucle-examples.jar NAME [args]}. */
interface Command {
    String name();

    /** One line for the usage list. */
    String summary();

    /** Runs the command; returns the process exit status. */
    int run(String[] args, PrintStream out) throws Exception;
}
