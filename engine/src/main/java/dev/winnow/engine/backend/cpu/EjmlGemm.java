package dev.winnow.engine.backend.cpu;

import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.CommonOps_FDRM;

/**
 * The fallback when the Vector API module is absent: EJML's row-major float multiply. About 6 GFLOP/s here, so it
 * exists for correctness on any JVM, not for speed. Runs on one thread.
 */
final class EjmlGemm implements DenseGemm {
    @Override
    public String name() {
        return "ejml";
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                     float[] a, int lda, float[] b, int ldb, float beta, float[] c, int ldc, Parallel parallel) {
        DenseGemm.scale(m, n, beta, c, ldc);
        if (m == 0 || n == 0 || k == 0 || alpha == 0f) {
            return;
        }
        FMatrixRMaj am = view(a, transA ? k : m, transA ? m : k, lda);
        FMatrixRMaj bm = view(b, transB ? n : k, transB ? k : n, ldb);
        FMatrixRMaj cm = new FMatrixRMaj(m, n);
        if (!transA && !transB) {
            CommonOps_FDRM.mult(alpha, am, bm, cm);
        } else if (!transA) {
            CommonOps_FDRM.multTransB(alpha, am, bm, cm);
        } else if (!transB) {
            CommonOps_FDRM.multTransA(alpha, am, bm, cm);
        } else {
            CommonOps_FDRM.multTransAB(alpha, am, bm, cm);
        }
        float[] r = cm.data;
        for (int i = 0; i < m; i++) {
            int co = i * ldc;
            int ro = i * n;
            for (int j = 0; j < n; j++) {
                c[co + j] += r[ro + j];
            }
        }
    }

    private static FMatrixRMaj view(float[] data, int rows, int cols, int ld) {
        if (ld == cols && data.length == rows * cols) {
            return FMatrixRMaj.wrap(rows, cols, data);
        }
        FMatrixRMaj m = new FMatrixRMaj(rows, cols);
        for (int i = 0; i < rows; i++) {
            System.arraycopy(data, i * ld, m.data, i * cols, cols);
        }
        return m;
    }
}
