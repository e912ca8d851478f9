package dev.winnow.engine.backend.cpu;

/**
 * The CPU backend's fused row ops (see {@link dev.winnow.engine.backend.Backend#fusedRowOps}): a row's L2
 * normalisation and the squared distance between two rows, with their backward, each in one or two passes over a row
 * instead of the five to seven passes (and the zero-filled gradient buffers) of the ops they replace. Every float
 * operation of those ops is kept, in the same order, so the results are the same bits:
 * <ul>
 *   <li>a row's sum is one chain from 0 in column order, as {@code sumCols} takes it (four rows run abreast, each
 *       still its own chain);</li>
 *   <li>a gradient the composition first added into a zero-filled buffer is {@code 0f + g} here (which turns -0 into
 *       +0 exactly as that buffer did);</li>
 *   <li>contributions to an input's gradient are added in the order the tape ran the composition's backwards.</li>
 * </ul>
 * The element loops are plain loops that C2 vectorises; they need no Vector API.
 */
final class RowNorms {
    private RowNorms() {
    }

    /** Rows [from, to): sumSq[r] = sum of x[r, c]^2 (column order), y[r, c] = x[r, c] * (1 / sqrt(max(s, eps2))). */
    static void l2NormalizeForward(float[] x, int cols, float eps2, float[] sumSq, float[] y, int from, int to) {
        sumsOfProducts(x, x, cols, sumSq, from, to);
        for (int r = from; r < to; r++) {
            sumSq[r] = sumSq[r] + 0f;
            float inv = inverseNorm(sumSq[r], eps2);
            int o = r * cols;
            for (int c = 0; c < cols; c++) {
                y[o + c] = x[o + c] * inv;
            }
        }
    }

    /**
     * dx += the gradient of {@link #l2NormalizeForward} for upstream dy, rows [from, to); {@code dots} is scratch of at
     * least to entries. The composition's backward, op by op: mul (dx += dy * inv; grad(inv) = 0 + sum(dy * x)),
     * reciprocal, sqrt, clampMin, sumCols (grad(sq) = 0 + grad(s)), square (dx += grad(sq) * (2x)).
     */
    static void l2NormalizeBackward(float[] x, int cols, float eps2, float[] sumSq, float[] dy, float[] dx,
                                    float[] dots, int from, int to) {
        sumsOfProducts(dy, x, cols, dots, from, to);
        for (int r = from; r < to; r++) {
            float s = sumSq[r];
            float clamped = s > eps2 ? s : eps2;
            float norm = (float) Math.sqrt(clamped);
            float inv = 1f / norm;
            float gInv = 1f * dots[r] + 1f * 0f;
            float gNorm = 0f + gInv * (-inv * inv);
            float gClamped = 0f + gNorm * (0.5f / norm);
            float gSum = 0f + gClamped * (s > eps2 ? 1f : 0f);
            float gSq = 0f + gSum;
            int o = r * cols;
            for (int c = 0; c < cols; c++) {
                float xc = x[o + c];
                dx[o + c] = (dx[o + c] + dy[o + c] * inv) + gSq * (2f * xc);
            }
        }
    }

    /** Rows [from, to): out[r] = sum of (a[r, c] - b[r, c])^2 in column order (each difference and square rounded). */
    static void squaredDistanceForward(float[] a, float[] b, int cols, float[] out, int from, int to) {
        int r = from;
        for (; r + 4 <= to; r += 4) {
            int o = r * cols;
            float s0 = 0f;
            float s1 = 0f;
            float s2 = 0f;
            float s3 = 0f;
            for (int c = 0; c < cols; c++) {
                float d0 = a[o + c] - b[o + c];
                float d1 = a[o + cols + c] - b[o + cols + c];
                float d2 = a[o + 2 * cols + c] - b[o + 2 * cols + c];
                float d3 = a[o + 3 * cols + c] - b[o + 3 * cols + c];
                s0 += d0 * d0;
                s1 += d1 * d1;
                s2 += d2 * d2;
                s3 += d3 * d3;
            }
            out[r] = s0 + 0f;
            out[r + 1] = s1 + 0f;
            out[r + 2] = s2 + 0f;
            out[r + 3] = s3 + 0f;
        }
        for (; r < to; r++) {
            int o = r * cols;
            float s = 0f;
            for (int c = 0; c < cols; c++) {
                float d = a[o + c] - b[o + c];
                s += d * d;
            }
            out[r] = s + 0f;
        }
    }

