package dev.winnow.engine.backend.cpu;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The Vector API GEMM against a float64 triple loop on shapes that cut every blocking level (MR, NR, KC, MC, NC)
 * unevenly, with padded leading dimensions, every transpose, and alpha/beta combinations; and bitwise equality of
 * 1- and 2-thread results (the fixed-partition promise).
 */
class VectorGemmBlockingTest {
    @BeforeEach
    void needsTheVectorModule() {
        assumeTrue(CpuBackend.GemmChoice.vectorModulePresent(), "needs jdk.incubator.vector");
    }

    private static final int[][] SHAPES = {
            {1, 1, 1}, {5, 7, 3}, {6, 16, 256}, {7, 17, 257}, {13, 33, 100}, {97, 15, 300},
            {100, 1030, 20}, {200, 64, 513}, {6, 2050, 9}, {256, 64, 128}, {64, 128, 256},
            {1, 300, 70}, {3, 40, 1000}, {1, 64, 256}, {5, 9, 8},
    };

    @Test
    void everyTransposeMatchesTheFloat64ReferenceOnRaggedShapes() {
        DenseGemm g = new VectorGemm();
        try (Parallel par = new Parallel(1)) {
            SplittableRandom rng = new SplittableRandom(7);
            for (int[] s : SHAPES) {
                for (int t = 0; t < 4; t++) {
                    boolean ta = (t & 1) != 0;
                    boolean tb = (t & 2) != 0;
                    for (float[] ab : new float[][] {{1f, 0f}, {1f, 1f}, {0.5f, -2f}, {-1.5f, 0.25f}}) {
                        check(g, par, rng, s[0], s[1], s[2], ta, tb, ab[0], ab[1]);
                    }
                }
            }
        }
    }

    @Test
    void betaZeroOverwritesNanInTheOutput() {
        DenseGemm g = new VectorGemm();
        try (Parallel par = new Parallel(1)) {
            int m = 13, n = 21, k = 9;
            float[] a = new float[m * k];
            float[] b = new float[k * n];
            java.util.Arrays.fill(a, 1f);
            java.util.Arrays.fill(b, 2f);
            float[] c = new float[m * n];
            java.util.Arrays.fill(c, Float.NaN);
            g.gemm(false, false, m, n, k, 1f, a, k, b, n, 0f, c, n, par);
            for (float v : c) {
                assertEquals(18f, v);
            }
        }
    }

    @Test
    void twoThreadsGiveBitwiseTheSameResultAsOne() {
        DenseGemm g1 = new VectorGemm();
        DenseGemm g2 = new VectorGemm();
        try (Parallel one = new Parallel(1); Parallel two = new Parallel(2)) {
            SplittableRandom rng = new SplittableRandom(11);
            int[][] shapes = {{512, 256, 300}, {64, 1030, 512}, {1000, 70, 600}, {37, 900, 1100}};
            for (int[] s : shapes) {
                for (int t = 0; t < 4; t++) {
                    boolean ta = (t & 1) != 0;
                    boolean tb = (t & 2) != 0;
                    int m = s[0], n = s[1], k = s[2];
                    float[] a = random(rng, m * k);
                    float[] b = random(rng, k * n);
                    float[] c0 = random(rng, m * n);
                    float[] c1 = c0.clone();
                    float[] c2 = c0.clone();
                    g1.gemm(ta, tb, m, n, k, 1f, a, ta ? m : k, b, tb ? k : n, 1f, c1, n, one);
                    g2.gemm(ta, tb, m, n, k, 1f, a, ta ? m : k, b, tb ? k : n, 1f, c2, n, two);
                    assertArrayEquals(c1, c2, "shape " + m + "x" + n + "x" + k + " transA=" + ta + " transB=" + tb);
                }
            }
        }
    }

    private static void check(DenseGemm g, Parallel par, SplittableRandom rng, int m, int n, int k, boolean ta,
                              boolean tb, float alpha, float beta) {
        // Leading dimensions wider than the matrices, so a kernel that ignores lda/ldb/ldc fails.
        int aRows = ta ? k : m, aCols = ta ? m : k;
        int bRows = tb ? n : k, bCols = tb ? k : n;
        int lda = aCols + 3, ldb = bCols + 5, ldc = n + 2;
        float[] a = random(rng, aRows * lda);
        float[] b = random(rng, bRows * ldb);
        float[] c = random(rng, m * ldc);
        double[] expected = new double[m * ldc];
        for (int i = 0; i < m * ldc; i++) {
            expected[i] = c[i];
        }
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double acc = 0;
                for (int p = 0; p < k; p++) {
                    double av = ta ? a[p * lda + i] : a[i * lda + p];
                    double bv = tb ? b[j * ldb + p] : b[p * ldb + j];
                    acc += av * bv;
                }
                expected[i * ldc + j] = alpha * acc + beta * c[i * ldc + j];
            }
        }
        g.gemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, par);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < ldc; j++) {
                double e = expected[i * ldc + j];
                double tol = 1e-5 * Math.max(1, k) + 1e-5 * Math.abs(e);
                if (Math.abs(c[i * ldc + j] - e) > tol) {
                    fail("C[" + i + "][" + j + "] = " + c[i * ldc + j] + ", expected " + e + " for " + m + "x" + n
                            + "x" + k + " transA=" + ta + " transB=" + tb + " alpha=" + alpha + " beta=" + beta
                            + (j >= n ? " (outside the n columns: must be untouched)" : ""));
                }
            }
        }
    }

    private static float[] random(SplittableRandom rng, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (rng.nextDouble() * 2 - 1);
        }
        return v;
    }
}
