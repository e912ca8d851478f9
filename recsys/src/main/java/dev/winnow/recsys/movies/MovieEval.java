package dev.winnow.recsys.movies;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.backend.cpu.CpuBackend;
import dev.winnow.recsys.baseline.RidgeRegression;
import dev.winnow.recsys.metrics.RegressionMetrics;
import dev.winnow.recsys.model.Dcnn;
import dev.winnow.recsys.model.FeatureMlp;
import dev.winnow.recsys.model.FeatureRegressor;
import dev.winnow.recsys.report.RunResult;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The movie-feature task end to end: load (merged IMDB + TMDB, or the synthetic table), split by release year, fit
 * the features of one group on the training films, train one model, and report MAE / MSE / RMSE on the test films
 * next to the predict-the-training-mean floor. Models: {@code mean}, {@code ridge}, {@code featmlp} (teacher preset),
 * {@code featmlp-student}, {@code dcnn} (the assumed placeholder architecture) and {@code dcnn-teacher}.
 */
public final class MovieEval {
    private MovieEval() {
    }

    public static final List<String> MODELS = List.of("mean", "ridge", "featmlp", "featmlp-student", "dcnn",
            "dcnn-teacher");

    /** Seed of the synthetic table: fixed, so that runs with different seeds see the same films. */
    static final long SYNTHETIC_DATA_SEED = 20240117L;

    /**
     * Knobs beyond the eval command's options.
     *
     * @param trainFrom first training year (null: every film up to 2013; 2000: the paper's literal wording)
     * @param maxEpochs upper bound for the neural models (early stopping usually ends sooner)
     */
    public record Options(Integer trainFrom, int hashDim, int minCount, int threads, int maxEpochs, int patience) {
        public static Options defaults() {
            return new Options(null, MovieFeatures.DEFAULT_HASH_DIM, MovieFeatures.DEFAULT_MIN_COUNT, 1, 200, 10);
        }

        public Options withTrainFrom(Integer year) {
            return new Options(year, hashDim, minCount, threads, maxEpochs, patience);
        }

        public Options withThreads(int n) {
            return new Options(trainFrom, hashDim, minCount, n, maxEpochs, patience);
        }

        public Options withEpochs(int max, int patienceEpochs) {
            return new Options(trainFrom, hashDim, minCount, threads, max, patienceEpochs);
        }
    }

    /**
     * Trains and evaluates {@code model} on feature groups {@code features} ({@link FeatureGroup#parse})
     * with split {@code temporal} (default, train up to 2013) or {@code temporal-from-YYYY}; one run for the seed.
     */
    public static List<RunResult> evaluate(Path dataDirOrNullForSynthetic, String model, String features,
                                           String split, long seed, PrintStream out) {
        Options o = Options.defaults();
        String s = split == null ? "temporal" : split.strip().toLowerCase(Locale.ROOT);
        if (s.startsWith("temporal-from-")) {
            try {
                o = o.withTrainFrom(Integer.parseInt(s.substring("temporal-from-".length())));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--split: '" + split + "': expected temporal-from-YYYY");
            }
        } else if (!s.equals("temporal")) {
            throw new IllegalArgumentException("--split: the movie task has only the temporal split (temporal, or "
                    + "temporal-from-YYYY for a first training year), got '" + split + "'");
        }
        return evaluate(dataDirOrNullForSynthetic, model, features, seed, o, out);
    }

