package dev.winnow.recsys.cli;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.backend.cpu.CpuBackend;
import dev.winnow.engine.io.RunLock;
import dev.winnow.engine.nn.Linear;
import dev.winnow.recsys.baseline.BiasBaseline;
import dev.winnow.recsys.baseline.BiasedMf;
import dev.winnow.recsys.baseline.GlobalMean;
import dev.winnow.recsys.baseline.RatingPredictor;
import dev.winnow.recsys.data.DataSource;
import dev.winnow.recsys.data.LoadedRatings;
import dev.winnow.recsys.data.MovieLensReader;
import dev.winnow.recsys.data.RatingData;
import dev.winnow.recsys.data.RatingSplit;
import dev.winnow.recsys.data.Splits;
import dev.winnow.recsys.metrics.ItemScorer;
import dev.winnow.recsys.metrics.RankingMetrics;
import dev.winnow.recsys.metrics.RegressionMetrics;
import dev.winnow.recsys.model.NcfConfig;
import dev.winnow.recsys.model.NcfModel;
import dev.winnow.recsys.report.DatasetInfo;
import dev.winnow.recsys.report.ResultsWriter;
import dev.winnow.recsys.report.RunResult;
import dev.winnow.recsys.train.EpochReport;
import dev.winnow.recsys.train.RatingTrainer;
import dev.winnow.recsys.train.TrainConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import dev.winnow.recsys.movies.Movie;
import dev.winnow.recsys.movies.MovieEval;
import dev.winnow.recsys.movies.MovieMerge;
import dev.winnow.recsys.movies.MovieSplit;
import dev.winnow.recsys.movies.SyntheticMovies;
import java.util.concurrent.Callable;

