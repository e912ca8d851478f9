package dev.winnow.engine.backend.cpu;

import dev.winnow.engine.sparse.HostCsr;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every Vector API kernel of the CPU backend runs on the one species of {@link VectorLanes}. A second species used in
 * the same JVM (the few-row GEMM's dot products once ran on 256-bit registers on 512-bit hosts) turns the JIT's
 * profiles of the shared {@code FloatVector} methods polymorphic, and kernels compiled after that stop being
 * intrinsified: every vector operation then allocates, and runs 10-18x slower (bench/RESULTS.md, Machine 3). This
 * test mixes the few-row GEMM, the blocked GEMM and the sparse kernels in one warm loop and holds the whole loop
 * allocation-free. It can only fail on a host whose widest species differs from a few-row path's (512-bit); at
 * other widths it checks the same loop stays allocation-free.
 */
class OneVectorSpeciesTest {
    @Test
    void theFewRowGemmAndTheOtherKernelsShareOneSpeciesAndAllocateNothing() {
        assumeTrue(CpuBackend.GemmChoice.vectorModulePresent(), "needs jdk.incubator.vector");
        assumeFalse(VectorEmulation.active(), VectorEmulation.SKIPPED);
        SplittableRandom rng = new SplittableRandom(5);
        Parallel one = TestPools.ONE;
        DenseGemm gemm = new VectorGemm();
        SparseKernels sparse = SparseKernels.create(true);
        // few rows (the dot-product path, k not a multiple of 8, rows ending at the array's end) and a blocked shape
        int k = 203;
        int n = 37;
        float[] a1 = WidthProbe.randoms(3 * k, rng);
        float[] b1 = WidthProbe.randoms(n * k, rng);
        float[] c1 = new float[3 * n];
        float[] a2 = WidthProbe.randoms(64 * 96, rng);
        float[] b2 = WidthProbe.randoms(48 * 96, rng);
        float[] c2 = new float[64 * 48];
        HostCsr w = BlockKernelsTest.unstructured(64, 128, 0.1, rng);
        int batch = 96;
        float[] x = WidthProbe.randoms(batch * w.cols, rng);
        float[] dy = WidthProbe.randoms(batch * w.rows, rng);
        float[] y = new float[batch * w.rows];
        float[] grad = new float[w.nnz()];
        long perRound = WarmAllocation.bytesPerCall(100, () -> {
            for (int m = 1; m <= 3; m++) {
                gemm.gemm(false, true, m, n, k, 1f, a1, k, b1, k, 0f, c1, n, one);
            }
            gemm.gemm(false, true, 64, 48, 96, 1f, a2, 96, b2, 96, 0f, c2, 48, one);
            sparse.spmmNT(w.rows, w.cols, w.rowPtr, w.colIdx, w.values, x, batch, 0f, y, one);
            sparse.sddmm(w.rows, w.cols, w.rowPtr, w.colIdx, dy, x, batch, 0f, grad, one);
        });
        assertTrue(perRound < WarmAllocation.FREE_BELOW, VectorLanes.S + ": " + perRound
                + " bytes allocated per round of few-row GEMMs, a blocked GEMM and two sparse products");
    }
}
