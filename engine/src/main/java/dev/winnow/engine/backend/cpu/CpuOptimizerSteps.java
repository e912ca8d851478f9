package dev.winnow.engine.backend.cpu;

import dev.winnow.engine.backend.AdamHyper;
import dev.winnow.engine.backend.host.HostUpdates;
import dev.winnow.engine.backend.IntStorage;
import dev.winnow.engine.backend.SgdHyper;
import dev.winnow.engine.backend.Storage;

import static dev.winnow.engine.backend.cpu.CpuBackend.f;
import static dev.winnow.engine.backend.cpu.CpuBackend.ints;

/**
 * The CPU backend's optimiser updates ({@code Backend.sgdStep}, {@code adamStep} and their indexed variants): the
 * dense masked sweeps and the updates over a pruned weight's survivors. Each position's arithmetic is
 * {@link HostUpdates}'s, so the two paths agree bitwise; threads split positions, never one position's arithmetic, so
 * the thread count changes no bit either.
 */
final class CpuOptimizerSteps {
    private static final int ELEMENTWISE_GRAIN = CpuBackend.ELEMENTWISE_GRAIN;
    // An indexed update costs a dependent load per position on top of the dense step's work: split it sooner.
    private static final int INDEXED_GRAIN = 1 << 13;

    private final Parallel parallel;
    private final ElementwiseKernels rowKernels;

    CpuOptimizerSteps(Parallel parallel, ElementwiseKernels rowKernels) {
        this.parallel = parallel;
        this.rowKernels = rowKernels;
    }

    /** A masked position (mask 0) gets weight 0 and momentum 0; momentumBuf and mask may be null. */
    void sgd(Storage param, Storage grad, Storage momentumBuf, Storage mask, int n, float lr, boolean firstStep,
             SgdHyper h) {
        float[] w = f(param);
        float[] g = f(grad);
        float[] buf = momentumBuf == null ? null : f(momentumBuf);
        float[] m = mask == null ? null : f(mask);
        parallel.forRange(n, ELEMENTWISE_GRAIN, (part, from, to) -> {
            for (int i = from; i < to; i++) {
                if (m != null && m[i] == 0f) {
                    w[i] = 0f;
                    if (buf != null) {
                        buf[i] = 0f;
                    }
                    continue;
                }
                HostUpdates.sgdAt(w, g, buf, i, lr, firstStep, h);
            }
        });
    }

    /** A masked position (mask 0) gets weight 0 and both moments 0; mask may be null. */
    void adam(Storage param, Storage grad, Storage mom1, Storage mom2, Storage mask, int n, float lr, int step,
              AdamHyper h) {
        float[] w = f(param);
        float[] g = f(grad);
        float[] m1 = f(mom1);
        float[] m2 = f(mom2);
        float[] msk = mask == null ? null : f(mask);
        float stepSize = HostUpdates.adamStepSize(lr, h.beta1(), step);
        float bc2Sqrt = HostUpdates.adamBc2Sqrt(h.beta2(), step);
        // The row kernels' update (vectorised where the Vector API is, with HostUpdates.adamAt's bits) over the whole
        // range, then the masked positions set to 0: what a masked position computed in between is overwritten.
        parallel.forRange(n, ELEMENTWISE_GRAIN, (part, from, to) -> {
            rowKernels.adamRange(w, g, m1, m2, from, to, lr, stepSize, bc2Sqrt, h);
            if (msk != null) {
                for (int i = from; i < to; i++) {
                    if (msk[i] == 0f) {
                        w[i] = 0f;
                        m1[i] = 0f;
                        m2[i] = 0f;
                    }
                }
            }
        });
    }

    void sgdIndexed(Storage param, Storage grad, Storage momentumBuf, IntStorage index, int count, float lr,
                    boolean firstStep, SgdHyper h) {
        float[] w = f(param);
        float[] g = f(grad);
        float[] buf = momentumBuf == null ? null : f(momentumBuf);
        int[] idx = ints(index);
        if (parallel.threads() == 1 || count < 2 * INDEXED_GRAIN) {
            // No lambda on this path: a small or single-threaded update allocates nothing.
            HostUpdates.sgdIndexed(w, g, buf, idx, 0, count, lr, firstStep, h);
            return;
        }
        parallel.forRange(count, INDEXED_GRAIN, (part, from, to) -> HostUpdates.sgdIndexed(w, g, buf, idx, from, to,
                lr, firstStep, h));
    }

    void adamRows(Storage param, Storage grad, Storage mom1, Storage mom2, IntStorage rows, int rowCount, int cols,
                  float lr, int step, AdamHyper h) {
        float[] w = f(param);
        float[] g = f(grad);
        float[] m1 = f(mom1);
        float[] m2 = f(mom2);
        int[] r = ints(rows);
        float stepSize = HostUpdates.adamStepSize(lr, h.beta1(), step);
        float bc2Sqrt = HostUpdates.adamBc2Sqrt(h.beta2(), step);
        if (parallel.threads() == 1 || (long) rowCount * cols < 2 * INDEXED_GRAIN) {
            adamRows(w, g, m1, m2, r, 0, rowCount, cols, lr, stepSize, bc2Sqrt, h);
            return;
        }
        parallel.forRange(rowCount, Math.max(1, INDEXED_GRAIN / cols), (part, from, to) -> adamRows(w, g, m1, m2, r,
                from, to, cols, lr, stepSize, bc2Sqrt, h));
    }

    private void adamRows(float[] w, float[] g, float[] m1, float[] m2, int[] rows, int from, int to, int cols,
                          float lr, float stepSize, float bc2Sqrt, AdamHyper h) {
        for (int k = from; k < to; k++) {
            int base = rows[k] * cols;
            rowKernels.adamRange(w, g, m1, m2, base, base + cols, lr, stepSize, bc2Sqrt, h);
        }
    }

    void adamIndexed(Storage param, Storage grad, Storage mom1, Storage mom2, IntStorage index, int count, float lr,
                     int step, AdamHyper h) {
        float[] w = f(param);
        float[] g = f(grad);
        float[] m1 = f(mom1);
        float[] m2 = f(mom2);
        int[] idx = ints(index);
        if (parallel.threads() == 1 || count < 2 * INDEXED_GRAIN) {
            HostUpdates.adamIndexed(w, g, m1, m2, idx, 0, count, lr, step, h);
            return;
        }
        parallel.forRange(count, INDEXED_GRAIN, (part, from, to) -> HostUpdates.adamIndexed(w, g, m1, m2, idx, from,
                to, lr, step, h));
    }
}
