package dev.winnow.recsys.method;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.nn.Mlp;
import dev.winnow.engine.nn.Parameter;
import dev.winnow.engine.tensor.Tensor;
import dev.winnow.recsys.checkpoint.MovieCheckpoint;
import dev.winnow.recsys.model.Dcnn;
import dev.winnow.recsys.model.FeatureMlp;
import dev.winnow.recsys.model.FeatureRegressor;
import dev.winnow.recsys.movies.FeatureGroup;
import dev.winnow.recsys.movies.Movie;
import dev.winnow.recsys.movies.MovieFeatures;
import dev.winnow.recsys.movies.MovieMerge;
import dev.winnow.recsys.movies.MovieSplit;
import dev.winnow.recsys.movies.SyntheticMovies;
import dev.winnow.recsys.report.DatasetInfo;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * The paper's movie task: predict a film's rating from one group of pre-release features (IMDB 5000 + TMDB 5000,
 * temporal split, statistics fitted on the training films only), with feature-MLP teacher and student and the DCNN
 * baseline.
 */
public final class FeatureTask implements RegressionTask {
    private final String name;
    private final String features;
    private final int width;
    private final float[][] x = new float[3][];
    private final float[][] y = new float[3][];
    private final float min;
    private final float max;
    private final float offset;
    /** The fitted pipeline (set by {@link #load}; null for tasks built from ready matrices): export needs it. */
    private MovieFeatures pipeline;

    private static float[] centred(float[] y, float offset) {
        float[] out = new float[y.length];
        for (int i = 0; i < y.length; i++) {
            out[i] = y[i] - offset;
        }
        return out;
    }

    /** The training mean subtracted from every target (add it back to a prediction to get a rating). */
    public float targetOffset() {
        return offset;
    }

    FeatureTask(String name, String features, int width, float[] xTrain, float[] yTrain, float[] xVal, float[] yVal,
                float[] xTest, float[] yTest) {
        this.name = name;
        this.features = features;
        this.width = width;
        // Targets are centred on the training mean so a fresh model starts at the mean-predictor floor; errors
        // (MAE, MSE) are unchanged by the shift.
        double mean = 0;
        for (float v : yTrain) {
            mean += v;
        }
        this.offset = (float) (yTrain.length == 0 ? 0 : mean / yTrain.length);
        yTrain = centred(yTrain, offset);
        yVal = centred(yVal, offset);
        yTest = centred(yTest, offset);
        x[Part.TRAIN.ordinal()] = xTrain;
        x[Part.VALIDATION.ordinal()] = xVal;
        x[Part.TEST.ordinal()] = xTest;
        y[Part.TRAIN.ordinal()] = yTrain;
        y[Part.VALIDATION.ordinal()] = yVal;
        y[Part.TEST.ordinal()] = yTest;
        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        for (float v : yTrain) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        this.min = lo;
        this.max = hi;
    }

    /**
     * Loads the merged movie data from {@code dataDir} (null: the embedded synthetic films), splits it by release
     * year and fits the feature pipeline of the given groups on the training films.
     */
    public static FeatureTask load(Path dataDir, String features, long seed, Integer trainFrom, PrintStream log) {
        Set<FeatureGroup> groups = FeatureGroup.parse(features);
        List<Movie> movies;
        String source;
        if (dataDir == null) {
            movies = SyntheticMovies.generate(SyntheticMovies.DEFAULT_SIZE, seed);
            source = "synthetic-movies";
        } else {
            MovieMerge.Result merged = MovieMerge.load(dataDir);
            movies = merged.movies();
            source = "imdb5000+tmdb5000";
            log.println("movies: " + merged.report().describe());
        }
        MovieSplit split = MovieSplit.temporal(movies, trainFrom, seed);
        MovieFeatures fitted = MovieFeatures.fit(split.train(), groups, MovieFeatures.DEFAULT_HASH_DIM,
                MovieFeatures.DEFAULT_MIN_COUNT);
        log.println("split: " + split.description() + "; features " + features + " -> " + fitted.width()
                + " inputs");
        FeatureTask task = new FeatureTask(source, features, fitted.width(), fitted.transformAll(split.train()),
                MovieSplit.ratings(split.train()), fitted.transformAll(split.validation()),
                MovieSplit.ratings(split.validation()), fitted.transformAll(split.test()),
                MovieSplit.ratings(split.test()));
        task.pipeline = fitted;
        return task;
    }

    @Override
    public DatasetInfo info() {
        return new DatasetInfo(name, size(Part.TRAIN), size(Part.TEST), features);
    }

    @Override
    public int size(Part part) {
        return y[part.ordinal()].length;
    }

    @Override
    public float[] targets(Part part) {
        return y[part.ordinal()];
    }

    @Override
    public BatchInput newInput(Backend backend, int capacity) {
        return new BatchInput.Features(backend, width);
    }

    @Override
    public void fill(BatchInput input, Part part, int[] rows, int from, int len) {
        BatchInput.Features f = (BatchInput.Features) input;
        float[] src = x[part.ordinal()];
        float[] batch = new float[len * width];
        for (int k = 0; k < len; k++) {
            int row = rows == null ? from + k : rows[from + k];
            System.arraycopy(src, row * width, batch, k * width, width);
        }
        f.set(batch, len);
    }

    @Override
    public TapModel newModel(Backend backend, Role role, long seed) {
        switch (role) {
            case TEACHER: return new Wrapped(FeatureMlp.teacher(backend, width, seed));
            case STUDENT: return new Wrapped(FeatureMlp.student(backend, width, seed));
            case DCNN: return new Wrapped(Dcnn.placeholder(backend, width,
                    pipeline == null ? Dcnn.TextBlocks.NONE : pipeline.textBlocks(), seed));
            default: throw new AssertionError(role);
        }
    }

    @Override
    public String saveModel(TapModel model, long seed, Path dir) throws java.io.IOException {
        if (model.mlp() == null) {
            return "not saved: the DCNN (Conv1d) is not exportable; the .wnw runtime serves feature MLPs only";
        }
        if (pipeline == null) {
            return "not saved: this task was built without a fitted feature pipeline";
        }
        Path file = MovieCheckpoint.write(MovieCheckpoint.capture(pipeline, model.mlp(), offset, min + offset,
                max + offset, name + ":" + features, seed), dir);
        return "wrote " + file + " (winnow export --checkpoint " + dir + " --out model.wnw)";
    }

    /** The fitted feature pipeline, or null when the task was built from ready matrices. */
    public MovieFeatures pipeline() {
        return pipeline;
    }

    @Override
    public float minTarget() {
        return min;
    }

    @Override
    public float maxTarget() {
        return max;
    }

    /** A feature regressor seen as a {@link TapModel}. */
    private static final class Wrapped implements TapModel {
        private final FeatureRegressor model;

        Wrapped(FeatureRegressor model) {
            this.model = model;
        }

        @Override
        public Tensor forward(BatchInput input, List<Tensor> taps) {
            return model.forward(((BatchInput.Features) input).matrix(), taps);
        }

        @Override
        public Mlp mlp() {
            return model instanceof FeatureMlp f ? f.mlp() : null;
        }

        @Override
        public List<Parameter> parameters() {
            return model.parameters();
        }

        @Override
        public void train(boolean training) {
            model.train(training);
        }

        @Override
        public List<Buffer> buffers() {
            return model.buffers();
        }
    }
}