    /**
     * da += and db -= the gradient of {@link #squaredDistanceForward} for upstream g (either may be null: no gradient
     * wanted), rows [from, to): the composition's sumCols, square and sub backwards, da's axpy before db's.
     */
    static void squaredDistanceBackward(float[] a, float[] b, int cols, float[] g, float[] da, float[] db, int from,
                                        int to) {
        for (int r = from; r < to; r++) {
            float gSq = 0f + g[r];
            int o = r * cols;
            if (da != null) {
                for (int c = 0; c < cols; c++) {
                    float d = a[o + c] - b[o + c];
                    da[o + c] += 0f + gSq * (2f * d);
                }
            }
            if (db != null) {
                for (int c = 0; c < cols; c++) {
                    float d = a[o + c] - b[o + c];
                    db[o + c] += (0f + gSq * (2f * d)) * -1f;
                }
            }
        }
    }

    /** Rows [from, to): out[r] = sum of a[r, c] * b[r, c] in column order (each product rounded), as sumCols(mul). */
    static void dotForward(float[] a, float[] b, int cols, float[] out, int from, int to) {
        sumsOfProducts(a, b, cols, out, from, to);
        for (int r = from; r < to; r++) {
            out[r] = out[r] + 0f;
        }
    }

    /**
     * da += g * b, then db += g * a (either skipped when null), rows [from, to): the composition's sumCols backward
     * (grad(prod) = 0 + g) and the mul's a and b sides, each side over all its rows before the other.
     */
    static void dotBackward(float[] a, float[] b, int cols, float[] g, float[] da, float[] db, int from, int to) {
        if (da != null) {
            for (int r = from; r < to; r++) {
                float gp = 0f + g[r];
                int o = r * cols;
                for (int c = 0; c < cols; c++) {
                    da[o + c] += gp * b[o + c];
                }
            }
        }
        if (db != null) {
            for (int r = from; r < to; r++) {
                float gp = 0f + g[r];
                int o = r * cols;
                for (int c = 0; c < cols; c++) {
                    db[o + c] += gp * a[o + c];
                }
            }
        }
    }

    private static float inverseNorm(float s, float eps2) {
        float clamped = s > eps2 ? s : eps2;
        return 1f / (float) Math.sqrt(clamped);
    }

    /** out[r] = sum of p[r, c] * q[r, c] over c, each product rounded, one chain from 0 per row; four rows abreast. */
    private static void sumsOfProducts(float[] p, float[] q, int cols, float[] out, int from, int to) {
        int r = from;
        for (; r + 4 <= to; r += 4) {
            int o = r * cols;
            float s0 = 0f;
            float s1 = 0f;
            float s2 = 0f;
            float s3 = 0f;
            for (int c = 0; c < cols; c++) {
                s0 += p[o + c] * q[o + c];
                s1 += p[o + cols + c] * q[o + cols + c];
                s2 += p[o + 2 * cols + c] * q[o + 2 * cols + c];
                s3 += p[o + 3 * cols + c] * q[o + 3 * cols + c];
            }
            out[r] = s0;
            out[r + 1] = s1;
            out[r + 2] = s2;
            out[r + 3] = s3;
        }
        for (; r < to; r++) {
            int o = r * cols;
            float s = 0f;
            for (int c = 0; c < cols; c++) {
                s += p[o + c] * q[o + c];
            }
            out[r] = s;
        }
    }
}
