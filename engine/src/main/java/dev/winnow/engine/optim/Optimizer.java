package dev.winnow.engine.optim;

import dev.winnow.engine.nn.Parameter;
import dev.winnow.engine.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Updates parameters from their gradients through the backend's fused update kernels. A parameter with a mask has
 * its masked weights exactly 0 and their optimiser state exactly 0 after every step.
 *
 * <p>A masked parameter is updated in one of two ways, with bitwise the same result at the survivors: a dense masked
 * sweep (every position: survivors updated, pruned ones re-zeroed with their state), or an indexed update that reads
 * and writes the survivors only ({@link Parameter#survivors()}), which is what makes a 90%-pruned layer's update about
 * 10% of the dense work. The indexed update relies on the pruned positions still being 0 from the last step, so it
 * runs only while nothing else wrote the weight, its state or its mask since then: a write through
 * {@link Tensor#copyFrom} (a restore, a rewind, {@link #resetState}, {@link #zeroStateWhereMasked}) or a new mask
 * makes the next step a dense masked sweep, which re-establishes the invariant.
 */
public abstract class Optimizer {
    /**
     * At or below this mask density (kept share) {@link MaskedUpdate#BY_DENSITY} uses the indexed update. Measured
     * with {@code winnow bench kernels --updates} on a 1024 x 1024 weight with a random mask (bench/HISTORY.md,
     * sparse section): the indexed Adam and SGD steps beat the dense masked sweep at every density from 0.05 to 0.9
     * (the sweep's data-dependent branch mispredicts on a random mask, worst near 0.5); at 1.0 the sweep was as fast
     * (Adam) or 1.2x faster (SGD).
     */
    public static final double DEFAULT_INDEXED_DENSITY = 0.9;

    /** How a masked parameter's update runs. */
    public enum MaskedUpdate {
        /** Indexed at or below the density threshold on a backend that {@link
         *  dev.winnow.engine.backend.Backend#prefersIndexedUpdates prefers it}, dense masked sweep otherwise. */
        BY_DENSITY,
        /** Always the dense masked sweep. */
        DENSE_SWEEP,
        /** Indexed whenever the invariant allows it (any backend, any density). */
        INDEXED
    }

    protected final List<Parameter> params;
    protected float lr;
    protected int steps;
    private MaskedUpdate maskedUpdate = MaskedUpdate.BY_DENSITY;
    private double indexedDensity = DEFAULT_INDEXED_DENSITY;
    // What parameter i, its mask and its state looked like right after its last masked step (pruned positions 0).
    private final boolean[] clean;
    private final Tensor[] cleanMask;
    private final int[] cleanMaskVersion;
    private final int[] cleanMaskWrite;
    private final int[] cleanValueWrite;
    private final int[] cleanStateWrite;

    protected Optimizer(List<Parameter> params, float lr) {
        if (!(lr >= 0f)) {
            throw new IllegalArgumentException("learning rate must be non-negative, got " + lr);
        }
        this.params = new ArrayList<>(params);
        this.lr = lr;
        int n = this.params.size();
        this.clean = new boolean[n];
        this.cleanMask = new Tensor[n];
        this.cleanMaskVersion = new int[n];
        this.cleanMaskWrite = new int[n];
        this.cleanValueWrite = new int[n];
        this.cleanStateWrite = new int[n];
    }

    /** Chooses how masked parameters are updated (default {@link MaskedUpdate#BY_DENSITY}). */
    public void setMaskedUpdate(MaskedUpdate mode) {
        this.maskedUpdate = java.util.Objects.requireNonNull(mode, "masked update mode");
    }

    public MaskedUpdate maskedUpdate() {
        return maskedUpdate;
    }

    /** The density at or below which {@link MaskedUpdate#BY_DENSITY} uses the indexed update. */
    public void setIndexedDensityThreshold(double density) {
        if (!(density >= 0 && density <= 1)) {
            throw new IllegalArgumentException("indexed-update density threshold must be in [0, 1], got " + density);
        }
        this.indexedDensity = density;
    }

    /**
     * Whether parameter i's update this step may touch its survivors only: it has a mask, the mode (and density)
     * asks for it, and neither its value, its mask nor its optimiser state was written from outside since its last
     * masked step. {@code stateWrite} is the sum of the write versions of the parameter's state tensors.
     */
    protected final boolean indexedUpdate(int i, Parameter p, int stateWrite) {
        Tensor mask = p.mask();
        if (mask == null || maskedUpdate == MaskedUpdate.DENSE_SWEEP) {
            return false;
        }
        if (maskedUpdate == MaskedUpdate.BY_DENSITY && !(p.value().backend().prefersIndexedUpdates()
                && p.aliveCount() <= indexedDensity * p.value().size())) {
            return false;
        }
        return clean[i] && cleanMask[i] == mask && cleanMaskVersion[i] == p.maskVersion()
                && cleanMaskWrite[i] == mask.writeVersion() && cleanValueWrite[i] == p.value().writeVersion()
                && cleanStateWrite[i] == stateWrite;
    }

    /** Records that parameter i was just updated: if masked, its pruned positions and their state are now 0. */
    protected final void updated(int i, Parameter p, int stateWrite) {
        Tensor mask = p.mask();
        clean[i] = mask != null;
        cleanMask[i] = mask;
        cleanMaskVersion[i] = p.maskVersion();
        cleanMaskWrite[i] = mask == null ? 0 : mask.writeVersion();
        cleanValueWrite[i] = p.value().writeVersion();
        cleanStateWrite[i] = stateWrite;
    }

    /** The write version of an optional state tensor (0 when absent). */
    protected static int writeVersion(Tensor state) {
        return state == null ? 0 : state.writeVersion();
    }

    /** One update of every parameter that received a gradient. */
    public final void step() {
        steps++;
        for (int i = 0; i < params.size(); i++) {
            Parameter p = params.get(i);
            Tensor v = p.value();
            if (v.grad() == null) {
                continue;
            }
            update(i, p);
            p.noteUpdated();
        }
    }

    protected abstract void update(int index, Parameter p);

    /** Zeroes every gradient buffer (kept allocated for the next step). */
    public void zeroGrad() {
        for (Parameter p : params) {
            p.value().zeroGrad();
        }
    }

    /** Zeroes the optimiser state at the positions a parameter's mask removes (called at every prune event). */
    public abstract void zeroStateWhereMasked();

    /** Forgets all state (momentum, moment estimates, step count): a fresh optimiser for a new pruning round. */
    public abstract void resetState();

    /**
     * The optimiser's state by name ({@code <param>#<slot>}, plus {@code #steps}), for checkpoints: importing it
     * into an optimiser over the same parameters continues exactly where this one stopped.
     */
    public final java.util.Map<String, float[]> exportState() {
        java.util.Map<String, float[]> out = new java.util.LinkedHashMap<>();
        out.put("#steps", new float[] {steps});
        for (int i = 0; i < params.size(); i++) {
            exportSlots(i, params.get(i).name(), out);
        }
        return out;
    }

    /** Restores what {@link #exportState} produced (missing slots mean "not started yet"). */
    public final void importState(java.util.Map<String, float[]> state) {
        resetState();
        float[] s = state.get("#steps");
        steps = s == null ? 0 : (int) s[0];
        for (int i = 0; i < params.size(); i++) {
            importSlots(i, params.get(i), state);
        }
    }

    protected abstract void exportSlots(int index, String name, java.util.Map<String, float[]> out);

    protected abstract void importSlots(int index, Parameter p, java.util.Map<String, float[]> in);

    /** A slot's saved values, checked against the parameter's size. */
    protected static float[] slot(java.util.Map<String, float[]> in, Parameter p, String slot) {
        float[] v = in.get(p.name() + "#" + slot);
        if (v != null && v.length != p.value().size()) {
            throw new IllegalStateException("optimiser state " + p.name() + "#" + slot + " has " + v.length
                    + " values for a parameter of " + p.value().size());
        }
        return v;
    }

    public float learningRate() {
        return lr;
    }

    public void setLearningRate(float lr) {
        this.lr = lr;
    }

    public List<Parameter> parameters() {
        return params;
    }

    /** Zeroes state[i] wherever p's mask is 0. */
    protected static void zeroWhereMasked(Parameter p, Tensor state) {
        if (p.mask() == null || state == null) {
            return;
        }
        float[] s = state.toArray();
        float[] m = p.mask().toArray();
        for (int i = 0; i < s.length; i++) {
            if (m[i] == 0f) {
                s[i] = 0f;
            }
        }
        state.copyFrom(s);
    }
}
