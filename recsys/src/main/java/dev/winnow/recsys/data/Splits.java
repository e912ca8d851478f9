package dev.winnow.recsys.data;

import java.util.SplittableRandom;

/** Ways of dividing rating data into train, validation and test. */
public final class Splits {
    private Splits() {
    }

    /** A seeded random permutation cut into train / validation / test by the given fractions. */
    public static RatingSplit random(RatingData data, double validationFraction, double testFraction, long seed) {
        if (validationFraction < 0 || testFraction <= 0 || validationFraction + testFraction >= 1) {
            throw new IllegalArgumentException("validation and test fractions must be in [0,1) and sum below 1, got "
                    + validationFraction + " and " + testFraction);
        }
        int n = data.size();
        int[] perm = permutation(n, seed);
        int nTest = (int) Math.round(n * testFraction);
        int nVal = (int) Math.round(n * validationFraction);
        int nTrain = n - nTest - nVal;
        int[] tr = java.util.Arrays.copyOfRange(perm, 0, nTrain);
        int[] va = java.util.Arrays.copyOfRange(perm, nTrain, nTrain + nVal);
        int[] te = java.util.Arrays.copyOfRange(perm, nTrain + nVal, n);
        return new RatingSplit("random(seed=" + seed + ")", data.subset(tr, data.name() + ":train"),
                data.subset(va, data.name() + ":validation"), data.subset(te, data.name() + ":test"));
    }

    /** A seeded permutation of 0..n-1 (Fisher-Yates). */
    public static int[] permutation(int n, long seed) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        shuffle(p, new SplittableRandom(seed));
        return p;
    }

    public static void shuffle(int[] p, SplittableRandom rng) {
        for (int i = p.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
    }
}
