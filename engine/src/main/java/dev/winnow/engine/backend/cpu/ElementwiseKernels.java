package dev.winnow.engine.backend.cpu;

import dev.winnow.engine.backend.AdamHyper;
import dev.winnow.engine.backend.host.HostUpdates;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The CPU backend's element-wise loops that run on every training step outside the products: ReLU and its backward,
 * bias add, AXPY, column sums, row scatter-add, accumulating copies, Adam's update over a range (lazy Adam's rows and
 * dense Adam's whole tensor). The plain-Java versions live here; the Vector API ones in {@link Vectorized}, loaded
 * only when jdk.incubator.vector is present.
 *
 * <p>Both give bitwise the same results: every vector loop performs, lane by lane, exactly the scalar loop's IEEE
 * operations in the same order (a multiply then an add, never a fused multiply-add; a comparison and a blend where
 * the scalar loop branches), and a sum keeps each output's own accumulation order. That keeps seeded runs and
 * checkpoint resumes bit-for-bit identical whichever implementation the machine picks.
 */
abstract class ElementwiseKernels {
    /** The Vector API kernels when {@code vectorized} and the module is present, else the plain-Java ones. */
    static ElementwiseKernels create(boolean vectorized) {
        return VectorVariants.choose(ElementwiseKernels.class, vectorized, Scalar::new);
    }

    abstract String name();

    /** y = max(x, 0) as {@code x > 0 ? x : 0} (NaN and -0 give +0) on [from, to). */
    abstract void relu(float[] x, float[] y, int from, int to);

    /** dx += dy where x > 0, on [from, to). */
    abstract void reluBackward(float[] x, float[] dy, float[] dx, int from, int to);

    /** c[co + j] = a[ao + j] op b[bo + j] for j < n; op is 0 = add, 1 = subtract, 2 = multiply. */
    abstract void binaryRow(int op, float[] a, int ao, float[] b, int bo, float[] c, int co, int n);

    /** y[i] += alpha * x[i] on [from, to). */
    abstract void axpy(float alpha, float[] x, float[] y, int from, int to);

    /** acc[ao + j] += x[xo + j] for j < n (one row of a column sum, one row of a scatter-add). */
    abstract void addRow(float[] x, int xo, float[] acc, int ao, int n);

    /** d[do + j] = s[so + j] + beta * d[do + j] for j < n (a strided copy that accumulates, beta != 0). */
    abstract void addScaledRow(float[] s, int so, float[] d, int dOff, int n, float beta);

    /**
     * {@link HostUpdates#adamAt} at every position of [from, to): one row of lazy Adam's update. Plain Java does not
     * vectorise a loop this short (an embedding row, 32 weights), and the square root and two divisions per weight
     * then cost about 4x the dense sweep's per weight; the Vector API version runs them a register at a time.
     */
    abstract void adamRange(float[] w, float[] g, float[] m1, float[] m2, int from, int to, float lr, float stepSize,
                            float bc2Sqrt, AdamHyper h);

    static void adamRangeScalar(float[] w, float[] g, float[] m1, float[] m2, int from, int to, float lr,
                                float stepSize, float bc2Sqrt, AdamHyper h) {
        int stuck = HostUpdates.adamStuckMoment(h.beta1(), stepSize);
        for (int i = from; i < to; i++) {
            HostUpdates.adamAt(w, g, m1, m2, i, lr, stepSize, bc2Sqrt, h, stuck);
        }
    }

    static final int ADD = 0;
    static final int SUB = 1;
    static final int MUL = 2;

    // ---- plain Java: the reference, and the tails of the vector loops --------------------------------------------

    static void reluScalar(float[] x, float[] y, int from, int to) {
        for (int i = from; i < to; i++) {
            float v = x[i];
            y[i] = v > 0f ? v : 0f;
        }
    }

    static void reluBackwardScalar(float[] x, float[] dy, float[] dx, int from, int to) {
        for (int i = from; i < to; i++) {
            if (x[i] > 0f) {
                dx[i] += dy[i];
            }
        }
    }

