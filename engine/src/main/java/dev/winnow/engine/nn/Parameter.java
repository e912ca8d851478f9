package dev.winnow.engine.nn;

import dev.winnow.engine.tensor.Tensor;

/**
 * A trainable tensor with a stable name ("mlp.0.weight"), an optional 0/1 mask of the same shape (pruning), and a
 * flag saying whether pruning may touch it (weights of Linear layers; never biases, norms or embeddings by default).
 */
public final class Parameter {
    private final String name;
    private final Tensor value;
    private final boolean prunable;
    private Tensor mask;
    private int maskVersion;

    public Parameter(String name, Tensor value, boolean prunable) {
        this.name = name;
        this.value = value;
        this.prunable = prunable;
    }

    public String name() {
        return name;
    }

    public Tensor value() {
        return value;
    }

    public boolean prunable() {
        return prunable;
    }

    /** The 0/1 mask, or null when every entry is alive. */
    public Tensor mask() {
        return mask;
    }

    /** Installs a mask (a copy of {@code values}) and zeroes the weights it removes. */
    public void setMask(float[] values) {
        if (values.length != value.size()) {
            throw new IllegalArgumentException(name + ": mask of " + values.length + " entries for a "
                    + value.shape() + " parameter");
        }
        for (float v : values) {
            if (v != 0f && v != 1f) {
                throw new IllegalArgumentException(name + ": mask entries must be 0 or 1, found " + v);
            }
        }
        if (mask == null) {
            mask = Tensor.zeros(value.backend(), value.rows(), value.cols(), false);
        }
        mask.copyFrom(values);
        maskVersion++;
        applyMask();
    }

    /** Counts {@link #setMask} calls, so that layers caching a form of the mask (CSR) know when to rebuild it. */
    public int maskVersion() {
        return maskVersion;
    }

    /** w = w ⊙ mask (a no-op without a mask). */
    public void applyMask() {
        if (mask == null) {
            return;
        }
        float[] w = value.toArray();
        float[] m = mask.toArray();
        for (int i = 0; i < w.length; i++) {
            if (m[i] == 0f) {
                w[i] = 0f;
            }
        }
        value.copyFrom(w);
    }

    /** Number of entries the mask keeps (all of them without a mask). */
    public int aliveCount() {
        if (mask == null) {
            return value.size();
        }
        int n = 0;
        for (float v : mask.toArray()) {
            if (v != 0f) {
                n++;
            }
        }
        return n;
    }

    @Override
    public String toString() {
        return name + value.shape();
    }
}
