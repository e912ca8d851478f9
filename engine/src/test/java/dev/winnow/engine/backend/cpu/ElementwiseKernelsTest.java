package dev.winnow.engine.backend.cpu;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The Vector API element-wise kernels against the plain-Java ones, bit for bit, on random inputs seeded with the
 * values where a reordered or fused operation would show: signed zeros, subnormals, infinities, NaN, huge and tiny
 * magnitudes; lengths around the vector width and sub-ranges that start off a vector boundary.
 */
class ElementwiseKernelsTest {
    private static final int[] LENGTHS = {1, 3, 7, 8, 9, 16, 17, 31, 64, 257, 1000};
    private static final float[] SPECIAL = {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, 1e-38f, -1e-38f, 1e30f,
            -1e30f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, 1f, -1f, 3e-20f};
    private static ElementwiseKernels scalar;
    private static ElementwiseKernels vector;

    @BeforeAll
    static void setUp() {
        scalar = ElementwiseKernels.create(false);
        vector = ElementwiseKernels.create(true);
        // Run every kernel long enough for C2 to compile it: the interpreter's Vector API fallback is lane-by-lane
        // Java and would agree with the scalar loops trivially; the compiled vector instructions are what is tested.
        SplittableRandom rng = new SplittableRandom(1);
        float[] a = values(257, 1f, true, rng);
        float[] b = values(257, 1f, true, rng);
        float[] c = new float[257];
        float[] d = new float[257];
        for (int it = 0; it < 20_000; it++) {
            Arrays.fill(c, 0.5f);
            Arrays.fill(d, 0.25f);
            vector.relu(a, c, 0, 257);
            vector.reluBackward(a, b, d, 0, 257);
            vector.binaryRow(it % 3, a, 0, b, 0, c, 0, 257);
            vector.axpy(0.5f, a, c, 0, 257);
            vector.addRow(a, 0, c, 0, 257);
            vector.addScaledRow(a, 0, d, 0, 257, 0.5f);
        }
    }

    private static void assumeVector() {
        assumeTrue(vector instanceof ElementwiseKernels.Vectorized,
                "jdk.incubator.vector is absent: only the plain-Java kernels exist");
    }

    /** Random values in [-scale, scale], about one in eight replaced by a special value. */
    private static float[] values(int n, float scale, boolean specials, SplittableRandom rng) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = specials && rng.nextInt(8) == 0 ? SPECIAL[rng.nextInt(SPECIAL.length)]
                    : (float) ((rng.nextDouble() * 2 - 1) * scale);
        }
        return a;
    }

    private static void assertBitwise(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            // floatToIntBits: every NaN is one NaN (payloads are not part of the contract), -0 and +0 differ.
            assertEquals(Float.floatToIntBits(expected[i]), Float.floatToIntBits(actual[i]),
                    what + " at " + i + ": expected " + expected[i] + ", got " + actual[i]);
        }
    }

    @Test
    void vectorReluAndItsBackwardMatchScalarBitForBit() {
        assumeVector();
        SplittableRandom rng = new SplittableRandom(3);
        for (int n : LENGTHS) {
            float[] x = values(n, 1f, true, rng);
            float[] dy = values(n, 1f, true, rng);
            float[] dx = values(n, 1f, true, rng);
            int from = n > 5 ? 5 : 0;
            float[] ys = values(n, 1f, false, rng);
            float[] yv = ys.clone();
            scalar.relu(x, ys, from, n);
            vector.relu(x, yv, from, n);
            assertBitwise(ys, yv, "relu n=" + n);
            float[] dxs = dx.clone();
            float[] dxv = dx.clone();
            scalar.reluBackward(x, dy, dxs, from, n);
            vector.reluBackward(x, dy, dxv, from, n);
            assertBitwise(dxs, dxv, "relu backward n=" + n);
        }
    }

    @Test
    void vectorRowOpsMatchScalarBitForBit() {
        assumeVector();
        SplittableRandom rng = new SplittableRandom(9);
        for (int n : LENGTHS) {
            float[] a = values(n + 11, 3f, true, rng);
            float[] b = values(n + 11, 3f, true, rng);
            for (int op = ElementwiseKernels.ADD; op <= ElementwiseKernels.MUL; op++) {
                float[] cs = values(n + 11, 1f, false, rng);
                float[] cv = cs.clone();
                scalar.binaryRow(op, a, 2, b, 7, cs, 4, n);
                vector.binaryRow(op, a, 2, b, 7, cv, 4, n);
                assertBitwise(cs, cv, "binary op " + op + " n=" + n);
            }
            for (float alpha : new float[] {1f, -1f, 0.37f}) {
                float[] ys = values(n, 1f, true, rng);
                float[] yv = ys.clone();
                int from = n > 2 ? 2 : 0;
                scalar.axpy(alpha, a, ys, from, n);
                vector.axpy(alpha, a, yv, from, n);
                assertBitwise(ys, yv, "axpy alpha=" + alpha + " n=" + n);
            }
            float[] accS = values(n + 5, 1f, true, rng);
            float[] accV = accS.clone();
            scalar.addRow(a, 3, accS, 5, n);
            vector.addRow(a, 3, accV, 5, n);
            assertBitwise(accS, accV, "addRow n=" + n);
            for (float beta : new float[] {1f, 0.5f, -2f}) {
                float[] ds = values(n + 6, 1f, true, rng);
                float[] dv = ds.clone();
                scalar.addScaledRow(b, 1, ds, 6, n, beta);
                vector.addScaledRow(b, 1, dv, 6, n, beta);
                assertBitwise(ds, dv, "addScaledRow beta=" + beta + " n=" + n);
            }
        }
    }
}