    public static List<RunResult> evaluate(Path dataDir, String model, String features, long seed, Options options,
                                           PrintStream out) {
        String m = model == null ? "" : model.strip().toLowerCase(Locale.ROOT);
        if (!MODELS.contains(m)) {
            throw new IllegalArgumentException("--model: '" + model + "' is not a movie model; use one of " + MODELS);
        }
        Set<FeatureGroup> groups = FeatureGroup.parse(features);
        List<Movie> movies;
        if (dataDir == null) {
            movies = SyntheticMovies.generate(SyntheticMovies.DEFAULT_SIZE, SYNTHETIC_DATA_SEED);
            out.println("movies: synthetic, " + movies.size() + " films");
        } else {
            MovieMerge.Result merged = MovieMerge.load(dataDir);
            movies = merged.movies();
            out.println("movies: " + merged.report().describe());
        }
        MovieSplit split = MovieSplit.temporal(movies, options.trainFrom(), seed);
        out.println("split: " + split.description());
        MovieFeatures fitted = MovieFeatures.fit(split.train(), groups, options.hashDim(), options.minCount());
        int width = fitted.width();
        out.println("features: " + String.join("+", fitted.groups()) + " -> " + width + " inputs (fitted on the "
                + split.train().size() + " training films)");
        float[] xTrain = fitted.transformAll(split.train());
        float[] xVal = fitted.transformAll(split.validation());
        float[] xTest = fitted.transformAll(split.test());
        float[] yTrain = MovieSplit.ratings(split.train());
        float[] yVal = MovieSplit.ratings(split.validation());
        float[] yTest = MovieSplit.ratings(split.test());

        float[] floorPred = new float[yTest.length];
        java.util.Arrays.fill(floorPred, (float) fitted.targetMean());
        RegressionMetrics floor = RegressionMetrics.of(floorPred, yTest);

        long t0 = System.nanoTime();
        float[] pred;
        Long params = null;
        Integer epochs = null;
        String detail;
        switch (m) {
            case "mean":
                pred = floorPred;
                detail = "training mean " + fmt(fitted.targetMean());
                break;
            case "ridge": {
                RidgeRegression r = RidgeRegression.fitOnValidation(xTrain, yTrain, xVal, yVal, width);
                pred = clip(r.predict(xTest, width));
                params = (long) width + 1;
                detail = "lambda " + r.lambda() + " (chosen on validation)";
                break;
            }
            default: {
                try (Backend backend = new CpuBackend(options.threads())) {
                    FeatureRegressor net = build(m, backend, width, fitted.textBlocks(), seed);
                    FeatureTrainer trainer = new FeatureTrainer(net, backend,
                            new FeatureTrainer.Config(64, 1e-3f, options.maxEpochs(), options.patience(), seed),
                            fitted.targetMean());
                    FeatureTrainer.Outcome oc = trainer.fit(xTrain, yTrain, xVal, yVal, width);
                    pred = trainer.predict(xTest, width);
                    params = net.parameterCount();
                    epochs = oc.epochsRun();
                    detail = net.describe() + ", " + params + " parameters, best epoch " + oc.bestEpoch() + " of "
                            + oc.epochsRun() + " (validation MSE " + fmt(oc.bestValidationMse()) + ")"
                            + (m.startsWith("dcnn") ? "; re-implementation with an assumed architecture" : "");
                }
                break;
            }
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        RegressionMetrics r = RegressionMetrics.of(pred, yTest);
        out.printf(Locale.ROOT, "%s seed %d on %s: MAE %.4f  MSE %.4f  RMSE %.4f   (mean floor MAE %.4f  MSE %.4f)  "
                        + "[%s, %.1f s]%n", m, seed, String.join("+", fitted.groups()), r.mae(), r.mse(), r.rmse(),
                floor.mae(), floor.mse(), detail, secs);
        // Dense models: density 1, every parameter non-zero, 4 bytes each (float32).
        RunResult run = new RunResult(m, seed, "temporal:" + String.join("+", fitted.groups()), r.mae(), r.mse(),
                r.rmse(), null, null, params == null ? null : 1.0, params, params, params == null ? null : params * 4,
                secs, null, null, null, null, epochs);
        return List.of(run);
    }

    static FeatureRegressor build(String model, Backend backend, int width, Dcnn.TextBlocks text, long seed) {
        switch (model) {
            case "featmlp": return FeatureMlp.teacher(backend, width, seed);
            case "featmlp-student": return FeatureMlp.student(backend, width, seed);
            case "dcnn": return Dcnn.placeholder(backend, width, text, seed);
            case "dcnn-teacher": return Dcnn.teacher(backend, width, text, seed);
            default: throw new IllegalArgumentException("not a neural movie model: " + model);
        }
    }

    private static float[] clip(float[] p) {
        for (int i = 0; i < p.length; i++) {
            p[i] = Math.max(1f, Math.min(10f, p[i]));
        }
        return p;
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }
}
