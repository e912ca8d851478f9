package dev.winnow.engine.backend.cpu;

/** A dense single-precision GEMM on heap arrays: C = alpha * op(A) op(B) + beta * C (row-major). */
interface DenseGemm {

    String name();

    void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
              float[] a, int lda, float[] b, int ldb, float beta, float[] c, int ldc, Parallel parallel);

    /** Scales the m x n block of C by beta (beta = 0 clears it, so NaNs in C never leak into the result). */
    static void scale(int m, int n, float beta, float[] c, int ldc) {
        if (beta == 1f) {
            return;
        }
        for (int i = 0; i < m; i++) {
            int off = i * ldc;
            if (beta == 0f) {
                java.util.Arrays.fill(c, off, off + n, 0f);
            } else {
                for (int j = 0; j < n; j++) {
                    c[off + j] *= beta;
                }
            }
        }
    }
}
