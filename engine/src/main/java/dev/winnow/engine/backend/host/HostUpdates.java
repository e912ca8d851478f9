package dev.winnow.engine.backend.host;

import dev.winnow.engine.backend.AdamHyper;
import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.backend.SgdHyper;

/**
 * The optimiser updates of {@link Backend#sgdStep} and {@link Backend#adamStep} restricted to a list of positions,
 * on host arrays: the CPU backend's indexed kernels and the host-copy defaults of every other backend. Each position
 * gets exactly the float arithmetic of the dense step (same operations, same order, no fused multiply-add), so an
 * indexed update and a dense masked update of the same survivors agree bitwise. Not exported by the engine's module:
 * the backends' shared arithmetic, not API.
 */
public final class HostUpdates {
    private HostUpdates() {
    }

    /** SGD (PyTorch order) at positions idx[from..to). buf may be null when momentum is 0. */
    public static void sgdIndexed(float[] w, float[] g, float[] buf, int[] idx, int from, int to, float lr,
                                  boolean firstStep, SgdHyper h) {
        for (int k = from; k < to; k++) {
            sgdAt(w, g, buf, idx[k], lr, firstStep, h);
        }
    }

    /**
     * One weight's SGD update, the single definition the dense and the indexed steps share (so they agree bitwise
     * by construction).
     */
    public static void sgdAt(float[] w, float[] g, float[] buf, int i, float lr, boolean firstStep, SgdHyper h) {
        float d = g[i];
        float weightDecay = h.weightDecay();
        if (weightDecay != 0f) {
            d += weightDecay * w[i];
        }
        float momentum = h.momentum();
        if (momentum != 0f) {
            float b = firstStep ? d : momentum * buf[i] + (1f - h.dampening()) * d;
            buf[i] = b;
            d = h.nesterov() ? d + momentum * b : b;
        }
        w[i] -= lr * d;
    }

    /** Adam's step size lr / (1 - beta1^step) for the 1-based {@code step}. */
    public static float adamStepSize(float lr, float beta1, int step) {
        return lr / (float) (1.0 - Math.pow(beta1, step));
    }

    /** Adam's second-moment correction sqrt(1 - beta2^step) for the 1-based {@code step}. */
    public static float adamBc2Sqrt(float beta2, int step) {
        return (float) Math.sqrt(1.0 - Math.pow(beta2, step));
    }

    /** Adam / AdamW with bias correction for the 1-based {@code step}, at positions idx[from..to). */
    public static void adamIndexed(float[] w, float[] g, float[] m1, float[] m2, int[] idx, int from, int to,
                                   float lr, int step, AdamHyper h) {
        float stepSize = adamStepSize(lr, h.beta1(), step);
        float bc2Sqrt = adamBc2Sqrt(h.beta2(), step);
        int stuck = adamStuckMoment(h.beta1(), stepSize);
        for (int k = from; k < to; k++) {
            adamAt(w, g, m1, m2, idx[k], lr, stepSize, bc2Sqrt, h, stuck);
        }
    }

    /**
     * The largest k for which a first moment of k x 2^-149 (one of the smallest subnormal floats, either sign) under a
     * zero gradient is a fixed point of Adam whose weight step is a signed zero: beta1 * m rounds back to m
     * (k |1 - beta1| < 1/2) and stepSize * m rounds to zero (k stepSize < 1/2, stepSize > 0); 0 when no k does. With
     * beta1 = 0.9 and a step size below 1/8 it is 4.
     *
     * <p>Why it matters: a weight whose gradient stays zero (one feeding a dead unit, in a pruned network most of
     * all) has its first moment decay by beta1 a step into the subnormals, where it stops at such a k for good. Every
     * float operation on a subnormal costs an Intel core a microcode assist, ~10x the update
     * (bench/RESULTS.md, Machine 4); {@link #adamAt} gives these moments their known result without multiplying them.
     * The products are exact in double (k < 2^23, 24-bit factors), so the bounds are exact.
     */
    public static int adamStuckMoment(float beta1, float stepSize) {
        double r = Math.abs(1.0 - beta1);
        if (!(stepSize > 0f) || !(r < 0.5)) {
            return 0;
        }
        long k = (long) Math.min(Math.min(0.5 / r, 0.5 / stepSize), 0x7fffff); // 0.5 / 0.0 is +Infinity
        while (k > 0 && (k * r >= 0.5 || k * (double) stepSize >= 0.5)) {
            k--;
        }
        while (k < 0x7fffff && (k + 1) * r < 0.5 && (k + 1) * (double) stepSize < 0.5) {
            k++;
        }
        return (int) k;
    }

    /**
     * One weight's Adam / AdamW update, shared by the dense and the indexed steps (see {@link #sgdAt}); stepSize,
     * bc2Sqrt and stuck are the step's {@link #adamStepSize}, {@link #adamBc2Sqrt} and {@link #adamStuckMoment}
     * (computed once per step by the caller, not per weight). A first moment of at most {@code stuck} x 2^-149 under a
     * zero gradient keeps its value and the weight's step is a zero of its sign, which is what the multiplications
     * would give, so the bits are the same; the second moment and the division are computed as always.
     */
    public static void adamAt(float[] w, float[] g, float[] m1, float[] m2, int i, float lr, float stepSize,
                              float bc2Sqrt, AdamHyper h, int stuck) {
        float d = g[i];
        float weightDecay = h.weightDecay();
        if (weightDecay != 0f) {
            if (h.decoupled()) {
                w[i] -= lr * weightDecay * w[i];
            } else {
                d += weightDecay * w[i];
            }
        }
        float beta1 = h.beta1();
        float beta2 = h.beta2();
        float m = m1[i];
        // A stuck moment (see adamStuckMoment) is never multiplied: beta1 * m would round to m, so m + (1 - beta1) * d
        // is m, and stepSize * m would round to a zero of m's sign. The test costs the other weights ~1 ns each
        // (an indexed update of 892 survivors: 2.1-2.3 -> 2.6-3.2 us on an Intel core) and saves ~20 ns per stuck one.
        boolean stuckHere = Integer.compareUnsigned((Float.floatToRawIntBits(m) & 0x7fffffff) - 1, stuck) < 0
                && d == 0f;
        float sum = beta1 * (stuckHere ? 0f : m) + (1f - beta1) * d;
        float a = stuckHere ? m : sum;
        float b = beta2 * m2[i] + (1f - beta2) * d * d;
        m1[i] = a;
        m2[i] = b;
        w[i] -= (stuckHere ? Math.copySign(0f, m) : stepSize * sum) / ((float) Math.sqrt(b) / bc2Sqrt + h.eps());
    }
}
