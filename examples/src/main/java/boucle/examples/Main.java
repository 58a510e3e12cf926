package boucle.examples;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

/** The command line of {@code boucle-examples.jar}: picks a command by name, or prints usage. */
public final class Main {
    private static final List<Command> COMMANDS = List.of(new Tour(), new Echo(), new Chat());

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        // one line per log record ("INFO boucle.net: connection from ...: Connection reset"), not JUL's two
        System.setProperty("java.util.logging.SimpleFormatter.format", "%4$s %3$s: %5$s%6$s%n");
        System.exit(run(args, System.out));
    }

    static int run(String[] args, PrintStream out) throws Exception {
        if (args.length == 0 || args[0].equals("help") || args[0].equals("--help") || args[0].equals("-h")) {
            usage(out);
            return 0;
        }
        for (Command command : COMMANDS) {
            if (command.name().equals(args[0])) {
                return command.run(Arrays.copyOfRange(args, 1, args.length), out);
            }
        }
        System.err.println("unknown command '" + args[0] + "'");
        usage(System.err);
        return 2;
    }

    static void usage(PrintStream out) {
        out.println("usage: java -jar boucle-examples.jar COMMAND [options]");
        out.println();
        out.println("commands:");
        for (Command command : COMMANDS) {
            out.printf("  %-8s %s%n", command.name(), command.summary());
        }
        out.println();
        out.println("'COMMAND --help' tells more about one command.");
    }
}
