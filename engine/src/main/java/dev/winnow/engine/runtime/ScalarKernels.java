package dev.winnow.engine.runtime;

/**
 * Plain loops: what the runtime uses when the Vector API module is absent. The same IEEE operations in the same order
 * as {@link VectorKernels} (one fused multiply-add chain per lane), so the same bits (a dense row skips its zero
 * weights, which changes nothing for finite inputs).
 */
final class ScalarKernels implements Kernels {
    static final ScalarKernels INSTANCE = new ScalarKernels();

    @Override
    public void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] = Math.fma(x[xOff + i], alpha, y[yOff + i]);
        }
    }

    @Override
    public void csrRowBlock(float[] val, int[] col, int from, int to, int shift, float[] x, int lanes, float init,
                            float[] y, int yOff, int n, boolean relu) {
        java.util.Arrays.fill(y, yOff, yOff + n, init);
        for (int k = from; k < to; k++) {
            axpy(val[k], x, (col[k] - shift) * lanes, y, yOff, n);
        }
        if (relu) {
            relu(y, yOff, n);
        }
    }

    private static void relu(float[] y, int off, int n) {
        for (int i = off; i < off + n; i++) {
            y[i] = y[i] > 0f ? y[i] : 0f;
        }
    }

    @Override
    public void denseRowBlock(float[] w, int wOff, int from, int to, int shift, float[] x, int lanes, float init,
                              float[] y, int yOff, int n, boolean relu) {
        java.util.Arrays.fill(y, yOff, yOff + n, init);
        for (int c = from; c < to; c++) {
            float a = w[wOff + c];
            if (a != 0f) {
                axpy(a, x, (c - shift) * lanes, y, yOff, n);
            }
        }
        if (relu) {
            relu(y, yOff, n);
        }
    }

    @Override
    public String name() {
        return "scalar";
    }
}
