package dev.winnow.recsys.train;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.loss.Loss;
import dev.winnow.engine.optim.Adam;
import dev.winnow.engine.optim.Optimizer;
import dev.winnow.engine.tensor.Arena;
import dev.winnow.engine.tensor.BufferPool;
import dev.winnow.engine.tensor.GradMode;
import dev.winnow.engine.tensor.IndexTensor;
import dev.winnow.engine.tensor.Tensor;
import dev.winnow.recsys.data.RatingData;
import dev.winnow.recsys.data.Splits;
import dev.winnow.recsys.metrics.RegressionMetrics;
import dev.winnow.recsys.model.NcfModel;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Trains an NCF rating model with MSE and Adam (dense or lazy) on shuffled mini-batches. One buffer pool serves every
 * step, so after the first batch a step allocates no tensor buffers. A NaN or infinite loss stops training with a message.
 */
public final class RatingTrainer {
    private final NcfModel model;
    private final Backend backend;
    private final TrainConfig config;
    private final Optimizer optimizer;
    private final BufferPool pool;
    // sized by the first batch that needs them, not by the configured batch size: a --batch-size beyond the training
    // set (2^31 - 1 included) must cost what the largest real batch costs
    private IndexTensor users;
    private IndexTensor items;
    private final Map<Integer, Tensor> targets = new HashMap<>();
    private final SplittableRandom shuffleRng;
    private float[] targetScratch = new float[0];

    public RatingTrainer(NcfModel model, Backend backend, TrainConfig config) {
        this(model, backend, config, "adam");
    }

    /**
     * @param optimizer {@code adam} (dense) or {@code lazy-adam} (the embedding tables update only the rows a batch
     *                  looks up: {@link Adam#lazy})
     */
    public RatingTrainer(NcfModel model, Backend backend, TrainConfig config, String optimizer) {
        this.model = model;
        this.backend = backend;
        this.config = config;
        this.optimizer = switch (optimizer) {
            case "adam" -> new Adam(model.parameters(), config.learningRate(), 0.9f, 0.999f, 1e-8f,
                    config.weightDecay(), false);
            case "lazy-adam" -> Adam.lazy(model.parameters(), config.learningRate(), 0.9f, 0.999f, 1e-8f,
                    config.weightDecay(), false);
            default -> throw new IllegalArgumentException("optimizer must be adam or lazy-adam, got '" + optimizer
                    + "'");
        };
        this.pool = new BufferPool(backend);
        this.shuffleRng = new SplittableRandom(config.seed() ^ 0x5DEECE66DL);
    }

    public Optimizer optimizer() {
        return optimizer;
    }

    /** Trains for the configured epochs at a constant learning rate, reporting after each; returns the last report. */
    public EpochReport fit(RatingData train, RatingData test, Consumer<EpochReport> progress) {
        return fit(train, test, progress, false);
    }

    /**
     * Trains with the configured weight decay and learning-rate schedule, reporting {@code test} (when not null) after
     * each epoch; returns the last report.
     */
    public EpochReport fitScheduled(RatingData train, RatingData test, Consumer<EpochReport> progress) {
        return fit(train, test, progress, true);
    }

