package dev.winnow.recsys.baseline;

import dev.winnow.engine.nn.Gaussian;
import dev.winnow.recsys.data.RatingData;
import dev.winnow.recsys.data.Splits;
import dev.winnow.recsys.metrics.RegressionMetrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Biased matrix factorisation r(u, i) = mu + b_u + b_i + p_u . q_i trained by plain SGD on the squared error with L2,
 * the model of Surprise's SVD (Funk / Koren). The defaults are Surprise's: 100 factors, 20 epochs, learning rate
 * 0.005, regularisation 0.02, factors drawn from N(0, 0.1^2), biases from 0. Unlike Surprise, each epoch visits the
 * ratings in a fresh seeded order rather than grouped by user.
 */
public final class BiasedMf implements RatingPredictor {

    /** Hyper-parameters of the SGD fit. */
    public record Config(int factors, int epochs, double learningRate, double reg, double initStd, long seed) {
        public Config {
            if (factors < 1 || epochs < 0 || !(learningRate > 0) || reg < 0 || initStd < 0) {
                throw new IllegalArgumentException("biased MF needs factors >= 1, epochs >= 0, lr > 0, reg >= 0, "
                        + "init std >= 0; got " + factors + ", " + epochs + ", " + learningRate + ", " + reg + ", "
                        + initStd);
            }
        }

        public static Config surpriseDefaults(long seed) {
            return new Config(100, 20, 0.005, 0.02, 0.1, seed);
        }
    }

    private final int factors;
    private final double mu;
    private final double[] bu;
    private final double[] bi;
    private final double[] p;
    private final double[] q;
    private final boolean[] seenUser;
    private final boolean[] seenItem;
    private final float min;
    private final float max;

    private BiasedMf(int factors, double mu, double[] bu, double[] bi, double[] p, double[] q, boolean[] seenUser,
                     boolean[] seenItem, float min, float max) {
        this.seenUser = seenUser;
        this.seenItem = seenItem;
        this.factors = factors;
        this.mu = mu;
        this.bu = bu;
        this.bi = bi;
        this.p = p;
        this.q = q;
        this.min = min;
        this.max = max;
    }

    public static BiasedMf fit(RatingData train, Config c) {
        return fit(train, c, null);
    }

    /** Receives the model as it stands after each epoch (a view over the live factors: read it, do not keep it). */
    @FunctionalInterface
    public interface EpochListener {
        void epochDone(int epoch, BiasedMf model);
    }

    /**
     * Hyper-parameters chosen on validation: each grid point (factors x learning rate x regularisation) is trained
     * on {@code fit} for the largest epoch count of {@code epochChoices} and scored on {@code validation} after each
     * listed epoch count; the lowest validation RMSE wins (ties: the earlier grid point). The test set is never seen.
     * A run for {@code e} epochs is bit-identical to the first {@code e} epochs of a longer run with the same seed,
     * so scoring after each listed epoch count is the same as training each count separately.
     */
    public static Tuned tune(RatingData fit, RatingData validation, int[] factorChoices, double[] lrChoices,
                             double[] regChoices, int[] epochChoices, long seed) {
        RatingPredictor.checkNotEmpty(validation, "mf tuning (validation)");
        int maxEpochs = Arrays.stream(epochChoices).max().orElseThrow(
                () -> new IllegalArgumentException("mf tuning needs at least one epoch count"));
        List<String> tried = new ArrayList<>();
        Config best = null;
        double bestRmse = Double.POSITIVE_INFINITY;
        for (int f : factorChoices) {
            for (double lr : lrChoices) {
                for (double reg : regChoices) {
                    Config c = new Config(f, maxEpochs, lr, reg, 0.1, seed);
                    double[] rmseAt = new double[maxEpochs + 1];
                    fit(fit, c, (epoch, model) -> rmseAt[epoch] = validationRmse(model, validation));
                    for (int e : epochChoices) {
                        tried.add(String.format(Locale.ROOT, "factors %d lr %.4g reg %.4g epochs %d: "
                                + "validation RMSE %.4f", f, lr, reg, e, rmseAt[e]));
                        if (rmseAt[e] < bestRmse) {
                            bestRmse = rmseAt[e];
                            best = new Config(f, e, lr, reg, 0.1, seed);
                        }
                    }
                }
            }
        }
        return new Tuned(best, bestRmse, tried);
    }

    /** The winner of {@link #tune}, its validation RMSE and one line per grid point tried. */
    public record Tuned(Config config, double validationRmse, List<String> tried) {
    }

    private static double validationRmse(BiasedMf model, RatingData validation) {
        return RegressionMetrics.of(model.predict(validation), validation.rating()).rmse();
    }

    public static BiasedMf fit(RatingData train, Config c, EpochListener listener) {
        RatingPredictor.checkNotEmpty(train, "mf");
        int f = c.factors();
        SplittableRandom rng = new SplittableRandom(c.seed());
        double[] p = new double[train.users() * f];
        double[] q = new double[train.items() * f];
        for (int k = 0; k < p.length; k++) {
            p[k] = c.initStd() * Gaussian.next(rng);
        }
        for (int k = 0; k < q.length; k++) {
            q[k] = c.initStd() * Gaussian.next(rng);
        }
        double[] bu = new double[train.users()];
        double[] bi = new double[train.items()];
        double mu = train.meanRating();
        double lr = c.learningRate();
        double reg = c.reg();
        int[] us = train.user();
        int[] is = train.item();
        float[] rs = train.rating();
        boolean[] seenUser = new boolean[train.users()];
        boolean[] seenItem = new boolean[train.items()];
        for (int k = 0; k < train.size(); k++) {
            seenUser[us[k]] = true;
            seenItem[is[k]] = true;
        }
        BiasedMf model = new BiasedMf(f, mu, bu, bi, p, q, seenUser, seenItem, train.minRating(), train.maxRating());
        for (int epoch = 0; epoch < c.epochs(); epoch++) {
            int[] order = Splits.permutation(train.size(), rng.nextLong());
            for (int row : order) {
                int u = us[row];
                int i = is[row];
                int pu = u * f;
                int qi = i * f;
                double dot = 0;
                for (int k = 0; k < f; k++) {
                    dot += p[pu + k] * q[qi + k];
                }
                double err = rs[row] - (mu + bu[u] + bi[i] + dot);
                bu[u] += lr * (err - reg * bu[u]);
                bi[i] += lr * (err - reg * bi[i]);
                for (int k = 0; k < f; k++) {
                    double puk = p[pu + k];
                    double qik = q[qi + k];
                    p[pu + k] += lr * (err * qik - reg * puk);
                    q[qi + k] += lr * (err * puk - reg * qik);
                }
            }
            if (listener != null) {
                listener.epochDone(epoch + 1, model);
            }
        }
        return model;
    }

    @Override
    public int users() {
        return bu.length;
    }

    @Override
    public int items() {
        return bi.length;
    }

    @Override
    public float predict(int user, int item) {
        return Math.max(min, Math.min(max, score(user, item)));
    }

    @Override
    public float score(int user, int item) {
        if (!seenUser[user] || !seenItem[item]) {
            // an id without training ratings still has its random initial factors: leave them out, as Surprise does
            return (float) (mu + bu[user] + bi[item]);
        }
        int pu = user * factors;
        int qi = item * factors;
        double dot = 0;
        for (int k = 0; k < factors; k++) {
            dot += p[pu + k] * q[qi + k];
        }
        return (float) (mu + bu[user] + bi[item] + dot);
    }
}