/**
 * {@code winnow eval}: trains one model and evaluates it on every fold (u1-u5) or seed (random, loo) of a split,
 * prints the numbers and writes them to {@code OUT/results.json} and {@code results.csv}.
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Train and evaluate one model (rating models on MovieLens or synthetic data; movie-feature "
                + "models on IMDB/TMDB) and write OUT/results.json.")
public final class EvalCommand implements Callable<Integer> {
    static final Set<String> RATING_MODELS = Set.of("mean", "bias", "mf", "ncf");
    static final Set<String> MOVIE_MODELS = Set.of("ridge", "featmlp", "featmlp-student", "dcnn", "dcnn-teacher");

    @Option(names = "--data", defaultValue = "synthetic", paramLabel = "synthetic|DIR",
            description = "'synthetic' (embedded) or a directory with u.data, ratings.dat or ratings.csv "
                    + "(or, for movie models, the IMDB 5000 data). Default: ${DEFAULT-VALUE}.")
    String data;

    @Option(names = "--model", required = true, paramLabel = "mean|bias|mf|ncf|ridge|featmlp|dcnn",
            description = "Model to train and evaluate.")
    String model;

    @Option(names = "--split", paramLabel = "random|u1-u5|loo|temporal",
            description = "Evaluation split. Default: u1-u5 for MovieLens 100K, random otherwise; temporal for "
                    + "movie models.")
    String split;

    @Option(names = "--train-from", paramLabel = "YEAR",
            description = "Movie models: first release year of the training films (the paper's literal 2000; "
                    + "default: every film released up to 2013).")
    Integer trainFrom;

    @Option(names = "--features", paramLabel = "GROUPS", description = "Movie feature groups (movie models only): numerical|social|categorical|textual|historical|all, or"
                    + " several joined with '+' (numerical+historical).")
    String features;

    @Option(names = "--seed", defaultValue = "0", description = "Seed for data, split, initialisation, shuffling.")
    long seed;

    @Option(names = "--seeds", defaultValue = "1",
            description = "Runs with seeds seed, seed+1, ... (with u1-u5: every fold per seed). Default: "
                    + "${DEFAULT-VALUE}.")
    int seeds;

    @Option(names = "--fold", paramLabel = "K", description = "With --split u1-u5: run only fold K (1..5).")
    Integer fold;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory for results.json/csv.")
    Path out;

    @Option(names = "--skip-bad-lines", description = "Skip malformed data lines (and report how many) instead of "
            + "stopping at the first.")
    boolean skipBadLines;

    @Option(names = "--test-fraction", defaultValue = "0.2", description = "Test share for --split random.")
    double testFraction;

    @Option(names = "--threads", defaultValue = "1", description = "CPU threads (ncf). Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(names = "--preset", defaultValue = "teacher", paramLabel = "student|teacher",
            description = "NCF preset (ncf only). Default: ${DEFAULT-VALUE}.")
    String preset;

    @Option(names = "--epochs", description = "Training epochs (mf, ncf); default: the model's own.")
    Integer epochs;

    @Option(names = "--lr", description = "Learning rate (mf, ncf); default: the model's own.")
    Float lr;

    @Option(names = "--factors", description = "Latent factors (mf); default: Surprise's 100.")
    Integer factors;

    @Option(names = "--reg", description = "L2 regularisation (mf); default: Surprise's 0.02.")
    Double reg;

    @Option(names = "--tune", description = "mf: choose factors, learning rate, regularisation and epochs on a "
            + "seeded 10%% validation carve of each training fold (grid in docs/data.md), then refit on the whole fold.")
    boolean tune;

    @Option(names = "--batch-size", description = "Mini-batch size (ncf); default: the preset's.")
    Integer batchSize;

    @Option(names = "--weight-decay", description = "Adam L2 weight decay (ncf); default: the preset's.")
    Float weightDecay;

    @Option(names = "--lr-decay", description = "Per-epoch learning-rate factor (ncf); default: the preset's.")
    Float lrDecay;

    @Option(names = "--lr-decay-start", paramLabel = "EPOCH",
            description = "Last epoch at the full learning rate before --lr-decay applies (ncf); default: the "
                    + "preset's.")
    Integer lrDecayStart;

    @Option(names = "--negatives", defaultValue = "99",
            description = "Negatives per case for the sampled ranking protocol (loo). Default: ${DEFAULT-VALUE}.")
    int negatives;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /** Opened by the first NCF run, shared by every fold, closed when the command ends. */
    private Backend backend;
    /** Taken on --out once the options are checked, released when the command ends. */
    private RunLock lock;

    @Override
    public Integer call() throws IOException {
        try {
            return evaluateAll(System.out);
        } finally {
            try {
                if (backend != null) {
                    backend.close();
                    backend = null;
                }
            } finally {
                if (lock != null) {
                    lock.close();
                    lock = null;
                }
            }
        }
    }

    private int evaluateAll(PrintStream console) throws IOException {
        boolean movieModel = checkOptions();
        WinnowCli.checkOutputDirectory("--out", out);
        // held until call() ends: a second eval into --out is refused before it trains anything
        lock = RunLock.directory("--out", out, 1);
        Evaluated e = movieModel ? evaluateMovieModel(console) : evaluateRatingModel(console);
        summarise(e.runs(), console);
        ResultsWriter.write(out, e.info(), "cpu", null, model.equals("ncf") ? preset : null, seeds, e.runs());
        console.println("wrote " + out.resolve("results.json"));
        return 0;
    }

    /** The runs of one eval and the dataset block of its results.json. */
    private record Evaluated(List<RunResult> runs, DatasetInfo info) {
    }

    /**
     * Refuses, before the data is read, options outside their range and options that do not apply to the chosen
     * model or split (they would be silently ignored); says whether the model is a movie model.
     */
    private boolean checkOptions() {
        if (seeds < 1) {
            throw new IllegalArgumentException("--seeds must be at least 1, got " + seeds);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("--threads must be at least 1, got " + threads);
        }
        checkNumbers();
        // "mean" is both a rating baseline and the movie task's predict-the-mean floor: --features picks the movie one
        boolean movieModel = MOVIE_MODELS.contains(model) || (features != null && model.equals("mean"));
        if (fold != null && movieModel) {
            throw new IllegalArgumentException("--fold picks a MovieLens 100K fold u1-u5 for the rating models; the "
                    + "movie model " + model + " uses --split temporal (with --train-from YEAR)");
        }
        if (fold != null && split != null && !split.equals("u1-u5")) {
            throw new IllegalArgumentException("--fold applies to --split u1-u5, not --split " + split
                    + "; drop --fold or use --split u1-u5");
        }
        if (!movieModel && !RATING_MODELS.contains(model)) {
            throw new IllegalArgumentException("--model: unknown model '" + model
                    + "'; expected mean, bias, mf, ncf, ridge, featmlp or dcnn");
        }
        refuseOptionsThatDoNotApply(movieModel);
        return movieModel;
    }

    private Evaluated evaluateMovieModel(PrintStream console) {
        String s = split == null ? "temporal" : split;
        if (trainFrom != null) {
            if (!s.equals("temporal")) {
                throw new IllegalArgumentException("--train-from applies to the temporal split, not --split " + s);
            }
            s = "temporal-from-" + trainFrom;
        }
        Path dir = DataSource.isSynthetic(data) ? null : Path.of(data);
        List<RunResult> runs = new ArrayList<>();
        for (int k = 0; k < seeds; k++) {
            runs.addAll(movieModel(dir, model, features, s, seed + k, console));
        }
        return new Evaluated(runs, movieInfo(dir, features, trainFrom, seed));
    }

    private Evaluated evaluateRatingModel(PrintStream console) {
        LoadedRatings loaded = DataSource.load(data, seed, skipBadLines);
        console.println("data " + (loaded.ratingsFile() == null ? loaded.ratings().name()
                : MovieLensReader.describe(loaded)));
        String s = split != null ? split : fold != null || loaded.format().equals("ml-100k") ? "u1-u5" : "random";
        List<RatingSplit> splits = splits(loaded, s);
        List<RunResult> runs = new ArrayList<>();
        if (s.equals("u1-u5")) {
            for (int k = 0; k < seeds; k++) {
                for (RatingSplit foldSplit : splits) {
                    runs.add(evaluate(foldSplit, s, seed + k, console));
                }
            }
        } else {
            for (int k = 0; k < splits.size(); k++) {
                runs.add(evaluate(splits.get(k), s, seed + k, console));
            }
        }
        RatingSplit first = splits.get(0);
        return new Evaluated(runs, new DatasetInfo(loaded.ratings().name() + " " + s, first.train().size(),
                first.test().size(), null));
    }

    /**
     * Options that only some models use: given to another model they would be ignored, so they are refused instead.
     * The scopes are checked in this order, and the options of one scope that were given are named together.
     */
    private enum Scope {
        MF("--model mf only", "--factors", "--reg", "--tune"),
        NCF("--model ncf only", "--batch-size", "--weight-decay", "--lr-decay", "--lr-decay-start"),
        MF_AND_NCF("--model mf and ncf only", "--epochs", "--lr"),
        RATING_FILES("the ratings files of the rating models", "--skip-bad-lines"),
        MOVIE_MODELS("the movie models (ridge, featmlp, dcnn, or mean with --features)", "--train-from",
                "--features");

        private final String models;
        private final List<String> options;

        Scope(String models, String... options) {
            this.models = models;
            this.options = List.of(options);
        }

        boolean admits(String model, boolean movieModel) {
            return switch (this) {
                case MF -> model.equals("mf");
                case NCF -> model.equals("ncf");
                case MF_AND_NCF -> model.equals("mf") || model.equals("ncf");
                case RATING_FILES -> !movieModel;
                case MOVIE_MODELS -> movieModel;
            };
        }
    }

    private void refuseOptionsThatDoNotApply(boolean movieModel) {
        picocli.CommandLine.ParseResult given = spec.commandLine().getParseResult();
        for (Scope scope : Scope.values()) {
            List<String> named = scope.options.stream().filter(given::hasMatchedOption).toList();
            if (!named.isEmpty() && !scope.admits(model, movieModel)) {
                throw new IllegalArgumentException(String.join(", ", named) + " applies to " + scope.models
                        + ", not to --model " + (movieModel ? model + " (a movie model)" : model));
            }
        }
    }

    /** The numeric options' ranges, written so that NaN fails them; infinities make no sense in any of them. */
    private void checkNumbers() {
        if (fold != null && (fold < 1 || fold > 5)) {
            throw new IllegalArgumentException("--fold must be 1..5, got " + fold);
        }
        if (!(testFraction > 0 && testFraction < 1)) {
            throw new IllegalArgumentException("--test-fraction must be in (0, 1), got " + testFraction);
        }
        if (lr != null && !(lr > 0f && Float.isFinite(lr))) {
            throw new IllegalArgumentException("--lr must be a finite number > 0, got " + lr);
        }
        if (reg != null && !(reg >= 0 && Double.isFinite(reg))) {
            throw new IllegalArgumentException("--reg must be a finite number >= 0, got " + reg);
        }
        if (weightDecay != null && !(weightDecay >= 0f && Float.isFinite(weightDecay))) {
            throw new IllegalArgumentException("--weight-decay must be a finite number >= 0, got " + weightDecay);
        }
        if (lrDecay != null && !(lrDecay > 0f && lrDecay <= 1f)) {
            throw new IllegalArgumentException("--lr-decay must be in (0, 1], got " + lrDecay);
        }
        if (epochs != null && epochs < 1) {
            throw new IllegalArgumentException("--epochs must be at least 1, got " + epochs);
        }
        if (factors != null && factors < 1) {
            throw new IllegalArgumentException("--factors must be at least 1, got " + factors);
        }
        if (batchSize != null && batchSize < 1) {
            throw new IllegalArgumentException("--batch-size must be at least 1, got " + batchSize);
        }
        if (lrDecayStart != null && lrDecayStart < 0) {
            throw new IllegalArgumentException("--lr-decay-start must be >= 0, got " + lrDecayStart);
        }
        if (negatives < 1) {
            throw new IllegalArgumentException("--negatives must be at least 1, got " + negatives);
        }
    }

    /**
     * The movie-feature models (ridge, featmlp, dcnn) live in {@code dev.winnow.recsys.movies}; this is the one place
     * that calls {@code MovieEval.evaluate(dataDir, model, features, split, seed, out)}.
     */
    static List<RunResult> movieModel(Path dataDir, String model, String features, String split, long seed,
                                      PrintStream out) {
        return MovieEval.evaluate(dataDir, model, features, split, seed, out);
    }

    /** The dataset block of results.json for the movie task: the same split MovieEval trained on. */
    private static DatasetInfo movieInfo(Path dataDir, String features, Integer trainFrom, long seed) {
        List<Movie> movies = dataDir == null ? SyntheticMovies.generate(SyntheticMovies.DEFAULT_SIZE, seed)
                : MovieMerge.load(dataDir).movies();
        MovieSplit sp = MovieSplit.temporal(movies, trainFrom, seed);
        String name = dataDir == null ? "synthetic-movies" : "imdb5000+tmdb5000";
        return new DatasetInfo(name, sp.train().size(), sp.test().size(), features == null ? "all" : features);
    }

    private List<RatingSplit> splits(LoadedRatings loaded, String s) {
        List<RatingSplit> list = new ArrayList<>();
        switch (s) {
            case "u1-u5":
                for (int k = 1; k <= 5; k++) {
                    if (fold == null || fold == k) {
                        list.add(Splits.ml100kFold(loaded, k));
                    }
                }
                if (list.isEmpty()) {
                    throw new IllegalArgumentException("--fold must be 1..5, got " + fold);
                }
                return list;
            case "random":
                if (!(testFraction > 0 && testFraction < 1)) {
                    throw new IllegalArgumentException("--test-fraction must be in (0, 1), got " + testFraction);
                }
                for (int k = 0; k < seeds; k++) {
                    list.add(Splits.random(loaded.ratings(), 0.0, testFraction, seed + k));
                }
                return list;
            case "loo":
                RatingSplit loo = Splits.leaveOneOutByTime(loaded.ratings());
                for (int k = 0; k < seeds; k++) {
                    list.add(loo);
                }
                return list;
            case "temporal":
                throw new IllegalArgumentException("--split temporal is the movie-feature split (ridge, featmlp, "
                        + "dcnn); for rating models use random, u1-u5 or loo");
            default:
                throw new IllegalArgumentException("--split: unknown split '" + s
                        + "'; expected random, u1-u5, loo or temporal");
        }
    }

    /** Surprise's defaults with the command line's overrides. */
    private BiasedMf.Config mfConfig(long runSeed) {
        BiasedMf.Config c = BiasedMf.Config.surpriseDefaults(runSeed);
        return new BiasedMf.Config(factors != null ? factors : c.factors(), epochs != null ? epochs : c.epochs(),
                lr != null ? lr : c.learningRate(), reg != null ? reg : c.reg(), c.initStd(), runSeed);
    }

    /** The grid searched by {@code --tune}: Surprise's defaults sit inside it. */
    static final int[] MF_FACTORS = {50, 100, 200};
    static final double[] MF_LR = {0.005, 0.01};
    static final double[] MF_REG = {0.02, 0.05, 0.1};
    static final int[] MF_EPOCHS = {20, 40, 60};

    private BiasedMf.Config tunedMf(RatingData train, long runSeed, PrintStream console) {
        if (factors != null || epochs != null || lr != null || reg != null) {
            throw new IllegalArgumentException("--tune chooses factors, epochs, lr and reg itself; drop those options "
                    + "or drop --tune");
        }
        RatingSplit carve = Splits.random(train, 0.0, 0.1, runSeed);
        BiasedMf.Tuned t = BiasedMf.tune(carve.train(), carve.test(), MF_FACTORS, MF_LR, MF_REG, MF_EPOCHS, runSeed);
        BiasedMf.Config c = t.config();
        console.printf(Locale.ROOT, "mf tuned on %d validation ratings (%d grid points): factors %d, epochs %d, lr %.4g,"
                + " reg %.4g (validation RMSE %.4f)%n", carve.test().size(), t.tried().size(), c.factors(),
                c.epochs(), c.learningRate(), c.reg(), t.validationRmse());
        return c;
    }

    /** Trains {@link #model} on one split and measures it; for loo also ranks. */
    private RunResult evaluate(RatingSplit sp, String splitName, long runSeed, PrintStream console) {
        RatingData train = sp.train();
        RatingData test = sp.test();
        if (test.size() == 0) {
            throw new IllegalArgumentException("split " + sp.name() + " has an empty test set; nothing to evaluate");
        }
        String fold = splitName.equals("u1-u5") ? sp.name() : splitName;
        int cold = coldRows(train, test);
        if (cold > 0) {
            console.printf(Locale.ROOT, "note: %d of %d test ratings have a user or item with no training rating "
                    + "(predicted from the other side's bias or the mean)%n", cold, test.size());
        }
        long t0 = System.nanoTime();
        Fitted fitted = fit(train, test, runSeed, console);
        double seconds = (System.nanoTime() - t0) / 1e9;
        RegressionMetrics m = RegressionMetrics.of(fitted.predicted(), test.rating());
        long params = fitted.params();
        RunResult r = RunResult.ofErrors(model, runSeed, fold, m.mae(), m.mse(), m.rmse())
                .withSize(1.0, params, params, params * 4, fitted.flops())
                .withTiming(seconds, null, null, fitted.epochs());
        String line = String.format(Locale.ROOT, "%-5s %-6s seed %d: RMSE %.4f  MAE %.4f  MSE %.4f  (%d train / %d "
                + "test, %.1fs)", model, fold, runSeed, m.rmse(), m.mae(), m.mse(), train.size(), test.size(), seconds);
        if (splitName.equals("loo")) {
            RankingMetrics full = RankingMetrics.fullRanking(fitted.scorer(), train, test, 10);
            RankingMetrics sampled = RankingMetrics.sampled(fitted.scorer(), train, test, 10, negatives, runSeed);
            r = r.withRanking(full.hitRate(), full.ndcg());
            line += String.format(Locale.ROOT, "%n      full ranking: HR@10 %.4f  NDCG@10 %.4f   |   %s (not "
                    + "comparable): HR@10 %.4f  NDCG@10 %.4f", full.hitRate(), full.ndcg(), sampled.protocol(),
                    sampled.hitRate(), sampled.ndcg());
        }
        console.println(line);
        console.flush();
        return r;
    }

    /** A model trained on one split: its test predictions, its scores for ranking, its size and cost. */
    private record Fitted(float[] predicted, ItemScorer scorer, long params, double flops, Integer epochs) {
    }

    /** Trains {@link #model} on {@code train} and predicts {@code test}. */
    private Fitted fit(RatingData train, RatingData test, long runSeed, PrintStream console) {
        if (model.equals("ncf")) {
            Ncf ncf = trainNcf(train, test, runSeed, console);
            RatingPredictor.checkKnownIds(test, ncf.model.users().count(), ncf.model.items().count());
            double flops = 0;
            for (Linear l : ncf.model.mlp().layers()) {
                flops += 2.0 * l.in() * l.out();
            }
            return new Fitted(ncf.trainer.predict(test), ncf.scorer(), ncf.model.parameterCount(), flops, ncf.epochs);
        }
        switch (model) {
            case "mean":
                return baseline(GlobalMean.fit(train), test, 1, 0, null);
            case "bias":
                return baseline(BiasBaseline.fit(train), test, 1L + train.users() + train.items(), 2, null);
            default:
                BiasedMf.Config c = tune ? tunedMf(train, runSeed, console) : mfConfig(runSeed);
                return baseline(BiasedMf.fit(train, c), test, 1L + (long) (train.users() + train.items())
                        * (c.factors() + 1), 2.0 * c.factors() + 3, c.epochs());
        }
    }

    private static Fitted baseline(RatingPredictor p, RatingData test, long params, double flops, Integer epochs) {
        ItemScorer scorer = (u, outScores) -> {
            for (int i = 0; i < outScores.length; i++) {
                outScores[i] = p.score(u, i);
            }
        };
        return new Fitted(p.predict(test), scorer, params, flops, epochs);
    }

    private static int coldRows(RatingData train, RatingData test) {
        boolean[] u = new boolean[train.users()];
        boolean[] i = new boolean[train.items()];
        for (int k = 0; k < train.size(); k++) {
            u[train.user()[k]] = true;
            i[train.item()[k]] = true;
        }
        int cold = 0;
        for (int k = 0; k < test.size(); k++) {
            int uu = test.user()[k];
            int ii = test.item()[k];
            if (uu < u.length && ii < i.length && (!u[uu] || !i[ii])) {
                cold++;
            }
        }
        return cold;
    }

    private record Ncf(NcfModel model, RatingTrainer trainer, int epochs) {
        ItemScorer scorer() {
            int items = model.items().count();
            int[] us = new int[items];
            int[] is = new int[items];
            for (int i = 0; i < items; i++) {
                is[i] = i;
            }
            return (u, outScores) -> {
                java.util.Arrays.fill(us, u);
                float[] s = trainer.scores(us, is, items);
                System.arraycopy(s, 0, outScores, 0, items);
            };
        }
    }

    private Ncf trainNcf(RatingData train, RatingData test, long runSeed, PrintStream console) {
        NcfConfig cfg = NcfConfig.preset(preset);
        TrainConfig d = TrainConfig.forPreset(preset, runSeed);
        TrainConfig tc = new TrainConfig(epochs != null ? epochs : d.epochs(),
                batchSize != null ? batchSize : d.batchSize(), lr != null ? lr : d.learningRate(), runSeed,
                weightDecay != null ? weightDecay : d.weightDecay(), lrDecay != null ? lrDecay : d.lrDecay(),
                lrDecayStart != null ? lrDecayStart : d.lrDecayStart());
        if (backend == null) {
            backend = new CpuBackend(threads);
        }
        NcfModel ncf = new NcfModel(backend, cfg, train.users(), train.items(), runSeed);
        console.printf(Locale.ROOT, "ncf %s: %d parameters; %s%n", cfg, ncf.parameterCount(), tc);
        RatingTrainer trainer = new RatingTrainer(ncf, backend, tc);
        // the test numbers are only printed as training goes; the model kept is the last epoch's, whatever they say
        EpochReport last = trainer.fitScheduled(train, test, r -> console.println("  " + Progress.line(r)));
        return new Ncf(ncf, trainer, last == null ? 0 : last.epoch());
    }

    private static void summarise(List<RunResult> runs, PrintStream console) {
        if (runs.size() < 2) {
            return;
        }
        double[] rmse = runs.stream().mapToDouble(RunResult::rmse).toArray();
        double[] mae = runs.stream().mapToDouble(RunResult::mae).toArray();
        double[] mse = runs.stream().mapToDouble(RunResult::mse).toArray();
        console.printf(Locale.ROOT, "mean of %d runs: RMSE %.4f +- %.4f  MAE %.4f +- %.4f  MSE %.4f%n", runs.size(),
                mean(rmse), std(rmse), mean(mae), std(mae), mean(mse));
        if (runs.get(0).hr10() != null) {
            double[] hr = runs.stream().mapToDouble(RunResult::hr10).toArray();
            double[] nd = runs.stream().mapToDouble(RunResult::ndcg10).toArray();
            console.printf(Locale.ROOT, "mean full ranking: HR@10 %.4f  NDCG@10 %.4f%n", mean(hr), mean(nd));
        }
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    private static double std(double[] v) {
        double m = mean(v);
        double s = 0;
        for (double x : v) {
            s += (x - m) * (x - m);
        }
        return Math.sqrt(s / Math.max(1, v.length - 1));
    }
}
