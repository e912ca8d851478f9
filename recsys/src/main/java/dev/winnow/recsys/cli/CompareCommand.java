package dev.winnow.recsys.cli;

import dev.winnow.engine.io.RunLock;
import dev.winnow.engine.backend.Backend;
import dev.winnow.recsys.perf.DensityCrossover;
import dev.winnow.kernels.BackendChoice;
import dev.winnow.kernels.Backends;
import dev.winnow.recsys.data.DataSource;
import dev.winnow.recsys.data.LoadedRatings;
import dev.winnow.recsys.data.MovieLensReader;
import dev.winnow.recsys.data.RatingData;
import dev.winnow.recsys.data.RatingSplit;
import dev.winnow.recsys.data.Splits;
import dev.winnow.recsys.method.Comparison;
import dev.winnow.recsys.method.CurvePoint;
import dev.winnow.recsys.method.FeatureTask;
import dev.winnow.recsys.method.Method;
import dev.winnow.recsys.method.MethodConfig;
import dev.winnow.recsys.method.MethodPresets;
import dev.winnow.recsys.method.ProgressSink;
import dev.winnow.recsys.method.RatingTask;
import dev.winnow.recsys.method.RegressionTask;
import dev.winnow.recsys.method.RunFile;
import dev.winnow.recsys.model.NcfConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code winnow compare}: the paper's methods side by side, with results files, curves and plots. */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = "Run teacher, student, SAD, SP-SAD, LTH-SAD, SS-SAD, LTH (and DCNN on movie features) and "
                + "compare them: results.json, results.csv, curves.csv and PNG plots in --out.")
public final class CompareCommand implements Callable<Integer> {

    @Option(names = "--data", defaultValue = "synthetic", paramLabel = "synthetic|DIR",
            description = "Data: 'synthetic' (embedded) or a data directory. Default: ${DEFAULT-VALUE}.")
    String data;

    @Option(names = "--features", paramLabel = "GROUP",
            description = "Movie task: numerical|social|categorical|textual|historical|all (each group trained alone as"
                    + " in the paper's Table 4; all = the paper's four), or groups joined with '+' (numerical+historical)."
                    + " With --data synthetic it uses the embedded synthetic films.")
    String features;

    @Option(names = "--train-from", paramLabel = "YEAR",
            description = "Movie task: first release year of the training films (default: all up to 2013).")
    Integer trainFrom;

    @Option(names = "--fold", paramLabel = "K",
            description = "MovieLens 100K: train and test on canonical fold uK (1..5) instead of a random split; the "
                    + "validation set is a seeded 10%% of the fold's training ratings.")
    Integer fold;

    @Option(names = "--methods", split = ",", paramLabel = "METHOD",
            description = "Comma-separated methods (default: all that apply to the data).")
    List<String> methodNames;

    @Option(names = "--preset", defaultValue = "quick", paramLabel = "NAME",
            description = "quick: minutes on 2 cores; paper-literal: Table 2 of the paper with one global LR schedule; "
                    + "paper-per-round: the schedule restarted at every prune event; paper-decay0.1: decay 0.1 at "
                    + "the milestones; paper: " + MethodPresets.PAPER + ". Default: ${DEFAULT-VALUE}.")
    String preset;

    @Option(names = "--seeds", defaultValue = "1", description = "Number of seeds (seed, seed+1, ...).")
    int seeds;

    @Option(names = "--seed", defaultValue = "0", description = "First seed. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--threads", defaultValue = "1", description = "CPU threads. Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(names = "--backend", defaultValue = "auto", paramLabel = Backends.CHOICES,
            description = "Compute backend; auto = CUDA if a device answers, else CPU. Default: ${DEFAULT-VALUE}.")
    String backendName;

    @Option(names = "--allow-fallback", description = "With --backend cuda or opencl: run on the CPU when the device "
            + "cannot be used (the reason is logged) instead of refusing.")
    boolean allowFallback;

    @Option(names = "--out", paramLabel = "DIR", description = "Output directory (required unless --resume).")
    Path out;

    @Option(names = "--resume", paramLabel = "DIR",
            description = "Continue an interrupted comparison in DIR with the options it was started with.")
    Path resume;

    @Option(names = "--run-file", paramLabel = "FILE", description = "YAML/JSON file of settings (see docs/methods.md).")
    Path runFile;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Setting for every method, e.g. --set epochs=5.")
    List<String> settings = new ArrayList<>();

