package dev.winnow.engine.tensor;

import java.util.Arrays;

/**
 * The distinct rows of a lookup table that received a gradient since the table's gradient was last zeroed: what a
 * row-sparse optimiser updates. Embedding lookups add their batch's ids in their backward; any other op that writes
 * the table's gradient marks every row touched, so the set never misses a row with a gradient. Storage is sized by
 * the table once: recording and clearing allocate nothing.
 */
public final class TouchedRows {
    /** Table rows per recorded row up to which listing them by a pass over the flags beats sorting them. */
    static final int SCAN_PER_ROW = 16;
    private final int[] rows;
    private final boolean[] seen;
    private int count;
    private boolean all;

    TouchedRows(int tableRows) {
        this.rows = new int[tableRows];
        this.seen = new boolean[tableRows];
    }

    /** Adds the first n ids of {@code ids}; a repeated id is kept once. */
    void addAll(IndexTensor ids, int n) {
        for (int i = 0; i < n; i++) {
            int r = ids.get(i);
            if (!seen[r]) {
                seen[r] = true;
                rows[count++] = r;
            }
        }
    }

    /** Something other than a row lookup wrote the gradient: every row may have one. */
    void markAll() {
        all = true;
    }

    void clear() {
        for (int k = 0; k < count; k++) {
            seen[rows[k]] = false;
        }
        count = 0;
        all = false;
    }

    /** Whether every row must be treated as touched (a gradient came from something other than a lookup). */
    public boolean all() {
        return all;
    }

    /** The number of distinct rows recorded (meaningless when {@link #all()}). */
    public int count() {
        return count;
    }

    public boolean contains(int row) {
        return all || seen[row];
    }

    /** Copies the recorded rows, ascending, into {@code out} (room for count()) and returns count(). */
    public int sortedRows(int[] out) {
        if ((long) count * SCAN_PER_ROW >= seen.length) {
            // a batch touching a good share of a small table (a few hundred of ML-100K's 943 or 1682 rows): one pass
            // over the table's flags lists them in order for less than sorting them costs
            int n = 0;
            for (int r = 0; r < seen.length; r++) {
                if (seen[r]) {
                    out[n++] = r;
                }
            }
            return n;
        }
        // count is at most the batch's distinct ids; below 4096 Arrays.sort of an int range allocates nothing (JDK
        // 17's DualPivotQuicksort only tries the run merging that can allocate above that)
        Arrays.sort(rows, 0, count);
        System.arraycopy(rows, 0, out, 0, count);
        return count;
    }
}
