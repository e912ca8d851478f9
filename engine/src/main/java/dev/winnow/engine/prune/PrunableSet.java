package dev.winnow.engine.prune;

import dev.winnow.engine.nn.Linear;
import dev.winnow.engine.nn.Mlp;
import dev.winnow.engine.nn.Module;
import dev.winnow.engine.nn.Parameter;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The explicit list of tensors pruning may touch, in a fixed order (the order breaks ties in global ranking). By
 * default that is every parameter flagged prunable (Linear and Conv weights); biases, norms and embeddings come in
 * only through {@link #explicit}. A distiller is refused: its parameters are trained, never pruned.
 */
public final class PrunableSet {
    private final List<Parameter> params;

    private PrunableSet(List<Parameter> params) {
        Set<String> names = new HashSet<>();
        for (Parameter p : params) {
            if (!names.add(p.name())) {
                throw new IllegalArgumentException("parameter " + p.name() + " appears twice in the prunable set");
            }
            if (p.value().rank() != 2) {
                throw new IllegalArgumentException("parameter " + p.name() + " " + p.value().shape()
                        + " is not a matrix; only weight matrices/kernels can be pruned");
            }
        }
        this.params = Collections.unmodifiableList(new ArrayList<>(params));
    }

    /** Every parameter of {@code module} flagged prunable, in the module's order. */
    public static PrunableSet of(Module module) {
        refuseDistiller(module);
        List<Parameter> ps = new ArrayList<>();
        for (Parameter p : module.parameters()) {
            if (p.prunable()) {
                ps.add(p);
            }
        }
        return new PrunableSet(ps);
    }

    /**
     * The weights of an Mlp's Linear layers; the output layer only when {@code includeOutputLayer} (default of the
     * spec, §3.1 [ours]: leave it out).
     */
    public static PrunableSet forMlp(Mlp mlp, boolean includeOutputLayer) {
        List<Linear> layers = mlp.layers();
        List<Parameter> ps = new ArrayList<>();
        int n = includeOutputLayer ? layers.size() : layers.size() - 1;
        for (int i = 0; i < n; i++) {
            ps.add(layers.get(i).weight());
        }
        return new PrunableSet(ps);
    }

    /**
     * Exactly these parameters, prunable flag or not: the way to ask for an embedding table to be pruned. Still only
     * matrices.
     */
    public static PrunableSet explicit(List<Parameter> params) {
        return new PrunableSet(params);
    }

    private static void refuseDistiller(Module module) {
        if (module instanceof dev.winnow.engine.distill.AttentionDistiller) {
            throw new IllegalArgumentException("the attention distiller's parameters are never pruned; pass the "
                    + "student module instead");
        }
    }

    public List<Parameter> parameters() {
        return params;
    }

    public int size() {
        return params.size();
    }

    /** Number of weights in the set. */
    public long total() {
        long n = 0;
        for (Parameter p : params) {
            n += p.value().size();
        }
        return n;
    }

    /** Number of weights the masks keep. */
    public long alive() {
        long n = 0;
        for (Parameter p : params) {
            n += p.aliveCount();
        }
        return n;
    }

    /** alive / total over the set (1.0 for an empty set). */
    public double density() {
        long t = total();
        return t == 0 ? 1.0 : alive() / (double) t;
    }

    /** Re-imposes w = w ⊙ mask on every tensor (after an optimiser step or a restore). */
    public void applyMasks() {
        for (Parameter p : params) {
            p.applyMask();
        }
    }
}
