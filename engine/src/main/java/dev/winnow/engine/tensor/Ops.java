package dev.winnow.engine.tensor;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.backend.BinaryOp;
import dev.winnow.engine.backend.Broadcast;
import dev.winnow.engine.backend.Storage;
import dev.winnow.engine.backend.UnaryOp;

import java.util.SplittableRandom;
import java.util.function.BinaryOperator;

/**
 * The differentiable operations. Each method computes its output through the backend and, right next to it, installs
 * the closure that accumulates the gradients of its inputs (micrograd's habit). Composite ops (norms, losses) are
 * built from these and need no backward of their own.
 */
public final class Ops {
    private Ops() {
    }

    // ---- products -----------------------------------------------------------------------------------------------

    /** op(a) op(b), where op transposes when asked. */
    public static Tensor matmul(Tensor a, Tensor b, boolean transA, boolean transB) {
        int m = transA ? a.cols() : a.rows();
        int k = transA ? a.rows() : a.cols();
        int kb = transB ? b.cols() : b.rows();
        int n = transB ? b.rows() : b.cols();
        if (k != kb) {
            throw new IllegalArgumentException("matmul: inner dimensions differ: " + a.shape() + (transA ? "^T" : "")
                    + " x " + b.shape() + (transB ? "^T" : ""));
        }
        Backend be = sameBackend(a, b);
        Tensor c = Tensor.result(be, m, n, 2, "matmul", a, b);
        be.gemm(transA, transB, m, n, k, 1f, a.data(), a.cols(), b.data(), b.cols(), 0f, c.data(), n);
        c.setBackward(() -> {
            Storage dc = c.grad();
            if (a.requiresGrad()) {
                if (!transA) {
                    be.gemm(false, !transB, m, k, n, 1f, dc, n, b.data(), b.cols(), 1f, a.gradOrZeros(), a.cols());
                } else {
                    be.gemm(transB, true, k, m, n, 1f, b.data(), b.cols(), dc, n, 1f, a.gradOrZeros(), a.cols());
                }
            }
            if (b.requiresGrad()) {
                if (!transB) {
                    be.gemm(!transA, false, k, n, m, 1f, a.data(), a.cols(), dc, n, 1f, b.gradOrZeros(), b.cols());
                } else {
                    be.gemm(true, transA, n, k, m, 1f, dc, n, a.data(), a.cols(), 1f, b.gradOrZeros(), b.cols());
                }
            }
        });
        return c;
    }

    public static Tensor matmul(Tensor a, Tensor b) {
        return matmul(a, b, false, false);
    }

    /**
     * A dense layer y = x (w ⊙ mask)^T + bias for x [batch x in], w [out x in], bias [out] (may be null), mask of
     * w's shape (may be null). Masked weights get no gradient: dW is multiplied by the mask.
     */
    public static Tensor linear(Tensor x, Tensor w, Tensor bias, Tensor mask) {
        int batch = x.rows();
        int in = x.cols();
        int out = w.rows();
        if (w.cols() != in) {
            throw new IllegalArgumentException("linear: input has " + in + " features but the weight is " + w.shape());
        }
        if (bias != null && bias.size() != out) {
            throw new IllegalArgumentException("linear: bias " + bias.shape() + " does not match " + out + " outputs");
        }
        if (mask != null && mask.size() != w.size()) {
            throw new IllegalArgumentException("linear: mask " + mask.shape() + " does not match weight " + w.shape());
        }
        Backend be = sameBackend(x, w);
        Storage m = mask == null ? null : mask.data();
        Tensor y = Tensor.result(be, batch, out, 2, "linear", x, w, bias);
        be.gemmMasked(false, true, batch, out, in, 1f, x.data(), in, w.data(), in, m, 0f, y.data(), out);
        if (bias != null) {
            be.binary(BinaryOp.ADD, y.data(), bias.data(), Broadcast.ROW, batch, out, y.data());
        }
        y.setBackward(() -> {
            Storage dy = y.grad();
            if (x.requiresGrad()) {
                be.gemmMasked(false, false, batch, in, out, 1f, dy, out, w.data(), in, m, 1f, x.gradOrZeros(), in);
            }
            if (w.requiresGrad()) {
                Storage dw = w.gradOrZeros();
                be.gemm(true, false, out, in, batch, 1f, dy, out, x.data(), in, 1f, dw, in);
                if (m != null) {
                    be.binary(BinaryOp.MUL, dw, m, Broadcast.FULL, out, in, dw);
                }
            }
            if (bias != null && bias.requiresGrad()) {
                be.sumRows(dy, batch, out, 1f, 1f, bias.gradOrZeros());
            }
        });
        return y;
    }

