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
        for (int k = from; k < to; k++) {
            adamAt(w, g, m1, m2, idx[k], lr, stepSize, bc2Sqrt, h);
        }
    }

    /**
     * One weight's Adam / AdamW update, shared by the dense and the indexed steps (see {@link #sgdAt}); stepSize and
     * bc2Sqrt are the step's {@link #adamStepSize} and {@link #adamBc2Sqrt}.
     */
    public static void adamAt(float[] w, float[] g, float[] m1, float[] m2, int i, float lr, float stepSize,
                              float bc2Sqrt, AdamHyper h) {
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
        float a = beta1 * m1[i] + (1f - beta1) * d;
        float b = beta2 * m2[i] + (1f - beta2) * d * d;
        m1[i] = a;
        m2[i] = b;
        w[i] -= stepSize * a / ((float) Math.sqrt(b) / bc2Sqrt + h.eps());
    }
}
