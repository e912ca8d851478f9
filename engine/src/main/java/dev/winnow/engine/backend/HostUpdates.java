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
            int i = idx[k];
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
    }

    /** Adam / AdamW with bias correction for the 1-based {@code step}, at positions idx[from..to). */
    public static void adamIndexed(float[] w, float[] g, float[] m1, float[] m2, int[] idx, int from, int to,
                                   float lr, float beta1, float beta2, float eps, float weightDecay, boolean decoupled,
                                   int step) {
        float bc1 = (float) (1.0 - Math.pow(beta1, step));
        float bc2Sqrt = (float) Math.sqrt(1.0 - Math.pow(beta2, step));
        float stepSize = lr / bc1;
        for (int k = from; k < to; k++) {
            int i = idx[k];
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
}