    // ---- element-wise binary with broadcasting ------------------------------------------------------------------

    public static Tensor add(Tensor a, Tensor b) {
        return binary(BinaryOp.ADD, a, b);
    }

    public static Tensor sub(Tensor a, Tensor b) {
        return binary(BinaryOp.SUB, a, b);
    }

    public static Tensor mul(Tensor a, Tensor b) {
        return binary(BinaryOp.MUL, a, b);
    }

    public static Tensor div(Tensor a, Tensor b) {
        return mul(a, unary(UnaryOp.RECIPROCAL, 0f, b));
    }

    /** How b broadcasts against a: same shape, a row (bias), a column (per-sample), or a scalar. */
    static Broadcast broadcastOf(Tensor a, Tensor b) {
        if (b.rows() == a.rows() && b.cols() == a.cols()) {
            return Broadcast.FULL;
        }
        if (b.size() == 1) {
            return Broadcast.SCALAR;
        }
        if (b.rows() == 1 && b.cols() == a.cols()) {
            return Broadcast.ROW;
        }
        if (b.cols() == 1 && b.rows() == a.rows()) {
            return Broadcast.COLUMN;
        }
        throw new IllegalArgumentException("cannot broadcast " + b.shape() + " against " + a.shape());
    }

    private static Tensor binary(BinaryOp op, Tensor a, Tensor b) {
        Broadcast bc = broadcastOf(a, b);
        Backend be = sameBackend(a, b);
        int rows = a.rows();
        int cols = a.cols();
        Tensor c = Tensor.result(be, rows, cols, a.rank(), op.name().toLowerCase(java.util.Locale.ROOT), a, b);
        be.binary(op, a.data(), b.data(), bc, rows, cols, c.data());
        c.setBackward(() -> {
            Storage dc = c.grad();
            int n = rows * cols;
            if (a.requiresGrad()) {
                switch (op) {
                    case ADD:
                    case SUB:
                        be.axpy(1f, dc, a.gradOrZeros(), n);
                        break;
                    case MUL: {
                        Storage t = Tensor.allocateScratch(be, n);
                        be.binary(BinaryOp.MUL, dc, b.data(), bc, rows, cols, t);
                        be.axpy(1f, t, a.gradOrZeros(), n);
                        break;
                    }
                    default:
                        throw new AssertionError(op);
                }
            }
            if (b.requiresGrad()) {
                Storage contrib;
                float sign = op == BinaryOp.SUB ? -1f : 1f;
                if (op == BinaryOp.MUL) {
                    contrib = Tensor.allocateScratch(be, n);
                    be.binary(BinaryOp.MUL, dc, a.data(), Broadcast.FULL, rows, cols, contrib);
                } else {
                    contrib = dc;
                }
                reduceInto(be, contrib, rows, cols, bc, sign, b.gradOrZeros());
            }
        });
        return c;
    }

    /** grad += sign * (contrib reduced to the broadcast shape). */
    private static void reduceInto(Backend be, Storage contrib, int rows, int cols, Broadcast bc, float sign,
                                   Storage grad) {
        switch (bc) {
            case FULL:
                be.axpy(sign, contrib, grad, rows * cols);
                break;
            case ROW:
                be.sumRows(contrib, rows, cols, sign, 1f, grad);
                break;
            case COLUMN:
                be.sumCols(contrib, rows, cols, sign, 1f, grad);
                break;
            case SCALAR: {
                Storage perRow = Tensor.allocateScratch(be, rows);
                be.sumCols(contrib, rows, cols, 1f, 0f, perRow);
                be.sumRows(perRow, rows, 1, sign, 1f, grad);
                break;
            }
            default:
                throw new AssertionError(bc);
        }
    }

    // ---- element-wise unary -------------------------------------------------------------------------------------

    public static Tensor unary(UnaryOp op, float p, Tensor x) {
        Backend be = x.backend();
        int n = x.size();
        Tensor y = Tensor.result(be, x.rows(), x.cols(), x.rank(), op.name().toLowerCase(java.util.Locale.ROOT), x);
        be.unary(op, p, x.data(), y.data(), n);
        y.setBackward(() -> be.unaryBackward(op, p, x.data(), y.data(), y.grad(), x.gradOrZeros(), n));
        return y;
    }

