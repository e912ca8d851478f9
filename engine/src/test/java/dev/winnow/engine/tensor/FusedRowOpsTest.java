package dev.winnow.engine.tensor;

import dev.winnow.engine.backend.cpu.CpuBackend;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.BiFunction;

import static dev.winnow.engine.tensor.RandomTensors.uniform;
import static dev.winnow.engine.tensor.RandomTensors.weightedSum;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CPU backend's fused row ops (one tape node each) against the compositions they replace, built from the
 * element-wise ops on the same backend: the same bits in the outputs and in every gradient, with the inputs' gradients
 * also fed by other ops before and after (so the order of the adds matters), at awkward shapes, with all-zero rows and
 * rows below the clamp, at 1 and 3 threads; and the training-mode batch norm likewise, with its parameters' gradients. The results pinned elsewhere (the README's SAD row, the SAD methods'
 * compare pins) depend on these bits.
 */
class FusedRowOpsTest {
    private static final int[][] SHAPES = {{1, 1}, {3, 5}, {4, 7}, {5, 32}, {9, 31}, {17, 128}, {256, 64}, {7, 1}};
    private static final float EPS = 1e-3f;

    /** The composition Ops.l2NormalizeRows replaced (kept in Ops for backends without fused row ops). */
    private static Tensor composedNormalize(Tensor x) {
        return Ops.div(x, Ops.sqrt(Ops.clampMin(Ops.sumCols(Ops.square(x)), EPS * EPS)));
    }

    private static Tensor composedDistance(Tensor a, Tensor b) {
        return Ops.sumCols(Ops.square(Ops.sub(a, b)));
    }

    /** Rows of x: random, then row 0 all zero and row 1 tiny (norm below EPS) where there are such rows. */
    private static float[] input(int rows, int cols, long seed) {
        float[] v = uniform(rows * cols, -2, 2, seed);
        if (rows >= 3) {
            for (int c = 0; c < cols; c++) {
                v[c] = 0f;
                v[cols + c] = v[cols + c] * 1e-5f;
            }
        }
        return v;
    }

    /**
     * loss = weightedSum(f(x, z)) + weightedSum(x * 3) + weightedSum(z^2): x and z get gradient from outside f as
     * well. Returns [f's output, x.grad, z.grad] (z.grad empty when z does not require it).
     */
    private static List<float[]> run(CpuBackend be, int rows, int cols, long seed, boolean zGrad,
                                     BiFunction<Tensor, Tensor, Tensor> f) {
        try (BufferPool pool = new BufferPool(be); Arena arena = Arena.open(pool)) {
            Tensor x = Tensor.of(be, rows, cols, input(rows, cols, seed), true);
            Tensor z = Tensor.of(be, rows, cols, uniform(rows * cols, -1, 1, seed + 1), zGrad);
            Tensor before = weightedSum(Ops.scale(x, 3f), seed + 2);
            Tensor y = f.apply(x, z);
            Tensor loss = Ops.add(Ops.add(before, weightedSum(y, seed + 3)),
                    weightedSum(Ops.square(zGrad ? z : x), seed + 4));
            loss.backward();
            return List.of(y.toArray(), x.gradToArray(), zGrad ? z.gradToArray() : new float[0]);
        }
    }

    private static void assertSameBits(List<float[]> expected, List<float[]> actual, String what) {
        String[] names = {"output", "x gradient", "z gradient"};
        for (int k = 0; k < expected.size(); k++) {
            float[] e = expected.get(k);
            float[] a = actual.get(k);
            assertEquals(e.length, a.length, what + " " + names[k]);
            for (int i = 0; i < e.length; i++) {
                if (Float.floatToIntBits(e[i]) != Float.floatToIntBits(a[i])) {
                    throw new AssertionError(what + " " + names[k] + " element " + i + ": composition " + e[i]
                            + ", fused " + a[i]);
                }
            }
        }
    }

