package dev.winnow.recsys.data;

import java.util.Arrays;

/**
 * Explicit ratings: parallel arrays of dense 0-based user ids, item ids, ratings and timestamps (seconds, or 0 when
 * the source has none). {@code users} and {@code items} are the id spaces, shared by every split of one data set.
 */
public record RatingData(String name, int users, int items, int[] user, int[] item, float[] rating, long[] time,
                         float minRating, float maxRating) {

    public RatingData {
        int n = user.length;
        if (item.length != n || rating.length != n || time.length != n) {
            throw new IllegalArgumentException(name + ": column lengths differ (" + user.length + ", " + item.length
                    + ", " + rating.length + ", " + time.length + ")");
        }
    }

    public int size() {
        return user.length;
    }

    /** The rows at the given positions, in that order. */
    public RatingData subset(int[] rows, String subsetName) {
        int[] u = new int[rows.length];
        int[] i = new int[rows.length];
        float[] r = new float[rows.length];
        long[] t = new long[rows.length];
        for (int k = 0; k < rows.length; k++) {
            int row = rows[k];
            u[k] = user[row];
            i[k] = item[row];
            r[k] = rating[row];
            t[k] = time[row];
        }
        return new RatingData(subsetName, users, items, u, i, r, t, minRating, maxRating);
    }

    /** Rows [from, to). */
    public RatingData range(int from, int to, String subsetName) {
        return new RatingData(subsetName, users, items, Arrays.copyOfRange(user, from, to),
                Arrays.copyOfRange(item, from, to), Arrays.copyOfRange(rating, from, to),
                Arrays.copyOfRange(time, from, to), minRating, maxRating);
    }

    public double meanRating() {
        double s = 0;
        for (float r : rating) {
            s += r;
        }
        return size() == 0 ? 0 : s / size();
    }
}