    public static Tensor relu(Tensor x) {
        return unary(UnaryOp.RELU, 0f, x);
    }

    public static Tensor leakyRelu(Tensor x, float slope) {
        return unary(UnaryOp.LEAKY_RELU, slope, x);
    }

    public static Tensor sigmoid(Tensor x) {
        return unary(UnaryOp.SIGMOID, 0f, x);
    }

    public static Tensor tanh(Tensor x) {
        return unary(UnaryOp.TANH, 0f, x);
    }

    public static Tensor exp(Tensor x) {
        return unary(UnaryOp.EXP, 0f, x);
    }

    public static Tensor log(Tensor x) {
        return unary(UnaryOp.LOG, 0f, x);
    }

    public static Tensor square(Tensor x) {
        return unary(UnaryOp.SQUARE, 0f, x);
    }

    public static Tensor sqrt(Tensor x) {
        return unary(UnaryOp.SQRT, 0f, x);
    }

    public static Tensor abs(Tensor x) {
        return unary(UnaryOp.ABS, 0f, x);
    }

    public static Tensor neg(Tensor x) {
        return unary(UnaryOp.NEG, 0f, x);
    }

    public static Tensor scale(Tensor x, float factor) {
        return unary(UnaryOp.SCALE, factor, x);
    }

    public static Tensor addScalar(Tensor x, float value) {
        return unary(UnaryOp.ADD_SCALAR, value, x);
    }

    public static Tensor clampMin(Tensor x, float min) {
        return unary(UnaryOp.CLAMP_MIN, min, x);
    }

    public static Tensor pow(Tensor x, float exponent) {
        return unary(UnaryOp.POW, exponent, x);
    }

    // ---- reductions ---------------------------------------------------------------------------------------------

    /** Sum over rows: [rows x cols] -> [1 x cols]. */
    public static Tensor sumRows(Tensor x) {
        return sumOverRows(x, 1f, "sumRows");
    }

    /** Mean over rows (the batch mean of each column): [rows x cols] -> [1 x cols]. */
    public static Tensor meanRows(Tensor x) {
        return sumOverRows(x, 1f / x.rows(), "meanRows");
    }

    private static Tensor sumOverRows(Tensor x, float alpha, String name) {
        Backend be = x.backend();
        int rows = x.rows();
        int cols = x.cols();
        Tensor y = Tensor.result(be, 1, cols, 2, name, x);
        be.sumRows(x.data(), rows, cols, alpha, 0f, y.data());
        y.setBackward(() -> {
            Storage dx = x.gradOrZeros();
            be.binary(BinaryOp.ADD, dx, scaledGrad(be, y.grad(), alpha, cols), Broadcast.ROW, rows, cols, dx);
        });
        return y;
    }

    /**
     * alpha * g for the sums' backward, computed once per output (not once per input element) by the backend's
     * SCALE: dx + alpha * g then rounds exactly as the former alpha-filled matrix times g, added into dx, did.
     * g itself when alpha is 1.
     */
    private static Storage scaledGrad(Backend be, Storage g, float alpha, int n) {
        if (alpha == 1f) {
            return g;
        }
        Storage s = Tensor.allocateScratch(be, n);
        be.unary(UnaryOp.SCALE, alpha, g, s, n);
        return s;
    }

    /** Sum over columns: [rows x cols] -> [rows x 1]. */
    public static Tensor sumCols(Tensor x) {
        return sumOverCols(x, 1f, "sumCols");
    }

    /** Mean over columns (per-sample mean): [rows x cols] -> [rows x 1]. */
    public static Tensor meanCols(Tensor x) {
        return sumOverCols(x, 1f / x.cols(), "meanCols");
    }

    private static Tensor sumOverCols(Tensor x, float alpha, String name) {
        Backend be = x.backend();
        int rows = x.rows();
        int cols = x.cols();
        Tensor y = Tensor.result(be, rows, 1, 2, name, x);
        be.sumCols(x.data(), rows, cols, alpha, 0f, y.data());
        y.setBackward(() -> {
            Storage dx = x.gradOrZeros();
            be.binary(BinaryOp.ADD, dx, scaledGrad(be, y.grad(), alpha, rows), Broadcast.COLUMN, rows, cols, dx);
        });
        return y;
    }

    /** Sum of every element: a 1 x 1 tensor. */
    public static Tensor sum(Tensor x) {
        return sumRows(sumCols(x));
    }

