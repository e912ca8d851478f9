package dev.winnow.recsys.method;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.sparse.ExecutionPolicy;
import dev.winnow.recsys.report.CurvesWriter;
import dev.winnow.recsys.report.EnergyMeter;
import dev.winnow.recsys.report.Plots;
import dev.winnow.recsys.report.ResultsWriter;
import dev.winnow.recsys.report.RunResult;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs a list of methods over several seeds on one task (the teacher first, once per seed, when a distilling method
 * needs it), then writes results.json / results.csv / curves.csv and the plots, and prints the paper-style table.
 */
public final class Comparison {
    private final RegressionTask task;
    private final Backend backend;
    private final String backendDescription;
    private final List<Method> methods;
    private final Map<Method, MethodConfig> configs;
    private final String preset;
    private final int seeds;
    private final long firstSeed;
    private final Path out;
    private final PrintStream log;
    private final ProgressSink progress;
    private int stopAfterEpoch = Integer.MAX_VALUE;
    private Double sparseThreshold;

    public Comparison(RegressionTask task, Backend backend, String backendDescription, List<Method> methods,
                      Map<Method, MethodConfig> configs, String preset, int seeds, long firstSeed, Path out,
                      PrintStream log, ProgressSink progress) {
        this.task = task;
        this.backend = backend;
        this.backendDescription = backendDescription;
        this.methods = List.copyOf(methods);
        this.configs = configs;
        this.preset = preset;
        this.seeds = seeds;
        this.firstSeed = firstSeed;
        this.out = out;
        this.log = log;
        this.progress = progress;
    }

    /** For tests of resuming: every method run stops (throws) after this epoch. */
    public Comparison stopAfterEpoch(int epoch) {
        this.stopAfterEpoch = epoch;
        return this;
    }

    /**
     * The density at or below which pruned layers run as CSR (masked dense above), recorded in results.json; null:
     * no method prunes, every layer runs dense.
     */
    public Comparison sparseThreshold(Double threshold) {
        this.sparseThreshold = threshold;
        return this;
    }

    public List<MethodOutcome> run() throws IOException {
        Files.createDirectories(out.resolve("checkpoints"));
        EnergyMeter meter = EnergyMeter.rapl();
        log.println("energy: " + meter.describe());
        List<MethodOutcome> outcomes = new ArrayList<>();
        boolean needTeacher = methods.stream().anyMatch(Method::usesTeacher);
        for (int s = 0; s < seeds; s++) {
            long seed = firstSeed + s;
            TapModel teacher = null;
            if (needTeacher || methods.contains(Method.TEACHER)) {
                MethodRun t = newRun(Method.TEACHER, seed, null);
                MethodOutcome o = measured(t, meter);
                teacher = t.student();
                teacher.train(false);
                if (methods.contains(Method.TEACHER)) {
                    outcomes.add(o);
                }
            }
            for (Method m : methods) {
                if (m == Method.TEACHER) {
                    continue;
                }
                outcomes.add(measured(newRun(m, seed, m.usesTeacher() ? teacher : null), meter));
            }
        }
        write(outcomes);
        return outcomes;
    }

    private MethodRun newRun(Method m, long seed, TapModel teacher) {
        MethodConfig cfg = configs.get(m);
        if (cfg == null) {
            throw new IllegalArgumentException("no configuration for method " + m.label());
        }
        Path ckpt = out.resolve("checkpoints").resolve(m.label() + "-seed" + seed + ".ckpt");
        return new MethodRun(task, backend, m, cfg, seed, teacher, progress, ckpt).stopAfterEpoch(stopAfterEpoch)
                .executionPolicy(sparseThreshold == null ? ExecutionPolicy.MASKED
                        : ExecutionPolicy.byDensity(sparseThreshold));
    }

    private MethodOutcome measured(MethodRun run, EnergyMeter meter) throws IOException {
        meter.start();
        MethodOutcome o = run.run();
        Double joules = meter.stop();
        // the winning ticket (run.student() holds the best-validation state after run()) is what export needs
        Path modelDir = out.resolve("models").resolve(o.method().label() + "-seed" + o.seed());
        log.println(o.method().label() + " seed " + o.seed() + ": model " + task.saveModel(run.student(), o.seed(),
                modelDir));
        RunResult r = o.result();
        if (joules != null) {
            r = r.withTiming(r.trainSeconds(), r.inferSamplesPerSecond(), joules, r.epochs());
        }
        return new MethodOutcome(o.method(), o.seed(), r, o.curve(), o.rounds(), o.winningState(), o.finalValMse());
    }

    private void write(List<MethodOutcome> outcomes) throws IOException {
        List<RunResult> rows = new ArrayList<>();
        List<CurvePoint> points = new ArrayList<>();
        for (MethodOutcome o : outcomes) {
            rows.add(o.result());
            points.addAll(o.curve());
        }
        ResultsWriter.write(out, task.info(), backendDescription, sparseThreshold, preset, seeds, rows);
        CurvesWriter.write(out.resolve("curves.csv"), points);
        Plots.write(out, outcomes);
        printTable(outcomes);
        TicketReport.print(outcomes, log);
    }

    private void printTable(List<MethodOutcome> outcomes) {
        log.println();
        log.printf(Locale.ROOT, "%-8s %-16s %-16s %-16s %8s %8s %10s %10s %9s %12s %9s%n", "method", "MAE", "MSE",
                "RMSE", "density", "MLP dens", "nonzero", "bytes", "train s", "infer/s", "energy J");
        for (Method m : Method.values()) {
            List<RunResult> rs = new ArrayList<>();
            for (MethodOutcome o : outcomes) {
                if (o.method() == m) {
                    rs.add(o.result());
                }
            }
            if (rs.isEmpty()) {
                continue;
            }
            RunResult first = rs.get(0);
            Double energy = first.energyJoules();
            log.printf(Locale.ROOT, "%-8s %-16s %-16s %-16s %8.3f %8.3f %10d %10d %9.1f %12.0f %9s%n", m.label(),
                    meanSd(rs, RunResult::mae), meanSd(rs, RunResult::mse), meanSd(rs, RunResult::rmse),
                    mean(rs, RunResult::density), mean(rs, r -> r.densityMlp() == null ? r.density()
                            : r.densityMlp()), first.nonzeroParams(), first.modelBytes(),
                    mean(rs, RunResult::trainSeconds), mean(rs, RunResult::inferSamplesPerSecond),
                    energy == null ? "n/a" : String.format(Locale.ROOT, "%.1f", energy));
        }
    }

    static double mean(List<RunResult> rs, java.util.function.Function<RunResult, Double> f) {
        double s = 0;
        for (RunResult r : rs) {
            s += f.apply(r);
        }
        return s / rs.size();
    }

    static double sd(List<RunResult> rs, java.util.function.Function<RunResult, Double> f) {
        if (rs.size() < 2) {
            return 0;
        }
        double m = mean(rs, f);
        double s = 0;
        for (RunResult r : rs) {
            double d = f.apply(r) - m;
            s += d * d;
        }
        return Math.sqrt(s / (rs.size() - 1));
    }

    private static String meanSd(List<RunResult> rs, java.util.function.Function<RunResult, Double> f) {
        if (rs.size() < 2) {
            return String.format(Locale.ROOT, "%.4f", mean(rs, f));
        }
        return String.format(Locale.ROOT, "%.4f±%.4f", mean(rs, f), sd(rs, f));
    }
}