    @Option(names = "--rewind-iteration", paramLabel = "K",
            description = "LTH-SAD/LTH/SS-SAD rewind to the state after K optimiser steps instead of initialisation.")
    Integer rewindIteration;

    @Option(names = "--sparse-threshold", paramLabel = "DENSITY",
            description = "Pruned layers at or below this weight density run in CSR form, above it as masked dense "
                    + "GEMMs (the two agree to 1e-5, not bit for bit). Default: the crossover measured once on this "
                    + "machine (cached). The value used is kept in run.json for --resume and in results.json.")
    Double sparseThreshold;

    @Option(names = "--skip-bad-lines", description = "Skip malformed lines of the ratings file (and report how many) "
            + "instead of stopping at the first. Kept in run.json for --resume.")
    boolean skipBadLines;

    @Option(names = "--stop-after-epoch", hidden = true, description = "Testing aid: stop every run after this epoch.")
    Integer stopAfterEpoch;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /** Options --resume may come with: everything else is the saved run's and is refused rather than ignored. */
    private static final java.util.Set<String> RESUME_OPTIONS = java.util.Set.of("--resume", "--stop-after-epoch",
            "--allow-fallback");

    /** How deep a run writes: DIR/models/METHOD-seedN/checkpoint.wck. */
    private static final int RUN_TREE_DEPTH = 3;

    /** What a comparison runs: its options once the run file has had its say, the methods and their settings. */
    private record Plan(CompareOptions options, boolean movies, List<Method> methods,
                        Map<Method, MethodConfig> configs) {
    }

    @Override
    public Integer call() throws IOException {
        CompareOptions options = resume != null ? resumedOptions() : givenOptions();
        options.check();
        Backends.check(options.backend(), allowFallback);
        Plan plan = plan(options);
        Path dir = resume != null ? resume : out;
        if (resume == null) {
            // before the data is loaded: a place that cannot be written is refused before any work
            WinnowCli.checkOutputDirectory("--out", out);
        }
        // Before anything in DIR is judged or written (its checkpoints, run.json) and before the data is loaded: a
        // second run into DIR, or a second --resume of it, is refused at once instead of mixing its files with ours.
        try (RunLock lock = RunLock.directory(resume != null ? "--resume" : "--out", dir, RUN_TREE_DEPTH)) {
            return compare(dir, plan);
        }
    }

    private CompareOptions givenOptions() {
        if (out == null) {
            throw new IllegalArgumentException("--out DIR is required (or --resume DIR to continue a run)");
        }
        return new CompareOptions(data, MethodPresets.canonical(preset), seeds, seed, threads, fold, backendName,
                skipBadLines, features, trainFrom, methodNames == null ? null : String.join(",", methodNames),
                runFile == null ? null : runFile.toString(), String.join("\n", settings), rewindIteration,
                sparseThreshold);
    }

    private CompareOptions resumedOptions() throws IOException {
        List<String> conflicting = new ArrayList<>();
        for (picocli.CommandLine.Model.OptionSpec o : spec.commandLine().getParseResult().matchedOptions()) {
            if (!RESUME_OPTIONS.contains(o.longestName())) {
                conflicting.add(o.longestName());
            }
        }
        if (!conflicting.isEmpty()) {
            throw new IllegalArgumentException("--resume continues with the options saved in " + resume
                    + "/run.json; drop " + String.join(", ", conflicting) + " (or start a new run with --out)");
        }
        return CompareOptions.read(resume);
    }

    /** The task, methods and settings the options ask for, refused here if they do not fit together. */
    private static Plan plan(CompareOptions o) {
        boolean movies = o.features() != null || isMovieDirectory(o.data());
        checkTask(o, movies);
        Map<Method, MethodConfig> configs = MethodPresets.preset(o.preset(), movies);
        List<Method> fromRunFile = null;
        if (o.runFile() != null) {
            RunFile rf = RunFile.read(Path.of(o.runFile()));
            if (rf.preset() != null) {
                configs = MethodPresets.preset(rf.preset(), movies);
            }
            o = o.with(rf);
            fromRunFile = rf.methods();
            configs = rf.apply(configs);
        }
        configs = applySettings(configs, o.settings(), o.rewindIteration());
        o.checkSeeds();
        List<Method> methods = methods(o.methodNames(), fromRunFile, movies);
        checkPerMethod(methods, configs);
        return new Plan(movies && o.features() == null ? o.withFeatures("all") : o, movies, methods, configs);
    }

