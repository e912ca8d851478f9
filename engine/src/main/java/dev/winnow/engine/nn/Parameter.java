package dev.winnow.engine.nn;

import dev.winnow.engine.backend.IntStorage;
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
    // The survivors (positions the mask keeps), ascending, on the value's backend; rebuilt only when the mask changes.
    private IntStorage survivors;
    private int survivorCount;
    private Tensor survivorsMask;
    private int survivorsMaskVersion;
    private int survivorsMaskWrite;
    private int updates;

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

    /**
     * Changes whenever the value may have changed: a write through the tensor ({@link Tensor#copyFrom},
     * {@link Tensor#markWritten}, so also {@link #setMask}) or an optimiser update ({@link #noteUpdated}). Layers that
     * keep a form derived from the value (W ⊙ M, CSR values) rebuild it when this or the mask's version moves.
     */
    public long contentVersion() {
        return ((long) value.writeVersion() << 32) | (updates & 0xffffffffL);
    }

    /** Declares an update of the value through the backend (every {@code Optimizer.step} calls it). */
    public void noteUpdated() {
        updates++;
    }

    /** Number of entries the mask keeps (all of them without a mask). */
    public int aliveCount() {
        if (mask == null) {
            return value.size();
        }
        refreshSurvivors();
        return survivorCount;
    }

    /**
     * The flat positions the mask keeps, ascending, as an int buffer on the value's backend: the first
     * {@link #aliveCount()} entries are valid (the buffer has at least one entry even when none survive). Built once
     * per mask (per {@link #maskVersion()} and write to the mask tensor), so an optimiser step can read it without
     * allocating. Null without a mask.
     */
    public IntStorage survivors() {
        if (mask == null) {
            return null;
        }
        refreshSurvivors();
        return survivors;
    }

    private void refreshSurvivors() {
        if (survivors != null && survivorsMask == mask && survivorsMaskVersion == maskVersion
                && survivorsMaskWrite == mask.writeVersion()) {
            return;
        }
        float[] m = mask.toArray();
        int[] idx = new int[m.length];
        int n = 0;
        for (int i = 0; i < m.length; i++) {
            if (m[i] != 0f) {
                idx[n++] = i;
            }
        }
        if (survivors != null) {
            value.backend().free(survivors);
        }
        survivors = value.backend().allocateInts(Math.max(1, n));
        value.backend().uploadInts(idx, 0, survivors, 0, n);
        survivorCount = n;
        survivorsMask = mask;
        survivorsMaskVersion = maskVersion;
        survivorsMaskWrite = mask.writeVersion();
    }

    @Override
    public String toString() {
        return name + value.shape();
    }
}
