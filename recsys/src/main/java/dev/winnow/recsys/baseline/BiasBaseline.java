package dev.winnow.recsys.baseline;

import dev.winnow.recsys.data.RatingData;

/**
 * r(u, i) = mu + b_u + b_i, the biases fitted by regularised alternating least squares (Koren 2010, section 2.1;
 * Surprise's BaselineOnly with ALS): each sweep sets every item bias, then every user bias, to its closed-form
 * minimiser with the other side fixed. A user or item without training ratings keeps bias 0.
 */
public final class BiasBaseline implements RatingPredictor {
    /** Surprise's defaults, under which the reference numbers were measured. */
    public static final double DEFAULT_REG_USER = 15;
    public static final double DEFAULT_REG_ITEM = 10;
    public static final int DEFAULT_SWEEPS = 10;

    private final double mu;
    private final double[] userBias;
    private final double[] itemBias;
    private final float min;
    private final float max;

    private BiasBaseline(double mu, double[] userBias, double[] itemBias, float min, float max) {
        this.mu = mu;
        this.userBias = userBias;
        this.itemBias = itemBias;
        this.min = min;
        this.max = max;
    }

    public static BiasBaseline fit(RatingData train) {
        return fit(train, DEFAULT_REG_USER, DEFAULT_REG_ITEM, DEFAULT_SWEEPS);
    }

    public static BiasBaseline fit(RatingData train, double regUser, double regItem, int sweeps) {
        RatingPredictor.checkNotEmpty(train, "bias");
        if (regUser < 0 || regItem < 0 || sweeps < 1) {
            throw new IllegalArgumentException("bias baseline needs reg >= 0 and sweeps >= 1, got reg_u " + regUser
                    + ", reg_i " + regItem + ", sweeps " + sweeps);
        }
        int n = train.size();
        int[] u = train.user();
        int[] it = train.item();
        float[] r = train.rating();
        double mu = train.meanRating();
        double[] bu = new double[train.users()];
        double[] bi = new double[train.items()];
        int[] nu = new int[bu.length];
        int[] ni = new int[bi.length];
        for (int k = 0; k < n; k++) {
            nu[u[k]]++;
            ni[it[k]]++;
        }
        double[] acc = new double[Math.max(bu.length, bi.length)];
        for (int sweep = 0; sweep < sweeps; sweep++) {
            java.util.Arrays.fill(acc, 0, bi.length, 0);
            for (int k = 0; k < n; k++) {
                acc[it[k]] += r[k] - mu - bu[u[k]];
            }
            for (int i = 0; i < bi.length; i++) {
                bi[i] = acc[i] / (regItem + ni[i]);
            }
            java.util.Arrays.fill(acc, 0, bu.length, 0);
            for (int k = 0; k < n; k++) {
                acc[u[k]] += r[k] - mu - bi[it[k]];
            }
            for (int x = 0; x < bu.length; x++) {
                bu[x] = acc[x] / (regUser + nu[x]);
            }
        }
        return new BiasBaseline(mu, bu, bi, train.minRating(), train.maxRating());
    }

    public double globalMean() {
        return mu;
    }

    public double userBias(int user) {
        return userBias[user];
    }

    public double itemBias(int item) {
        return itemBias[item];
    }

    @Override
    public int users() {
        return userBias.length;
    }

    @Override
    public int items() {
        return itemBias.length;
    }

    @Override
    public float score(int user, int item) {
        return (float) (mu + userBias[user] + itemBias[item]);
    }

    @Override
    public float predict(int user, int item) {
        return (float) Math.max(min, Math.min(max, mu + userBias[user] + itemBias[item]));
    }
}
