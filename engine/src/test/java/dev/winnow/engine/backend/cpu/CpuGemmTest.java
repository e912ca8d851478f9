package dev.winnow.engine.backend.cpu;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Dense GEMM (Vector API and EJML, one and two threads) against a plain float64 triple loop on awkward shapes: sizes
 * of 1, primes, sizes just past the register tile (6 x 2L), the row block (96), the k block (256) and the column block
 * (1024), leading dimensions wider than the matrix, and every transpose combination.
 */
class CpuGemmTest {
    /** m, n, k triples; none is a multiple of every tile. */
    private static final int[][] SHAPES = {
        {1, 1, 1}, {1, 17, 3}, {3, 1, 17}, {7, 5, 0}, {17, 64, 3}, {64, 17, 257}, {257, 3, 64}, {97, 65, 300},
        {257, 257, 17}, {13, 1030, 5}, {6, 32, 256}, {100, 33, 1},
    };
    private static CpuBackend[] backends;

    @BeforeAll
    static void setUp() {
        // Without jdk.incubator.vector (the CI run that checks the plain-Java path) only EJML is there to test.
        backends = CpuBackend.GemmChoice.vectorModulePresent() ? new CpuBackend[] {
            new CpuBackend(1, CpuBackend.GemmChoice.VECTOR), new CpuBackend(2, CpuBackend.GemmChoice.VECTOR),
            new CpuBackend(1, CpuBackend.GemmChoice.EJML), new CpuBackend(2, CpuBackend.GemmChoice.EJML),
        } : new CpuBackend[] {
            new CpuBackend(1, CpuBackend.GemmChoice.EJML), new CpuBackend(2, CpuBackend.GemmChoice.EJML),
        };
    }

    @AfterAll
    static void tearDown() {
        for (CpuBackend b : backends) {
            b.close();
        }
    }