    @Test
    void l2NormalizeRowsGivesTheCompositionsBitsAtEveryShapeAndThreadCount() {
        for (int threads : new int[] {1, 3}) {
            try (CpuBackend be = new CpuBackend(threads)) {
                assertTrue(be.fusedRowOps(), "the CPU backend runs the fused path this test is about");
                long seed = 10;
                for (int[] sh : SHAPES) {
                    String what = "l2NormalizeRows " + sh[0] + "x" + sh[1] + " threads=" + threads;
                    List<float[]> composed = run(be, sh[0], sh[1], seed, false, (x, z) -> composedNormalize(x));
                    List<float[]> fused = run(be, sh[0], sh[1], seed, false, (x, z) -> Ops.l2NormalizeRows(x, EPS));
                    assertSameBits(composed, fused, what);
                    seed += 10;
                }
            }
        }
    }

    @Test
    void squaredDistanceRowsGivesTheCompositionsBitsWithAndWithoutTheSecondGradient() {
        for (int threads : new int[] {1, 3}) {
            try (CpuBackend be = new CpuBackend(threads)) {
                long seed = 500;
                for (int[] sh : SHAPES) {
                    for (boolean zGrad : new boolean[] {false, true}) {
                        String what = "squaredDistanceRows " + sh[0] + "x" + sh[1] + " threads=" + threads
                                + " zGrad=" + zGrad;
                        List<float[]> composed = run(be, sh[0], sh[1], seed, zGrad, FusedRowOpsTest::composedDistance);
                        List<float[]> fused = run(be, sh[0], sh[1], seed, zGrad, Ops::squaredDistanceRows);
                        assertSameBits(composed, fused, what);
                        seed += 10;
                    }
                }
                // one tensor on both sides: distance 0, and both sides' gradients land in the same buffer
                List<float[]> composed = run(be, 6, 9, 900, false, (x, z) -> composedDistance(x, x));
                List<float[]> fused = run(be, 6, 9, 900, false, (x, z) -> Ops.squaredDistanceRows(x, x));
                assertSameBits(composed, fused, "squaredDistanceRows(x, x) threads=" + threads);
            }
        }
    }

    /** The composition Ops.batchNormTrain replaced (BatchNorm1d's training forward until then). */
    private static Tensor composedBatchNorm(Tensor x, Tensor gamma, Tensor beta, float eps, float[] meanOut,
                                            float[] varOut) {
        Tensor mean = Ops.meanRows(x);
        Tensor centred = Ops.sub(x, mean);
        Tensor var = Ops.meanRows(Ops.square(centred));
        Tensor inv = Ops.pow(Ops.addScalar(var, eps), -0.5f);
        Tensor y = Ops.add(Ops.mul(Ops.mul(centred, inv), gamma), beta);
        System.arraycopy(mean.toArray(), 0, meanOut, 0, meanOut.length);
        System.arraycopy(var.toArray(), 0, varOut, 0, varOut.length);
        return y;
    }

    interface BatchNormOp {
        Tensor apply(Tensor x, Tensor gamma, Tensor beta, float eps, float[] meanOut, float[] varOut);
    }

    /**
     * loss = weightedSum(bn(x)) + weightedSum(x * 3) (+ weightedSum(gamma * 2) when gamma is used twice): returns
     * [y, mean, var, x.grad, gamma.grad, beta.grad] (x.grad empty when x needs none).
     */
    private static List<float[]> runBatchNorm(CpuBackend be, int rows, int cols, long seed, boolean xGrad,
                                              BatchNormOp bn) {
        try (BufferPool pool = new BufferPool(be); Arena arena = Arena.open(pool)) {
            Tensor x = Tensor.of(be, rows, cols, uniform(rows * cols, -3, 5, seed), xGrad);
            Tensor gamma = Tensor.of(be, 1, cols, uniform(cols, 0.5, 2, seed + 1), true);
            Tensor beta = Tensor.of(be, 1, cols, uniform(cols, -1, 1, seed + 2), true);
            float[] mean = new float[cols];
            float[] var = new float[cols];
            Tensor y = bn.apply(x, gamma, beta, 1e-5f, mean, var);
            Tensor loss = Ops.add(Ops.add(weightedSum(y, seed + 3), weightedSum(Ops.scale(gamma, 2f), seed + 4)),
                    weightedSum(Ops.scale(xGrad ? x : beta, 3f), seed + 5));
            loss.backward();
            return List.of(y.toArray(), mean, var, xGrad ? x.gradToArray() : new float[0], gamma.gradToArray(),
                    beta.gradToArray());
        }
    }