    /** Mean of every element: a 1 x 1 tensor. */
    public static Tensor mean(Tensor x) {
        return scale(sum(x), 1f / x.size());
    }

    // ---- softmax ------------------------------------------------------------------------------------------------

    public static Tensor softmax(Tensor x) {
        return softmax(x, false);
    }

    public static Tensor logSoftmax(Tensor x) {
        return softmax(x, true);
    }

    private static Tensor softmax(Tensor x, boolean log) {
        Backend be = x.backend();
        int rows = x.rows();
        int cols = x.cols();
        Tensor y = Tensor.result(be, rows, cols, x.rank(), log ? "logSoftmax" : "softmax", x);
        be.rowSoftmax(x.data(), rows, cols, log, y.data());
        y.setBackward(() -> be.rowSoftmaxBackward(y.data(), y.grad(), rows, cols, log, x.gradOrZeros()));
        return y;
    }

    // ---- shape: concat and slice of columns ---------------------------------------------------------------------

    /** Places the inputs side by side: every input has the same number of rows. */
    public static Tensor concatCols(Tensor... parts) {
        if (parts.length == 0) {
            throw new IllegalArgumentException("concatCols needs at least one tensor");
        }
        int rows = parts[0].rows();
        int cols = 0;
        Backend be = parts[0].backend();
        for (Tensor t : parts) {
            if (t.rows() != rows) {
                throw new IllegalArgumentException("concatCols: row counts differ: " + parts[0].shape() + " vs "
                        + t.shape());
            }
            if (t.backend() != be) {
                throw new IllegalArgumentException("concatCols: tensors live on different backends");
            }
            cols += t.cols();
        }
        final int total = cols;
        Tensor y = Tensor.result(be, rows, total, 2, "concatCols", parts);
        int off = 0;
        for (Tensor t : parts) {
            be.copy2d(t.data(), 0, t.cols(), y.data(), off, total, rows, t.cols(), 0f);
            off += t.cols();
        }
        y.setBackward(() -> {
            int o = 0;
            for (Tensor t : parts) {
                if (t.requiresGrad()) {
                    be.copy2d(y.grad(), o, total, t.gradOrZeros(), 0, t.cols(), rows, t.cols(), 1f);
                }
                o += t.cols();
            }
        });
        return y;
    }

    /** Columns [from, to) of x. */
    public static Tensor sliceCols(Tensor x, int from, int to) {
        if (from < 0 || to > x.cols() || from > to) {
            throw new IllegalArgumentException("sliceCols [" + from + ", " + to + ") is outside " + x.shape());
        }
        Backend be = x.backend();
        int rows = x.rows();
        int cols = to - from;
        Tensor y = Tensor.result(be, rows, cols, 2, "sliceCols", x);
        be.copy2d(x.data(), from, x.cols(), y.data(), 0, cols, rows, cols, 0f);
        y.setBackward(() -> be.copy2d(y.grad(), 0, cols, x.gradOrZeros(), from, x.cols(), rows, cols, 1f));
        return y;
    }

    // ---- embedding ----------------------------------------------------------------------------------------------

    /**
     * Rows of {@code table} picked by {@code index}; the backward scatter-adds into the picked rows (and records them
     * when the table {@link Tensor#trackTouchedRows tracks its touched rows}).
     */
    public static Tensor embedding(Tensor table, IndexTensor index) {
        Backend be = table.backend();
        int n = index.length();
        int cols = table.cols();
        Tensor y = Tensor.result(be, n, cols, 2, "embedding", table);
        be.gatherRows(table.data(), cols, index.data(), n, y.data());
        y.setBackward(() -> be.scatterAddRows(y.grad(), cols, index.data(), n, table.gradOfRows(index, n)));
        return y;
    }

    // ---- composites ---------------------------------------------------------------------------------------------

