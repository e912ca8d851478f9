package dev.winnow.engine.tensor;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.backend.BinaryOp;
import dev.winnow.engine.backend.Broadcast;
import dev.winnow.engine.backend.Storage;
import dev.winnow.engine.backend.UnaryOp;
import dev.winnow.engine.backend.cpu.CpuBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.Function;

import static dev.winnow.engine.tensor.RandomTensors.awayFrom;
import static dev.winnow.engine.tensor.RandomTensors.leaf;
import static dev.winnow.engine.tensor.RandomTensors.uniform;
import static dev.winnow.engine.tensor.RandomTensors.uniformLeaf;
import static dev.winnow.engine.tensor.RandomTensors.weightedSum;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every differentiable op's backward against central finite differences of its forward. */
class OpsGradientTest {
    private static Backend backend;

    @BeforeAll
    static void setUp() {
        backend = new CpuBackend(1);
    }

    @AfterAll
    static void tearDown() {
        backend.close();
    }

    static Tensor random(int rows, int cols, long seed) {
        return uniformLeaf(backend, rows, cols, -1, 1, seed);
    }

    private static void assertGradientsMatch(String what, Function<List<Tensor>, Tensor> f, Tensor... inputs) {
        GradientCheck.Result r = GradientCheck.standard().check(f, List.of(inputs));
        assertTrue(r.passed(), what + ": " + r.describe());
        int expected = 0;
        for (Tensor t : inputs) {
            expected += t.size();
        }
        assertEquals(expected, r.checked(), what + ": every element must be checked");
    }

    // ---- products -----------------------------------------------------------------------------------------------

