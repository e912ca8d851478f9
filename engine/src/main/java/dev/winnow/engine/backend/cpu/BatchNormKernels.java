package dev.winnow.engine.backend.cpu;

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
 * buffers) for the composition. Plain loops, which C2 vectorises across the columns; no Vector API.
 */
final class BatchNormKernels {
    private BatchNormKernels() {
    }

    /**
     * mean[c] and var[c] (biased) of each column, inv[c] = (var[c] + eps)^-0.5, and y = (x - mean) * inv * gamma +
     * beta.
     */
    static void forward(float[] x, int rows, int cols, float eps, float[] gamma, float[] beta, float[] mean,
                        float[] var, float[] inv, float[] y) {
        float alpha = 1f / rows;
        java.util.Arrays.fill(mean, 0, cols, 0f);
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            for (int c = 0; c < cols; c++) {
                mean[c] += x[o + c];
            }
        }
        for (int c = 0; c < cols; c++) {
            mean[c] = alpha * mean[c] + 0f;
        }
        java.util.Arrays.fill(var, 0, cols, 0f);
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            for (int c = 0; c < cols; c++) {
                float d = x[o + c] - mean[c];
                var[c] += d * d;
            }
        }
        for (int c = 0; c < cols; c++) {
            var[c] = alpha * var[c] + 0f;
            inv[c] = (float) Math.pow(var[c] + eps, -0.5f);
        }
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            for (int c = 0; c < cols; c++) {
                y[o + c] = (x[o + c] - mean[c]) * inv[c] * gamma[c] + beta[c];
            }
        }
    }

    /**
     * The backward of {@link #forward} for upstream dy: dGamma and dBeta accumulate (their previous contents kept, as
     * a parameter used twice needs) and dx += the input's gradient, each skipped when null. {@code scratch} holds at least
     * 4 * cols floats.
     */
    static void backward(float[] x, int rows, int cols, float eps, float[] mean, float[] var, float[] inv,
                         float[] gamma, float[] dy, float[] dx, float[] dGamma, float[] dBeta, float[] scratch) {
        float alpha = 1f / rows;
        int sBeta = 0;
        int sGamma = cols;
        int sInv = 2 * cols;
        int sMean = 3 * cols;
        java.util.Arrays.fill(scratch, 0, 4 * cols, 0f);
        // The add's, the outer mul's and the inner mul's column sums: grad(beta), grad(gamma), grad(inv).
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            for (int c = 0; c < cols; c++) {
                float centred = x[o + c] - mean[c];
                float n1 = centred * inv[c];
                float n2g = 0f + dy[o + c];
                float n1g = 0f + n2g * gamma[c];
                scratch[sBeta + c] += dy[o + c];
                scratch[sGamma + c] += n2g * n1;
                scratch[sInv + c] += n1g * centred;
            }
        }
        for (int c = 0; c < cols; c++) {
            if (dBeta != null) {
                dBeta[c] = 1f * scratch[sBeta + c] + 1f * dBeta[c];
            }
            if (dGamma != null) {
                dGamma[c] = 1f * scratch[sGamma + c] + 1f * dGamma[c];
            }
        }
        if (dx == null) {
            return;
        }
        // pow, addScalar, meanRows (its gradient scaled once per column), then each element's square and inner mul.
        for (int c = 0; c < cols; c++) {
            float t = var[c] + eps;
            float gInv = 1f * scratch[sInv + c] + 1f * 0f;
            float gT = 0f + gInv * (-0.5f * (float) Math.pow(t, -0.5f - 1f));
            float gVar = 0f + gT * 1f;
            scratch[sInv + c] = 0f + gVar * alpha;
        }
        // The centring's gradient goes into dx (its a side) and into the mean's column sum (its b side).
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            for (int c = 0; c < cols; c++) {
                float centred = x[o + c] - mean[c];
                float n1g = 0f + (0f + dy[o + c]) * gamma[c];
                float g = (0f + n1g * inv[c]) + scratch[sInv + c] * (2f * centred);
                dx[o + c] = dx[o + c] + g * 1f;
                scratch[sMean + c] += g;
            }
        }
        for (int c = 0; c < cols; c++) {
            scratch[sMean + c] = (-1f * scratch[sMean + c] + 1f * 0f) * alpha;
        }
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            for (int c = 0; c < cols; c++) {
                dx[o + c] = dx[o + c] + scratch[sMean + c];
            }
        }
    }
}
