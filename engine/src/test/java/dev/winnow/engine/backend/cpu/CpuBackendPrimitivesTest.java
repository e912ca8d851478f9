package dev.winnow.engine.backend.cpu;

import dev.winnow.engine.backend.AdamHyper;
import dev.winnow.engine.backend.BinaryOp;
import dev.winnow.engine.backend.Broadcast;
import dev.winnow.engine.backend.SgdHyper;
import dev.winnow.engine.backend.UnaryOp;
import dev.winnow.engine.backend.host.HostUpdates;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The CPU backend's non-GEMM primitives against plain float64 loops written here, on awkward sizes (1, 3, 17, 257 and
 * sizes past the element-wise split of 2^15), run on one and on two threads, which must agree bit for bit.
 */
class CpuBackendPrimitivesTest {
    /** Element counts: tiny, prime, and large enough that two threads split the work. */
    private static final int[] SIZES = {1, 3, 17, 257, 70_001};
    private static CpuBackend one;
    private static CpuBackend two;

    @BeforeAll
    static void setUp() {
        one = new CpuBackend(1);
        two = new CpuBackend(2);
    }

    @AfterAll
    static void tearDown() {
        one.close();
        two.close();
    }

    private static float[] random(int n, double lo, double hi, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (lo + r.nextDouble() * (hi - lo));
        }
        return v;
    }

    private static CpuStorage s(float[] v) {
        return new CpuStorage(v);
    }

    /**
     * |expected - actual| <= tol. The loops here visit up to 70,000 elements per case, so the message is assembled
     * only on failure, from the case description and the element index.
     */
    private static void assertNear(double expected, double actual, double tol, String where, int index) {
        if (!(Math.abs(expected - actual) <= tol)) {
            fail(where + " element " + index + ": expected " + expected + ", got " + actual + " (tolerance " + tol
                    + ")");
        }
    }

    private static void assertRawZero(float actual, String where, int index) {
        if (Float.floatToRawIntBits(actual) != 0) {
            fail(where + " element " + index + ": expected +0.0, got " + actual);
        }
    }

    private static void assertBitwise(float[] expected, float[] actual, String where) {
        assertTrue(Arrays.equals(expected, actual), where + ": differ bitwise (1 and 2 threads, or the scalar reference)");
    }

    // ---- element-wise unary -------------------------------------------------------------------------------------

    /** An input range inside the op's domain and away from its kink. */
    private static float[] inputFor(UnaryOp op, int n, long seed) {
        switch (op) {
            case LOG:
            case SQRT:
            case RECIPROCAL:
            case POW:
                return random(n, 0.2, 4, seed);
            case EXP:
                return random(n, -5, 5, seed);
            case SIGMOID:
            case TANH:
                return random(n, -8, 8, seed);
            default: {
                float[] v = random(n, -3, 3, seed);
                for (int i = 0; i < n; i++) {
                    if (Math.abs(v[i] - paramFor(op)) < 1e-3) {
                        v[i] += 0.01f; // keep clamps and kinks off the exact bound
                    }
                }
                return v;
            }
        }
    }

    private static float paramFor(UnaryOp op) {
        switch (op) {
            case LEAKY_RELU: return 0.1f;
            case SCALE: return -1.75f;
            case ADD_SCALAR: return 0.625f;
            case CLAMP_MIN: return 0.3f;
            case POW: return 2.5f;
            default: return 0f;
        }
    }

    private static double referenceUnary(UnaryOp op, double x, double p) {
        switch (op) {
            case IDENTITY: return x;
            case NEG: return -x;
            case RELU: return Math.max(x, 0);
            case LEAKY_RELU: return x > 0 ? x : p * x;
            case SIGMOID: return 1 / (1 + Math.exp(-x));
            case TANH: return Math.tanh(x);
            case EXP: return Math.exp(x);
            case LOG: return Math.log(x);
            case SQUARE: return x * x;
            case SQRT: return Math.sqrt(x);
            case ABS: return Math.abs(x);
            case SCALE: return x * p;
            case ADD_SCALAR: return x + p;
            case CLAMP_MIN: return Math.max(x, p);
            case RECIPROCAL: return 1 / x;
            case POW: return Math.pow(x, p);
            default: throw new AssertionError(op);
        }
    }

    /**
     * dy/dx in float64. Where the derivative is a function of the output (sigmoid, tanh, exp, sqrt, reciprocal) it is
     * taken from the float32 output y the kernel is given, as PyTorch's backward does: y(1 - y) from a y rounded near 1
     * differs from the exact derivative by far more than the kernel's own rounding.
     */
    private static double referenceDerivative(UnaryOp op, double x, double y, double p) {
        switch (op) {
            case IDENTITY: return 1;
            case NEG: return -1;
            case RELU: return x > 0 ? 1 : 0;
            case LEAKY_RELU: return x > 0 ? 1 : p;
            case SIGMOID: return y * (1 - y);
            case TANH: return 1 - y * y;
            case EXP: return y;
            case LOG: return 1 / x;
            case SQUARE: return 2 * x;
            case SQRT: return 0.5 / y;
            case ABS: return Math.signum(x);
            case SCALE: return p;
            case ADD_SCALAR: return 1;
            case CLAMP_MIN: return x > p ? 1 : 0;
            case RECIPROCAL: return -y * y;
            case POW: return p * Math.pow(x, p - 1);
            default: throw new AssertionError(op);
        }
    }

    @Test
    void unaryMatchesTheFloat64DefinitionForEveryOp() {
        long seed = 1;
        for (UnaryOp op : UnaryOp.values()) {
            float p = paramFor(op);
            for (int n : SIZES) {
                float[] x = inputFor(op, n, seed++);
                float[] y1 = new float[n];
                float[] y2 = new float[n];
                one.unary(op, p, s(x), s(y1), n);
                two.unary(op, p, s(x), s(y2), n);
                String where = op + " n=" + n;
                for (int i = 0; i < n; i++) {
                    double expected = referenceUnary(op, x[i], p);
                    assertNear(expected, y1[i], 3e-7 * Math.abs(expected), where, i);
                }
                assertBitwise(y1, y2, op + " n=" + n);
                float[] inPlace = x.clone();
                two.unary(op, p, s(inPlace), s(inPlace), n);
                assertBitwise(y1, inPlace, op + " in place, n=" + n);
            }
        }
    }

    @Test
    void unaryBackwardAccumulatesTheFloat64DerivativeForEveryOp() {
        long seed = 100;
        for (UnaryOp op : UnaryOp.values()) {
            float p = paramFor(op);
            for (int n : SIZES) {
                float[] x = inputFor(op, n, seed++);
                float[] y = new float[n];
                one.unary(op, p, s(x), s(y), n);
                float[] dy = random(n, -1, 1, seed++);
                float[] dx0 = random(n, -1, 1, seed++);
                float[] dx1 = dx0.clone();
                float[] dx2 = dx0.clone();
                one.unaryBackward(op, p, s(x), s(y), s(dy), s(dx1), n);
                two.unaryBackward(op, p, s(x), s(y), s(dy), s(dx2), n);
                String where = op + " backward n=" + n;
                for (int i = 0; i < n; i++) {
                    double term = dy[i] * referenceDerivative(op, x[i], y[i], p);
                    // tanh's 1 - y*y in float32 loses the rounding of y*y (up to 6e-8) when y is near +-1
                    double cancellation = op == UnaryOp.TANH ? 1.2e-7 * Math.abs(dy[i]) * y[i] * y[i] : 0;
                    assertNear(dx0[i] + term, dx1[i], 4e-7 * (Math.abs(dx0[i]) + Math.abs(term)) + cancellation,
                            where, i);
                }
                assertBitwise(dx1, dx2, op + " backward n=" + n);
                // and bit for bit the float32 definition, UnaryOp.derivative (what the other backends are held to)
                float[] want = dx0.clone();
                for (int i = 0; i < n; i++) {
                    want[i] += dy[i] * op.derivative(x[i], y[i], p);
                }
                assertBitwise(want, dx1, op + " backward n=" + n + " against UnaryOp.derivative");
            }
        }
    }

    // ---- element-wise binary ------------------------------------------------------------------------------------

    private static double referenceBinary(BinaryOp op, double a, double b) {
        switch (op) {
            case ADD: return a + b;
            case SUB: return a - b;
            case MUL: return a * b;
            case DIV: return a / b;
            case MAX: return Math.max(a, b);
            case MIN: return Math.min(a, b);
            default: throw new AssertionError(op);
        }
    }

    @Test
    void binaryMatchesTheCorrectlyRoundedResultForEveryOpAndBroadcast() {
        int[][] shapes = {{1, 1}, {3, 17}, {17, 3}, {257, 1}, {1, 257}, {301, 233}};
        long seed = 200;
        for (BinaryOp op : BinaryOp.values()) {
            for (Broadcast bc : Broadcast.values()) {
                for (int[] sh : shapes) {
                    int rows = sh[0];
                    int cols = sh[1];
                    float[] a = random(rows * cols, -2, 2, seed++);
                    float[] b = random(bc.length(rows, cols), 0.25, 2, seed++);
                    float[] c1 = new float[rows * cols];
                    float[] c2 = new float[rows * cols];
                    one.binary(op, s(a), s(b), bc, rows, cols, s(c1));
                    two.binary(op, s(a), s(b), bc, rows, cols, s(c2));
                    String where = op + " " + bc + " " + rows + "x" + cols;
                    for (int r = 0; r < rows; r++) {
                        for (int c = 0; c < cols; c++) {
                            int bi;
                            switch (bc) {
                                case FULL: bi = r * cols + c; break;
                                case ROW: bi = c; break;
                                case COLUMN: bi = r; break;
                                default: bi = 0;
                            }
                            // float64 then rounded is the correctly rounded float result of + - * / min max
                            float expected = (float) referenceBinary(op, a[r * cols + c], b[bi]);
                            assertNear(expected, c1[r * cols + c], 0, where, r * cols + c);
                        }
                    }
                    assertBitwise(c1, c2, where);
                    float[] alias = a.clone();
                    two.binary(op, s(alias), s(b), bc, rows, cols, s(alias));
                    assertBitwise(c1, alias, where + " with c aliasing a");
                }
            }
        }
    }

    @Test
    void axpyAddsAlphaTimesX() {
        for (int n : SIZES) {
            float[] x = random(n, -1, 1, n);
            float[] y0 = random(n, -1, 1, n + 1);
            float[] y1 = y0.clone();
            float[] y2 = y0.clone();
            one.axpy(-0.375f, s(x), s(y1), n);
            two.axpy(-0.375f, s(x), s(y2), n);
            for (int i = 0; i < n; i++) {
                // relative to the operands: y0 - 0.375 x may cancel
                assertNear(y0[i] - 0.375 * x[i], y1[i], 1.2e-7 * (Math.abs(y0[i]) + Math.abs(0.375 * x[i])),
                        "axpy n=" + n, i);
            }
            assertBitwise(y1, y2, "axpy n=" + n);
        }
    }

    // ---- reductions ---------------------------------------------------------------------------------------------

    @Test
    void sumRowsAndSumColsHonourAlphaAndBeta() {
        int[][] shapes = {{1, 1}, {1, 17}, {17, 1}, {3, 257}, {257, 3}, {64, 1031}, {2049, 40}};
        float[][] alphaBeta = {{1f, 0f}, {0.5f, 1f}, {-2f, 0.25f}};
        long seed = 300;
        for (int[] sh : shapes) {
            int rows = sh[0];
            int cols = sh[1];
            float[] x = random(rows * cols, -1, 1, seed++);
            for (float[] ab : alphaBeta) {
                float alpha = ab[0];
                float beta = ab[1];
                String where = rows + "x" + cols + " alpha=" + alpha + " beta=" + beta;
                float[] o0 = random(cols, -1, 1, seed++);
                float[] o1 = o0.clone();
                float[] o2 = o0.clone();
                one.sumRows(s(x), rows, cols, alpha, beta, s(o1));
                two.sumRows(s(x), rows, cols, alpha, beta, s(o2));
                for (int c = 0; c < cols; c++) {
                    double sum = 0;
                    double abs = 0;
                    for (int r = 0; r < rows; r++) {
                        sum += x[r * cols + c];
                        abs += Math.abs(x[r * cols + c]);
                    }
                    double expected = alpha * sum + beta * o0[c];
                    double tol = (rows + 3) * 1.2e-7 * (Math.abs(alpha) * abs + Math.abs(beta * o0[c]));
                    assertNear(expected, o1[c], tol, "sumRows " + where + " column", c);
                }
                assertBitwise(o1, o2, "sumRows " + where);

                float[] p0 = random(rows, -1, 1, seed++);
                float[] p1 = p0.clone();
                float[] p2 = p0.clone();
                one.sumCols(s(x), rows, cols, alpha, beta, s(p1));
                two.sumCols(s(x), rows, cols, alpha, beta, s(p2));
                for (int r = 0; r < rows; r++) {
                    double sum = 0;
                    double abs = 0;
                    for (int c = 0; c < cols; c++) {
                        sum += x[r * cols + c];
                        abs += Math.abs(x[r * cols + c]);
                    }
                    double expected = alpha * sum + beta * p0[r];
                    double tol = (cols + 3) * 1.2e-7 * (Math.abs(alpha) * abs + Math.abs(beta * p0[r]));
                    assertNear(expected, p1[r], tol, "sumCols " + where + " row", r);
                    // the pinned results depend on each row's sum being one float chain in column order
                    float chain = 0f;
                    for (int c = 0; c < cols; c++) {
                        chain += x[r * cols + c];
                    }
                    float exact = alpha * chain + (beta == 0f ? 0f : beta * p0[r]);
                    assertEquals(Float.floatToIntBits(exact), Float.floatToIntBits(p1[r]),
                            "sumCols " + where + " row " + r + ": not the column-order chain");
                }
                assertBitwise(p1, p2, "sumCols " + where);
            }
        }
    }

    @Test
    void betaZeroInReductionsIgnoresNaNInTheOutput() {
        float[] x = random(12, -1, 1, 350);
        float[] out = {Float.NaN, Float.NaN, Float.NaN, Float.NaN};
        one.sumRows(s(x), 3, 4, 1f, 0f, s(out));
        for (float v : out) {
            assertTrue(Float.isFinite(v), Arrays.toString(out));
        }
        float[] rowsOut = {Float.NaN, Float.NaN, Float.NaN};
        one.sumCols(s(x), 3, 4, 1f, 0f, s(rowsOut));
        for (float v : rowsOut) {
            assertTrue(Float.isFinite(v), Arrays.toString(rowsOut));
        }
    }

    // ---- softmax ------------------------------------------------------------------------------------------------

    @Test
    void rowSoftmaxAndLogSoftmaxAndTheirBackwardMatchFloat64() {
        int[][] shapes = {{1, 1}, {1, 17}, {3, 5}, {257, 3}, {4, 1000}};
        long seed = 400;
        for (int[] sh : shapes) {
            int rows = sh[0];
            int cols = sh[1];
            float[] x = random(rows * cols, -8, 8, seed++);
            float[] dy = random(rows * cols, -1, 1, seed++);
            for (boolean log : new boolean[] {false, true}) {
                float[] y = new float[rows * cols];
                one.rowSoftmax(s(x), rows, cols, log, s(y));
                float[] dx0 = random(rows * cols, -1, 1, seed++);
                float[] dx = dx0.clone();
                one.rowSoftmaxBackward(s(y), s(dy), rows, cols, log, s(dx));
                String where = (log ? "logSoftmax " : "softmax ") + rows + "x" + cols;
                for (int r = 0; r < rows; r++) {
                    double max = Double.NEGATIVE_INFINITY;
                    for (int c = 0; c < cols; c++) {
                        max = Math.max(max, x[r * cols + c]);
                    }
                    double z = 0;
                    for (int c = 0; c < cols; c++) {
                        z += Math.exp(x[r * cols + c] - max);
                    }
                    double[] p = new double[cols];
                    double dot = 0;
                    double sumDy = 0;
                    for (int c = 0; c < cols; c++) {
                        p[c] = Math.exp(x[r * cols + c] - max) / z;
                        dot += dy[r * cols + c] * p[c];
                        sumDy += dy[r * cols + c];
                    }
                    for (int c = 0; c < cols; c++) {
                        int i = r * cols + c;
                        double expectedY = log ? x[i] - max - Math.log(z) : p[c];
                        assertNear(expectedY, y[i], 2e-6 * Math.max(1, Math.abs(expectedY)), where + " y", i);
                        double grad = log ? dy[i] - p[c] * sumDy : p[c] * (dy[i] - dot);
                        assertNear(dx0[i] + grad, dx[i], 2e-6 * (1 + Math.abs(sumDy) + Math.abs(dx0[i])),
                                where + " dx", i);
                    }
                }
            }
        }
    }

    // ---- rows by index, copies, transposes -----------------------------------------------------------------------

    @Test
    void gatherRowsCopiesTheIndexedRowsAndScatterAddRowsAccumulatesRepeats() {
        int cols = 17;
        float[] table = random(5 * cols, -1, 1, 500);
        int[] idx = {4, 0, 4, 2, 4, 1};
        CpuIntStorage index = new CpuIntStorage(idx);
        float[] out = new float[idx.length * cols];
        one.gatherRows(s(table), cols, index, idx.length, s(out));
        for (int i = 0; i < idx.length; i++) {
            for (int c = 0; c < cols; c++) {
                assertNear(table[idx[i] * cols + c], out[i * cols + c], 0, "gathered row " + i, c);
            }
        }
        float[] src = random(idx.length * cols, -1, 1, 501);
        float[] t0 = random(5 * cols, -1, 1, 502);
        float[] t = t0.clone();
        one.scatterAddRows(s(src), cols, index, idx.length, s(t));
        for (int row = 0; row < 5; row++) {
            for (int c = 0; c < cols; c++) {
                double expected = t0[row * cols + c];
                for (int i = 0; i < idx.length; i++) {
                    if (idx[i] == row) {
                        expected += src[i * cols + c];
                    }
                }
                assertNear(expected, t[row * cols + c], 1e-6, "scattered table row " + row, c);
            }
        }
    }

    @Test
    void gatherRowsRejectsAnIndexOutsideTheTableWithAClearMessage() {
        float[] table = new float[4 * 3];
        float[] out = new float[2 * 3];
        for (int bad : new int[] {4, -1}) {
            IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
                    () -> one.gatherRows(s(table), 3, new CpuIntStorage(new int[] {0, bad}), 2, s(out)));
            assertTrue(e.getMessage().contains("index " + bad) && e.getMessage().contains("position 1")
                    && e.getMessage().contains("0..3"), e.getMessage());
        }
    }

    @Test
    void copy2dHonoursOffsetsStridesAndBeta() {
        int rows = 5;
        int cols = 7;
        int srcStride = 11;
        int dstStride = 9;
        float[] src = random(3 + rows * srcStride, -1, 1, 600);
        for (float beta : new float[] {0f, 1f, 0.5f}) {
            float[] dst0 = random(2 + rows * dstStride, -1, 1, 601);
            float[] dst = dst0.clone();
            one.copy2d(s(src), 3, srcStride, s(dst), 2, dstStride, rows, cols, beta);
            boolean[] touched = new boolean[dst.length];
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    int di = 2 + r * dstStride + c;
                    touched[di] = true;
                    float expected = src[3 + r * srcStride + c] + beta * dst0[di];
                    assertEquals(beta == 0f ? src[3 + r * srcStride + c] : expected, dst[di], 1e-6f,
                            "beta=" + beta + " at " + r + "," + c);
                }
            }
            for (int i = 0; i < dst.length; i++) {
                if (!touched[i]) {
                    assertNear(dst0[i], dst[i], 0, "beta=" + beta + ": outside the block", i);
                }
            }
        }
    }

    @Test
    void transposeSwapsRowsAndColumnsAcrossBlockEdges() {
        for (int[] sh : new int[][] {{1, 1}, {1, 257}, {257, 1}, {33, 65}, {64, 32}, {70, 3}}) {
            int rows = sh[0];
            int cols = sh[1];
            float[] src = random(rows * cols, -1, 1, rows * 1000L + cols);
            float[] dst = new float[rows * cols];
            one.transpose(s(src), rows, cols, s(dst));
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    assertNear(src[r * cols + c], dst[c * rows + r], 0, rows + "x" + cols + " transposed", r * cols + c);
                }
            }
        }
    }

    @Test
    void fillAndGatherWriteExactlyTheirRange() {
        float[] v = random(10, -1, 1, 700);
        float[] w = v.clone();
        one.fill(s(w), 3, 4, 2.5f);
        for (int i = 0; i < 10; i++) {
            assertNear(i >= 3 && i < 7 ? 2.5f : v[i], w[i], 0, "fill", i);
        }
        float[] dst = new float[3];
        one.gather(s(v), new CpuIntStorage(new int[] {9, 0, 9}), 3, s(dst));
        assertEquals(v[9], dst[0], 0f);
        assertEquals(v[0], dst[1], 0f);
        assertEquals(v[9], dst[2], 0f);
    }

    // ---- optimiser updates --------------------------------------------------------------------------------------

    @Test
    void sgdStepMatchesPyTorchOrderInFloat64WithAndWithoutMask() {
        float[][] configs = {
            // lr, momentum, dampening, weightDecay, nesterov (0/1)
            {0.1f, 0f, 0f, 0f, 0}, {0.05f, 0.9f, 0f, 0.01f, 0}, {0.05f, 0.9f, 0.25f, 0f, 0}, {0.05f, 0.8f, 0f, 0.02f, 1},
        };
        long seed = 800;
        for (int n : SIZES) {
            for (float[] cfg : configs) {
                for (boolean masked : new boolean[] {false, true}) {
                    float lr = cfg[0];
                    float mom = cfg[1];
                    float damp = cfg[2];
                    float wd = cfg[3];
                    boolean nesterov = cfg[4] == 1;
                    float[] w0 = random(n, -1, 1, seed++);
                    float[] mask = masked ? maskOf(n, seed++) : null;
                    double[] w = toDouble(w0);
                    double[] buf = new double[n];
                    float[] w1 = w0.clone();
                    float[] w2 = w0.clone();
                    float[] b1 = new float[n];
                    float[] b2 = new float[n];
                    for (int step = 0; step < 3; step++) {
                        float[] g = random(n, -1, 1, seed++);
                        boolean first = step == 0;
                        SgdHyper h = new SgdHyper(mom, damp, wd, nesterov);
                        one.sgdStep(s(w1), s(g), mom == 0f ? null : s(b1), mask == null ? null : s(mask), n, lr,
                                first, h);
                        two.sgdStep(s(w2), s(g), mom == 0f ? null : s(b2), mask == null ? null : s(mask), n, lr,
                                first, h);
                        for (int i = 0; i < n; i++) {
                            if (mask != null && mask[i] == 0f) {
                                w[i] = 0;
                                buf[i] = 0;
                                continue;
                            }
                            double d = g[i] + (double) wd * w[i];
                            if (mom != 0f) {
                                buf[i] = first ? d : mom * buf[i] + (1.0 - damp) * d;
                                d = nesterov ? d + mom * buf[i] : buf[i];
                            }
                            w[i] -= lr * d;
                        }
                    }
                    String where = "sgd n=" + n + " " + Arrays.toString(cfg) + (masked ? " masked" : "");
                    for (int i = 0; i < n; i++) {
                        assertNear(w[i], w1[i], 2e-6, where + " weight", i);
                        if (mom != 0f) {
                            assertNear(buf[i], b1[i], 2e-6, where + " momentum", i);
                        }
                        if (mask != null && mask[i] == 0f) {
                            assertRawZero(w1[i], where + " pruned weight", i);
                            assertRawZero(b1[i], where + " pruned momentum", i);
                        }
                    }
                    assertBitwise(w1, w2, where);
                    assertBitwise(b1, b2, where + " momentum");
                }
            }
        }
    }

    @Test
    void adamStepMatchesPyTorchOrderInFloat64WithAndWithoutMask() {
        float[][] configs = {
            // lr, beta1, beta2, eps, weightDecay, decoupled (0/1)
            {0.01f, 0.9f, 0.999f, 1e-8f, 0f, 0}, {0.01f, 0.8f, 0.99f, 1e-6f, 0.1f, 0}, {0.02f, 0.9f, 0.999f, 1e-8f, 0.1f, 1},
        };
        long seed = 900;
        for (int n : SIZES) {
            for (float[] cfg : configs) {
                for (boolean masked : new boolean[] {false, true}) {
                    float lr = cfg[0];
                    float b1 = cfg[1];
                    float b2 = cfg[2];
                    float eps = cfg[3];
                    float wd = cfg[4];
                    boolean decoupled = cfg[5] == 1;
                    float[] w0 = random(n, -1, 1, seed++);
                    float[] mask = masked ? maskOf(n, seed++) : null;
                    double[] w = toDouble(w0);
                    double[] m = new double[n];
                    double[] v = new double[n];
                    float[] w1 = w0.clone();
                    float[] w2 = w0.clone();
                    float[] m1 = new float[n];
                    float[] v1 = new float[n];
                    float[] m2 = new float[n];
                    float[] v2 = new float[n];
                    float[] w3 = w0.clone();
                    float[] m3 = new float[n];
                    float[] v3 = new float[n];
                    for (int step = 1; step <= 3; step++) {
                        float[] g = random(n, -1, 1, seed++);
                        AdamHyper h = new AdamHyper(b1, b2, eps, wd, decoupled);
                        one.adamStep(s(w1), s(g), s(m1), s(v1), mask == null ? null : s(mask), n, lr, step, h);
                        two.adamStep(s(w2), s(g), s(m2), s(v2), mask == null ? null : s(mask), n, lr, step, h);
                        // the scalar reference, element by element: what the pinned results were computed with
                        float stepSize = HostUpdates.adamStepSize(lr, b1, step);
                        float bc2Sqrt = HostUpdates.adamBc2Sqrt(b2, step);
                        for (int i = 0; i < n; i++) {
                            if (mask != null && mask[i] == 0f) {
                                w3[i] = 0f;
                                m3[i] = 0f;
                                v3[i] = 0f;
                            } else {
                                HostUpdates.adamAt(w3, g, m3, v3, i, lr, stepSize, bc2Sqrt, h,
                                        HostUpdates.adamStuckMoment(b1, stepSize));
                            }
                        }
                        double bc1 = 1 - Math.pow(b1, step);
                        double bc2 = 1 - Math.pow(b2, step);
                        for (int i = 0; i < n; i++) {
                            if (mask != null && mask[i] == 0f) {
                                w[i] = 0;
                                m[i] = 0;
                                v[i] = 0;
                                continue;
                            }
                            double d = g[i];
                            if (decoupled) {
                                w[i] *= 1 - (double) lr * wd;
                            } else {
                                d += (double) wd * w[i];
                            }
                            m[i] = b1 * m[i] + (1 - (double) b1) * d;
                            v[i] = b2 * v[i] + (1 - (double) b2) * d * d;
                            w[i] -= lr / bc1 * m[i] / (Math.sqrt(v[i]) / Math.sqrt(bc2) + eps);
                        }
                    }
                    String where = "adam n=" + n + " " + Arrays.toString(cfg) + (masked ? " masked" : "");
                    for (int i = 0; i < n; i++) {
                        assertNear(w[i], w1[i], 1e-5, where + " weight", i);
                        assertNear(m[i], m1[i], 1e-6, where + " first moment", i);
                        assertNear(v[i], v1[i], 1e-6, where + " second moment", i);
                        if (mask != null && mask[i] == 0f) {
                            assertRawZero(w1[i], where + " pruned weight", i);
                            assertRawZero(m1[i], where + " pruned first moment", i);
                            assertRawZero(v1[i], where + " pruned second moment", i);
                        }
                    }
                    assertBitwise(w1, w2, where);
                    assertBitwise(m1, m2, where + " m");
                    assertBitwise(v1, v2, where + " v");
                    assertBitwise(w3, w1, where + " against HostUpdates.adamAt");
                    assertBitwise(m3, m1, where + " m against HostUpdates.adamAt");
                    assertBitwise(v3, v1, where + " v against HostUpdates.adamAt");
                }
            }
        }
    }

    private static float[] maskOf(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] m = new float[n];
        for (int i = 0; i < n; i++) {
            m[i] = r.nextDouble() < 0.3 ? 0f : 1f;
        }
        return m;
    }

    private static double[] toDouble(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }

}