    @Test
    void batchNormTrainGivesTheCompositionsBitsInEveryOutputAndGradient() {
        int[][] shapes = {{2, 1}, {3, 5}, {7, 3}, {17, 64}, {256, 32}, {5, 33}};
        String[] names = {"y", "mean", "var", "x gradient", "gamma gradient", "beta gradient"};
        for (int threads : new int[] {1, 3}) {
            try (CpuBackend be = new CpuBackend(threads)) {
                long seed = 700;
                for (int[] sh : shapes) {
                    for (boolean xGrad : new boolean[] {true, false}) {
                        List<float[]> composed = runBatchNorm(be, sh[0], sh[1], seed, xGrad,
                                FusedRowOpsTest::composedBatchNorm);
                        List<float[]> fused = runBatchNorm(be, sh[0], sh[1], seed, xGrad, Ops::batchNormTrain);
                        for (int k = 0; k < names.length; k++) {
                            float[] e = composed.get(k);
                            float[] a = fused.get(k);
                            String what = "batchNormTrain " + sh[0] + "x" + sh[1] + " threads=" + threads + " xGrad="
                                    + xGrad + " " + names[k];
                            assertEquals(e.length, a.length, what);
                            for (int i = 0; i < e.length; i++) {
                                if (Float.floatToIntBits(e[i]) != Float.floatToIntBits(a[i])) {
                                    throw new AssertionError(what + " element " + i + ": composition " + e[i]
                                            + ", fused " + a[i]);
                                }
                            }
                        }
                        seed += 10;
                    }
                }
            }
        }
    }

    @Test
    void batchNormTrainRefusesMismatchedParametersAndShortStatisticArrays() {
        try (CpuBackend be = new CpuBackend(1)) {
            Tensor x = Tensor.of(be, 4, 3, uniform(12, -1, 1, 1), true);
            Tensor g3 = Tensor.of(be, 1, 3, new float[] {1, 1, 1}, true);
            Tensor b3 = Tensor.of(be, 1, 3, new float[3], true);
            Tensor g2 = Tensor.of(be, 1, 2, new float[] {1, 1}, true);
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> Ops.batchNormTrain(x, g2, b3, 1e-5f, new float[3], new float[3]));
            assertTrue(e.getMessage().contains("gamma and beta of 1x3"), e.getMessage());
            e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> Ops.batchNormTrain(x, g3, b3, 1e-5f, new float[2], new float[3]));
            assertTrue(e.getMessage().contains("at least 3 floats"), e.getMessage());
        }
    }

    @Test
    void rowDotGivesTheCompositionsBitsWithAndWithoutTheSecondGradient() {
        for (int threads : new int[] {1, 3}) {
            try (CpuBackend be = new CpuBackend(threads)) {
                long seed = 1500;
                for (int[] sh : SHAPES) {
                    for (boolean zGrad : new boolean[] {false, true}) {
                        String what = "rowDot " + sh[0] + "x" + sh[1] + " threads=" + threads + " zGrad=" + zGrad;
                        List<float[]> composed = run(be, sh[0], sh[1], seed, zGrad,
                                (x, z) -> Ops.sumCols(Ops.mul(x, z)));
                        List<float[]> fused = run(be, sh[0], sh[1], seed, zGrad, Ops::rowDot);
                        assertSameBits(composed, fused, what);
                        seed += 10;
                    }
                }
                // one tensor on both sides: both sides' gradients land in the same buffer, the a side first
                List<float[]> composed = run(be, 6, 9, 1900, false, (x, z) -> Ops.sumCols(Ops.mul(x, x)));
                List<float[]> fused = run(be, 6, 9, 1900, false, (x, z) -> Ops.rowDot(x, x));
                assertSameBits(composed, fused, "rowDot(x, x) threads=" + threads);
            }
        }
    }

    @Test
    void squaredDistanceRowsRefusesDifferentShapes() {
        try (CpuBackend be = new CpuBackend(1)) {
            Tensor a = Tensor.of(be, 2, 3, new float[6], false);
            Tensor b = Tensor.of(be, 3, 2, new float[6], false);
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> Ops.squaredDistanceRows(a, b));
            assertTrue(e.getMessage().contains("equal shapes"), e.getMessage());
        }
    }
}
