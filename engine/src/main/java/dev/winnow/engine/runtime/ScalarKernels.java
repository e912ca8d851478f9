package dev.winnow.engine.runtime;

/** Plain loops: what the runtime uses when the Vector API module is absent. */
final class ScalarKernels implements Kernels {
    static final ScalarKernels INSTANCE = new ScalarKernels();

    @Override
    public float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        float s0 = 0f;
        float s1 = 0f;
        int i = 0;
        for (; i + 1 < n; i += 2) {
            s0 += a[aOff + i] * b[bOff + i];
            s1 += a[aOff + i + 1] * b[bOff + i + 1];
        }
        if (i < n) {
            s0 += a[aOff + i] * b[bOff + i];
        }
        return s0 + s1;
    }

    @Override
    public void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] += alpha * x[xOff + i];
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
