package dev.winnow.engine.backend.cpu;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The forward gather's column blocks and cache-line-aligned panels are pure speed: the CSR forward must give the
 * same bits with them as one fused multiply-add chain per output over the row's entries in pattern order (written
 * out in plain Java here, {@link #oneChain}), whatever the panel offset, and must still handle rows whose columns
 * are not ascending.
 */
class SparseKernelsBlockingTest {
    private static final Parallel one = TestPools.ONE;
    private static final Parallel two = TestPools.TWO;

    /** Row-major CSR of a random pattern; rows 1 and 5 empty, and row 2 has entries only in the last block. */
    private static int[][] pattern(int rows, int cols, double density, SplittableRandom rng) {
        return WidthProbe.pattern(rows, cols, density, rng);
    }

    private static float[] randoms(int n, SplittableRandom rng) {
        return WidthProbe.randoms(n, rng);
    }

    /**
     * Y = X W^T + beta Y in the order the sparse kernels document, without panels, chunks or blocks: each y[b, r]
     * is one fused multiply-add chain from zero over row r's entries in pattern order, then sum + beta * y.
     */
    private static float[] oneChain(int rows, int cols, int[] rp, int[] ci, float[] v, float[] x, int batch,
                                    float beta, float[] y0) {
        float[] y = y0.clone();
        for (int b = 0; b < batch; b++) {
            for (int r = 0; r < rows; r++) {
                float s = 0f;
                for (int p = rp[r]; p < rp[r + 1]; p++) {
                    s = Math.fma(x[b * cols + ci[p]], v[p], s);
                }
                y[b * rows + r] = s + beta * y[b * rows + r];
            }
        }
        return y;
    }

    @Test
    void blockWidthFollowsTheDensityAndNeverExceedsTheColumns() {
        // 1024 columns: ~48 entries per row and block, a power of two; one block when that is under 256 columns.
        assertEquals(1024, SparseKernels.blockColumns(1024, 1024, 1024 * 1024));
        assertEquals(1024, SparseKernels.blockColumns(1024, 1024, 1024 * 512));
        assertEquals(256, SparseKernels.blockColumns(1024, 1024, (int) (1024 * 1024 * 0.3)));
        assertEquals(512, SparseKernels.blockColumns(1024, 1024, (int) (1024 * 1024 * 0.1)));
        assertEquals(1024, SparseKernels.blockColumns(1024, 1024, (int) (1024 * 1024 * 0.05)));
        assertEquals(1024, SparseKernels.blockColumns(4096, 4096, 4096 * 205), "4096 columns at 0.05");
        assertEquals(130, SparseKernels.blockColumns(65, 130, 65 * 13));
        assertEquals(50, SparseKernels.blockColumns(3, 50, 150));
        assertEquals(1000, SparseKernels.blockColumns(4, 1000, 0));
    }

    @Test
    void columnBlocksGiveTheSameBitsAsOneBlockForAnyThreadCountAndBeta() {
        assumeTrue(CpuBackend.GemmChoice.vectorModulePresent(), "needs jdk.incubator.vector");
        SparseKernels k = SparseKernels.create(true);
        SplittableRandom rng = new SplittableRandom(11);
        int[][] shapes = {{40, 1000, 150}, {17, 257, 64}, {33, 700, 3}, {9, 2000, 129}};
        double[] densities = {0.1, 0.2, 0.3};
        int blockedCases = 0;
        for (int[] s : shapes) {
            int rows = s[0];
            int cols = s[1];
            int batch = s[2];
            for (double d : densities) {
                int[][] pc = pattern(rows, cols, d, rng);
                int[] rp = pc[0];
                int[] ci = pc[1];
                float[] v = randoms(ci.length, rng);
                float[] x = randoms(batch * cols, rng);
                float[] y0 = randoms(batch * rows, rng);
                if (SparseKernels.blockColumns(rows, cols, rp[rows]) < cols) {
                    blockedCases++;
                }
                float[] want = oneChain(rows, cols, rp, ci, v, x, batch, 0.5f, y0);
                for (Parallel par : new Parallel[] {one, two}) {
                    float[] got = y0.clone();
                    k.spmmNT(rows, cols, rp, ci, v, x, batch, 0.5f, got, par);
                    assertArrayEquals(want, got, 0f, rows + "x" + cols + " batch " + batch + " density " + d
                            + " threads " + par.threads());
                }
            }
        }
        assertTrue(blockedCases >= 8, "the shapes must exercise the blocked kernel, got " + blockedCases);
    }

    @Test
    void theGatherGivesTheSameBitsAtEveryPanelOffset() {
        assumeTrue(CpuBackend.GemmChoice.vectorModulePresent(), "needs jdk.incubator.vector");
        SplittableRandom rng = new SplittableRandom(5);
        int rows = 21;
        int cols = 300;
        int[][] pc = pattern(rows, cols, 0.7, rng);
        int[] rp = pc[0];
        int[] ci = pc[1];
        float[] v = randoms(ci.length, rng);
        float[] panel = randoms(cols * SparseKernels.CHUNK + CacheLineOffset.PAD, rng);
        int blocks = 5;
        int width = 64;
        for (SparseKernels k : new SparseKernels[] {SparseKernels.create(true), SparseKernels.create(false)}) {
            float[] first = null;
            for (int off = 0; off < CacheLineOffset.PAD; off += 2) {
                // Shift the panel's contents with the offset, so every offset reads the same numbers.
                float[] shifted = new float[panel.length];
                System.arraycopy(panel, 0, shifted, off, cols * SparseKernels.CHUNK);
                float[] q = new float[rows * SparseKernels.CHUNK + CacheLineOffset.PAD];
                int[] bs = blockStarts(rows, rp, ci, width, blocks);
                k.gatherRowsChunk(rows, rp, ci, v, shifted, off, q, off, bs, blocks);
                float[] got = Arrays.copyOfRange(q, off, off + rows * SparseKernels.CHUNK);
                if (first == null) {
                    first = got;
                } else {
                    assertArrayEquals(first, got, 0f, k.name() + " offset " + off);
                }
            }
        }
    }

    private static int[] blockStarts(int rows, int[] rp, int[] ci, int width, int blocks) {
        int[] bs = new int[(blocks + 1) * rows];
        for (int r = 0; r < rows; r++) {
            int p = rp[r];
            for (int j = 0; j < blocks; j++) {
                bs[j * rows + r] = p;
                while (p < rp[r + 1] && ci[p] < (j + 1) * width) {
                    p++;
                }
            }
            bs[blocks * rows + r] = rp[r + 1];
        }
        return bs;
    }

    @Test
    void rowsWithColumnsOutOfOrderStillGiveTheRightProduct() {
        assumeTrue(CpuBackend.GemmChoice.vectorModulePresent(), "needs jdk.incubator.vector");
        SplittableRandom rng = new SplittableRandom(3);
        int rows = 6;
        int cols = 1000;
        int batch = 70;
        int[][] pc = pattern(rows, cols, 0.2, rng);
        int[] rp = pc[0];
        int[] ci = pc[1];
        // Reverse row 3's entries: blocks cannot be used, the kernel must notice and still be right.
        for (int i = rp[3], j = rp[4] - 1; i < j; i++, j--) {
            int t = ci[i];
            ci[i] = ci[j];
            ci[j] = t;
        }
        assertTrue(SparseKernels.blockColumns(rows, cols, rp[rows]) < cols, "density must call for blocks");
        float[] v = randoms(ci.length, rng);
        float[] x = randoms(batch * cols, rng);
        float[] y = new float[batch * rows];
        SparseKernels.create(true).spmmNT(rows, cols, rp, ci, v, x, batch, 0f, y, one);
        for (int b = 0; b < batch; b++) {
            for (int r = 0; r < rows; r++) {
                double s = 0;
                double a = 0;
                for (int p = rp[r]; p < rp[r + 1]; p++) {
                    double t = (double) v[p] * x[b * cols + ci[p]];
                    s += t;
                    a += Math.abs(t);
                }
                double tol = 1e-5 * a + 1e-7;
                assertTrue(Math.abs(y[b * rows + r] - s) <= tol,
                        "row " + r + " batch " + b + ": " + y[b * rows + r] + " vs " + s);
            }
        }
    }

    @Test
    void cacheLineOffsetsStayInsideThePadding() {
        Object[] scratch = new Object[1];
        for (int n = 1; n < 5000; n += 97) {
            int off = CacheLineOffset.of(new float[n], scratch);
            assertTrue(off >= 0 && off < CacheLineOffset.PAD, "offset " + off);
            assertEquals(null, scratch[0], "the scratch must not keep the array alive");
        }
    }
}
