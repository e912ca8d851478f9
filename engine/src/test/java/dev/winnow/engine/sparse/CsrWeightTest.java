package dev.winnow.engine.sparse;

import dev.winnow.engine.backend.CsrMatrix;
import dev.winnow.engine.backend.Storage;
import dev.winnow.engine.backend.cpu.CpuBackend;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Both CSR copies of a pruned weight follow the dense weight through refreshes, W^T lazily. */
class CsrWeightTest {

    /** Every stored (r, c) of W and its (c, r) in W^T hold dense[r * cols + c], read back from the backend. */
    private static void assertCopiesHold(CpuBackend be, CsrWeight csr, float[] dense, int cols, String when) {
        CsrMatrix w = csr.matrix();
        CsrMatrix t = csr.transposed();
        for (CsrMatrix m : new CsrMatrix[] {w, t}) {
            int[] rp = new int[m.rows + 1];
            int[] ci = new int[Math.max(1, m.nnz)];
            float[] v = new float[Math.max(1, m.nnz)];
            be.downloadInts(m.rowPtr, 0, rp, 0, rp.length);
            be.downloadInts(m.colIdx, 0, ci, 0, m.nnz);
            be.download(m.values, 0, v, 0, m.nnz);
            for (int r = 0; r < m.rows; r++) {
                for (int p = rp[r]; p < rp[r + 1]; p++) {
                    int pos = m == w ? r * cols + ci[p] : ci[p] * cols + r;
                    assertEquals(dense[pos], v[p], when + (m == w ? ": W" : ": W^T") + " entry " + p);
                }
            }
        }
    }

    @Test
    void bothCopiesFollowTheDenseWeightAcrossRefreshes() {
        SplittableRandom rng = new SplittableRandom(3);
        int out = 37;
        int in = 53;
        float[] mask = new float[out * in];
        float[] dense = new float[out * in];
        for (int i = 0; i < mask.length; i++) {
            mask[i] = rng.nextDouble() < 0.3 ? 1f : 0f;
            dense[i] = (float) rng.nextGaussian();
        }
        try (CpuBackend be = new CpuBackend(1); CsrWeight csr = CsrWeight.fromMask(be, mask, dense, out, in)) {
            assertCopiesHold(be, csr, dense, in, "at construction");
            Storage weight = be.allocate(dense.length);
            for (int round = 0; round < 3; round++) {
                for (int i = 0; i < dense.length; i++) {
                    dense[i] = (float) rng.nextGaussian();
                }
                be.upload(dense, 0, weight, 0, dense.length);
                csr.refresh(weight);
                assertCopiesHold(be, csr, dense, in, "after refresh " + round);
            }
            // W's values are refreshed, W^T not yet asked for; then two refreshes in a row before it is.
            for (int i = 0; i < dense.length; i++) {
                dense[i] = -dense[i];
            }
            be.upload(dense, 0, weight, 0, dense.length);
            csr.refresh(weight);
            csr.refresh(weight);
            assertCopiesHold(be, csr, dense, in, "after two refreshes");
            be.free(weight);
        }
    }
}