    @Test
    void matmulWithEveryTransposeMatchesFiniteDifferences() {
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                Tensor a = ta ? random(4, 3, 1) : random(3, 4, 1);
                Tensor b = tb ? random(5, 4, 2) : random(4, 5, 2);
                GradientCheck.Result r = GradientCheck.standard().check(
                        in -> Ops.sum(Ops.square(Ops.matmul(in.get(0), in.get(1), ta, tb))), List.of(a, b));
                assertTrue(r.passed(), "transA=" + ta + " transB=" + tb + ": " + r.describe());
            }
        }
    }

    @Test
    void matmulOfATensorWithItselfAccumulatesBothGradients() {
        Tensor a = random(4, 4, 3);
        assertGradientsMatch("a a^T", in -> weightedSum(Ops.matmul(in.get(0), in.get(0), false, true), 4), a);
    }

    @Test
    void linearWithAndWithoutBiasMatchesFiniteDifferences() {
        Tensor x = random(5, 4, 10);
        Tensor w = random(3, 4, 11);
        Tensor b = random(1, 3, 12);
        assertGradientsMatch("linear with bias",
                in -> weightedSum(Ops.linear(in.get(0), in.get(1), in.get(2), null), 13), x, w, b);
        assertGradientsMatch("linear without bias",
                in -> weightedSum(Ops.linear(in.get(0), in.get(1), null, null), 14), x, w);
    }

    @Test
    void linearWithRankOneBiasMatchesFiniteDifferences() {
        Tensor x = random(5, 4, 15);
        Tensor w = random(3, 4, 16);
        Tensor b = Tensor.vector(backend, uniform(3, -1, 1, 17), true);
        assertGradientsMatch("linear, rank-1 bias",
                in -> weightedSum(Ops.linear(in.get(0), in.get(1), in.get(2), null), 18), x, w, b);
    }

    @Test
    void maskedLinearMatchesFiniteDifferencesAndGivesMaskedWeightsExactlyZeroGradient() {
        Tensor x = random(6, 5, 20);
        Tensor w = random(4, 5, 21);
        Tensor b = random(1, 4, 22);
        float[] m = new float[20];
        for (int i = 0; i < m.length; i++) {
            m[i] = (i * 7) % 3 == 0 ? 0f : 1f;
        }
        Tensor mask = Tensor.of(backend, 4, 5, m, false);
        assertGradientsMatch("masked linear",
                in -> weightedSum(Ops.linear(in.get(0), in.get(1), in.get(2), mask), 23), x, w, b);

        w.zeroGrad();
        weightedSum(Ops.linear(x, w, b, mask), 23).backward();
        float[] g = w.gradToArray();
        int alive = 0;
        for (int i = 0; i < m.length; i++) {
            if (m[i] == 0f) {
                assertEquals(0f, g[i], 0f, "masked weight " + i + " got gradient " + g[i]);
            } else if (g[i] != 0f) {
                alive++;
            }
        }
        assertTrue(alive > 0, "unmasked weights must receive gradient");
    }

    @Test
    void maskedLinearIgnoresTheValueUnderTheMask() {
        Tensor x = random(3, 4, 24);
        float[] wv = uniform(8, -1, 1, 25);
        float[] m = {1, 0, 1, 1, 0, 1, 1, 0};
        Tensor mask = Tensor.of(backend, 2, 4, m, false);
        float[] y1 = Ops.linear(x, Tensor.of(backend, 2, 4, wv, false), null, mask).toArray();
        float[] w2 = wv.clone();
        for (int i = 0; i < 8; i++) {
            if (m[i] == 0f) {
                w2[i] = 1000f;
            }
        }
        float[] y2 = Ops.linear(x, Tensor.of(backend, 2, 4, w2, false), null, mask).toArray();
        for (int i = 0; i < y1.length; i++) {
            assertEquals(Float.floatToIntBits(y1[i]), Float.floatToIntBits(y2[i]), "output " + i);
        }
    }

    // ---- element-wise binary with every broadcast -----------------------------------------------------------------

    private static Tensor operand(Broadcast bc, int rows, int cols, double lo, double hi, long seed) {
        switch (bc) {
            case FULL: return uniformLeaf(backend, rows, cols, lo, hi, seed);
            case ROW: return uniformLeaf(backend, 1, cols, lo, hi, seed);
            case COLUMN: return uniformLeaf(backend, rows, 1, lo, hi, seed);
            case SCALAR: return uniformLeaf(backend, 1, 1, lo, hi, seed);
            default: throw new AssertionError(bc);
        }
    }

    @Test
    void binaryOpsWithEveryBroadcastMatchFiniteDifferences() {
        BinaryOp[] ops = {BinaryOp.ADD, BinaryOp.SUB, BinaryOp.MUL, BinaryOp.DIV};
        long seed = 30;
        for (BinaryOp op : ops) {
            for (Broadcast bc : Broadcast.values()) {
                Tensor a = random(4, 3, seed++);
                // a divisor kept away from zero
                Tensor b = op == BinaryOp.DIV ? operand(bc, 4, 3, 0.5, 1.5, seed++) : operand(bc, 4, 3, -1, 1, seed++);
                assertEquals(bc, Ops.broadcastOf(a, b), "operand shape must select " + bc);
                long w = seed++;
                assertGradientsMatch(op + " " + bc, in -> {
                    Tensor x = in.get(0);
                    Tensor y = in.get(1);
                    Tensor c;
                    switch (op) {
                        case ADD: c = Ops.add(x, y); break;
                        case SUB: c = Ops.sub(x, y); break;
                        case MUL: c = Ops.mul(x, y); break;
                        case DIV: c = Ops.div(x, y); break;
                        default: throw new AssertionError(op);
                    }
                    return weightedSum(c, w);
                }, a, b);
            }
        }
    }

    @Test
    void binaryOpWithRankOneBiasBroadcastsOverRows() {
        Tensor a = random(4, 3, 40);
        Tensor b = Tensor.vector(backend, uniform(3, -1, 1, 41), true);
        assertEquals(Broadcast.ROW, Ops.broadcastOf(a, b));
        assertGradientsMatch("mul by a rank-1 row", in -> weightedSum(Ops.mul(in.get(0), in.get(1)), 42), a, b);
    }

    @Test
    void mulOfATensorWithItselfMatchesFiniteDifferences() {
        Tensor a = random(3, 3, 43);
        assertGradientsMatch("x * x", in -> weightedSum(Ops.mul(in.get(0), in.get(0)), 44), a);
    }

    // ---- element-wise unary -------------------------------------------------------------------------------------

    private void checkUnary(String what, Function<Tensor, Tensor> op, float[] x) {
        Tensor t = leaf(backend, 3, x.length / 3, x);
        assertGradientsMatch(what, in -> weightedSum(op.apply(in.get(0)), 50), t);
    }

    @Test
    void activationsMatchFiniteDifferencesAwayFromTheirKinks() {
        checkUnary("relu", Ops::relu, awayFrom(12, 0f, 0.05, 51));
        checkUnary("leakyRelu", x -> Ops.leakyRelu(x, 0.1f), awayFrom(12, 0f, 0.05, 52));
        checkUnary("sigmoid", Ops::sigmoid, uniform(12, -3, 3, 53));
        checkUnary("tanh", Ops::tanh, uniform(12, -2, 2, 54));
        checkUnary("abs", Ops::abs, awayFrom(12, 0f, 0.05, 55));
        checkUnary("neg", Ops::neg, uniform(12, -1, 1, 56));
    }

    @Test
    void exponentialsAndPowersMatchFiniteDifferencesInsideTheirDomains() {
        checkUnary("exp", Ops::exp, uniform(12, -2, 2, 60));
        checkUnary("log", Ops::log, uniform(12, 0.5, 3, 61));
        checkUnary("square", Ops::square, uniform(12, -2, 2, 62));
        checkUnary("sqrt", Ops::sqrt, uniform(12, 0.5, 3, 63));
        checkUnary("pow 2.5", x -> Ops.pow(x, 2.5f), uniform(12, 0.5, 2, 64));
        checkUnary("pow -0.5", x -> Ops.pow(x, -0.5f), uniform(12, 0.5, 2, 65));
        checkUnary("pow 3 of negatives", x -> Ops.pow(x, 3f), uniform(12, -2, 2, 66));
    }

    @Test
    void scalarOpsMatchFiniteDifferences() {
        checkUnary("scale", x -> Ops.scale(x, -2.5f), uniform(12, -1, 1, 70));
        checkUnary("addScalar", x -> Ops.addScalar(x, 0.75f), uniform(12, -1, 1, 71));
        checkUnary("clampMin", x -> Ops.clampMin(x, 0.1f), awayFrom(12, 0.1f, 0.05, 72));
    }

    @Test
    void clampMinPassesGradientOnlyAboveTheBound() {
        Tensor x = Tensor.of(backend, 1, 4, new float[] {-1f, 0.05f, 0.2f, 3f}, true);
        Ops.sum(Ops.clampMin(x, 0.1f)).backward();
        assertArrayEquals(new float[] {0f, 0f, 1f, 1f}, x.gradToArray());
        assertArrayEquals(new float[] {0.1f, 0.1f, 0.2f, 3f}, Ops.clampMin(x, 0.1f).toArray());
    }

    // ---- reductions ---------------------------------------------------------------------------------------------

    @Test
    void reductionsMatchFiniteDifferences() {
        Tensor x = random(5, 4, 80);
        assertGradientsMatch("sumRows", in -> weightedSum(Ops.sumRows(in.get(0)), 81), x);
        assertGradientsMatch("sumCols", in -> weightedSum(Ops.sumCols(in.get(0)), 82), x);
        assertGradientsMatch("meanRows", in -> weightedSum(Ops.meanRows(in.get(0)), 83), x);
        assertGradientsMatch("meanCols", in -> weightedSum(Ops.meanCols(in.get(0)), 84), x);
        assertGradientsMatch("sum", in -> Ops.square(Ops.sum(in.get(0))), x);
        assertGradientsMatch("mean", in -> Ops.square(Ops.mean(in.get(0))), x);
    }

    @Test
    void reductionsComputeTheRightValues() {
        Tensor x = Tensor.of(backend, 2, 3, new float[] {1, 2, 3, 4, 5, 6}, false);
        assertArrayEquals(new float[] {5, 7, 9}, Ops.sumRows(x).toArray());
        assertArrayEquals(new float[] {6, 15}, Ops.sumCols(x).toArray());
        assertArrayEquals(new float[] {2.5f, 3.5f, 4.5f}, Ops.meanRows(x).toArray());
        assertArrayEquals(new float[] {2, 5}, Ops.meanCols(x).toArray());
        assertEquals(21f, Ops.sum(x).item());
        assertEquals(3.5f, Ops.mean(x).item());
    }

    // ---- softmax ------------------------------------------------------------------------------------------------

    @Test
    void softmaxAndLogSoftmaxMatchFiniteDifferences() {
        Tensor x = uniformLeaf(backend, 3, 5, -2, 2, 90);
        assertGradientsMatch("softmax", in -> weightedSum(Ops.softmax(in.get(0)), 91), x);
        assertGradientsMatch("logSoftmax", in -> weightedSum(Ops.logSoftmax(in.get(0)), 92), x);
    }

    @Test
    void softmaxRowsSumToOneAndSurviveLargeLogits() {
        Tensor x = Tensor.of(backend, 2, 3, new float[] {1000f, 1001f, 1002f, -5f, 0f, 5f}, false);
        float[] p = Ops.softmax(x).toArray();
        float[] lp = Ops.logSoftmax(x).toArray();
        double z = 1 + Math.exp(-1) + Math.exp(-2);
        assertEquals(Math.exp(-2) / z, p[0], 1e-6);
        assertEquals(-Math.log(z), lp[2], 1e-5);
        for (int r = 0; r < 2; r++) {
            assertEquals(1.0, p[3 * r] + p[3 * r + 1] + p[3 * r + 2], 1e-6);
        }
    }

    // ---- shape ----------------------------------------------------------------------------------------------------

    @Test
    void concatColsAndSliceColsMatchFiniteDifferences() {
        Tensor a = random(3, 2, 100);
        Tensor b = random(3, 4, 101);
        Tensor c = random(3, 1, 102);
        assertGradientsMatch("concatCols", in -> weightedSum(Ops.concatCols(in.get(0), in.get(1), in.get(2)), 103),
                a, b, c);
        Tensor x = random(3, 7, 104);
        assertGradientsMatch("sliceCols", in -> weightedSum(Ops.sliceCols(in.get(0), 2, 5), 105), x);
    }

    @Test
    void concatThenSliceGivesBackThePart() {
        Tensor a = random(2, 3, 106);
        Tensor b = random(2, 2, 107);
        Tensor ab = Ops.concatCols(a, b);
        assertArrayEquals(a.toArray(), Ops.sliceCols(ab, 0, 3).toArray());
        assertArrayEquals(b.toArray(), Ops.sliceCols(ab, 3, 5).toArray());
    }

    // ---- embedding ------------------------------------------------------------------------------------------------

    @Test
    void embeddingWithRepeatedIndicesScatterAddsItsGradient() {
        Tensor table = random(6, 3, 110);
        IndexTensor idx = IndexTensor.of(backend, new int[] {1, 4, 1, 0, 1, 4});
        assertGradientsMatch("embedding", in -> weightedSum(Ops.embedding(in.get(0), idx), 111), table);

        table.zeroGrad();
        Ops.sum(Ops.embedding(table, idx)).backward();
        float[] g = table.gradToArray();
        float[] expected = {1, 1, 1, 3, 3, 3, 0, 0, 0, 0, 0, 0, 2, 2, 2, 0, 0, 0};
        assertArrayEquals(expected, g);
    }

    @Test
    void embeddingPicksTheIndexedRows() {
        Tensor table = random(4, 2, 112);
        float[] t = table.toArray();
        float[] y = Ops.embedding(table, IndexTensor.of(backend, new int[] {3, 0, 3})).toArray();
        assertArrayEquals(new float[] {t[6], t[7], t[0], t[1], t[6], t[7]}, y);
    }

    // ---- composites -----------------------------------------------------------------------------------------------

    @Test
    void l2NormalizeRowsMatchesFiniteDifferences() {
        Tensor x = random(4, 5, 120);
        assertGradientsMatch("l2NormalizeRows", in -> weightedSum(Ops.l2NormalizeRows(in.get(0), 1e-12f), 121), x);
    }

    @Test
    void squaredDistanceRowsMatchesFiniteDifferencesInBothInputs() {
        Tensor a = random(5, 6, 123);
        Tensor b = random(5, 6, 124);
        assertGradientsMatch("squaredDistanceRows",
                in -> weightedSum(Ops.squaredDistanceRows(in.get(0), in.get(1)), 125), a, b);
    }

    @Test
    void rowDotMatchesFiniteDifferencesInBothInputs() {
        Tensor a = random(5, 6, 126);
        Tensor b = random(5, 6, 127);
        assertGradientsMatch("rowDot", in -> weightedSum(Ops.rowDot(in.get(0), in.get(1)), 128), a, b);
    }

    @Test
    void l2NormalizeRowsGivesUnitRows() {
        Tensor x = Tensor.of(backend, 2, 2, new float[] {3, 4, -1, 0}, false);
        assertArrayEquals(new float[] {0.6f, 0.8f, -1f, 0f}, Ops.l2NormalizeRows(x, 1e-12f).toArray());
    }

    @Test
    void l2NormalizeClampsTheNormSoAnAllZeroRowGivesZerosAndAFiniteGradient() {
        float eps = 1e-3f;
        Tensor x = Tensor.of(backend, 3, 3, new float[] {0, 0, 0, 3e-4f, 0, -4e-4f, 1, 2, 2}, true);
        Tensor y = Ops.l2NormalizeRows(x, eps);
        float[] v = y.toArray();
        // row 0: 0 / eps; row 1: the norm 5e-4 is below eps, so the row is divided by eps, not by its norm
        assertArrayEquals(new float[] {0, 0, 0, 0.3f, 0, -0.4f, 1 / 3f, 2 / 3f, 2 / 3f}, v, 1e-6f);
        weightedSum(y, 122).backward();
        float[] g = x.gradToArray();
        float[] r = uniform(9, -1, 1, 122);
        for (int i = 0; i < 6; i++) {
            // below the clamp the map is x / eps: the gradient is r / eps, finite, with no NaN from the norm
            assertEquals(r[i] / eps, g[i], 1e-3 * Math.abs(r[i] / eps), "element " + i);
        }
        for (float gi : g) {
            assertTrue(Float.isFinite(gi), "gradient must be finite: " + java.util.Arrays.toString(g));
        }
    }

    // ---- checker ------------------------------------------------------------------------------------------------

    @Test
    void checkerCatchesADeliberatelyWrongGradient() {
        Tensor a = random(3, 3, 7);
        // A "square" whose backward claims d/dx = x instead of 2x: the checker must reject it.
        GradientCheck.Result r = GradientCheck.standard().check(in -> {
            Tensor x = in.get(0);
            Tensor y = Tensor.result(backend, x.rows(), x.cols(), 2, "wrongSquare", x);
            backend.unary(UnaryOp.SQUARE, 0f, x.data(), y.data(), x.size());
            y.setBackward(() -> backend.axpy(1f, multiply(y.grad(), x), x.gradOrZeros(), x.size()));
            return Ops.sum(y);
        }, List.of(a));
        assertFalse(r.passed(), r.describe());
    }

    @Test
    void checkerAcceptsTheSameOpWithTheRightGradient() {
        Tensor a = random(3, 3, 7);
        GradientCheck.Result r = GradientCheck.standard().check(in -> {
            Tensor x = in.get(0);
            Tensor y = Tensor.result(backend, x.rows(), x.cols(), 2, "square", x);
            backend.unary(UnaryOp.SQUARE, 0f, x.data(), y.data(), x.size());
            y.setBackward(() -> backend.axpy(2f, multiply(y.grad(), x), x.gradOrZeros(), x.size()));
            return Ops.sum(y);
        }, List.of(a));
        assertTrue(r.passed(), r.describe());
    }

    private static Storage multiply(Storage g, Tensor x) {
        Storage out = backend.allocate(x.size());
        backend.binary(BinaryOp.MUL, g, x.data(), Broadcast.FULL, x.rows(), x.cols(), out);
        return out;
    }

    private static void assertArrayEquals(float[] expected, float[] actual) {
        org.junit.jupiter.api.Assertions.assertArrayEquals(expected, actual, 1e-6f);
    }

    private static void assertArrayEquals(float[] expected, float[] actual, float tol) {
        org.junit.jupiter.api.Assertions.assertArrayEquals(expected, actual, tol);
    }
}
