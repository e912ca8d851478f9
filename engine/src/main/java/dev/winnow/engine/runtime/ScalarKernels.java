package dev.winnow.engine.runtime;

/**
 * Plain loops: what the runtime uses when the Vector API module is absent. The same IEEE operations in the same order
 * as {@link VectorKernels} (fused multiply-adds, the dot product's 8 lanes), so the same bits (a dense row skips its
 * zero weights, which changes nothing for finite inputs).
 */
final class ScalarKernels implements Kernels {
    static final ScalarKernels INSTANCE = new ScalarKernels();

    @Override
    public float dot(float[] a, int aOff, float[] b, int bOff, int n, float[] lanes) {
        int bound = n & ~7;
        float s = 0f;
        int i = 0;
        if (bound > 0) {
            float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f, s4 = 0f, s5 = 0f, s6 = 0f, s7 = 0f;
            for (; i < bound; i += 8) {
                int p = aOff + i;
                int q = bOff + i;
                s0 = Math.fma(a[p], b[q], s0);
                s1 = Math.fma(a[p + 1], b[q + 1], s1);
                s2 = Math.fma(a[p + 2], b[q + 2], s2);
                s3 = Math.fma(a[p + 3], b[q + 3], s3);
                s4 = Math.fma(a[p + 4], b[q + 4], s4);
                s5 = Math.fma(a[p + 5], b[q + 5], s5);
                s6 = Math.fma(a[p + 6], b[q + 6], s6);
                s7 = Math.fma(a[p + 7], b[q + 7], s7);
            }
            s += s0;
            s += s1;
            s += s2;
            s += s3;
            s += s4;
            s += s5;
            s += s6;
            s += s7;
        }
        for (; i < n; i++) {
            s += a[aOff + i] * b[bOff + i];
        }
        return s;
    }

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
