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

    /** Lines of u.data in each canonical MovieLens 100K fold (u1.test .. u5.test). */
    public static final int ML100K_FOLD_LINES = 20_000;

    /**
     * Canonical MovieLens 100K fold {@code k} (1..5), rebuilt from u.data alone: test is the ratings on lines
     * (k-1)*20000+1 .. k*20000 (u{k}.test), train is every other line (u{k}.base). Lines skipped as bad simply drop
     * out.
     */
    public static RatingSplit ml100kFold(LoadedRatings data, int k) {
        if (!data.format().equals("ml-100k")) {
            throw new IllegalArgumentException("--split u1-u5: the canonical folds are defined only for MovieLens 100K "
                    + "(u.data); this data set is " + data.format() + "; use --split random or loo");
        }
        if (k < 1 || k > 5) {
            throw new IllegalArgumentException("ML-100K fold must be 1..5, got " + k);
        }
        long lo = (long) (k - 1) * ML100K_FOLD_LINES;
        long hi = (long) k * ML100K_FOLD_LINES;
        int[] line = data.sourceLine();
        int nTest = 0;
        for (int l : line) {
            if (l > lo && l <= hi) {
                nTest++;
            }
        }
        int[] test = new int[nTest];
        int[] train = new int[line.length - nTest];
        int a = 0;
        int b = 0;
        for (int row = 0; row < line.length; row++) {
            if (line[row] > lo && line[row] <= hi) {
                test[a++] = row;
            } else {
                train[b++] = row;
            }
        }
        RatingData all = data.ratings();
        return new RatingSplit("u" + k, all.subset(train, "u" + k + ".base"), all.subset(new int[0], "u" + k + ".val"),
                all.subset(test, "u" + k + ".test"));
    }

    /**
     * Per-user leave-one-out by time: each user's latest rating (ties: the later row) is the test set, the rest is
     * train. Users with a single rating keep it in train and have no test rating.
     */
    public static RatingSplit leaveOneOutByTime(RatingData data) {
        int[] last = new int[data.users()];
        int[] count = new int[data.users()];
        java.util.Arrays.fill(last, -1);
        for (int row = 0; row < data.size(); row++) {
            int u = data.user()[row];
            count[u]++;
            if (last[u] < 0 || data.time()[row] >= data.time()[last[u]]) {
                last[u] = row;
            }
        }
        boolean[] isTest = new boolean[data.size()];
        int nTest = 0;
        for (int u = 0; u < last.length; u++) {
            if (count[u] >= 2) {
                isTest[last[u]] = true;
                nTest++;
            }
        }
        int[] test = new int[nTest];
        int[] train = new int[data.size() - nTest];
        int a = 0;
        int b = 0;
        for (int u = 0; u < last.length; u++) {
            if (count[u] >= 2) {
                test[a++] = last[u];
            }
        }
        for (int row = 0; row < data.size(); row++) {
            if (!isTest[row]) {
                train[b++] = row;
            }
        }
        return new RatingSplit("loo", data.subset(train, data.name() + ":train"),
                data.subset(new int[0], data.name() + ":validation"), data.subset(test, data.name() + ":test"));
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
