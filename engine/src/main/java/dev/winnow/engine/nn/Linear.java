package dev.winnow.engine.nn;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.tensor.Ops;
import dev.winnow.engine.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * y = x (W ⊙ M)^T + b with W of shape out x in. The mask M appears when the layer is pruned; masked weights are zero
 * and receive no gradient. Initialised like PyTorch's nn.Linear: W, b ~ U(-1/sqrt(in), 1/sqrt(in)).
 */
public final class Linear implements Module {
    private final int in;
    private final int out;
    private final Parameter weight;
    private final Parameter bias;

    public Linear(Backend backend, String name, int in, int out, boolean withBias, SplittableRandom rng) {
        if (in <= 0 || out <= 0) {
            throw new IllegalArgumentException(name + ": Linear needs positive sizes, got in=" + in + " out=" + out);
        }
        this.in = in;
        this.out = out;
        double bound = 1.0 / Math.sqrt(in);
        float[] w = new float[out * in];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
        }
        this.weight = new Parameter(name + ".weight", Tensor.of(backend, out, in, w, true), true);
        if (withBias) {
            float[] b = new float[out];
            for (int i = 0; i < out; i++) {
                b[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
            }
            this.bias = new Parameter(name + ".bias", Tensor.vector(backend, b, true), false);
        } else {
            this.bias = null;
        }
    }

    private Linear(int in, int out, Parameter weight, Parameter bias) {
        this.in = in;
        this.out = out;
        this.weight = weight;
        this.bias = bias;
    }

    /**
     * A layer holding exactly the given values (weight row-major out x in; bias of length out, or null): what
     * structured compaction builds, and what a distiller uses with {@code prunable = false} so pruning never sees it.
     */
    public static Linear of(Backend backend, String name, int in, int out, float[] weight, float[] bias,
                            boolean prunable) {
        if (in <= 0 || out <= 0) {
            throw new IllegalArgumentException(name + ": Linear needs positive sizes, got in=" + in + " out=" + out);
        }
        if (weight.length != in * out) {
            throw new IllegalArgumentException(name + ": weight needs " + out + "x" + in + " = " + in * out
                    + " values, got " + weight.length);
        }
        if (bias != null && bias.length != out) {
            throw new IllegalArgumentException(name + ": bias needs " + out + " values, got " + bias.length);
        }
        Parameter w = new Parameter(name + ".weight", Tensor.of(backend, out, in, weight, true), prunable);
        Parameter b = bias == null ? null
                : new Parameter(name + ".bias", Tensor.vector(backend, bias, true), false);
        return new Linear(in, out, w, b);
    }

    public Tensor forward(Tensor x) {
        return Ops.linear(x, weight.value(), bias == null ? null : bias.value(), weight.mask());
    }

    public int in() {
        return in;
    }

    public int out() {
        return out;
    }

    public Parameter weight() {
        return weight;
    }

    /** The bias parameter, or null for a layer without one. */
    public Parameter bias() {
        return bias;
    }

    @Override
    public List<Parameter> parameters() {
        List<Parameter> ps = new ArrayList<>(2);
        ps.add(weight);
        if (bias != null) {
            ps.add(bias);
        }
        return ps;
    }
}