    private static float[] random(int n, SplittableRandom rng) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (rng.nextDouble() * 2 - 1);
        }
        return v;
    }

    /** A stored matrix: rows x cols inside a row stride {@code ld}. */
    private record Stored(float[] data, int rows, int cols, int ld) {
        static Stored random(int rows, int cols, int pad, SplittableRandom rng) {
            int ld = cols + pad;
            return new Stored(CpuGemmTest.random(Math.max(1, rows * ld), rng), rows, cols, ld);
        }

        double at(int r, int c, boolean trans) {
            return trans ? data[c * ld + r] : data[r * ld + c];
        }
    }

    /** Runs C = alpha op(A) op(B) + beta C on every backend and checks each against the float64 reference. */
    private static void checkGemm(int m, int n, int k, boolean ta, boolean tb, float alpha, float beta, int pad,
                                  long seed, float[] maskOrNull) {
        SplittableRandom rng = new SplittableRandom(seed);
        Stored a = ta ? Stored.random(k, m, pad, rng) : Stored.random(m, k, pad, rng);
        Stored b = tb ? Stored.random(n, k, pad, rng) : Stored.random(k, n, pad, rng);
        float[] mask = null;
        if (maskOrNull != null) {
            mask = new float[b.data().length];
            for (int i = 0; i < mask.length; i++) {
                mask[i] = rng.nextDouble() < 0.4 ? 0f : 1f;
            }
        }
        int ldc = n + pad;
        float[] c0 = random(Math.max(1, m * ldc), rng);
        double[] ref = new double[m * n];
        double[] bound = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                double abs = 0;
                for (int p = 0; p < k; p++) {
                    double bv = b.at(p, j, tb);
                    if (mask != null) {
                        bv *= tb ? mask[j * b.ld() + p] : mask[p * b.ld() + j];
                    }
                    double prod = a.at(i, p, ta) * bv;
                    s += prod;
                    abs += Math.abs(prod);
                }
                double old = c0[i * ldc + j];
                ref[i * n + j] = alpha * s + beta * old;
                // worst-case float32 rounding of any summation order, the alpha product and the beta update
                bound[i * n + j] = (k + 4) * 1.2e-7 * (Math.abs(alpha) * abs + Math.abs(beta * old)) + 1e-30;
            }
        }
        float[] first = null;
        for (CpuBackend be : backends) {
            float[] c = c0.clone();
            if (mask == null) {
                be.gemm(ta, tb, m, n, k, alpha, new CpuStorage(a.data()), a.ld(), new CpuStorage(b.data()), b.ld(),
                        beta, new CpuStorage(c), ldc);
            } else {
                be.gemmMasked(ta, tb, m, n, k, alpha, new CpuStorage(a.data()), a.ld(), new CpuStorage(b.data()),
                        b.ld(), new CpuStorage(mask), beta, new CpuStorage(c), ldc);
            }
            String where = be.name() + " m=" + m + " n=" + n + " k=" + k + " transA=" + ta + " transB=" + tb
                    + " alpha=" + alpha + " beta=" + beta + " pad=" + pad + (mask == null ? "" : " masked");
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double err = Math.abs(c[i * ldc + j] - ref[i * n + j]);
                    if (!(err <= bound[i * n + j])) {
                        fail(where + ": C[" + i + "," + j + "] = " + c[i * ldc + j] + ", reference "
                                + ref[i * n + j] + " (allowed error " + bound[i * n + j] + ")");
                    }
                }
                for (int j = n; j < ldc; j++) {
                    assertEquals(Float.floatToIntBits(c0[i * ldc + j]), Float.floatToIntBits(c[i * ldc + j]),
                            where + ": padding C[" + i + "," + j + "] beyond n was written");
                }
            }
            // one and two threads of the same GEMM must agree bit for bit
            if (be.threads() == 1) {
                first = c;
            } else {
                assertTrue(Arrays.equals(first, c), where + ": differs bitwise from the 1-thread result");
            }
        }
    }

    @Test
    void gemmMatchesTheFloat64ReferenceForEveryTransposeAndAwkwardShape() {
        long seed = 1;
        for (int[] s : SHAPES) {
            for (boolean ta : new boolean[] {false, true}) {
                for (boolean tb : new boolean[] {false, true}) {
                    checkGemm(s[0], s[1], s[2], ta, tb, 1f, 0f, 0, seed++, null);
                }
            }
        }
    }

    @Test
    void gemmHonoursAlphaBetaAndLeadingDimensionsWiderThanTheMatrix() {
        long seed = 100;
        float[][] alphaBeta = {{1.5f, 1f}, {-0.5f, 0.25f}, {1f, 1f}, {0f, 2f}, {2f, 0f}};
        for (int[] s : SHAPES) {
            for (boolean ta : new boolean[] {false, true}) {
                for (boolean tb : new boolean[] {false, true}) {
                    float[] ab = alphaBeta[(int) (seed % alphaBeta.length)];
                    checkGemm(s[0], s[1], s[2], ta, tb, ab[0], ab[1], 3, seed++, null);
                }
            }
        }
    }

    @Test
    void gemmMaskedMultipliesByBTimesItsMask() {
        long seed = 200;
        for (int[] s : SHAPES) {
            for (boolean ta : new boolean[] {false, true}) {
                for (boolean tb : new boolean[] {false, true}) {
                    checkGemm(s[0], s[1], s[2], ta, tb, 1.25f, seed % 2 == 0 ? 0f : 0.5f, (int) (seed % 3), seed++,
                            new float[0]);
                }
            }
        }
    }

    @Test
    void betaZeroClearsNaNAlreadyInC() {
        for (CpuBackend be : backends) {
            for (int[] s : new int[][] {{5, 7, 3}, {97, 65, 300}, {3, 4, 0}}) {
                int m = s[0];
                int n = s[1];
                int k = s[2];
                SplittableRandom rng = new SplittableRandom(300);
                float[] a = random(Math.max(1, m * k), rng);
                float[] b = random(Math.max(1, k * n), rng);
                float[] c = new float[m * n];
                Arrays.fill(c, Float.NaN);
                be.gemm(false, false, m, n, k, 1f, new CpuStorage(a), k, new CpuStorage(b), n, 0f, new CpuStorage(c),
                        n);
                for (int i = 0; i < c.length; i++) {
                    assertTrue(Float.isFinite(c[i]), be.name() + " " + m + "x" + n + "x" + k + ": C[" + i + "] = "
                            + c[i] + " after beta = 0");
                }
                Arrays.fill(c, Float.NaN);
                be.gemmMasked(false, true, m, n, k, 1f, new CpuStorage(a), k, new CpuStorage(random(n * k, rng)), k,
                        new CpuStorage(new float[n * k]), 0f, new CpuStorage(c), n);
                for (float v : c) {
                    assertEquals(0f, v, 0f, be.name() + ": a fully masked B with beta = 0 gives exactly 0");
                }
            }
        }
    }

    @Test
    void twoThreadsGiveBitwiseTheSameProductAsOneOnTrainingShapes() {
        // batch x in x out shapes of the student and teacher MLPs, large enough that the work is split
        int[][] shapes = {{256, 128, 64}, {256, 64, 128}, {333, 257, 129}};
        Assumptions.assumeTrue(CpuBackend.GemmChoice.vectorModulePresent(), "needs jdk.incubator.vector");
        try (CpuBackend one = new CpuBackend(1, CpuBackend.GemmChoice.VECTOR);
             CpuBackend two = new CpuBackend(2, CpuBackend.GemmChoice.VECTOR)) {
            for (int[] s : shapes) {
                for (boolean ta : new boolean[] {false, true}) {
                    for (boolean tb : new boolean[] {false, true}) {
                        SplittableRandom rng = new SplittableRandom(s[0] * 31L + s[1]);
                        int m = s[0];
                        int n = s[1];
                        int k = s[2];
                        float[] a = random(m * k, rng);
                        float[] b = random(k * n, rng);
                        float[] c1 = random(m * n, rng);
                        float[] c2 = c1.clone();
                        int lda = ta ? m : k;
                        int ldb = tb ? k : n;
                        one.gemm(ta, tb, m, n, k, 0.75f, new CpuStorage(a), lda, new CpuStorage(b), ldb, 1f,
                                new CpuStorage(c1), n);
                        two.gemm(ta, tb, m, n, k, 0.75f, new CpuStorage(a), lda, new CpuStorage(b), ldb, 1f,
                                new CpuStorage(c2), n);
                        assertTrue(Arrays.equals(c1, c2), m + "x" + n + "x" + k + " transA=" + ta + " transB=" + tb);
                    }
                }
            }
        }
    }

    @Test
    void detectPicksTheVectorGemmWhenTheIncubatorModuleIsPresent() {
        // surefire runs with --add-modules jdk.incubator.vector (parent pom), so the fast path must be chosen; CI's
        // plain-Java run leaves the module out on purpose and says so with -Dwinnow.test.noVector=true
        Assumptions.assumeTrue(System.getProperty("winnow.gemm", "").isBlank(), "GEMM forced by -Dwinnow.gemm");
        if (Boolean.getBoolean("winnow.test.noVector")) {
            assertTrue(!CpuBackend.GemmChoice.vectorModulePresent(), "the plain-Java run has the Vector API module");
            assertEquals(CpuBackend.GemmChoice.EJML, CpuBackend.GemmChoice.detect());
            try (CpuBackend be = new CpuBackend(2)) {
                assertEquals("cpu-ejml(2 threads)", be.name());
            }
            return;
        }
        assertTrue(CpuBackend.GemmChoice.vectorModulePresent(), "tests run with the Vector API module");
        assertEquals(CpuBackend.GemmChoice.VECTOR, CpuBackend.GemmChoice.detect());
        try (CpuBackend be = new CpuBackend(2)) {
            assertTrue(be.name().startsWith("cpu-vector(") && be.name().endsWith("(2 threads)"), be.name());
        }
        try (CpuBackend be = new CpuBackend(1, CpuBackend.GemmChoice.EJML)) {
            assertEquals("cpu-ejml(1 thread)", be.name());
        }
    }
}