    /**
     * Each row divided by max(||row||_2, eps): the clamp is on the norm, as in PyTorch's F.normalize. It is computed as
     * sqrt(max(||row||^2, eps^2)), the same value, because clamping after the sqrt gives an all-zero row (a sample
     * whose ReLU outputs are all dead) the gradient 0 * sqrt'(0) = 0 * inf = NaN.
     */
    public static Tensor l2NormalizeRows(Tensor x, float eps) {
        Backend be = x.backend();
        float eps2 = eps * eps;
        if (!be.fusedRowOps()) {
            return div(x, sqrt(clampMin(sumCols(square(x)), eps2)));
        }
        // One node with that composition's arithmetic (Backend#rowL2Normalize): two passes over x instead of six.
        int rows = x.rows();
        int cols = x.cols();
        Tensor y = Tensor.result(be, rows, cols, x.rank(), "l2NormalizeRows", x);
        Storage sumSq = Tensor.allocateScratch(be, rows);
        be.rowL2Normalize(x.data(), rows, cols, eps2, sumSq, y.data());
        y.setBackward(() -> be.rowL2NormalizeBackward(x.data(), rows, cols, eps2, sumSq, y.grad(),
                Tensor.allocateScratch(be, rows), x.gradOrZeros()));
        return y;
    }

    /**
     * Training-mode batch norm of x's rows: (x - mean) * (var + eps)^-0.5 * gamma + beta with the batch's mean and
     * biased variance of each column (gamma and beta 1 x cols), which are also copied into {@code meanOut} and
     * {@code varOut} for the running statistics. One node where the backend fuses it ({@link Backend#batchNormTrain}),
     * with the bits of the composition that runs elsewhere.
     */
    public static Tensor batchNormTrain(Tensor x, Tensor gamma, Tensor beta, float eps, float[] meanOut,
                                        float[] varOut) {
        int rows = x.rows();
        int cols = x.cols();
        if (gamma.rows() != 1 || gamma.cols() != cols || beta.rows() != 1 || beta.cols() != cols) {
            throw new IllegalArgumentException("batch norm over " + x.shape() + " needs gamma and beta of 1x" + cols
                    + ", got " + gamma.shape() + " and " + beta.shape());
        }
        if (meanOut.length < cols || varOut.length < cols) {
            throw new IllegalArgumentException("batch norm over " + cols + " columns needs meanOut and varOut of at least "
                    + cols + " floats, got " + meanOut.length + " and " + varOut.length);
        }
        Backend be = x.backend();
        sameBackend(x, gamma);
        sameBackend(x, beta);
        if (!be.fusedRowOps()) {
            Tensor mean = meanRows(x);
            Tensor centred = sub(x, mean);
            Tensor var = meanRows(square(centred));
            Tensor y = affineRows(centred, pow(addScalar(var, eps), -0.5f), gamma, beta);
            System.arraycopy(mean.toArray(), 0, meanOut, 0, cols);
            System.arraycopy(var.toArray(), 0, varOut, 0, cols);
            return y;
        }
        Tensor y = Tensor.result(be, rows, cols, x.rank(), "batchNorm", x, gamma, beta);
        Storage mean = Tensor.allocateScratch(be, cols);
        Storage var = Tensor.allocateScratch(be, cols);
        Storage inv = Tensor.allocateScratch(be, cols);
        be.batchNormTrain(x.data(), rows, cols, eps, gamma.data(), beta.data(), mean, var, inv, y.data());
        be.download(mean, 0, meanOut, 0, cols);
        be.download(var, 0, varOut, 0, cols);
        y.setBackward(() -> be.batchNormTrainBackward(x.data(), rows, cols, eps, mean, var, inv, gamma.data(),
                y.grad(), x.gradOrZerosIfRequired(), gamma.gradOrZerosIfRequired(),
                beta.gradOrZerosIfRequired(), Tensor.allocateScratch(be, 4 * cols)));
        return y;
    }

    /**
     * y = (x * inv) * gamma + beta with inv, gamma and beta 1 x cols, broadcast over the rows: mul(mul(x, inv), gamma)
     * plus beta, as one node where the backend fuses it ({@link Backend#affineRows}), with the same bits. It takes
     * the three composed nodes' place on the tape, so gradients that several such nodes add into a shared inv (a pooled
     * batch norm's) add in the same order.
     */
    public static Tensor affineRows(Tensor x, Tensor inv, Tensor gamma, Tensor beta) {
        int rows = x.rows();
        int cols = x.cols();
        requireAffineVector(x, inv);
        requireAffineVector(x, gamma);
        requireAffineVector(x, beta);
        Backend be = x.backend();
        if (!be.fusedRowOps()) {
            return add(mul(mul(x, inv), gamma), beta);
        }
        Tensor y = Tensor.result(be, rows, cols, x.rank(), "affineRows", x, inv, gamma, beta);
        be.affineRows(x.data(), rows, cols, inv.data(), gamma.data(), beta.data(), y.data());
        y.setBackward(() -> be.affineRowsBackward(x.data(), rows, cols, inv.data(), gamma.data(), y.grad(),
                x.gradOrZerosIfRequired(), inv.gradOrZerosIfRequired(),
                gamma.gradOrZerosIfRequired(), beta.gradOrZerosIfRequired(),
                Tensor.allocateScratch(be, 3 * cols)));
        return y;
    }

