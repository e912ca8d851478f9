package dev.winnow.engine.backend;

/**
 * The optimiser updates of {@link Backend#sgdStep} and {@link Backend#adamStep} restricted to a list of positions,
 * on host arrays: the CPU backend's indexed kernels and the host-copy defaults of every other backend. Each position
 * gets exactly the float arithmetic of the dense step (same operations, same order, no fused multiply-add), so an
 * indexed update and a dense masked update of the same survivors agree bitwise.
 */
public final class HostUpdates {
    private HostUpdates() {
    }

    /** SGD (PyTorch order) at positions idx[from..to). buf may be null when momentum is 0. */
    public static void sgdIndexed(float[] w, float[] g, float[] buf, int[] idx, int from, int to, float lr,
                                  float momentum, float dampening, float weightDecay, boolean nesterov,
                                  boolean firstStep) {
        for (int k = from; k < to; k++) {
            sgdAt(w, g, buf, idx[k], lr, momentum, dampening, weightDecay, nesterov, firstStep);
        }
    }

    /**
     * One weight's SGD update, the single definition the dense and the indexed steps share (so they agree bitwise
     * by construction).
     */
    public static void sgdAt(float[] w, float[] g, float[] buf, int i, float lr, float momentum, float dampening,
                             float weightDecay, boolean nesterov, boolean firstStep) {
        float d = g[i];
        if (weightDecay != 0f) {
            d += weightDecay * w[i];
        }
        if (momentum != 0f) {
            float b = firstStep ? d : momentum * buf[i] + (1f - dampening) * d;
            buf[i] = b;
            d = nesterov ? d + momentum * b : b;
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
                                   float lr, float beta1, float beta2, float eps, float weightDecay, boolean decoupled,
                                   int step) {
        float stepSize = adamStepSize(lr, beta1, step);
        float bc2Sqrt = adamBc2Sqrt(beta2, step);
        for (int k = from; k < to; k++) {
            adamAt(w, g, m1, m2, idx[k], lr, beta1, beta2, eps, weightDecay, decoupled, stepSize, bc2Sqrt);
        }
    }

    /** One weight's Adam / AdamW update, shared by the dense and the indexed steps (see {@link #sgdAt}). */
    public static void adamAt(float[] w, float[] g, float[] m1, float[] m2, int i, float lr, float beta1, float beta2,
                              float eps, float weightDecay, boolean decoupled, float stepSize, float bc2Sqrt) {
        float d = g[i];
        if (weightDecay != 0f) {
            if (decoupled) {
                w[i] -= lr * weightDecay * w[i];
            } else {
                d += weightDecay * w[i];
            }
        }
        float a = beta1 * m1[i] + (1f - beta1) * d;
        float b = beta2 * m2[i] + (1f - beta2) * d * d;
        m1[i] = a;
        m2[i] = b;
        w[i] -= stepSize * a / ((float) Math.sqrt(b) / bc2Sqrt + eps);
    }
}
