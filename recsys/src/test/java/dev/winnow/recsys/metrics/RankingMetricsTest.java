package dev.winnow.recsys.metrics;

import dev.winnow.recsys.data.RatingData;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RankingMetricsTest {

    private static RatingData data(int users, int items, int[] u, int[] i) {
        return new RatingData("d", users, items, u, i, new float[u.length], new long[u.length], 1, 5);
    }

    /** Item i scores 100 - i: item 0 is ranked first. */
    private static final ItemScorer DESCENDING = (user, out) -> {
        for (int i = 0; i < out.length; i++) {
            out[i] = 100 - i;
        }
    };

    @Test
    void theTopRankedItemIsAHitWithFullGain() {
        RankingMetrics m = RankingMetrics.fullRanking(DESCENDING, data(1, 20, new int[0], new int[0]),
                data(1, 20, new int[] {0}, new int[] {0}), 10);
        assertEquals(1.0, m.hitRate());
        assertEquals(1.0, m.ndcg());
    }

    @Test
    void ndcgDiscountsByTheLogOfTheRank() {
        // item 3 has three items ahead of it: rank 3 (0-based), gain 1/log2(5)
        RankingMetrics m = RankingMetrics.fullRanking(DESCENDING, data(1, 20, new int[0], new int[0]),
                data(1, 20, new int[] {0}, new int[] {3}), 10);
        assertEquals(1.0, m.hitRate());
        assertEquals(1 / (Math.log(5) / Math.log(2)), m.ndcg(), 1e-12);
    }

    @Test
    void trainingItemsAreExcludedFromTheRanking() {
        // item 12 has 12 items ahead; 5 of them are the user's training items, so 7 remain: a hit at rank 7
        RatingData train = data(2, 20, new int[] {0, 0, 0, 0, 0, 1}, new int[] {0, 1, 2, 3, 4, 5});
        RatingData test = data(2, 20, new int[] {0, 1}, new int[] {12, 12});
        RankingMetrics m = RankingMetrics.fullRanking(DESCENDING, train, test, 10);
        assertEquals(0.5, m.hitRate(), "user 1 has only one exclusion: 11 ahead, a miss");
        assertEquals(0.5 / (Math.log(9) / Math.log(2)), m.ndcg(), 1e-12);
    }

    @Test
    void tiesCountAgainstTheHeldOutItemSoAConstantModelScoresNothing() {
        ItemScorer constant = (user, out) -> java.util.Arrays.fill(out, 3.5f);
        RankingMetrics m = RankingMetrics.fullRanking(constant, data(1, 50, new int[0], new int[0]),
                data(1, 50, new int[] {0}, new int[] {7}), 10);
        assertEquals(0.0, m.hitRate());
        assertEquals(0.0, m.ndcg());
    }

    @Test
    void sampledProtocolRanksAgainstNegativesTheUserNeverRated() {
        // the user's rated items (train and test) score highest; the target is next. If any rated item were drawn as
        // a negative the target would fall behind it; it must stay first every time.
        int items = 500;
        int[] trainItems = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
        int[] trainUsers = new int[trainItems.length];
        RatingData train = data(1, items, trainUsers, trainItems);
        RatingData test = data(1, items, new int[] {0}, new int[] {13});
        ItemScorer scorer = (user, out) -> {
            java.util.Arrays.fill(out, 0f);
            for (int i : trainItems) {
                out[i] = 10f;
            }
            out[13] = 5f;
        };
        RankingMetrics sampled = RankingMetrics.sampled(scorer, train, test, 1, 99, 42);
        assertEquals(1.0, sampled.hitRate());
        assertEquals("sampled 1+99", sampled.protocol());
        assertTrue(RankingMetrics.fullRanking(scorer, train, test, 1).hitRate() == 1.0);
    }

    @Test
    void sampledProtocolIsEasierThanFullRankingForAMediocreModel() {
        // the target sits at position 50 of 1000: a full-ranking miss, a likely sampled hit
        RatingData train = data(1, 1000, new int[0], new int[0]);
        RatingData test = data(1, 1000, new int[] {0}, new int[] {50});
        assertEquals(0.0, RankingMetrics.fullRanking(DESCENDING, train, test, 10).hitRate());
        assertEquals(1.0, RankingMetrics.sampled(DESCENDING, train, test, 10, 99, 1).hitRate());
    }
}
