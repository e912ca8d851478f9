package dev.winnow.recsys.data;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The embedded default data set: MovieLens-100K-shaped ratings (943 users, 1682 items, 100,000 distinct pairs) from a
 * planted model, so every command runs with no data on disk. Users are drawn with log-normal activity and items with
 * power-law popularity; the score is mean + user bias + item bias + 0.35 x a rank-8 factor product, passed through a
 * mild non-linearity (tanh squashing of the factor term), plus Gaussian noise of known sigma, rounded and clipped
 * to 1..5. The same seed always gives the same data.
 */
public final class SyntheticRatings {
    public static final int USERS = 943;
    public static final int ITEMS = 1682;
    public static final int RATINGS = 100_000;
    public static final int RANK = 8;
    /** Standard deviation of the noise added before rounding. */
    public static final double NOISE_SIGMA = 0.6;

    private SyntheticRatings() {
    }

    public static RatingData generate(long seed) {
        return generate(seed, USERS, ITEMS, RATINGS);
    }

    public static RatingData generate(long seed, int users, int items, int ratings) {
        if ((long) users * items < ratings) {
            throw new IllegalArgumentException("cannot draw " + ratings + " distinct pairs from " + users + " users x "
                    + items + " items");
        }
        SplittableRandom rng = new SplittableRandom(seed);
        double[][] uf = gaussianMatrix(rng, users, RANK);
        double[][] itf = gaussianMatrix(rng, items, RANK);
        double[] ub = gaussianVector(rng, users, 0.4);
        double[] ib = gaussianVector(rng, items, 0.6);
        double[] userCdf = cdf(logNormalWeights(rng, users));
        double[] itemWeights = new double[items];
        for (int i = 0; i < items; i++) {
            itemWeights[i] = 1.0 / Math.pow(i + 1, 0.9);
        }
        shuffle(itemWeights, rng);
        double[] itemCdf = cdf(itemWeights);

        Set<Long> seen = new HashSet<>(ratings * 2);
        int[] u = new int[ratings];
        int[] it = new int[ratings];
        float[] r = new float[ratings];
        long[] t = new long[ratings];
        int n = 0;
        long clock = 874_724_710L; // the first MovieLens-100K timestamp, for realistic-looking times
        while (n < ratings) {
            int uu = sample(userCdf, rng.nextDouble());
            int ii = sample(itemCdf, rng.nextDouble());
            if (!seen.add((long) uu * items + ii)) {
                continue;
            }
            double dot = 0;
            for (int k = 0; k < RANK; k++) {
                dot += uf[uu][k] * itf[ii][k];
            }
            double score = 3.53 + ub[uu] + ib[ii] + 1.2 * Math.tanh(0.35 * dot) + NOISE_SIGMA * gaussian(rng);
            u[n] = uu;
            it[n] = ii;
            r[n] = (float) Math.max(1, Math.min(5, Math.rint(score)));
            clock += 1 + rng.nextInt(300);
            t[n] = clock;
            n++;
        }
        return new RatingData("synthetic(seed=" + seed + ")", users, items, u, it, r, t, 1f, 5f);
    }

    private static double[][] gaussianMatrix(SplittableRandom rng, int rows, int cols) {
        double[][] m = new double[rows][cols];
        for (double[] row : m) {
            for (int k = 0; k < cols; k++) {
                row[k] = gaussian(rng);
            }
        }
        return m;
    }

    private static double[] gaussianVector(SplittableRandom rng, int n, double std) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = std * gaussian(rng);
        }
        return v;
    }

    private static double[] logNormalWeights(SplittableRandom rng, int n) {
        double[] w = new double[n];
        for (int i = 0; i < n; i++) {
            w[i] = Math.exp(gaussian(rng));
        }
        return w;
    }

    private static double[] cdf(double[] w) {
        double total = Arrays.stream(w).sum();
        double[] c = new double[w.length];
        double acc = 0;
        for (int i = 0; i < w.length; i++) {
            acc += w[i] / total;
            c[i] = acc;
        }
        c[w.length - 1] = 1.0;
        return c;
    }

    private static int sample(double[] cdf, double u) {
        int idx = Arrays.binarySearch(cdf, u);
        return idx >= 0 ? idx : Math.min(cdf.length - 1, -idx - 1);
    }

    private static void shuffle(double[] a, SplittableRandom rng) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            double tmp = a[i];
            a[i] = a[j];
            a[j] = tmp;
        }
    }

    private static double gaussian(SplittableRandom rng) {
        return dev.winnow.engine.nn.Gaussian.next(rng);
    }
}
