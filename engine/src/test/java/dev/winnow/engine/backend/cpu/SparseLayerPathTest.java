package dev.winnow.engine.backend.cpu;

import dev.winnow.engine.sparse.HostCsr;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * The sparse layer's own paths (linearForward keeps its packed X, linearBackward packs dY once and reuses that X,
 * panels packed only for the columns a pattern uses) are pure speed: they must give the same bits as the plain
 * kernels they stand for, on awkward shapes, tiny patterns, empty rows and partial batch chunks, for 1 and 2 threads.
 */
class SparseLayerPathTest {
    private static final int[] SIZES = {1, 3, 17, 64, 257};
    private static final double[] DENSITIES = {0, 0.01, 0.1, 0.5, 1};
    private static final int[] BATCHES = {1, 3, 65, 130};
    private static final Parallel one = TestPools.ONE;
    private static final Parallel two = TestPools.TWO;

    private static List<SparseKernels> implementations() {
        List<SparseKernels> ks = new ArrayList<>();
        ks.add(SparseKernels.create(false));
        if (CpuBackend.GemmChoice.vectorModulePresent()) {
            ks.add(SparseKernels.create(true));
        }
        return ks;
    }

    /** A random pattern; with {@code holes} row 1 and column 1 are empty (when they exist). */
    private static HostCsr pattern(int rows, int cols, double density, boolean holes, SplittableRandom rng) {
        float[] d = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                if (!(holes && (r == 1 || c == 1)) && rng.nextDouble() < density) {
                    float v = (float) (rng.nextDouble() * 2 - 1);
                    d[r * cols + c] = v == 0f ? 0.25f : v;
                }
            }
        }
        return HostCsr.fromDense(d, rows, cols);
    }

    /** A pattern touching only {@code k} columns (and {@code k} entries): the output layer of a pruned student. */
    private static HostCsr fewColumns(int rows, int cols, int k, SplittableRandom rng) {
        float[] d = new float[rows * cols];
        for (int j = 0; j < k; j++) {
            d[rng.nextInt(rows) * cols + rng.nextInt(cols)] = (float) (rng.nextDouble() * 2 - 1) + 3f;
        }
        return HostCsr.fromDense(d, rows, cols);
    }

    private static float[] randoms(int n, SplittableRandom rng) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (rng.nextDouble() * 2 - 1);
        }
        return a;
    }

    private static List<HostCsr> patterns(SplittableRandom rng) {
        List<HostCsr> ps = new ArrayList<>();
        int n = 0;
        for (int rows : SIZES) {
            for (int cols : SIZES) {
                for (double d : DENSITIES) {
                    ps.add(pattern(rows, cols, d, (n++ & 1) == 0, rng));
                }
            }
        }
        ps.add(fewColumns(1, 64, 6, rng));
        ps.add(fewColumns(64, 1, 6, rng));
        ps.add(fewColumns(128, 257, 9, rng));
        ps.add(fewColumns(300, 40, 3, rng));
        return ps;
    }

    /**
     * Batches of up to {@link SparseKernels#DIRECT_MAX_BATCH} rows skip the panels: each row's outputs must have the
     * bits the panel path gives that row inside a larger batch, for the layer forward (bias) and the product with
     * beta 0, 1 and 0.5, on both implementations and patterns with empty rows.
     */
    @Test
    void aFewRowsGiveTheBitsThePanelsGiveThemInALargeBatch() {
        SplittableRandom rng = new SplittableRandom(77);
        for (SparseKernels k : implementations()) {
            for (int rows : new int[] {1, 17, 64}) {
                for (int cols : new int[] {3, 64, 257}) {
                    for (double density : new double[] {0.01, 0.1, 0.5, 1}) {
                        HostCsr w = pattern(rows, cols, density, true, rng);
                        int big = 70;
                        float[] x = randoms(big * cols, rng);
                        float[] bias = randoms(rows, rng);
                        float[] yBig = new float[big * rows];
                        k.linearForward(rows, cols, w.rowPtr, w.colIdx, w.values, x, big, bias, yBig,
                                new SparseKernels.Packed(), one);
                        float[] y0 = randoms(big * rows, rng);
                        for (float beta : new float[] {0f, 1f, 0.5f}) {
                            float[] yb = y0.clone();
                            k.spmmNT(rows, cols, w.rowPtr, w.colIdx, w.values, x, big, beta, yb, one);
                            for (int n = 1; n <= SparseKernels.DIRECT_MAX_BATCH; n++) {
                                int start = rng.nextInt(big - n + 1);
                                float[] xs = Arrays.copyOfRange(x, start * cols, (start + n) * cols);
                                float[] ys = Arrays.copyOfRange(y0, start * rows, (start + n) * rows);
                                k.spmmNT(rows, cols, w.rowPtr, w.colIdx, w.values, xs, n, beta, ys, two);
                                assertBits(Arrays.copyOfRange(yb, start * rows, (start + n) * rows), ys,
                                        k.name() + " spmmNT beta " + beta + " " + rows + "x" + cols + " batch " + n);
                                float[] yl = new float[n * rows];
                                assertEquals(0L, k.linearForward(rows, cols, w.rowPtr, w.colIdx, w.values, xs, n,
                                        bias, yl, new SparseKernels.Packed(), one), "nothing packed to keep");
                                assertBits(Arrays.copyOfRange(yBig, start * rows, (start + n) * rows), yl,
                                        k.name() + " linearForward " + rows + "x" + cols + " batch " + n);
                            }
                        }
                    }
                }
            }
        }
    }

    private static void assertBits(float[] want, float[] got, String what) {
        for (int i = 0; i < want.length; i++) {
            if (Float.floatToRawIntBits(want[i]) != Float.floatToRawIntBits(got[i])) {
                fail(what + ": element " + i + " is " + got[i] + ", the panels give " + want[i]);
            }
        }
    }

    @Test
    void theLayerForwardGivesTheBitsOfTheProductForAnyThreadCount() {
        SplittableRandom rng = new SplittableRandom(7);
        for (SparseKernels k : implementations()) {
            for (HostCsr w : patterns(rng)) {
                for (int batch : BATCHES) {
                    float[] x = randoms(batch * w.cols, rng);
                    float[] want = new float[batch * w.rows];
                    Arrays.fill(want, Float.NaN);
                    k.spmmNT(w.rows, w.cols, w.rowPtr, w.colIdx, w.values, x, batch, 0f, want, one);
                    for (Parallel p : new Parallel[] {one, two}) {
                        float[] y = new float[batch * w.rows];
                        Arrays.fill(y, Float.NaN);
                        SparseKernels.Packed keep = new SparseKernels.Packed();
                        long token = k.linearForward(w.rows, w.cols, w.rowPtr, w.colIdx, w.values, x, batch, null,
                                y, keep, p);
                        assertArrayEquals(want, y, k.name() + " " + where(w, batch) + ", " + p.threads() + " threads");
                        // a few rows are computed without panels, so there is no pack to keep
                        assertEquals(w.rows > 0 && batch > SparseKernels.DIRECT_MAX_BATCH,
                                keep.holds(x, batch, w.cols, token), "keeps the pack of x");
                    }
                }
            }
        }
    }

    /** The bias is added in the unpack: the bits of adding it to the product afterwards (one rounding either way). */
    @Test
    void theLayerForwardAddsTheBiasWithTheBitsOfAnAddAfterwards() {
        SplittableRandom rng = new SplittableRandom(14);
        for (SparseKernels k : implementations()) {
            for (HostCsr w : patterns(rng)) {
                for (int batch : new int[] {1, 65, 130}) {
                    float[] x = randoms(batch * w.cols, rng);
                    float[] bias = randoms(w.rows, rng);
                    float[] want = new float[batch * w.rows];
                    k.spmmNT(w.rows, w.cols, w.rowPtr, w.colIdx, w.values, x, batch, 0f, want, one);
                    for (int i = 0; i < want.length; i++) {
                        want[i] = want[i] + bias[i % w.rows];
                    }
                    float[] y = new float[batch * w.rows];
                    Arrays.fill(y, Float.NaN);
                    k.linearForward(w.rows, w.cols, w.rowPtr, w.colIdx, w.values, x, batch, bias, y,
                            new SparseKernels.Packed(), two);
                    assertArrayEquals(want, y, k.name() + " " + where(w, batch) + " with bias");
                }
            }
        }
    }

    /**
     * Every implementation, at every vector width and in plain Java, sums each output in entry order with one fused
     * multiply-add per entry. That model is exact, so the panels packed for only the used columns are checked bit for
     * bit against it, not just to a tolerance.
     */
    @Test
    void eachOutputIsTheEntryOrderSumOfItsRowWhateverColumnsArePacked() {
        SplittableRandom rng = new SplittableRandom(8);
        for (SparseKernels k : implementations()) {
            for (HostCsr w : patterns(rng)) {
                for (int batch : BATCHES) {
                    float[] x = randoms(batch * w.cols, rng);
                    float[] y = new float[batch * w.rows];
                    k.linearForward(w.rows, w.cols, w.rowPtr, w.colIdx, w.values, x, batch, null, y,
                            new SparseKernels.Packed(), two);
                    for (int b = 0; b < batch; b++) {
                        for (int r = 0; r < w.rows; r++) {
                            float acc = 0f;
                            for (int p = w.rowPtr[r]; p < w.rowPtr[r + 1]; p++) {
                                float xv = x[b * w.cols + w.colIdx[p]];
                                acc = Math.fma(w.values[p], xv, acc);
                            }
                            if (Float.floatToRawIntBits(acc) != Float.floatToRawIntBits(y[b * w.rows + r])) {
                                fail(k.name() + " " + where(w, batch) + ": y[" + b + ", " + r + "] = "
                                        + y[b * w.rows + r] + ", entry-order sum " + acc);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void theLayerBackwardGivesTheBitsOfItsTwoProductsWithAFreshAStaleOrNoPack() {
        SplittableRandom rng = new SplittableRandom(9);
        for (SparseKernels k : implementations()) {
            for (HostCsr w : patterns(rng)) {
                HostCsr t = w.transpose().matrix();
                for (int batch : BATCHES) {
                    float[] x = randoms(batch * w.cols, rng);
                    float[] other = randoms(batch * w.cols, rng);
                    float[] dy = randoms(batch * w.rows, rng);
                    float[] dx0 = randoms(batch * w.cols, rng);
                    // The two products the layer's backward stands for.
                    float[] wantDx = dx0.clone();
                    k.spmmNT(t.rows, t.cols, t.rowPtr, t.colIdx, t.values, dy, batch, 1f, wantDx, one);
                    float[] wantGrad = new float[Math.max(1, w.nnz())];
                    k.sddmm(w.rows, w.cols, w.rowPtr, w.colIdx, dy, x, batch, 0f, wantGrad, one);
                    String where = k.name() + " " + where(w, batch);
                    for (Parallel p : new Parallel[] {one, two}) {
                        float[] y = new float[batch * w.rows];
                        SparseKernels.Packed keep = new SparseKernels.Packed();
                        long fresh = k.linearForward(w.rows, w.cols, w.rowPtr, w.colIdx, w.values, x, batch, null,
                                y, keep, p);
                        check(k, w, t, dy, x, batch, keep, fresh, dx0, wantDx, wantGrad, p, where + " fresh pack");
                        // Another forward into the same scratch makes the first token stale: X is packed again.
                        long later = k.linearForward(w.rows, w.cols, w.rowPtr, w.colIdx, w.values, other, batch,
                                null, y, keep, p);
                        assertFalse(keep.holds(x, batch, w.cols, fresh), where);
                        check(k, w, t, dy, x, batch, keep, fresh, dx0, wantDx, wantGrad, p, where + " stale pack");
                        check(k, w, t, dy, x, batch, keep, later, dx0, wantDx, wantGrad, p, where + " other x's pack");
                        check(k, w, t, dy, x, batch, null, 0, dx0, wantDx, wantGrad, p, where + " no scratch");
                    }
                }
            }
        }
    }

    private static void check(SparseKernels k, HostCsr w, HostCsr t, float[] dy, float[] x, int batch,
                              SparseKernels.Packed keep, long token, float[] dx0, float[] wantDx, float[] wantGrad,
                              Parallel p, String where) {
        float[] dx = dx0.clone();
        float[] grad = new float[Math.max(1, w.nnz())];
        Arrays.fill(grad, Float.NaN);
        k.linearBackward(weight(w, t), dy, x, batch, dx, grad, keep, token, p);
        assertArrayEquals(wantDx, dx, where + ": dX");
        assertArrayEquals(Arrays.copyOf(wantGrad, w.nnz()), Arrays.copyOf(grad, w.nnz()), where + ": dW");
        // Each half alone.
        float[] dxOnly = dx0.clone();
        k.linearBackward(weight(w, t), dy, x, batch, dxOnly, null, keep, token, p);
        assertArrayEquals(wantDx, dxOnly, where + ": dX without dW");
        float[] gradOnly = new float[Math.max(1, w.nnz())];
        k.linearBackward(weight(w, t), dy, x, batch, null, gradOnly, keep, token, p);
        assertArrayEquals(Arrays.copyOf(wantGrad, w.nnz()), Arrays.copyOf(gradOnly, w.nnz()),
                where + ": dW without dX");
    }

    /**
     * Proof that the backward reads the forward's pack rather than X: X is changed after the forward (which a layer
     * never does), and dW is still the one of the X the forward saw, until a stale token forces a fresh pack.
     */
    @Test
    void theBackwardReadsTheForwardsPackNotXAgain() {
        SplittableRandom rng = new SplittableRandom(10);
        for (SparseKernels k : implementations()) {
            HostCsr w = pattern(40, 70, 0.2, false, rng);
            HostCsr t = w.transpose().matrix();
            int batch = 100;
            float[] x = randoms(batch * w.cols, rng);
            float[] seen = x.clone();
            float[] dy = randoms(batch * w.rows, rng);
            float[] wantSeen = new float[w.nnz()];
            k.sddmm(w.rows, w.cols, w.rowPtr, w.colIdx, dy, seen, batch, 0f, wantSeen, one);
            SparseKernels.Packed keep = new SparseKernels.Packed();
            long token = k.linearForward(w.rows, w.cols, w.rowPtr, w.colIdx, w.values, x, batch, null,
                    new float[batch * w.rows], keep, one);
            for (int i = 0; i < x.length; i++) {
                x[i] = -2 * x[i];
            }
            float[] grad = new float[w.nnz()];
            k.linearBackward(weight(w, t), dy, x, batch, null, grad, keep, token, one);
            assertArrayEquals(wantSeen, grad, k.name() + ": dW from the forward's pack");
            float[] wantNow = new float[w.nnz()];
            k.sddmm(w.rows, w.cols, w.rowPtr, w.colIdx, dy, x, batch, 0f, wantNow, one);
            k.linearBackward(weight(w, t), dy, x, batch, null, grad, keep, token + 1, one);
            assertArrayEquals(wantNow, grad, k.name() + ": a token no forward returned packs X afresh");
            assertTrue(Math.abs(wantNow[0] - wantSeen[0]) > 0, "the two X give different gradients");
        }
    }

    /** An X too big to stay in cache is not kept (token 0); the backward then packs it and is still exact. */
    @Test
    void aLargeInputIsNotKeptAndTheBackwardPacksItItself() {
        SplittableRandom rng = new SplittableRandom(12);
        int batch = 130;
        int cols = SparseKernels.KEEP_MAX_FLOATS / (3 * SparseKernels.CHUNK) + 1;
        HostCsr w = pattern(9, cols, 0.05, true, rng);
        HostCsr t = w.transpose().matrix();
        float[] x = randoms(batch * cols, rng);
        float[] dy = randoms(batch * w.rows, rng);
        float[] bias = randoms(w.rows, rng);
        for (SparseKernels k : implementations()) {
            float[] want = new float[batch * w.rows];
            k.spmmNT(w.rows, w.cols, w.rowPtr, w.colIdx, w.values, x, batch, 0f, want, one);
            for (int i = 0; i < want.length; i++) {
                want[i] = want[i] + bias[i % w.rows];
            }
            float[] wantDx = new float[batch * cols];
            k.spmmNT(t.rows, t.cols, t.rowPtr, t.colIdx, t.values, dy, batch, 1f, wantDx, one);
            float[] wantGrad = new float[w.nnz()];
            k.sddmm(w.rows, w.cols, w.rowPtr, w.colIdx, dy, x, batch, 0f, wantGrad, one);
            SparseKernels.Packed keep = new SparseKernels.Packed();
            float[] y = new float[batch * w.rows];
            long token = k.linearForward(w.rows, w.cols, w.rowPtr, w.colIdx, w.values, x, batch, bias, y, keep, two);
            assertEquals(0, token, "nothing kept above " + SparseKernels.KEEP_MAX_FLOATS + " floats");
            assertArrayEquals(want, y, k.name());
            check(k, w, t, dy, x, batch, keep, token, new float[batch * cols], wantDx, wantGrad, two, k.name());
        }
    }

    /**
     * "No allocation per call": after warm-up a layer's forward and backward allocate no buffers (scratch grows once).
     * The bound leaves room for the small loop-body objects handed to the thread pool (~420 bytes for these four calls
     * on JDK 17), not for any array of the layer's size (the smallest here is 8 KiB).
     */
    @Test
    void aWarmLayerAllocatesNoBuffersPerCall() {
        assumeFalse(VectorEmulation.active(), VectorEmulation.SKIPPED);
        SplittableRandom rng = new SplittableRandom(13);
        HostCsr w = pattern(64, 128, 0.1, false, rng);
        HostCsr t = w.transpose().matrix();
        int batch = 256;
        float[] x = randoms(batch * w.cols, rng);
        float[] dy = randoms(batch * w.rows, rng);
        float[] y = new float[batch * w.rows];
        float[] dx = new float[batch * w.cols];
        float[] grad = new float[w.nnz()];
        SparseKernels.LayerWeight layer = weight(w, t);
        for (SparseKernels k : implementations()) {
            SparseKernels.Packed keep = new SparseKernels.Packed();
            long perCall = WarmAllocation.bytesPerCall(200, () -> {
                long token = k.linearForward(w.rows, w.cols, w.rowPtr, w.colIdx, w.values, x, batch, null, y, keep, one);
                k.linearBackward(layer, dy, x, batch, dx, grad, keep, token, one);
                k.spmmNT(w.rows, w.cols, w.rowPtr, w.colIdx, w.values, x, batch, 0f, y, one);
                k.sddmm(w.rows, w.cols, w.rowPtr, w.colIdx, dy, x, batch, 0f, grad, one);
            });
            assertTrue(perCall < WarmAllocation.FREE_BELOW, k.name() + ": " + perCall
                    + " bytes allocated per forward, backward, spmmNT and sddmm");
        }
    }

    @Test
    void aTransposedCopyThatDoesNotMatchIsRefused() {
        SparseKernels k = SparseKernels.create(false);
        SplittableRandom rng = new SplittableRandom(11);
        HostCsr w = pattern(5, 6, 0.5, false, rng);
        HostCsr other = pattern(6, 5, 0.9, false, rng);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> weight(w, other));
        assertTrue(e.getMessage().contains("transposed copy"), e.getMessage());
    }

    /** W's pattern with its transposed copy t, as the layer's backward takes them. */
    private static SparseKernels.LayerWeight weight(HostCsr w, HostCsr t) {
        return new SparseKernels.LayerWeight(w.rows, w.cols, w.rowPtr, w.colIdx, t.rowPtr, t.colIdx, t.values);
    }

    private static String where(HostCsr w, int batch) {
        return "W " + w.rows + "x" + w.cols + " (" + w.nnz() + " entries) batch " + batch;
    }
}
