package boucle.bench;

import java.io.IOException;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the JMH microbenchmarks of this module ({@code *Benchmark} classes), each Boucle benchmark
 * beside its baseline in the same run, one fork each, and saves the scores in ns per operation.
 */
final class MicroBenchmarks {
    static final String FILE = "micro.tsv";

    private final Settings settings;

    MicroBenchmarks(Settings settings) {
        this.settings = settings;
    }

    Table run() throws RunnerException, IOException {
        System.setProperty("jmh.ignoreLock", "true"); // another JMH run on the machine must not abort this one
        ChainedOptionsBuilder options = new OptionsBuilder()
                .include("boucle\\.bench\\.[A-Za-z]+Benchmark\\.")
                .shouldFailOnError(true)
                .forks(1);
        if (settings.quick()) {
            options.warmupIterations(1).warmupTime(TimeValue.milliseconds(200))
                    .measurementIterations(1).measurementTime(TimeValue.milliseconds(300));
        }
        Collection<RunResult> results = new Runner(options.build()).run();
        Table table = new Table("benchmark", "method", "params", "ns_per_op", "error_ns");
        List<RunResult> sorted = results.stream()
                .sorted(Comparator.comparing((RunResult r) -> r.getParams().getBenchmark())
                        .thenComparing(r -> params(r.getParams())))
                .toList();
        for (RunResult result : sorted) {
            String benchmark = result.getParams().getBenchmark();
            String simple = benchmark.substring(benchmark.lastIndexOf('.', benchmark.lastIndexOf('.') - 1) + 1);
            int dot = simple.indexOf('.');
            table.add(simple.substring(0, dot), simple.substring(dot + 1), params(result.getParams()),
                    String.format("%.2f", result.getPrimaryResult().getScore()),
                    String.format("%.2f", result.getPrimaryResult().getScoreError()));
        }
        table.save(settings.work().resolve(FILE));
        return table;
    }

    private static String params(BenchmarkParams params) {
        StringBuilder text = new StringBuilder();
        for (String key : params.getParamsKeys()) {
            text.append(text.isEmpty() ? "" : ",").append(key).append('=').append(params.getParam(key));
        }
        return text.isEmpty() ? "-" : text.toString();
    }
}