    static void binaryRowScalar(int op, float[] a, int ao, float[] b, int bo, float[] c, int co, int from, int n) {
        switch (op) {
            case ADD:
                for (int j = from; j < n; j++) {
                    c[co + j] = a[ao + j] + b[bo + j];
                }
                return;
            case SUB:
                for (int j = from; j < n; j++) {
                    c[co + j] = a[ao + j] - b[bo + j];
                }
                return;
            case MUL:
                for (int j = from; j < n; j++) {
                    c[co + j] = a[ao + j] * b[bo + j];
                }
                return;
            default:
                throw new IllegalArgumentException("binary op code " + op + " is not 0 (add), 1 (sub) or 2 (mul)");
        }
    }

    static void axpyScalar(float alpha, float[] x, float[] y, int from, int to) {
        for (int i = from; i < to; i++) {
            y[i] += alpha * x[i];
        }
    }

    static void addRowScalar(float[] x, int xo, float[] acc, int ao, int from, int n) {
        for (int j = from; j < n; j++) {
            acc[ao + j] += x[xo + j];
        }
    }

    static void addScaledRowScalar(float[] s, int so, float[] d, int dOff, int from, int n, float beta) {
        for (int c = from; c < n; c++) {
            d[dOff + c] = s[so + c] + beta * d[dOff + c];
        }
    }

    static final class Scalar extends ElementwiseKernels {
        @Override
        void addScaledRow(float[] s, int so, float[] d, int dOff, int n, float beta) {
            addScaledRowScalar(s, so, d, dOff, 0, n, beta);
        }

        @Override
        String name() {
            return "scalar";
        }

        @Override
        void relu(float[] x, float[] y, int from, int to) {
            reluScalar(x, y, from, to);
        }

        @Override
        void reluBackward(float[] x, float[] dy, float[] dx, int from, int to) {
            reluBackwardScalar(x, dy, dx, from, to);
        }

        @Override
        void binaryRow(int op, float[] a, int ao, float[] b, int bo, float[] c, int co, int n) {
            binaryRowScalar(op, a, ao, b, bo, c, co, 0, n);
        }

        @Override
        void axpy(float alpha, float[] x, float[] y, int from, int to) {
            axpyScalar(alpha, x, y, from, to);
        }

        @Override
        void addRow(float[] x, int xo, float[] acc, int ao, int n) {
            addRowScalar(x, xo, acc, ao, 0, n);
        }

        @Override
        void adamRange(float[] w, float[] g, float[] m1, float[] m2, int from, int to, float lr, float stepSize,
                       float bc2Sqrt, AdamHyper h) {
            adamRangeScalar(w, g, m1, m2, from, to, lr, stepSize, bc2Sqrt, h);
        }
    }

    // ---- Vector API ----------------------------------------------------------------------------------------------

    /** The same loops a vector of lanes at a time; tails run the scalar code. */
    static final class Vectorized extends ElementwiseKernels {
        private static final VectorSpecies<Float> S = VectorLanes.S;
        private static final int L = S.length();

        @Override
        String name() {
            return "vector(" + S.vectorBitSize() + "-bit)";
        }

        /** Lane by lane HostUpdates.adamAt's operations in its order (no fused multiply-add): the same bits. */
        @Override
        void adamRange(float[] w, float[] g, float[] m1, float[] m2, int from, int to, float lr, float stepSize,
                       float bc2Sqrt, AdamHyper h) {
            float weightDecay = h.weightDecay();
            boolean decay = weightDecay != 0f;
            boolean decoupled = h.decoupled();
            float lrWd = lr * weightDecay;
            float beta1 = h.beta1();
            float beta2 = h.beta2();
            float oneMinusBeta1 = 1f - beta1;
            float oneMinusBeta2 = 1f - beta2;
            float eps = h.eps();
            int i = from;
            int bound = from + S.loopBound(to - from);
            for (; i < bound; i += L) {
                FloatVector wv = FloatVector.fromArray(S, w, i);
                FloatVector d = FloatVector.fromArray(S, g, i);
                if (decay) {
                    if (decoupled) {
                        wv = wv.sub(wv.mul(lrWd));
                    } else {
                        d = d.add(wv.mul(weightDecay));
                    }
                }
                FloatVector a = FloatVector.fromArray(S, m1, i).mul(beta1).add(d.mul(oneMinusBeta1));
                FloatVector b = FloatVector.fromArray(S, m2, i).mul(beta2).add(d.mul(oneMinusBeta2).mul(d));
                a.intoArray(m1, i);
                b.intoArray(m2, i);
                FloatVector denom = b.lanewise(VectorOperators.SQRT).div(bc2Sqrt).add(eps);
                wv.sub(a.mul(stepSize).div(denom)).intoArray(w, i);
            }
            adamRangeScalar(w, g, m1, m2, i, to, lr, stepSize, bc2Sqrt, h);
        }

