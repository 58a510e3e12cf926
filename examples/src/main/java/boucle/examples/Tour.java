package boucle.examples;

import static boucle.core.Boucle.gather;
import static boucle.core.Boucle.runTask;
import static boucle.core.Boucle.runTasks;

import boucle.core.Loop;
import boucle.core.Waiter;
import java.io.PrintStream;
import java.time.Duration;

/** The seed's examples, in order, each under a {@code ## } header, printing exactly the seed's lines. */
final class Tour implements Command {
    private static final Duration ONE_SECOND = Duration.ofSeconds(1);
    private static final Duration SEVEN_TENTHS = Duration.ofMillis(700);

    @Override
    public String name() {
        return "tour";
    }

    @Override
    public String summary() {
        return "the seed's examples, in order: runTask, runTasks, sleep, Loop, gather";
    }

    @Override
    public int run(String[] args, PrintStream out) {
        if (args.length > 0) {
            out.println("usage: tour   (no options) runs the seed's five examples, about 4 seconds in all");
            return args[0].equals("--help") ? 0 : 2;
        }
        SeedCoroutines seed = new SeedCoroutines(out);

        out.println("## runTask(complexWork)");
        runTask(seed::complexWork);

        out.println("## runTasks(waitJob(waiter), countUpTo(waiter, 10))");
        Waiter waiter = new Waiter();
        runTasks(() -> seed.waitJob(waiter), () -> seed.countUpTo(waiter, 10));

        out.println("## runTasks(printMessages(1 s, foo bar baz), printMessages(0.7 s, aaa bbb ccc))");
        runTasks(() -> seed.printMessages(ONE_SECOND, "foo", "bar", "baz"),
                () -> seed.printMessages(SEVEN_TENTHS, "aaa", "bbb", "ccc"));

        try (Loop loop = new Loop()) {
            out.println("## loop.runTask(printMessages(foo bar baz))");
            loop.runTask(() -> seed.printMessages(ONE_SECOND, "foo", "bar", "baz"));

            out.println("## loop.runTask(gather(printMessages(...), printMessages(...)))");
            loop.runTask(() -> gather(() -> seed.printMessages(ONE_SECOND, "foo", "bar", "baz"),
                    () -> seed.printMessages(SEVEN_TENTHS, "aaa", "bbb", "ccc")));
        }
        return 0;
    }
}