    /** One of affineRows' per-column vectors: 1 x x.cols() on x's backend. */
    private static void requireAffineVector(Tensor x, Tensor v) {
        if (v.rows() != 1 || v.cols() != x.cols()) {
            throw new IllegalArgumentException("affineRows over " + x.shape() + " needs 1x" + x.cols()
                    + " scale and shift vectors, got " + v.shape());
        }
        sameBackend(x, v);
    }

    /**
     * The dot product of matching rows, sumCols(mul(a, b)): [rows x cols] twice -> [rows x 1], each row summed in
     * column order. One node where the backend fuses it ({@link Backend#rowDot}), with the same bits.
     */
    public static Tensor rowDot(Tensor a, Tensor b) {
        return pairRows("rowDot", a, b, (x, y) -> sumCols(mul(x, y)), Backend::rowDot, Backend::rowDotBackward);
    }

    /**
     * The squared distance between matching rows, sumCols(square(sub(a, b))): [rows x cols] twice -> [rows x 1], each
     * row summed in column order. One node where the backend fuses it ({@link Backend#rowSquaredDistance}), with the
     * same bits.
     */
    public static Tensor squaredDistanceRows(Tensor a, Tensor b) {
        return pairRows("squaredDistanceRows", a, b, (x, y) -> sumCols(square(sub(x, y))), Backend::rowSquaredDistance,
                Backend::rowSquaredDistanceBackward);
    }

    /** A backend's fused op of two equally shaped matrices into one value per row. */
    private interface PairRowsOp {
        void run(Backend be, Storage a, Storage b, int rows, int cols, Storage out);
    }

    /** Its backward: da and db (either null: not wanted) from the upstream gradient g. */
    private interface PairRowsBackward {
        void run(Backend be, Storage a, Storage b, int rows, int cols, Storage g, Storage da, Storage db);
    }

    /** [rows x cols] twice -> [rows x 1]: the backend's fused node, or {@code composed} where it has none. */
    private static Tensor pairRows(String name, Tensor a, Tensor b, BinaryOperator<Tensor> composed,
                                   PairRowsOp op, PairRowsBackward backward) {
        Backend be = sameBackend(a, b);
        if (a.rows() != b.rows() || a.cols() != b.cols()) {
            throw new IllegalArgumentException(name + " needs equal shapes, got " + a.shape() + " and " + b.shape());
        }
        if (!be.fusedRowOps()) {
            return composed.apply(a, b);
        }
        int rows = a.rows();
        int cols = a.cols();
        Tensor y = Tensor.result(be, rows, 1, 2, name, a, b);
        op.run(be, a.data(), b.data(), rows, cols, y.data());
        y.setBackward(() -> backward.run(be, a.data(), b.data(), rows, cols, y.grad(), a.gradOrZerosIfRequired(),
                b.gradOrZerosIfRequired()));
        return y;
    }

    /**
     * Inverted dropout: zeroes each element with probability p (drawn from {@code rng}) and scales survivors by
     * 1/(1-p). With p = 0 it is the identity.
     */
    public static Tensor dropout(Tensor x, float p, SplittableRandom rng) {
        if (p < 0f || p >= 1f) {
            throw new IllegalArgumentException("dropout probability must be in [0, 1), got " + p);
        }
        if (p == 0f) {
            return x;
        }
        int n = x.size();
        float keep = 1f / (1f - p);
        float[] m = new float[n];
        for (int i = 0; i < n; i++) {
            m[i] = rng.nextDouble() < p ? 0f : keep;
        }
        Backend be = x.backend();
        Storage ms = Tensor.allocateScratch(be, n);
        be.upload(m, 0, ms, 0, n);
        Tensor mask = Tensor.wrap(be, ms, x.rows(), x.cols(), false);
        return mul(x, mask);
    }

    static Backend sameBackend(Tensor a, Tensor b) {
        if (a.backend() != b.backend()) {
            throw new IllegalArgumentException("tensors live on different backends: " + a.backend().name() + " vs "
                    + b.backend().name());
        }
        return a.backend();
    }
}
