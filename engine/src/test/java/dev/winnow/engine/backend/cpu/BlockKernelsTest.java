package dev.winnow.engine.backend.cpu;

import dev.winnow.engine.backend.BlockMatrix;
import dev.winnow.engine.sparse.HostBlocks;
import dev.winnow.engine.sparse.HostCsr;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The 16x1 block product: its layout covers the pattern exactly, and its output has the CSR layer forward's bits
 * (block pruned and unstructured patterns, ragged groups, awkward batches, 1 and 2 threads, plain Java and the Vector
 * API), and both are the product to float accuracy.
 */
class BlockKernelsTest {
    private static final int[] ROWS = {1, 15, 16, 17, 40, 130};
    private static final int[] COLS = {1, 3, 33, 64};
    private static final int[] BATCHES = {1, 3, 4, 7, 8, 13, 67};

    private static List<BlockKernels> implementations() {
        List<BlockKernels> ks = new ArrayList<>();
        ks.add(BlockKernels.create(false));
        if (CpuBackend.GemmChoice.vectorModulePresent()) {
            ks.add(BlockKernels.create(true));
        }
        return ks;
    }

    /** Random weights on whole 16x1 blocks kept with probability {@code density} (a ragged last group too). */
    static HostCsr blockPattern(int rows, int cols, double density, SplittableRandom rng) {
        float[] d = new float[rows * cols];
        for (int g = 0; g * BlockMatrix.HEIGHT < rows; g++) {
            for (int c = 0; c < cols; c++) {
                if (rng.nextDouble() < density) {
                    for (int r = g * BlockMatrix.HEIGHT; r < Math.min(rows, (g + 1) * BlockMatrix.HEIGHT); r++) {
                        float v = (float) (rng.nextDouble() * 2 - 1);
                        d[r * cols + c] = v == 0f ? 0.5f : v;
                    }
                }
            }
        }
        return HostCsr.fromDense(d, rows, cols);
    }

    static HostCsr unstructured(int rows, int cols, double density, SplittableRandom rng) {
        float[] d = new float[rows * cols];
        for (int i = 0; i < d.length; i++) {
            if (rng.nextDouble() < density) {
                float v = (float) (rng.nextDouble() * 2 - 1);
                d[i] = v == 0f ? 0.5f : v;
            }
        }
        return HostCsr.fromDense(d, rows, cols);
    }

    @Test
    void theLayoutHoldsEveryStoredEntryOnceInItsRowsLaneAndPadsTheRest() {
        SplittableRandom rng = new SplittableRandom(1);
        for (int rows : ROWS) {
            for (int cols : COLS) {
                for (double density : new double[] {0, 0.1, 0.5, 1}) {
                    for (HostCsr w : new HostCsr[] {blockPattern(rows, cols, density, rng),
                        unstructured(rows, cols, density, rng)}) {
                        HostBlocks b = HostBlocks.of(w);
                        int[] seen = new int[w.nnz()];
                        float[] vals = b.values(w.values);
                        int[] dense = b.denseIndex();
                        float[] wd = w.toDense();
                        for (int g = 0; g + 1 < b.groupPtr.length; g++) {
                            for (int k = b.groupPtr[g]; k < b.groupPtr[g + 1]; k++) {
                                assertTrue(k == b.groupPtr[g] || b.blockCol[k - 1] < b.blockCol[k], "ascending");
                                boolean any = false;
                                for (int i = 0; i < BlockMatrix.HEIGHT; i++) {
                                    int r = g * BlockMatrix.HEIGHT + i;
                                    int e = b.entry[k * BlockMatrix.HEIGHT + i];
                                    if (e >= 0) {
                                        any = true;
                                        seen[e]++;
                                        assertTrue(r < rows && w.colIdx[e] == b.blockCol[k]
                                                && w.rowPtr[r] <= e && e < w.rowPtr[r + 1], "entry " + e + " lane");
                                    }
                                    float want = r < rows ? wd[r * cols + b.blockCol[k]] : 0f;
                                    assertEquals(want, vals[k * BlockMatrix.HEIGHT + i], 0f);
                                    if (r < rows) {
                                        assertEquals(r * cols + b.blockCol[k], dense[k * BlockMatrix.HEIGHT + i]);
                                    }
                                }
                                assertTrue(any, "a kept block holds an entry");
                            }
                        }
                        for (int e = 0; e < seen.length; e++) {
                            assertEquals(1, seen[e], rows + "x" + cols + " entry " + e);
                        }
                    }
                }
            }
        }
        HostCsr full = blockPattern(40, 33, 0.3, rng);
        assertEquals(1.0, HostBlocks.of(full).fill(full.nnz()), 0.0, "block pruning fills its blocks");
        float[] one = new float[32 * 4];
        one[5 * 4 + 2] = 1f; // a single entry in group 0, column 2: 1 of 16 lanes
        HostCsr single = HostCsr.fromDense(one, 32, 4);
        assertEquals(1.0 / 16, HostBlocks.of(single).fill(1), 1e-12);
    }

