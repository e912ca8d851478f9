package dev.winnow.engine.backend.cpu;

import dev.winnow.engine.sparse.HostCsr;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every sparse kernel, vectorised and plain Java, against a dense double-precision reference on random inputs over
 * rows/cols/batch in {1, 3, 17, 64, 257} x density {0, 0.01, 0.1, 0.5, 0.9, 1}, with empty rows and all-zero columns
 * planted; and the bitwise independence of the results from the thread count.
 */
class SparseKernelsTest {
    private static final int[] SIZES = {1, 3, 17, 64, 257};
    private static final double[] DENSITIES = {0, 0.01, 0.1, 0.5, 0.9, 1};
    private static final Parallel one = TestPools.ONE;
    private static final Parallel three = TestPools.THREE;

    static List<SparseKernels> implementations() {
        List<SparseKernels> ks = new ArrayList<>();
        ks.add(SparseKernels.create(false));
        if (CpuBackend.GemmChoice.vectorModulePresent()) {
            ks.add(SparseKernels.create(true));
        }
        return ks;
    }

    /** A random pattern of the given density; with {@code holes}, row 1 and column 1 are emptied when they exist. */
    static HostCsr randomCsr(int rows, int cols, double density, boolean holes, SplittableRandom rng) {
        float[] dense = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                boolean hole = holes && (r == 1 || c == 1);
                if (!hole && rng.nextDouble() < density) {
                    float v = (float) (rng.nextDouble() * 2 - 1);
                    dense[r * cols + c] = v == 0f ? 0.5f : v;
                }
            }
        }
        return HostCsr.fromDense(dense, rows, cols);
    }

    static float[] randoms(int n, SplittableRandom rng) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (rng.nextDouble() * 2 - 1);
        }
        return a;
    }

    /** Asserts |got - want| <= 1e-5 * (sum of |terms|) + 1e-7: float rounding on sums of that many terms. */
    static void assertClose(String what, double[] want, double[] scale, float[] got, int n) {
        for (int i = 0; i < n; i++) {
            double tol = 1e-5 * scale[i] + 1e-7;
            if (!(Math.abs(got[i] - want[i]) <= tol)) {
                fail(what + ": element " + i + " is " + got[i] + ", reference " + want[i] + " (tolerance " + tol + ")");
            }
        }
    }

    @Test
    void everyKernelMatchesTheDenseReferenceOnAwkwardShapesAndDensities() {
        SplittableRandom rng = new SplittableRandom(42);
        int cases = 0;
        List<SparseKernels> ks = implementations();
        for (int rows : SIZES) {
            for (int cols : SIZES) {
                for (int batch : SIZES) {
                    for (double d : DENSITIES) {
                        checkAllKernels(ks, rows, cols, batch, d, (cases & 1) == 0, rng);
                        cases++;
                    }
                }
            }
        }
        assertTrue(cases == 750, "ran " + cases + " cases");
    }

    private static void checkAllKernels(List<SparseKernels> ks, int rows, int cols, int batch, double density,
                                        boolean holes, SplittableRandom rng) {
        String where = "W " + rows + "x" + cols + " batch " + batch + " density " + density
                + (holes ? " (empty row 1, zero column 1)" : "");
        HostCsr w = randomCsr(rows, cols, density, holes, rng);
        float[] wd = w.toDense();
        float[] x = randoms(batch * cols, rng);
        float[] dy = randoms(batch * rows, rng);

        // Y = X W^T, overwriting a NaN-filled output (beta = 0 must not read it).
        double[] want = new double[batch * rows];
        double[] scale = new double[batch * rows];
        for (int b = 0; b < batch; b++) {
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    double t = (double) x[b * cols + c] * wd[r * cols + c];
                    want[b * rows + r] += t;
                    scale[b * rows + r] += Math.abs(t);
                }
            }
        }
        for (SparseKernels k : ks) {
            float[] y = new float[batch * rows];
            Arrays.fill(y, Float.NaN);
            k.spmmNT(rows, cols, w.rowPtr, w.colIdx, w.values, x, batch, 0f, y, one);
            assertClose(k.name() + " spmmNT " + where, want, scale, y, y.length);
        }

        // dX = dY W + 0.5 dX (beta accumulates).
        float[] dx0 = randoms(batch * cols, rng);
        double[] wantDx = new double[batch * cols];
        double[] scaleDx = new double[batch * cols];
        for (int b = 0; b < batch; b++) {
            for (int c = 0; c < cols; c++) {
                double s = 0.5 * dx0[b * cols + c];
                double a = Math.abs(s);
                for (int r = 0; r < rows; r++) {
                    double t = (double) dy[b * rows + r] * wd[r * cols + c];
                    s += t;
                    a += Math.abs(t);
                }
                wantDx[b * cols + c] = s;
                scaleDx[b * cols + c] = a;
            }
        }
        HostCsr t = w.transpose().matrix();
        for (SparseKernels k : ks) {
            float[] dx = dx0.clone();
            k.spmmNN(rows, cols, w.rowPtr, w.colIdx, w.values, dy, batch, 0.5f, dx, one);
            assertClose(k.name() + " spmmNN " + where, wantDx, scaleDx, dx, dx.length);
            // The same dX through the transposed copy and the forward kernel (what SparseOps.linear does).
            float[] dxT = dx0.clone();
            k.spmmNT(cols, rows, t.rowPtr, t.colIdx, t.values, dy, batch, 0.5f, dxT, one);
            assertClose(k.name() + " spmmNT on W^T " + where, wantDx, scaleDx, dxT, dxT.length);
        }

        // dW on the pattern = dY^T X restricted; beta = 1 adds to what is there.
        int nnz = w.nnz();
        float[] g0 = randoms(nnz, rng);
        double[] wantG = new double[nnz];
        double[] scaleG = new double[nnz];
        for (int r = 0; r < rows; r++) {
            for (int p = w.rowPtr[r]; p < w.rowPtr[r + 1]; p++) {
                int c = w.colIdx[p];
                double s = g0[p];
                double a = Math.abs(s);
                for (int b = 0; b < batch; b++) {
                    double term = (double) dy[b * rows + r] * x[b * cols + c];
                    s += term;
                    a += Math.abs(term);
                }
                wantG[p] = s;
                scaleG[p] = a;
            }
        }
        for (SparseKernels k : ks) {
            float[] g = g0.clone();
            k.sddmm(rows, cols, w.rowPtr, w.colIdx, dy, x, batch, 1f, g, one);
            assertClose(k.name() + " sddmm " + where, wantG, scaleG, g, nnz);
        }
    }

    @Test
    void resultsAreBitwiseIdenticalForOneAndThreeThreads() {
        SplittableRandom rng = new SplittableRandom(7);
        for (SparseKernels k : implementations()) {
            for (int batch : new int[] {1, 33, 257}) {
                HostCsr w = randomCsr(65, 130, 0.2, true, rng);
                float[] x = randoms(batch * 130, rng);
                float[] dy = randoms(batch * 65, rng);
                float[] y1 = new float[batch * 65];
                float[] y3 = new float[batch * 65];
                k.spmmNT(65, 130, w.rowPtr, w.colIdx, w.values, x, batch, 0f, y1, one);
                k.spmmNT(65, 130, w.rowPtr, w.colIdx, w.values, x, batch, 0f, y3, three);
                assertArrayEquals(y1, y3, k.name() + " spmmNT batch " + batch);
                float[] d1 = new float[batch * 130];
                float[] d3 = new float[batch * 130];
                k.spmmNN(65, 130, w.rowPtr, w.colIdx, w.values, dy, batch, 0f, d1, one);
                k.spmmNN(65, 130, w.rowPtr, w.colIdx, w.values, dy, batch, 0f, d3, three);
                assertArrayEquals(d1, d3, k.name() + " spmmNN batch " + batch);
                float[] g1 = new float[w.nnz()];
                float[] g3 = new float[w.nnz()];
                k.sddmm(65, 130, w.rowPtr, w.colIdx, dy, x, batch, 0f, g1, one);
                k.sddmm(65, 130, w.rowPtr, w.colIdx, dy, x, batch, 0f, g3, three);
                assertArrayEquals(g1, g3, k.name() + " sddmm batch " + batch);
            }
        }
    }

    @Test
    void vectorAndPlainJavaKernelsAgreeToRounding() {
        List<SparseKernels> ks = implementations();
        if (ks.size() < 2) {
            return;
        }
        SplittableRandom rng = new SplittableRandom(11);
        HostCsr w = randomCsr(100, 90, 0.3, false, rng);
        float[] x = randoms(70 * 90, rng);
        float[] a = new float[70 * 100];
        float[] b = new float[70 * 100];
        ks.get(0).spmmNT(100, 90, w.rowPtr, w.colIdx, w.values, x, 70, 0f, a, one);
        ks.get(1).spmmNT(100, 90, w.rowPtr, w.colIdx, w.values, x, 70, 0f, b, one);
        for (int i = 0; i < a.length; i++) {
            assertEquals(a[i], b[i], 1e-5 * (1 + Math.abs(a[i])), "element " + i);
        }
    }

    @Test
    void undersizedBuffersAreRejectedWithTheirShape() {
        SparseKernels k = implementations().get(0);
        HostCsr w = randomCsr(4, 5, 0.5, false, new SplittableRandom(1));
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> k.spmmNT(4, 5, w.rowPtr, w.colIdx, w.values, new float[9], 2, 0f, new float[8], one));
        assertTrue(e.getMessage().contains("2x5"), e.getMessage());
    }
}
