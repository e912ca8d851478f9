package dev.winnow.engine.sparse;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.backend.Storage;
import dev.winnow.engine.backend.cpu.CpuBackend;
import dev.winnow.engine.backend.cpu.Parallel;
import dev.winnow.engine.backend.cpu.TestPools;
import dev.winnow.engine.backend.cpu.SparseKernels;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static dev.winnow.engine.sparse.SparseKernelsTest.assertClose;
import static dev.winnow.engine.sparse.SparseKernelsTest.randomCsr;
import static dev.winnow.engine.sparse.SparseKernelsTest.randoms;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bitmask + packed values layout: round trips with dense, dense + mask and CSR on random matrices of awkward
 * shapes (partial last words, empty rows, zero columns), and its forward product Y = X W^T against the dense
 * double-precision reference, bitwise against the CSR kernel, and bitwise across thread counts.
 */
class BitmaskLayoutTest {
    private static final int[] SIZES = {1, 3, 17, 64, 257};
    private static final double[] DENSITIES = {0, 0.01, 0.1, 0.5, 0.9, 1};
    private static final Parallel one = TestPools.ONE;
    private static final Parallel three = TestPools.THREE;

    @Test
    void denseToBitmaskToDenseAndBitmaskToCsrToBitmaskAreTheIdentity() {
        SplittableRandom rng = new SplittableRandom(1);
        int cases = 0;
        for (int rows : SIZES) {
            for (int cols : new int[] {1, 3, 17, 63, 64, 65, 128, 257}) {
                for (double d : DENSITIES) {
                    HostCsr csr = randomCsr(rows, cols, d, (cases & 1) == 0, rng);
                    float[] dense = csr.toDense();
                    String where = rows + "x" + cols + " density " + d;
                    HostBitmask b = HostBitmask.fromDense(dense, rows, cols);
                    assertEquals(csr.nnz(), b.nnz(), where + ": stored entries");
                    assertArrayEquals(dense, b.toDense(), 0f, where + ": dense -> bitmask -> dense");
                    assertEquals(csr, b.toCsr(), where + ": bitmask -> CSR equals dense -> CSR");
                    assertEquals(b, HostBitmask.fromCsr(csr), where + ": CSR -> bitmask equals dense -> bitmask");
                    assertEquals(b, HostBitmask.fromCsr(b.toCsr()), where + ": bitmask -> CSR -> bitmask");
                    assertArrayEquals(csr.toMask(), b.toMask(), 0f, where + ": the pattern's mask");
                    cases++;
                }
            }
        }
        assertEquals(5 * 8 * 6, cases);
    }

    @Test
    void maskToBitmaskKeepsEveryMaskedPositionEvenWhereTheWeightIsZeroAndRefreshReadsTheDenseWeight() {
        float[] mask = {1, 0, 1, 1, 0, 0, 1, 0, 1, 1, 1, 0};
        float[] w = {0f, 9f, 2f, 0f, 8f, 7f, 3f, 6f, 4f, 0f, 5f, 1f};
        HostBitmask b = HostBitmask.fromMask(mask, w, 3, 4);
        assertEquals(7, b.nnz(), "every position the mask keeps is stored, zeros included");
        assertArrayEquals(mask, b.toMask(), 0f);
        assertArrayEquals(new float[] {0f, 2f, 0f, 3f, 4f, 0f, 5f}, b.values, 0f);
        assertArrayEquals(HostCsr.fromMask(mask, w, 3, 4).denseIndex(), indexOf(b));
        float[] w2 = new float[12];
        for (int i = 0; i < 12; i++) {
            w2[i] = 10 + i;
        }
        b.refresh(w2);
        assertArrayEquals(new float[] {10f, 12f, 13f, 16f, 18f, 19f, 20f}, b.values, 0f,
                "refresh copies the dense weight's values at the stored positions, in order");
    }

    private static int[] indexOf(HostBitmask b) {
        float[] probe = new float[b.rows * b.cols];
        for (int i = 0; i < probe.length; i++) {
            probe[i] = i;
        }
        HostBitmask copy = HostBitmask.fromCsr(b.toCsr());
        copy.refresh(probe);
        int[] idx = new int[copy.nnz()];
        for (int p = 0; p < idx.length; p++) {
            idx[p] = (int) copy.values[p];
        }
        return idx;
    }

