package dev.winnow.recsys.data;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SplitsTest {

    private static LoadedRatings asMl100k(LoadedRatings d) {
        return new LoadedRatings("ml-100k", d.ratingsFile(), d.ratings(), d.scale(), d.sourceLine(), d.userIds(),
                d.itemIds(), null, 0, null);
    }

    @Test
    void ml100kFoldKTestsExactlyLinesOfItsTwentyThousandBlock() {
        LoadedRatings d = asMl100k(DataSource.load("synthetic", 3, false));
        Set<Long> tested = new HashSet<>();
        for (int k = 1; k <= 5; k++) {
            RatingSplit s = Splits.ml100kFold(d, k);
            assertEquals(20_000, s.test().size());
            assertEquals(80_000, s.train().size());
            // synthetic rows are lines 1..100000, so the test rows are rows (k-1)*20000 .. k*20000-1 in order
            int first = (k - 1) * 20_000;
            assertEquals(d.ratings().user()[first], s.test().user()[0]);
            assertEquals(d.ratings().item()[first + 19_999], s.test().item()[19_999]);
            assertEquals(d.ratings().item()[k == 1 ? 20_000 : 0], s.train().item()[0]);
            for (int r = 0; r < s.test().size(); r++) {
                tested.add((long) s.test().user()[r] * 10_000 + s.test().item()[r]);
            }
        }
        assertEquals(100_000, tested.size(), "the five test folds cover every rating exactly once");
    }

    @Test
    void skippedLinesDropOutOfTheirFoldWithoutShiftingTheOthers() {
        LoadedRatings d = asMl100k(DataSource.load("synthetic", 3, false));
        int[] rows = new int[99_999];
        int[] lines = new int[99_999];
        for (int k = 0, r = 0; r < 100_000; r++) {
            if (r != 5) {
                rows[k] = r;
                lines[k++] = r + 1;
            }
        }
        LoadedRatings gap = new LoadedRatings("ml-100k", null, d.ratings().subset(rows, "gap"), d.scale(), lines,
                d.userIds(), d.itemIds(), null, 1, null);
        assertEquals(19_999, Splits.ml100kFold(gap, 1).test().size());
        assertEquals(20_000, Splits.ml100kFold(gap, 2).test().size());
    }

    @Test
    void canonicalFoldsAreRefusedForOtherDataSets() {
        LoadedRatings d = DataSource.load("synthetic", 0, false);
        String m = assertThrows(IllegalArgumentException.class, () -> Splits.ml100kFold(d, 1)).getMessage();
        assertTrue(m.contains("defined only for MovieLens 100K"), m);
    }

    @Test
    void leaveOneOutHoldsOutEachUsersLatestRating() {
        RatingData d = new RatingData("t", 3, 4, new int[] {0, 0, 0, 1, 1, 2}, new int[] {0, 1, 2, 0, 3, 1},
                new float[] {1, 2, 3, 4, 5, 1}, new long[] {10, 30, 20, 5, 5, 7}, 1, 5);
        RatingSplit s = Splits.leaveOneOutByTime(d);
        assertArrayEquals(new int[] {0, 1}, s.test().user(), "user 2 has one rating and keeps it for training");
        assertArrayEquals(new int[] {1, 3}, s.test().item(), "latest by time; a tie goes to the later row");
        assertEquals(4, s.train().size());
    }

    @Test
    void realMl100kFoldOneHasTheCanonicalSizes() {
        LoadedRatings d = DataSource.load(SharedData.ml100k().toString(), 0, false);
        RatingSplit u1 = Splits.ml100kFold(d, 1);
        assertEquals(80_000, u1.train().size());
        assertEquals(20_000, u1.test().size());
        // first line of u.data is "196 242 3 881250949": the first rating of u1.test
        assertEquals(196, d.userIds().rawId(u1.test().user()[0]));
        assertEquals(242, d.itemIds().rawId(u1.test().item()[0]));
    }
}
