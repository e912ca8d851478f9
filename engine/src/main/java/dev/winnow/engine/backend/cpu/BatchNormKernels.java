package dev.winnow.engine.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The CPU backend's fused training-mode batch norm over the rows of a [rows x cols] input, with its backward (see
 * {@link dev.winnow.engine.backend.Backend#batchNormTrain}). It keeps every float operation of the composition it
 * replaces (meanRows, sub, square, meanRows, addScalar, pow(-0.5), mul, mul, add), in the same order, so the results
 * are the same bits:
 * <ul>
 *   <li>each column sum runs from 0 over the rows in order, as {@code sumRows} takes it;</li>
 *   <li>a gradient the composition first added into a zero-filled buffer is {@code 0f + g} here;</li>
 *   <li>the input's gradient takes the centring's contribution, then the mean's, as the tape ran them.</li>
 * </ul>
 * Three passes over the rows forward and three backward, against some twenty (and a dozen zero-filled gradient
 * buffers) for the composition. Each pass is a phase over a range of columns: {@link Scalar} runs them all in plain
 * Java (the reference); {@link Vectorized} holds a register of columns' sums while it walks down the rows, and leaves
 * the last cols mod L columns to the plain phases. (Plain loops over a 32-wide row never reach C2's unrolled vector
 * loop, which made a first plain version slower than the composition's Vector API passes.)
 */
abstract class BatchNormKernels {

    static BatchNormKernels create(boolean vectorized) {
        return VectorVariants.choose(BatchNormKernels.class, vectorized, Scalar::new);
    }

    /** The statistics of columns [0, returned bound); the rest are left to {@link #statistics}. */
    abstract int vectorStatistics(float[] x, int rows, int cols, float alpha, float[] mean, float[] var);

    abstract int vectorNormalise(float[] x, int rows, int cols, float[] mean, float[] inv, float[] gamma,
                                 float[] beta, float[] y);

    abstract int vectorGradientSums(float[] x, int rows, int cols, float[] mean, float[] inv, float[] gamma,
                                    float[] dy, float[] scratch);

    abstract int vectorCentringGradient(float[] x, int rows, int cols, float[] mean, float[] inv, float[] gamma,
                                        float[] dy, float[] dx, float[] scratch);

    abstract int vectorAddMeanGradient(int rows, int cols, float[] dx, float[] scratch);

    abstract int vectorAffineInputGradient(int rows, int cols, float[] inv, float[] gamma, float[] dy, float[] dx);

    /**
     * mean[c] and var[c] (biased) of each column, inv[c] = (var[c] + eps)^-0.5, and y = (x - mean) * inv * gamma +
     * beta.
     */
    final void forward(float[] x, int rows, int cols, float eps, float[] gamma, float[] beta, float[] mean,
                       float[] var, float[] inv, float[] y) {
        float alpha = 1f / rows;
        statistics(x, rows, cols, alpha, mean, var, vectorStatistics(x, rows, cols, alpha, mean, var), cols);
        for (int c = 0; c < cols; c++) {
            inv[c] = (float) Math.pow(var[c] + eps, -0.5f);
        }
        normalise(x, rows, cols, mean, inv, gamma, beta, y,
                vectorNormalise(x, rows, cols, mean, inv, gamma, beta, y), cols);
    }

    /**
     * The backward of {@link #forward} for upstream dy: dGamma and dBeta accumulate (their previous contents kept, as
     * a parameter used twice needs) and dx += the input's gradient, each skipped when null. {@code scratch} holds at
     * least 4 * cols floats: the column sums of dy, of grad(n2) * n1 and of grad(n1) * centred, then of the centring's
     * gradient.
     */
    final void backward(float[] x, int rows, int cols, float eps, float[] mean, float[] var, float[] inv,
                        float[] gamma, float[] dy, float[] dx, float[] dGamma, float[] dBeta, float[] scratch) {
        float alpha = 1f / rows;
        gradientSums(x, rows, cols, mean, inv, gamma, dy, scratch,
                vectorGradientSums(x, rows, cols, mean, inv, gamma, dy, scratch), cols);
        addShiftAndScaleGradients(cols, scratch, dGamma, dBeta);
        if (dx == null) {
            return;
        }
        // pow, addScalar, meanRows (its gradient scaled once per column): grad(square) per column, in place of the
        // inner mul's column sums
        for (int c = 0; c < cols; c++) {
            float t = var[c] + eps;
            float gInv = 1f * scratch[2 * cols + c] + 1f * 0f;
            float gT = 0f + gInv * (-0.5f * (float) Math.pow(t, -0.5f - 1f));
            float gVar = 0f + gT * 1f;
            scratch[2 * cols + c] = 0f + gVar * alpha;
        }
        centringGradient(x, rows, cols, mean, inv, gamma, dy, dx, scratch,
                vectorCentringGradient(x, rows, cols, mean, inv, gamma, dy, dx, scratch), cols);
        for (int c = 0; c < cols; c++) {
            scratch[3 * cols + c] = (-1f * scratch[3 * cols + c] + 1f * 0f) * alpha;
        }
        addMeanGradient(rows, cols, dx, scratch, vectorAddMeanGradient(rows, cols, dx, scratch), cols);
    }

    /**
     * y = (x * inv) * gamma + beta with inv, gamma and beta per column: the composition mul, mul, add that normalises
     * each block of a pooled batch norm once its statistics are known, as one node.
     */
    final void affineForward(float[] x, int rows, int cols, float[] inv, float[] gamma, float[] beta, float[] y) {
        normalise(x, rows, cols, null, inv, gamma, beta, y, vectorNormalise(x, rows, cols, null, inv, gamma, beta, y),
                cols);
    }

    /**
     * The backward of {@link #affineForward} with that composition's roundings: dBeta, dGamma and dInv accumulate
     * their column sums (dy, grad(n2) * x * inv, grad(n1) * x) and dx += grad(n1) * inv, each skipped when null;
     * {@code scratch} holds at least 3 * cols floats.
     */
    final void affineBackward(float[] x, int rows, int cols, float[] inv, float[] gamma, float[] dy, float[] dx,
                              float[] dInv, float[] dGamma, float[] dBeta, float[] scratch) {
        gradientSums(x, rows, cols, null, inv, gamma, dy, scratch,
                vectorGradientSums(x, rows, cols, null, inv, gamma, dy, scratch), cols);
        addShiftAndScaleGradients(cols, scratch, dGamma, dBeta);
        if (dx != null) {
            affineInputGradient(rows, cols, inv, gamma, dy, dx,
                    vectorAffineInputGradient(rows, cols, inv, gamma, dy, dx), cols);
        }
        if (dInv != null) {
            for (int c = 0; c < cols; c++) {
                dInv[c] = 1f * scratch[2 * cols + c] + 1f * dInv[c];
            }
        }
    }

    /** dBeta += scratch[0, cols) and dGamma += scratch[cols, 2 cols) (the add's and the outer mul's column sums). */
    private static void addShiftAndScaleGradients(int cols, float[] scratch, float[] dGamma, float[] dBeta) {
        for (int c = 0; c < cols; c++) {
            if (dBeta != null) {
                dBeta[c] = 1f * scratch[c] + 1f * dBeta[c];
            }
            if (dGamma != null) {
                dGamma[c] = 1f * scratch[cols + c] + 1f * dGamma[c];
            }
        }
    }

    // ---- the phases over columns [c0, c1), plain Java ------------------------------------------------------------

    /** dx += grad(n1) * inv, grad(n1) = 0 + (0 + dy) * gamma: the affine node's input gradient. */
    static void affineInputGradient(int rows, int cols, float[] inv, float[] gamma, float[] dy, float[] dx, int c0,
                                    int c1) {
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            for (int c = c0; c < c1; c++) {
                float n1g = 0f + (0f + dy[o + c]) * gamma[c];
                dx[o + c] = dx[o + c] + n1g * inv[c] * 1f;
            }
        }
    }

    static void statistics(float[] x, int rows, int cols, float alpha, float[] mean, float[] var, int c0, int c1) {
        for (int c = c0; c < c1; c++) {
            mean[c] = 0f;
            var[c] = 0f;
        }
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            for (int c = c0; c < c1; c++) {
                mean[c] += x[o + c];
            }
        }
        for (int c = c0; c < c1; c++) {
            mean[c] = alpha * mean[c] + 0f;
        }
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            for (int c = c0; c < c1; c++) {
                float d = x[o + c] - mean[c];
                var[c] += d * d;
            }
        }
        for (int c = c0; c < c1; c++) {
            var[c] = alpha * var[c] + 0f;
        }
    }

    static void normalise(float[] x, int rows, int cols, float[] mean, float[] inv, float[] gamma, float[] beta,
                          float[] y, int c0, int c1) {
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            for (int c = c0; c < c1; c++) {
                y[o + c] = (x[o + c] - (mean == null ? 0f : mean[c])) * inv[c] * gamma[c] + beta[c];
            }
        }
    }

    /** The add's, the outer mul's and the inner mul's column sums: grad(beta), grad(gamma), grad(inv). */
    static void gradientSums(float[] x, int rows, int cols, float[] mean, float[] inv, float[] gamma, float[] dy,
                             float[] scratch, int c0, int c1) {
        for (int c = c0; c < c1; c++) {
            scratch[c] = 0f;
            scratch[cols + c] = 0f;
            scratch[2 * cols + c] = 0f;
        }
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            for (int c = c0; c < c1; c++) {
                float centred = x[o + c] - (mean == null ? 0f : mean[c]);
                float n1 = centred * inv[c];
                float n2g = 0f + dy[o + c];
                float n1g = 0f + n2g * gamma[c];
                scratch[c] += dy[o + c];
                scratch[cols + c] += n2g * n1;
                scratch[2 * cols + c] += n1g * centred;
            }
        }
    }

    /**
     * The centring's gradient (the inner mul's a side, then the square's) into dx (the sub's a side) and into the
     * column sums for the mean (its b side).
     */
    static void centringGradient(float[] x, int rows, int cols, float[] mean, float[] inv, float[] gamma,
                                 float[] dy, float[] dx, float[] scratch, int c0, int c1) {
        for (int c = c0; c < c1; c++) {
            scratch[3 * cols + c] = 0f;
        }
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            for (int c = c0; c < c1; c++) {
                float centred = x[o + c] - mean[c];
                float n1g = 0f + (0f + dy[o + c]) * gamma[c];
                float g = (0f + n1g * inv[c]) + scratch[2 * cols + c] * (2f * centred);
                dx[o + c] = dx[o + c] + g * 1f;
                scratch[3 * cols + c] += g;
            }
        }
    }

    static void addMeanGradient(int rows, int cols, float[] dx, float[] scratch, int c0, int c1) {
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            for (int c = c0; c < c1; c++) {
                dx[o + c] = dx[o + c] + scratch[3 * cols + c];
            }
        }
    }

    /** Every column by the plain phases. */
    static final class Scalar extends BatchNormKernels {
        @Override
        int vectorStatistics(float[] x, int rows, int cols, float alpha, float[] mean, float[] var) {
            return 0;
        }

        @Override
        int vectorNormalise(float[] x, int rows, int cols, float[] mean, float[] inv, float[] gamma, float[] beta,
                            float[] y) {
            return 0;
        }

        @Override
        int vectorGradientSums(float[] x, int rows, int cols, float[] mean, float[] inv, float[] gamma, float[] dy,
                               float[] scratch) {
            return 0;
        }

        @Override
        int vectorCentringGradient(float[] x, int rows, int cols, float[] mean, float[] inv, float[] gamma,
                                   float[] dy, float[] dx, float[] scratch) {
            return 0;
        }

        @Override
        int vectorAddMeanGradient(int rows, int cols, float[] dx, float[] scratch) {
            return 0;
        }

        @Override
        int vectorAffineInputGradient(int rows, int cols, float[] inv, float[] gamma, float[] dy, float[] dx) {
            return 0;
        }
    }

    /**
     * The same phases a register of columns at a time, each lane's operations those of the plain phase for its column,
     * the sums held in registers down the rows.
     */
    static final class Vectorized extends BatchNormKernels {
        private static final VectorSpecies<Float> S = VectorLanes.S;
        private static final int L = S.length();

        @Override
        int vectorStatistics(float[] x, int rows, int cols, float alpha, float[] mean, float[] var) {
            int bound = S.loopBound(cols);
            for (int c = 0; c < bound; c += L) {
                FloatVector sum = FloatVector.zero(S);
                for (int r = 0; r < rows; r++) {
                    sum = sum.add(FloatVector.fromArray(S, x, r * cols + c));
                }
                FloatVector m = sum.mul(alpha).add(0f);
                m.intoArray(mean, c);
                FloatVector sq = FloatVector.zero(S);
                for (int r = 0; r < rows; r++) {
                    FloatVector d = FloatVector.fromArray(S, x, r * cols + c).sub(m);
                    sq = sq.add(d.mul(d));
                }
                sq.mul(alpha).add(0f).intoArray(var, c);
            }
            return bound;
        }

        @Override
        int vectorNormalise(float[] x, int rows, int cols, float[] mean, float[] inv, float[] gamma, float[] beta,
                            float[] y) {
            int bound = S.loopBound(cols);
            for (int c = 0; c < bound; c += L) {
                FloatVector m = mean == null ? FloatVector.zero(S) : FloatVector.fromArray(S, mean, c);
                FloatVector iv = FloatVector.fromArray(S, inv, c);
                FloatVector g = FloatVector.fromArray(S, gamma, c);
                FloatVector b = FloatVector.fromArray(S, beta, c);
                for (int r = 0; r < rows; r++) {
                    int o = r * cols + c;
                    FloatVector.fromArray(S, x, o).sub(m).mul(iv).mul(g).add(b).intoArray(y, o);
                }
            }
            return bound;
        }

        @Override
        int vectorGradientSums(float[] x, int rows, int cols, float[] mean, float[] inv, float[] gamma, float[] dy,
                               float[] scratch) {
            int bound = S.loopBound(cols);
            FloatVector zero = FloatVector.zero(S);
            for (int c = 0; c < bound; c += L) {
                FloatVector m = mean == null ? zero : FloatVector.fromArray(S, mean, c);
                FloatVector iv = FloatVector.fromArray(S, inv, c);
                FloatVector g = FloatVector.fromArray(S, gamma, c);
                FloatVector sumBeta = zero;
                FloatVector sumGamma = zero;
                FloatVector sumInv = zero;
                for (int r = 0; r < rows; r++) {
                    int o = r * cols + c;
                    FloatVector d = FloatVector.fromArray(S, dy, o);
                    FloatVector centred = FloatVector.fromArray(S, x, o).sub(m);
                    FloatVector n2g = zero.add(d);
                    FloatVector n1g = zero.add(n2g.mul(g));
                    sumBeta = sumBeta.add(d);
                    sumGamma = sumGamma.add(n2g.mul(centred.mul(iv)));
                    sumInv = sumInv.add(n1g.mul(centred));
                }
                sumBeta.intoArray(scratch, c);
                sumGamma.intoArray(scratch, cols + c);
                sumInv.intoArray(scratch, 2 * cols + c);
            }
            return bound;
        }

        @Override
        int vectorCentringGradient(float[] x, int rows, int cols, float[] mean, float[] inv, float[] gamma,
                                   float[] dy, float[] dx, float[] scratch) {
            int bound = S.loopBound(cols);
            FloatVector zero = FloatVector.zero(S);
            for (int c = 0; c < bound; c += L) {
                FloatVector m = FloatVector.fromArray(S, mean, c);
                FloatVector iv = FloatVector.fromArray(S, inv, c);
                FloatVector g = FloatVector.fromArray(S, gamma, c);
                FloatVector sq = FloatVector.fromArray(S, scratch, 2 * cols + c);
                FloatVector sumMean = zero;
                for (int r = 0; r < rows; r++) {
                    int o = r * cols + c;
                    FloatVector centred = FloatVector.fromArray(S, x, o).sub(m);
                    FloatVector n1g = zero.add(zero.add(FloatVector.fromArray(S, dy, o)).mul(g));
                    FloatVector grad = zero.add(n1g.mul(iv)).add(sq.mul(centred.mul(2f)));
                    FloatVector.fromArray(S, dx, o).add(grad).intoArray(dx, o);
                    sumMean = sumMean.add(grad);
                }
                sumMean.intoArray(scratch, 3 * cols + c);
            }
            return bound;
        }

        @Override
        int vectorAddMeanGradient(int rows, int cols, float[] dx, float[] scratch) {
            int bound = S.loopBound(cols);
            for (int c = 0; c < bound; c += L) {
                FloatVector s = FloatVector.fromArray(S, scratch, 3 * cols + c);
                for (int r = 0; r < rows; r++) {
                    int o = r * cols + c;
                    FloatVector.fromArray(S, dx, o).add(s).intoArray(dx, o);
                }
            }
            return bound;
        }

        @Override
        int vectorAffineInputGradient(int rows, int cols, float[] inv, float[] gamma, float[] dy, float[] dx) {
            int bound = S.loopBound(cols);
            FloatVector zero = FloatVector.zero(S);
            for (int c = 0; c < bound; c += L) {
                FloatVector iv = FloatVector.fromArray(S, inv, c);
                FloatVector g = FloatVector.fromArray(S, gamma, c);
                for (int r = 0; r < rows; r++) {
                    int o = r * cols + c;
                    FloatVector n1g = zero.add(zero.add(FloatVector.fromArray(S, dy, o)).mul(g));
                    FloatVector.fromArray(S, dx, o).add(n1g.mul(iv)).intoArray(dx, o);
                }
            }
            return bound;
        }
    }
}