        @Override
        void relu(float[] x, float[] y, int from, int to) {
            int i = from;
            int bound = from + S.loopBound(to - from);
            FloatVector zero = FloatVector.zero(S);
            for (; i < bound; i += L) {
                FloatVector v = FloatVector.fromArray(S, x, i);
                // x > 0 ? x : +0, not max(x, 0): NaN must give 0 as in the scalar loop.
                zero.blend(v, v.compare(VectorOperators.GT, 0f)).intoArray(y, i);
            }
            reluScalar(x, y, i, to);
        }

        @Override
        void reluBackward(float[] x, float[] dy, float[] dx, int from, int to) {
            int i = from;
            int bound = from + S.loopBound(to - from);
            for (; i < bound; i += L) {
                VectorMask<Float> alive = FloatVector.fromArray(S, x, i).compare(VectorOperators.GT, 0f);
                // Masked add: where x <= 0 dx keeps its exact bits (adding +0 would turn a -0 into +0).
                FloatVector.fromArray(S, dx, i).add(FloatVector.fromArray(S, dy, i), alive).intoArray(dx, i);
            }
            reluBackwardScalar(x, dy, dx, i, to);
        }

        @Override
        void binaryRow(int op, float[] a, int ao, float[] b, int bo, float[] c, int co, int n) {
            int j = 0;
            int bound = S.loopBound(n);
            switch (op) {
                case ADD:
                    for (; j < bound; j += L) {
                        FloatVector.fromArray(S, a, ao + j).add(FloatVector.fromArray(S, b, bo + j)).intoArray(c, co + j);
                    }
                    break;
                case SUB:
                    for (; j < bound; j += L) {
                        FloatVector.fromArray(S, a, ao + j).sub(FloatVector.fromArray(S, b, bo + j)).intoArray(c, co + j);
                    }
                    break;
                case MUL:
                    for (; j < bound; j += L) {
                        FloatVector.fromArray(S, a, ao + j).mul(FloatVector.fromArray(S, b, bo + j)).intoArray(c, co + j);
                    }
                    break;
                default:
                    throw new IllegalArgumentException("binary op code " + op + " is not 0 (add), 1 (sub) or 2 (mul)");
            }
            binaryRowScalar(op, a, ao, b, bo, c, co, j, n);
        }

        @Override
        void addScaledRow(float[] s, int so, float[] d, int dOff, int n, float beta) {
            int c = 0;
            int bound = S.loopBound(n);
            for (; c < bound; c += L) {
                FloatVector.fromArray(S, s, so + c).add(FloatVector.fromArray(S, d, dOff + c).mul(beta))
                        .intoArray(d, dOff + c);
            }
            addScaledRowScalar(s, so, d, dOff, c, n, beta);
        }

        @Override
        void axpy(float alpha, float[] x, float[] y, int from, int to) {
            int i = from;
            int bound = from + S.loopBound(to - from);
            for (; i < bound; i += L) {
                FloatVector.fromArray(S, y, i).add(FloatVector.fromArray(S, x, i).mul(alpha)).intoArray(y, i);
            }
            axpyScalar(alpha, x, y, i, to);
        }

        @Override
        void addRow(float[] x, int xo, float[] acc, int ao, int n) {
            int j = 0;
            int bound = S.loopBound(n);
            for (; j < bound; j += L) {
                FloatVector.fromArray(S, acc, ao + j).add(FloatVector.fromArray(S, x, xo + j)).intoArray(acc, ao + j);
            }
            addRowScalar(x, xo, acc, ao, j, n);
        }
    }
}