    @Test
    void theBlockProductHasTheCsrLayerForwardsBitsAndIsTheProduct() {
        SplittableRandom rng = new SplittableRandom(2);
        List<SparseKernels> sparse = new ArrayList<>();
        sparse.add(SparseKernels.create(false));
        if (CpuBackend.GemmChoice.vectorModulePresent()) {
            sparse.add(SparseKernels.create(true));
        }
        for (int rows : ROWS) {
            for (int cols : COLS) {
                for (double density : new double[] {0, 0.1, 0.5, 1}) {
                    for (boolean blocky : new boolean[] {true, false}) {
                        HostCsr w = blocky ? blockPattern(rows, cols, density, rng)
                                : unstructured(rows, cols, density, rng);
                        HostBlocks hb = HostBlocks.of(w);
                        float[] vals = hb.values(w.values);
                        for (int batch : BATCHES) {
                            float[] x = WidthProbe.randoms(batch * cols, rng);
                            float[] bias = rng.nextBoolean() ? WidthProbe.randoms(rows, rng) : null;
                            float[] want = new float[batch * rows];
                            sparse.get(0).linearForward(rows, cols, w.rowPtr, w.colIdx, w.values, x, batch, bias,
                                    want, new SparseKernels.Packed(), TestPools.ONE);
                            double[] exact = reference(w, x, batch, bias);
                            for (int i = 0; i < want.length; i++) {
                                assertEquals(exact[i], want[i], 1e-5 * (1 + Math.abs(exact[i])), "CSR reference");
                            }
                            for (SparseKernels s : sparse) {
                                float[] y = new float[batch * rows];
                                s.linearForward(rows, cols, w.rowPtr, w.colIdx, w.values, x, batch, bias, y,
                                        new SparseKernels.Packed(), TestPools.TWO);
                                same(want, y, "CSR " + s.name());
                            }
                            for (BlockKernels k : implementations()) {
                                for (Parallel p : new Parallel[] {TestPools.ONE, TestPools.TWO}) {
                                    float[] y = WidthProbe.randoms(batch * rows, rng); // overwritten
                                    k.forward(rows, cols, hb.groupPtr, hb.blockCol, vals, x, batch, bias, y, p);
                                    same(want, y, k.name() + " " + rows + "x" + cols + " density " + density
                                            + (blocky ? " blocks" : " unstructured") + " batch " + batch
                                            + " threads " + p.threads());
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void theBackwardAddsTheGradientsInItsOrderOnEveryKernelAndThreadCount() {
        SplittableRandom rng = new SplittableRandom(4);
        for (int rows : ROWS) {
            for (int cols : COLS) {
                for (double density : new double[] {0.1, 0.5, 1}) {
                    HostCsr w = blockPattern(rows, cols, density, rng);
                    HostBlocks hb = HostBlocks.of(w);
                    float[] vals = hb.values(w.values);
                    HostBlocks.Transposed tr = hb.transposed();
                    float[] vt = transposedValues(w, tr);
                    for (int batch : BATCHES) {
                        float[] x = WidthProbe.randoms(batch * cols, rng);
                        float[] dy = WidthProbe.randoms(batch * rows, rng);
                        float[] dx0 = WidthProbe.randoms(batch * cols, rng);
                        float[] g0 = WidthProbe.randoms(rows * cols, rng);
                        double[][] exact = backwardReference(w, x, dy, batch);
                        float[] wantDx = null;
                        float[] wantG = null;
                        String where = rows + "x" + cols + " density " + density + " batch " + batch;
                        for (BlockKernels k : implementations()) {
                            for (Parallel p : new Parallel[] {TestPools.ONE, TestPools.TWO, TestPools.THREE}) {
                                float[] dx = dx0.clone();
                                float[] g = g0.clone();
                                k.backward(rows, cols, hb.groupPtr, hb.blockCol, tr.padPtr(), tr.padCol(), vt, dy, x,
                                        batch, dx, g, p);
                                if (wantDx == null) {
                                    for (int i = 0; i < dx.length; i++) {
                                        assertEquals(dx0[i] + exact[0][i], dx[i], 1e-5 * (1 + Math.abs(exact[0][i])),
                                                where + " dX " + i);
                                    }
                                    float[] mask = w.toMask();
                                    for (int i = 0; i < g.length; i++) {
                                        double want = mask[i] == 0f ? 0 : exact[1][i];
                                        assertEquals(g0[i] + want, g[i], 1e-5 * (1 + Math.abs(want)),
                                                where + " dW " + i + (mask[i] == 0f ? " (pruned: untouched)" : ""));
                                    }
                                    wantDx = dx;
                                    wantG = g;
                                } else {
                                    same(wantDx, dx, k.name() + " dX " + where + " threads " + p.threads());
                                    same(wantG, g, k.name() + " dW " + where + " threads " + p.threads());
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /** The input gradient's values from the dense weight (padding: a NaN, which must land in the discard slot). */
    static float[] transposedValues(HostCsr w, HostBlocks.Transposed tr) {
        float[] dense = w.toDense();
        if (w.toMask()[0] == 0f) {
            dense[0] = Float.NaN; // position 0 then feeds only padding and ragged rows, which must never be read
        }
        float[] vt = new float[tr.denseIndexT().length];
        for (int i = 0; i < vt.length; i++) {
            vt[i] = dense[tr.denseIndexT()[i]];
        }
        return vt;
    }

    /** [0]: dY W (batch x cols); [1]: dY^T X (rows x cols), in double. */
    private static double[][] backwardReference(HostCsr w, float[] x, float[] dy, int batch) {
        double[] dx = new double[batch * w.cols];
        double[] g = new double[w.rows * w.cols];
        for (int b = 0; b < batch; b++) {
            for (int r = 0; r < w.rows; r++) {
                for (int p = w.rowPtr[r]; p < w.rowPtr[r + 1]; p++) {
                    int c = w.colIdx[p];
                    dx[b * w.cols + c] += (double) dy[b * w.rows + r] * w.values[p];
                    g[r * w.cols + c] += (double) dy[b * w.rows + r] * x[b * w.cols + c];
                }
            }
        }
        return new double[][] {dx, g};
    }

    @Test
    void aLargeBatchSplitsAcrossThreadsWithTheSameBits() {
        SplittableRandom rng = new SplittableRandom(3);
        HostCsr w = blockPattern(128, 256, 0.2, rng);
        HostBlocks hb = HostBlocks.of(w);
        float[] vals = hb.values(w.values);
        float[] x = WidthProbe.randoms(1031 * 256, rng);
        float[] bias = WidthProbe.randoms(128, rng);
        for (BlockKernels k : implementations()) {
            float[] a = new float[1031 * 128];
            float[] b = new float[1031 * 128];
            k.forward(128, 256, hb.groupPtr, hb.blockCol, vals, x, 1031, bias, a, TestPools.ONE);
            k.forward(128, 256, hb.groupPtr, hb.blockCol, vals, x, 1031, bias, b, TestPools.THREE);
            same(a, b, k.name() + " 1 vs 3 threads");
        }
    }

    @Test
    void inconsistentArraysAreRefusedWithTheirSizes() {
        BlockKernels k = BlockKernels.create(false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> k.forward(17, 3,
                new int[] {0, 1}, new int[] {0}, new float[16], new float[3], 1, null, new float[17], TestPools.ONE));
        assertTrue(e.getMessage().contains("3 group pointers"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> k.forward(16, 3, new int[] {0, 1}, new int[] {0},
                new float[16], new float[2], 1, null, new float[16], TestPools.ONE));
        assertTrue(e.getMessage().contains("x 2"), e.getMessage());
    }

    private static double[] reference(HostCsr w, float[] x, int batch, float[] bias) {
        double[] y = new double[batch * w.rows];
        for (int b = 0; b < batch; b++) {
            for (int r = 0; r < w.rows; r++) {
                double s = bias == null ? 0 : bias[r];
                for (int p = w.rowPtr[r]; p < w.rowPtr[r + 1]; p++) {
                    s += (double) x[b * w.cols + w.colIdx[p]] * w.values[p];
                }
                y[b * w.rows + r] = s;
            }
        }
        return y;
    }

    private static void same(float[] want, float[] got, String what) {
        for (int i = 0; i < want.length; i++) {
            if (Float.floatToRawIntBits(want[i]) != Float.floatToRawIntBits(got[i])) {
                fail(what + ": element " + i + " is " + got[i] + ", the CSR forward gives " + want[i]);
            }
        }
    }
}
