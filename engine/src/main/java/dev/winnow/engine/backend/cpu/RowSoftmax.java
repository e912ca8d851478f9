package dev.winnow.engine.backend.cpu;

/**
 * The CPU backend's row softmax and log-softmax with their backward, on heap arrays, one row after another on the
 * calling thread.
 */
final class RowSoftmax {
    private RowSoftmax() {
    }

    /** y = softmax (or log-softmax) of each row of x; each row's sum of exponentials is taken in double. */
    static void forward(float[] xs, int rows, int cols, boolean log, float[] ys) {
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < cols; j++) {
                max = Math.max(max, xs[o + j]);
            }
            double sum = 0;
            for (int j = 0; j < cols; j++) {
                sum += Math.exp(xs[o + j] - max);
            }
            if (log) {
                // (x - max) - log(sum), not x - (max + log(sum)): with large logits the rounded max + log(sum) loses
                // the digits of log(sum) (logits near 1000 kept only 4 of them).
                float logSum = (float) Math.log(sum);
                for (int j = 0; j < cols; j++) {
                    ys[o + j] = (xs[o + j] - max) - logSum;
                }
            } else {
                for (int j = 0; j < cols; j++) {
                    ys[o + j] = (float) (Math.exp(xs[o + j] - max) / sum);
                }
            }
        }
    }

    /** dx += the gradient of a row softmax (or log-softmax) with output y and upstream gradient dy. */
    static void backward(float[] ys, float[] dys, int rows, int cols, boolean log, float[] dxs) {
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            if (log) {
                float sum = 0f;
                for (int j = 0; j < cols; j++) {
                    sum += dys[o + j];
                }
                for (int j = 0; j < cols; j++) {
                    dxs[o + j] += dys[o + j] - (float) Math.exp(ys[o + j]) * sum;
                }
            } else {
                float dot = 0f;
                for (int j = 0; j < cols; j++) {
                    dot += dys[o + j] * ys[o + j];
                }
                for (int j = 0; j < cols; j++) {
                    dxs[o + j] += ys[o + j] * (dys[o + j] - dot);
                }
            }
        }
    }
}
