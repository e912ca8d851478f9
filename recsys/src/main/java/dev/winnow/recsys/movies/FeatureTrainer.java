package dev.winnow.recsys.movies;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.loss.Loss;
import dev.winnow.engine.nn.StateSnapshot;
import dev.winnow.engine.optim.Adam;
import dev.winnow.engine.tensor.Arena;
import dev.winnow.engine.tensor.BufferPool;
import dev.winnow.engine.tensor.GradMode;
import dev.winnow.engine.tensor.Tensor;
import dev.winnow.recsys.data.Splits;
import dev.winnow.recsys.metrics.RegressionMetrics;
import dev.winnow.recsys.model.FeatureRegressor;
import dev.winnow.recsys.train.EpochLoop;
import dev.winnow.recsys.train.TrainingLoop;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Trains a {@link FeatureRegressor} with MSE and Adam on shuffled mini-batches, predicting the rating minus the
 * training mean (so a fresh model starts at the mean-predictor floor). After every epoch the validation MSE is
 * measured; training stops after {@code patience} epochs without improvement and the best weights are restored.
 */
public final class FeatureTrainer {

    /** Batch 64 as in the paper's Table 2; Adam lr 1e-3 as section 5.6 prescribes for the DCNN. */
    public record Config(int batchSize, float learningRate, int maxEpochs, int patience, long seed) {
        public Config {
            if (batchSize <= 0 || maxEpochs <= 0 || patience <= 0 || !(learningRate > 0)) {
                throw new IllegalArgumentException("training config needs positive batch, epochs, patience and lr: "
                        + batchSize + ", " + maxEpochs + ", " + patience + ", " + learningRate);
            }
        }

        public static Config defaults(long seed) {
            return new Config(64, 1e-3f, 300, 20, seed);
        }
    }

    /** What training did: the epoch whose weights were kept and its validation MSE. */
    public record Outcome(int bestEpoch, int epochsRun, double bestValidationMse) {
    }

    private final FeatureRegressor model;
    private final Backend backend;
    private final Config config;
    private final float offset;
    private final BufferPool pool;

    public FeatureTrainer(FeatureRegressor model, Backend backend, Config config, double targetMean) {
        this.model = model;
        this.backend = backend;
        this.config = config;
        this.offset = (float) targetMean;
        this.pool = new BufferPool(backend);
    }

    /** @param x row-major [n x width] features, y the n ratings; likewise for the validation set */
    public Outcome fit(float[] x, float[] y, float[] xVal, float[] yVal, int width) {
        Adam adam = new Adam(model.parameters(), config.learningRate());
        SplittableRandom rng = new SplittableRandom(config.seed() ^ 0x9E3779B97F4A7C15L);
        int n = y.length;
        int bs = EpochLoop.batchRows(config.batchSize(), n, 1);
        Map<Integer, Tensor> inputs = new HashMap<>();
        Map<Integer, Tensor> targets = new HashMap<>();
        float[] xb = new float[bs * width];
        float[] yb = new float[bs];
        StateSnapshot[] best = {StateSnapshot.of(model)};
        double[] bestMse = {RegressionMetrics.of(predict(xVal, width), yVal).mse()};
        int[] bestEpoch = {0};
        int epochs = new TrainingLoop(bs, 1, new TrainingLoop.Trainer() {
            private Tensor in;
            private Tensor target;

            @Override
            public int[] order(int epoch) {
                return Splits.permutation(n, rng.nextLong());
            }

            @Override
            public List<FeatureRegressor> modules() {
                return List.of(model);
            }

            @Override
            public void fill(int[] rows, int start, int len) {
                for (int k = 0; k < len; k++) {
                    int row = rows[start + k];
                    System.arraycopy(x, row * width, xb, k * width, width);
                    yb[k] = y[row] - offset;
                }
                in = inputs.computeIfAbsent(len, k -> Tensor.zeros(backend, k, width, false));
                target = targets.computeIfAbsent(len, k -> Tensor.zeros(backend, k, 1, false));
                backend.upload(xb, 0, in.data(), 0, len * width);
                backend.upload(yb, 0, target.data(), 0, len);
            }

            @Override
            public float step(int len) {
                try (Arena arena = Arena.open(pool)) {
                    adam.zeroGrad();
                    Tensor l = Loss.mse(model.forward(in), target);
                    l.backward();
                    adam.step();
                    return l.item();
                }
            }

            @Override
            public String batchDiverged(int epoch, float loss, int batch, float firstLoss, double meanSoFar) {
                return model.describe() + ": loss became " + loss + " at epoch " + epoch + ", from " + firstLoss
                        + " in the epoch's first batch; lower the learning rate";
            }

            @Override
            public String epochDiverged(int epoch, double loss, double firstLoss) {
                return model.describe() + ": mean loss became " + loss + " at epoch " + epoch + ", from " + firstLoss
                        + " in the first epoch; lower the learning rate";
            }
        }).run(1, config.maxEpochs(), (epoch, loss, seconds) -> {
            double mse = RegressionMetrics.of(predict(xVal, width), yVal).mse();
            if (mse < bestMse[0]) {
                bestMse[0] = mse;
                bestEpoch[0] = epoch;
                best[0] = StateSnapshot.of(model);
            }
            return epoch - bestEpoch[0] < config.patience();
        });
        best[0].restoreValues(model);
        return new Outcome(bestEpoch[0], epochs, bestMse[0]);
    }

    /** Predicted ratings for the rows of {@code x}, clipped to IMDB's 1..10. */
    public float[] predict(float[] x, int width) {
        int n = x.length / width;
        float[] out = new float[n];
        int batch = 512;
        model.train(false);
        try (GradMode g = GradMode.disabled()) {
            for (int start = 0; start < n; start += batch) {
                int len = Math.min(batch, n - start);
                try (Arena arena = Arena.open(pool)) {
                    float[] chunk = new float[len * width];
                    System.arraycopy(x, start * width, chunk, 0, len * width);
                    Tensor in = Tensor.of(backend, len, width, chunk, false);
                    float[] p = model.forward(in).toArray();
                    for (int k = 0; k < len; k++) {
                        out[start + k] = Math.max(1f, Math.min(10f, p[k] + offset));
                    }
                }
            }
        } finally {
            model.train(true);
        }
        return out;
    }
}
