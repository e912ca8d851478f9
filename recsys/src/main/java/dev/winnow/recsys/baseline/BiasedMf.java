package dev.winnow.recsys.baseline;

import dev.winnow.engine.nn.Gaussian;
import dev.winnow.recsys.data.RatingData;
import dev.winnow.recsys.data.Splits;

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
        }
        boolean[] seenUser = new boolean[train.users()];
        boolean[] seenItem = new boolean[train.items()];
        for (int k = 0; k < train.size(); k++) {
            seenUser[us[k]] = true;
            seenItem[is[k]] = true;
        }
        return new BiasedMf(f, mu, bu, bi, p, q, seenUser, seenItem, train.minRating(), train.maxRating());
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