    /** --fold belongs to MovieLens 100K ratings, --train-from to the movie task. */
    private static void checkTask(CompareOptions o, boolean movies) {
        if (o.fold() != null && movies) {
            throw new IllegalArgumentException("--fold picks a MovieLens 100K fold u1-u5 for the rating task; the "
                    + "movie task splits by release year (--train-from YEAR)");
        }
        if (o.fold() != null && (o.fold() < 1 || o.fold() > 5)) {
            throw new IllegalArgumentException("--fold must be 1..5, got " + o.fold());
        }
        if (o.trainFrom() != null && !movies) {
            throw new IllegalArgumentException("--train-from applies to the movie task (--features, or a directory of "
                    + "movie data), not to rating data");
        }
    }

    /** --methods, else the run file's methods, else every method that applies to the data. */
    private static List<Method> methods(List<String> names, List<Method> fromRunFile, boolean movies) {
        List<Method> methods = fromRunFile;
        if (names != null) {
            if (names.isEmpty() || names.stream().anyMatch(String::isBlank)) {
                throw new IllegalArgumentException("--methods names an empty method; give a comma-separated list "
                        + "such as SAD,LTH-SAD (leave --methods out for all methods)");
            }
            methods = new ArrayList<>();
            for (String n : names) {
                Method m = Method.parse(n);
                if (methods.contains(m)) {
                    throw new IllegalArgumentException("--methods names " + m.label() + " twice; name each method "
                            + "once");
                }
                methods.add(m);
            }
        }
        if (methods == null) {
            methods = new ArrayList<>(List.of(Method.TEACHER, Method.STUDENT, Method.SAD, Method.SP_SAD,
                    Method.LTH_SAD, Method.SS_SAD, Method.LTH));
            if (movies) {
                methods.add(Method.DCNN);
            }
        }
        if (methods.contains(Method.DCNN) && !movies) {
            throw new IllegalArgumentException("--methods: DCNN predicts movie ratings from movie features and does "
                    + "not apply to user-item rating data");
        }
        return methods;
    }

    private int compare(Path dir, Plan plan) throws IOException {
        if (resume == null) {
            refuseEarlierCheckpoints(dir);
        }
        CompareOptions o = plan.options();
        PrintStream log = System.out;
        RegressionTask task = plan.movies() ? movieTask(o, log) : ratingTask(o, log);
        Files.createDirectories(dir);
        BackendChoice choice = Backends.select(o.backend(), o.threads(), allowFallback);
        try (Backend backend = choice.backend()) {
            // One value for the whole run, handed to every model, and saved before the first epoch: a resumed run
            // must split its layers into CSR and masked dense exactly as the interrupted one did, whatever this
            // machine's cache says by then. No layer is masked without a pruning method: nothing to choose, and
            // results.json says so (null).
            boolean prunes = plan.methods().stream().anyMatch(Method::prunes);
            o = o.withSparseThreshold(!prunes ? null
                    : o.sparseThreshold() != null ? o.sparseThreshold() : DensityCrossover.threshold(backend));
            if (resume == null) {
                o.write(dir);
            }
            String backendLine = choice.describe();
            log.printf(Locale.ROOT, "data %s: %d train / %d validation / %d test rows; preset %s; %d seed(s); "
                            + "backend %s%s%n", task.info().name(), task.size(RegressionTask.Part.TRAIN),
                    task.size(RegressionTask.Part.VALIDATION), task.size(RegressionTask.Part.TEST), o.preset(),
                    o.seeds(), backendLine, o.sparseThreshold() == null ? "" : String.format(Locale.ROOT,
                            "; pruned layers as CSR at density <= %.4f", o.sparseThreshold()));
            Comparison c = new Comparison(task, backend, backendLine, plan.methods(), plan.configs(), o.preset(),
                    o.seeds(), o.seed(), dir, log, progressLines(log)).sparseThreshold(o.sparseThreshold());
            if (stopAfterEpoch != null) {
                c.stopAfterEpoch(stopAfterEpoch);
            }
            c.run();
            log.println("wrote " + dir.resolve("results.json") + ", results.csv, curves.csv, test_mae.png, "
                    + "test_mse.png, error_vs_density.png");
        }
        return 0;
    }

    private static void refuseEarlierCheckpoints(Path dir) throws IOException {
        Path ckpts = dir.resolve("checkpoints");
        if (Files.isDirectory(ckpts)) {
            try (var files = Files.list(ckpts)) {
                if (files.findAny().isPresent()) {
                    throw new IllegalArgumentException("--out " + dir + " already holds checkpoints of an earlier run; "
                            + "continue it with --resume " + dir + " or choose another --out");
                }
            }
        }
    }