    private EpochReport fit(RatingData train, RatingData test, Consumer<EpochReport> progress, boolean scheduled) {
        EpochReport[] last = {null};
        float[] lr = {config.learningRate()};
        int n = train.size();
        int bs = EpochLoop.batchRows(config.batchSize(), n, 1);
        int[] ub = new int[bs];
        int[] ib = new int[bs];
        if (targetScratch.length < bs) {
            targetScratch = new float[bs];
        }
        new TrainingLoop(bs, 1, new TrainingLoop.Trainer() {
            @Override
            public void beforeEpoch(int epoch) {
                if (scheduled) {
                    optimizer.setLearningRate(lr[0]);
                }
            }

            @Override
            public int[] order(int epoch) {
                return Splits.permutation(n, shuffleRng.nextLong());
            }

            @Override
            public List<NcfModel> modules() {
                return List.of(model);
            }

            @Override
            public void fill(int[] rows, int start, int len) {
                for (int k = 0; k < len; k++) {
                    int row = rows[start + k];
                    ub[k] = train.user()[row];
                    ib[k] = train.item()[row];
                    targetScratch[k] = train.rating()[row];
                }
            }

            @Override
            public float step(int len) {
                return RatingTrainer.this.step(ub, ib, targetScratch, len);
            }

            @Override
            public String batchDiverged(int epoch, float loss, int batch, float firstLoss, double meanSoFar) {
                return model.config().name() + ": loss became " + loss + " at epoch " + epoch + ", batch " + batch
                        + ", from " + firstLoss + " in the epoch's first batch (mean loss so far "
                        + (Double.isNaN(meanSoFar) ? "n/a" : String.format("%.4f", meanSoFar))
                        + "); lower the learning rate";
            }

            @Override
            public String epochDiverged(int epoch, double loss, double firstLoss) {
                return model.config().name() + ": mean loss became " + loss + " at epoch " + epoch + ", from "
                        + firstLoss + " in the first epoch; lower the learning rate (now "
                        + optimizer.learningRate() + ")";
            }
        }).run(1, config.epochs(), (epoch, loss, seconds) -> {
            RegressionMetrics m = test == null ? null : evaluate(test);
            last[0] = new EpochReport(epoch, config.epochs(), loss, m == null ? Double.NaN : m.rmse(),
                    m == null ? Double.NaN : m.mae(), seconds);
            if (progress != null) {
                progress.accept(last[0]);
            }
            if (scheduled && epoch >= config.lrDecayStart()) {
                lr[0] *= config.lrDecay();
            }
            return true;
        });
        return last[0];
    }

    /** One optimiser step on the first {@code len} entries of the arrays; returns the batch loss. */
    public float step(int[] userIds, int[] itemIds, float[] ratings, int len) {
        if (users == null || users.capacity() < len) {
            users = new IndexTensor(backend, len);
            items = new IndexTensor(backend, len);
        }
        users.set(userIds, 0, len);
        items.set(itemIds, 0, len);
        Tensor target = targets.computeIfAbsent(len, k -> Tensor.zeros(backend, k, 1, false));
        backend.upload(ratings, 0, target.data(), 0, len);
        try (Arena arena = Arena.open(pool)) {
            optimizer.zeroGrad();
            Tensor pred = model.forward(users, items);
            Tensor loss = Loss.mse(pred, target);
            loss.backward();
            optimizer.step();
            return loss.item();
        }
    }

    /** Predictions for every row of {@code data}, clipped to the rating range. */
    public float[] predict(RatingData data) {
        return predict(model, backend, pool, data, 4096);
    }

    public RegressionMetrics evaluate(RatingData data) {
        return RegressionMetrics.of(predict(data), data.rating());
    }

    /** Batched inference without a tape; predictions clipped to [minRating, maxRating]. */
    public static float[] predict(NcfModel model, Backend backend, BufferPool pool, RatingData data, int batch) {
        int n = data.size();
        float[] out = new float[n];
        IndexTensor u = new IndexTensor(backend, Math.min(batch, Math.max(1, n)));
        IndexTensor i = new IndexTensor(backend, Math.min(batch, Math.max(1, n)));
        model.train(false);
        try (GradMode g = GradMode.disabled()) {
            for (int start = 0; start < n; start += batch) {
                int len = Math.min(batch, n - start);
                u.set(data.user(), start, len);
                i.set(data.item(), start, len);
                try (Arena arena = Arena.open(pool)) {
                    Tensor p = model.forward(u, i);
                    backend.download(p.data(), 0, out, start, len);
                }
            }
        } finally {
            model.train(true);
        }
        for (int k = 0; k < n; k++) {
            out[k] = Math.max(data.minRating(), Math.min(data.maxRating(), out[k]));
        }
        return out;
    }

    /** Unclipped model outputs for the given (user, item) pairs, batched without a tape: scores for ranking. */
    public float[] scores(int[] userIds, int[] itemIds, int n) {
        float[] out = new float[n];
        int batch = 4096;
        IndexTensor u = new IndexTensor(backend, Math.min(batch, Math.max(1, n)));
        IndexTensor i = new IndexTensor(backend, Math.min(batch, Math.max(1, n)));
        model.train(false);
        try (GradMode g = GradMode.disabled()) {
            for (int start = 0; start < n; start += batch) {
                int len = Math.min(batch, n - start);
                u.set(userIds, start, len);
                i.set(itemIds, start, len);
                try (Arena arena = Arena.open(pool)) {
                    Tensor p = model.forward(u, i);
                    backend.download(p.data(), 0, out, start, len);
                }
            }
        } finally {
            model.train(true);
        }
        return out;
    }

    public BufferPool pool() {
        return pool;
    }
}
