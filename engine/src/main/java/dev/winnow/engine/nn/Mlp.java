package dev.winnow.engine.nn;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.tensor.Ops;
import dev.winnow.engine.tensor.Tensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A stack of Linear layers with an activation after every hidden layer (optionally BatchNorm before the activation
 * and dropout after it) and a plain Linear output. The post-activation hidden outputs are the "feature taps" that
 * attention distillation reads.
 */
public final class Mlp implements Module {
    private final List<Linear> layers;
    private final List<BatchNorm1d> norms;
    private final Activation activation;
    private final float dropout;
    private final SplittableRandom dropoutRng;
    private final String name;
    private boolean training = true;

    private Mlp(String name, List<Linear> layers, List<BatchNorm1d> norms, Activation activation, float dropout,
                long dropoutSeed) {
        this.name = name;
        this.layers = Collections.unmodifiableList(layers);
        this.norms = norms;
        this.activation = activation;
        this.dropout = dropout;
        this.dropoutRng = new SplittableRandom(dropoutSeed);
    }

    public static Builder builder(int inputSize) {
        return new Builder(inputSize);
    }

    /** Fluent description of the layer sizes; {@link #build} draws the initial weights from a seeded generator. */
    public static final class Builder {
        private final int inputSize;
        private final List<Integer> sizes = new ArrayList<>();
        private Activation activation = Activation.RELU;
        private boolean batchNorm;
        private float dropout;

        private Builder(int inputSize) {
            if (inputSize <= 0) {
                throw new IllegalArgumentException("Mlp input size must be positive, got " + inputSize);
            }
            this.inputSize = inputSize;
        }

        public Builder hidden(int... widths) {
            for (int w : widths) {
                if (w <= 0) {
                    throw new IllegalArgumentException("hidden width must be positive, got " + w);
                }
                sizes.add(w);
            }
            return this;
        }

        public Builder activation(Activation a) {
            this.activation = a;
            return this;
        }

        public Builder batchNorm(boolean on) {
            this.batchNorm = on;
            return this;
        }

        public Builder dropout(float p) {
            this.dropout = p;
            return this;
        }

        /** Adds the output layer and creates the parameters on {@code backend}. */
        public Mlp build(Backend backend, String name, int outputSize, SplittableRandom rng) {
            List<Linear> layers = new ArrayList<>();
            List<BatchNorm1d> norms = new ArrayList<>();
            int in = inputSize;
            int i = 0;
            for (int w : sizes) {
                layers.add(new Linear(backend, name + "." + i, in, w, true, rng));
                if (batchNorm) {
                    norms.add(new BatchNorm1d(backend, name + ".bn" + i, w));
                }
                in = w;
                i++;
            }
            layers.add(new Linear(backend, name + "." + i, in, outputSize, true, rng));
            return new Mlp(name, layers, batchNorm ? norms : null, activation, dropout, rng.nextLong());
        }
    }

    /**
     * An Mlp over existing layers (no BatchNorm): what structured compaction returns. Every layer but the last is
     * followed by {@code activation} (and dropout in training).
     */
    public static Mlp of(String name, List<Linear> layers, Activation activation, float dropout, long dropoutSeed) {
        if (layers.isEmpty()) {
            throw new IllegalArgumentException(name + ": an Mlp needs at least one layer");
        }
        for (int i = 1; i < layers.size(); i++) {
            if (layers.get(i).in() != layers.get(i - 1).out()) {
                throw new IllegalArgumentException(name + ": layer " + i + " takes " + layers.get(i).in()
                        + " inputs but layer " + (i - 1) + " gives " + layers.get(i - 1).out());
            }
        }
        return new Mlp(name, new ArrayList<>(layers), null, activation, dropout, dropoutSeed);
    }

    public Tensor forward(Tensor x) {
        return forward(x, null);
    }

    /** The forward pass; when {@code taps} is not null the post-activation output of every hidden layer is added. */
    public Tensor forward(Tensor x, List<Tensor> taps) {
        Tensor h = x;
        int last = layers.size() - 1;
        for (int i = 0; i < last; i++) {
            h = layers.get(i).forward(h);
            if (norms != null) {
                h = norms.get(i).forward(h);
            }
            h = activation.apply(h);
            if (training && dropout > 0f) {
                h = Ops.dropout(h, dropout, dropoutRng);
            }
            if (taps != null) {
                taps.add(h);
            }
        }
        return layers.get(last).forward(h);
    }

    public List<Linear> layers() {
        return layers;
    }

    /** Hands {@code policy} to every layer (see {@link Linear#setExecutionPolicy}). */
    public void setExecutionPolicy(dev.winnow.engine.sparse.ExecutionPolicy policy) {
        for (Linear l : layers) {
            l.setExecutionPolicy(policy);
        }
    }

    public float dropout() {
        return dropout;
    }

    /** Whether a BatchNorm sits between each hidden Linear and its activation. */
    public boolean hasBatchNorm() {
        return norms != null;
    }

    public Activation activation() {
        return activation;
    }

    public String name() {
        return name;
    }

    /** Widths of the hidden layers, in order. */
    public int[] hiddenWidths() {
        int[] w = new int[layers.size() - 1];
        for (int i = 0; i < w.length; i++) {
            w[i] = layers.get(i).out();
        }
        return w;
    }

    @Override
    public void train(boolean training) {
        this.training = training;
        if (norms != null) {
            for (BatchNorm1d n : norms) {
                n.train(training);
            }
        }
    }

    @Override
    public List<Parameter> parameters() {
        List<Parameter> ps = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            ps.addAll(layers.get(i).parameters());
            if (norms != null && i < norms.size()) {
                ps.addAll(norms.get(i).parameters());
            }
        }
        return ps;
    }

    @Override
    public List<Buffer> buffers() {
        List<Buffer> bs = new ArrayList<>();
        if (norms != null) {
            for (BatchNorm1d n : norms) {
                bs.addAll(n.buffers());
            }
        }
        return bs;
    }
}
