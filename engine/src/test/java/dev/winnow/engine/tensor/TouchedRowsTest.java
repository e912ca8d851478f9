package dev.winnow.engine.tensor;

import dev.winnow.engine.backend.cpu.CpuBackend;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The rows a row-sparse optimiser updates: every distinct id once, ascending, whether they are listed by sorting (few
 * rows of a large table) or by a pass over the table's flags (many rows of a small one), and nothing left over after
 * a clear.
 */
class TouchedRowsTest {
    @Test
    void theRowsComeOutDistinctAndAscendingOnBothSidesOfTheScanThreshold() {
        SplittableRandom rng = new SplittableRandom(5);
        // table rows, ids per batch: the first ones list by scanning (count * 16 >= rows), the last by sorting
        int[][] cases = {{1, 3}, {17, 1}, {943, 256}, {1682, 256}, {1682, 64}, {1682, 40}, {40000, 256}, {5000, 7}};
        try (CpuBackend backend = new CpuBackend(1)) {
            for (int[] c : cases) {
                int tableRows = c[0];
                TouchedRows t = new TouchedRows(tableRows);
                for (int round = 0; round < 3; round++) {
                    TreeSet<Integer> want = new TreeSet<>();
                    for (int batch = 0; batch < 2; batch++) {
                        int[] ids = new int[c[1]];
                        for (int i = 0; i < ids.length; i++) {
                            ids[i] = rng.nextInt(tableRows);
                            want.add(ids[i]);
                        }
                        t.addAll(IndexTensor.of(backend, ids), ids.length);
                    }
                    int[] out = new int[tableRows];
                    int n = t.sortedRows(out);
                    String where = tableRows + " rows, " + c[1] + " ids, round " + round;
                    assertEquals(want.size(), n, where);
                    assertEquals(want.size(), t.count(), where);
                    assertArrayEquals(want.stream().mapToInt(Integer::intValue).toArray(),
                            java.util.Arrays.copyOf(out, n), where);
                    t.clear();
                    assertEquals(0, t.sortedRows(out), where + " after clear");
                }
            }
        }
    }
}