    @Test
    void malformedBitmasksAreRejectedWithWhatIsWrong() {
        IllegalArgumentException padding = assertThrows(IllegalArgumentException.class,
                () -> new HostBitmask(1, 3, new long[] {0b1001L}, new int[] {0, 2}, new float[2]));
        assertTrue(padding.getMessage().contains("past column 2"), padding.getMessage());
        IllegalArgumentException count = assertThrows(IllegalArgumentException.class,
                () -> new HostBitmask(2, 3, new long[] {0b11L, 0b1L}, new int[] {0, 1, 2}, new float[2]));
        assertTrue(count.getMessage().contains("row 0 has 2 bits set"), count.getMessage());
        IllegalArgumentException words = assertThrows(IllegalArgumentException.class,
                () -> new HostBitmask(2, 65, new long[2], new int[] {0, 0, 0}, new float[0]));
        assertTrue(words.getMessage().contains("needs 4 words"), words.getMessage());
        assertThrows(IllegalArgumentException.class, () -> HostBitmask.fromDense(new float[5], 2, 3));
    }

    @Test
    void bitmaskForwardMatchesTheDenseReferenceAndTheCsrKernelBitwiseOnAwkwardShapes() {
        SplittableRandom rng = new SplittableRandom(42);
        List<SparseKernels> ks = SparseKernelsTest.implementations();
        int cases = 0;
        for (int rows : SIZES) {
            for (int cols : SIZES) {
                for (int batch : SIZES) {
                    for (double d : DENSITIES) {
                        boolean holes = (cases & 1) == 0;
                        String where = "W " + rows + "x" + cols + " batch " + batch + " density " + d
                                + (holes ? " (empty row 1, zero column 1)" : "");
                        HostCsr csr = randomCsr(rows, cols, d, holes, rng);
                        HostBitmask b = HostBitmask.fromCsr(csr);
                        float[] wd = csr.toDense();
                        float[] x = randoms(batch * cols, rng);
                        float[] y0 = randoms(batch * rows, rng);
                        double[] want = new double[batch * rows];
                        double[] scale = new double[batch * rows];
                        for (int i = 0; i < batch; i++) {
                            for (int r = 0; r < rows; r++) {
                                double s = 0.5 * y0[i * rows + r];
                                double a = Math.abs(s);
                                for (int c = 0; c < cols; c++) {
                                    double t = (double) x[i * cols + c] * wd[r * cols + c];
                                    s += t;
                                    a += Math.abs(t);
                                }
                                want[i * rows + r] = s;
                                scale[i * rows + r] = a;
                            }
                        }
                        for (SparseKernels k : ks) {
                            float[] y = y0.clone();
                            k.bitmaskNT(rows, cols, b.bits, b.wordsPerRow, b.rowStart, b.values, x, batch, 0.5f, y,
                                    one);
                            assertClose(k.name() + " bitmaskNT " + where, want, scale, y, y.length);
                            float[] viaCsr = y0.clone();
                            k.spmmNT(rows, cols, csr.rowPtr, csr.colIdx, csr.values, x, batch, 0.5f, viaCsr, one);
                            assertArrayEquals(viaCsr, y, 0f, k.name() + " bitmask vs CSR (same order) " + where);
                            float[] threaded = new float[batch * rows];
                            Arrays.fill(threaded, Float.NaN); // beta = 0 must not read the output
                            k.bitmaskNT(rows, cols, b.bits, b.wordsPerRow, b.rowStart, b.values, x, batch, 0f,
                                    threaded, three);
                            float[] single = new float[batch * rows];
                            k.bitmaskNT(rows, cols, b.bits, b.wordsPerRow, b.rowStart, b.values, x, batch, 0f,
                                    single, one);
                            assertArrayEquals(single, threaded, 0f, k.name() + " 3 threads vs 1 " + where);
                        }
                        cases++;
                    }
                }
            }
        }
        assertEquals(750, cases);
    }

    @Test
    void theCpuBackendEntryPointAgreesWithTheKernelOnBigBatches() {
        // Batch 300 = 4 full chunks + a partial one, split over 2 threads through the backend.
        SplittableRandom rng = new SplittableRandom(7);
        HostCsr csr = randomCsr(70, 130, 0.2, true, rng);
        HostBitmask b = HostBitmask.fromCsr(csr);
        float[] x = randoms(300 * 130, rng);
        try (Backend be = new CpuBackend(2)) {
            Storage xs = be.allocate(x.length);
            be.upload(x, 0, xs, 0, x.length);
            Storage ys = be.allocate(300 * 70);
            ((CpuBackend) be).bitmaskSpmmNT(70, 130, b.bits, b.wordsPerRow, b.rowStart, b.values, xs, 300, 0f, ys);
            float[] got = new float[300 * 70];
            be.download(ys, 0, got, 0, got.length);
            float[] want = new float[300 * 70];
            SparseKernels.create().spmmNT(70, 130, csr.rowPtr, csr.colIdx, csr.values, x, 300, 0f, want, one);
            assertArrayEquals(want, got, 0f);
        }
    }
}
