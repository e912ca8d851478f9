package dev.winnow.recsys.metrics;

import dev.winnow.recsys.data.RatingData;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Hit rate and NDCG at K for held-out (user, item) pairs, under one of two protocols:
 * <ul>
 *   <li>{@link #fullRanking}: the held-out item is ranked against every item the user has no training rating for;</li>
 *   <li>{@link #sampled}: against 99 (or {@code negatives}) items drawn from those the user never rated, the protocol
 *   of He et al.'s NCF paper; its numbers are far higher and are always labelled "sampled 1+99".</li>
 * </ul>
 * Ties count against the held-out item (an item scored equal to it ranks ahead), so a constant model scores 0 rather
 * than a perfect hit. HR@K = share of cases ranked in the top K; NDCG@K = mean of 1/log2(rank + 2) over those cases
 * (rank 0-based), 0 otherwise.
 *
 * @param protocol "full" or "sampled 1+99"
 * @param cases    number of held-out pairs ranked
 */
public record RankingMetrics(String protocol, int k, double hitRate, double ndcg, int cases) {

    public static RankingMetrics fullRanking(ItemScorer scorer, RatingData train, RatingData test, int k) {
        checkK(k);
        int[][] seen = itemsByUser(train);
        float[] scores = new float[test.items()];
        int[] order = usersInOrder(test);
        double hits = 0;
        double gain = 0;
        int lastUser = -1;
        for (int row : order) {
            int u = test.user()[row];
            int target = test.item()[row];
            if (u != lastUser) {
                scorer.scoreAll(u, scores);
                lastUser = u;
            }
            float s = scores[target];
            int ahead = 0;
            int[] excluded = seen[u];
            for (int i = 0; i < scores.length; i++) {
                if (i != target && scores[i] >= s && Arrays.binarySearch(excluded, i) < 0) {
                    ahead++;
                }
            }
            if (ahead < k) {
                hits++;
                gain += 1.0 / log2(ahead + 2);
            }
        }
        int n = test.size();
        return new RankingMetrics("full", k, n == 0 ? Double.NaN : hits / n, n == 0 ? Double.NaN : gain / n, n);
    }

    public static RankingMetrics sampled(ItemScorer scorer, RatingData train, RatingData test, int k, int negatives,
                                         long seed) {
        checkK(k);
        if (negatives < 1) {
            throw new IllegalArgumentException("sampled ranking needs at least 1 negative, got " + negatives);
        }
        int[][] rated = itemsByUser(train, test);
        float[] scores = new float[test.items()];
        SplittableRandom rng = new SplittableRandom(seed);
        int[] order = usersInOrder(test);
        double hits = 0;
        double gain = 0;
        int lastUser = -1;
        int[] candidates = new int[test.items()];
        for (int row : order) {
            int u = test.user()[row];
            int target = test.item()[row];
            if (u != lastUser) {
                scorer.scoreAll(u, scores);
                lastUser = u;
            }
            int pool = 0;
            for (int i = 0; i < test.items(); i++) {
                if (Arrays.binarySearch(rated[u], i) < 0) {
                    candidates[pool++] = i;
                }
            }
            int draw = Math.min(negatives, pool);
            float s = scores[target];
            int ahead = 0;
            for (int d = 0; d < draw; d++) {
                int j = d + rng.nextInt(pool - d);
                int tmp = candidates[d];
                candidates[d] = candidates[j];
                candidates[j] = tmp;
                if (scores[candidates[d]] >= s) {
                    ahead++;
                }
            }
            if (ahead < k) {
                hits++;
                gain += 1.0 / log2(ahead + 2);
            }
        }
        int n = test.size();
        return new RankingMetrics("sampled 1+" + negatives, k, n == 0 ? Double.NaN : hits / n,
                n == 0 ? Double.NaN : gain / n, n);
    }

    private static void checkK(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("ranking cut-off K must be at least 1, got " + k);
        }
    }

    private static double log2(double x) {
        return Math.log(x) / Math.log(2);
    }

    /** Rows of {@code test} ordered by user (stable), so each user is scored once. */
    private static int[] usersInOrder(RatingData test) {
        return java.util.stream.IntStream.range(0, test.size()).boxed()
                .sorted(java.util.Comparator.comparingInt(r -> test.user()[r])).mapToInt(Integer::intValue).toArray();
    }

    /** Sorted distinct items per user over the given data sets. */
    static int[][] itemsByUser(RatingData... sets) {
        int users = sets[0].users();
        int[] count = new int[users];
        for (RatingData d : sets) {
            for (int u : d.user()) {
                count[u]++;
            }
        }
        int[][] items = new int[users][];
        for (int u = 0; u < users; u++) {
            items[u] = new int[count[u]];
        }
        int[] fill = new int[users];
        for (RatingData d : sets) {
            for (int k = 0; k < d.size(); k++) {
                int u = d.user()[k];
                items[u][fill[u]++] = d.item()[k];
            }
        }
        for (int u = 0; u < users; u++) {
            items[u] = Arrays.stream(items[u]).sorted().distinct().toArray();
        }
        return items;
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "%s ranking: HR@%d %.4f  NDCG@%d %.4f  (%d cases)", protocol, k,
                hitRate, k, ndcg, cases);
    }
}