    /** What one method's settings must satisfy beyond MethodConfig's own ranges, which hold for every method. */
    private static void checkPerMethod(List<Method> methods, Map<Method, MethodConfig> configs) {
        for (Method m : methods) {
            configs.get(m).checkFor(m);
        }
    }

    private static Map<Method, MethodConfig> applySettings(Map<Method, MethodConfig> configs, List<String> settings,
                                                          Integer rewindIteration) {
        Map<Method, MethodConfig> out = new java.util.EnumMap<>(configs);
        for (String s : settings) {
            int eq = s.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--set expects KEY=VALUE, got '" + s + "'");
            }
            try {
                out.replaceAll((m, c) -> c.with(s.substring(0, eq), s.substring(eq + 1)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--set " + s + ": " + e.getMessage());
            }
        }
        if (rewindIteration != null) {
            out.replaceAll((m, c) -> c.with("rewind_iteration", String.valueOf(rewindIteration)));
        }
        return out;
    }

    private static boolean isMovieDirectory(String spec) {
        if (spec == null || spec.equals("synthetic")) {
            return false;
        }
        Path d = Path.of(spec);
        return Files.isRegularFile(d.resolve("movie_metadata.csv"))
                || Files.isRegularFile(d.resolve("imdb-5000").resolve("movie_metadata.csv"));
    }

    private static RegressionTask movieTask(CompareOptions o, PrintStream log) {
        Path dir = o.data().equals("synthetic") ? null : Path.of(o.data());
        return FeatureTask.load(dir, o.features(), o.seed(), o.trainFrom(), log);
    }

    private static RegressionTask ratingTask(CompareOptions o, PrintStream log) {
        long seed = o.seed();
        LoadedRatings loaded = DataSource.load(o.data(), seed, o.skipBadLines());
        if (loaded.skippedLines() > 0) {
            log.println("data " + MovieLensReader.describe(loaded));
        }
        Integer fold = o.fold();
        if (fold == null) {
            RatingData all = loaded.ratings();
            return new RatingTask(all.name(), Splits.random(all, 0.1, 0.1, seed), NcfConfig.TEACHER,
                    NcfConfig.STUDENT, loaded);
        }
        if (!loaded.format().equals("ml-100k")) {
            throw new IllegalArgumentException("--fold: the canonical folds u1-u5 are defined only for MovieLens 100K "
                    + "(u.data); this data set is " + loaded.format() + "; drop --fold for a seeded random split");
        }
        RatingSplit f = Splits.ml100kFold(loaded, fold);
        int[] perm = Splits.permutation(f.train().size(), seed);
        int nVal = f.train().size() / 10;
        RatingData validation = f.train().subset(java.util.Arrays.copyOfRange(perm, 0, nVal), "u" + fold + ".val");
        RatingData train = f.train().subset(java.util.Arrays.copyOfRange(perm, nVal, perm.length),
                "u" + fold + ".base-minus-val");
        return new RatingTask("ml-100k u" + fold, new RatingSplit("u" + fold, train, validation, f.test()),
                NcfConfig.TEACHER, NcfConfig.STUDENT, loaded);
    }

    private static ProgressSink progressLines(PrintStream log) {
        return new ProgressSink() {
            @Override
            public void epoch(String method, long s, CurvePoint p, int epochs, double eta) {
                log.printf(Locale.ROOT, "[%s seed %d] epoch %d/%d  round %d  density %.3f%s  loss %.4f  val RMSE "
                                + "%.4f  test RMSE %.4f%s  ETA %s%n", method, s, p.epoch(), epochs, p.round(),
                        p.density(), p.mlpDensity() == p.density() ? ""
                                : String.format(Locale.ROOT, " (MLP %.3f)", p.mlpDensity()), p.trainLoss(), p.valRmse(), p.testRmse(), p.event().isEmpty() ? "" : "  [" + p.event() + "]",
                        eta(eta));
            }

            @Override
            public void note(String method, long s, String message) {
                log.printf(Locale.ROOT, "[%s seed %d] %s%n", method, s, message);
            }
        };
    }

    private static String eta(double seconds) {
        long s = Math.round(seconds);
        return s >= 60 ? (s / 60) + "m" + (s % 60) + "s" : s + "s";
    }
}
