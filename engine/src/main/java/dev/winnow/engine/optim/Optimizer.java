package dev.winnow.engine.optim;

import dev.winnow.engine.nn.Parameter;
import dev.winnow.engine.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Updates parameters from their gradients through the backend's fused update kernels. A parameter with a mask has
 * its masked weights forced to exactly 0 and their optimiser state kept at 0 by every step.
 */
public abstract class Optimizer {
    protected final List<Parameter> params;
    protected float lr;
    protected int steps;

    protected Optimizer(List<Parameter> params, float lr) {
        if (!(lr >= 0f)) {
            throw new IllegalArgumentException("learning rate must be non-negative, got " + lr);
        }
        this.params = new ArrayList<>(params);
        this.lr = lr;
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
