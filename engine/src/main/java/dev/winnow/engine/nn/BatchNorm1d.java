package dev.winnow.engine.nn;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.tensor.Ops;
import dev.winnow.engine.tensor.Tensor;

import java.util.Arrays;
import java.util.List;

/**
 * BatchNorm over the batch dimension of a [batch x features] input, as PyTorch's BatchNorm1d: in training it
 * normalises with the batch mean and biased variance and updates running statistics with the unbiased variance;
 * in evaluation it uses the running statistics.
 */
public final class BatchNorm1d implements Module {
    private final int features;
    private final float eps;
    private final float momentum;
    private final Parameter gamma;
    private final Parameter beta;
    private final float[] runningMean;
    private final float[] runningVar;
    /** The last training batch's statistics, written by each training forward (no arrays per step). */
    private final float[] batchMean;
    private final float[] batchVar;
    private final Backend backend;
    private boolean training = true;

    public BatchNorm1d(Backend backend, String name, int features, float eps, float momentum) {
        this.backend = backend;
        this.features = features;
        this.eps = eps;
        this.momentum = momentum;
        float[] ones = new float[features];
        Arrays.fill(ones, 1f);
        this.gamma = new Parameter(name + ".weight", Tensor.vector(backend, ones, true), false);
        this.beta = new Parameter(name + ".bias", Tensor.vector(backend, new float[features], true), false);
        this.runningMean = new float[features];
        this.runningVar = ones.clone();
        this.batchMean = new float[features];
        this.batchVar = new float[features];
    }

    public BatchNorm1d(Backend backend, String name, int features) {
        this(backend, name, features, 1e-5f, 0.1f);
    }

    public Tensor forward(Tensor x) {
        if (x.cols() != features) {
            throw new IllegalArgumentException("BatchNorm1d over " + features + " features got " + x.shape());
        }
        if (!training) {
            float[] shift = new float[features];
            float[] inv = new float[features];
            for (int j = 0; j < features; j++) {
                inv[j] = (float) (1.0 / Math.sqrt(runningVar[j] + eps));
                shift[j] = -runningMean[j] * inv[j];
            }
            Tensor invT = Tensor.vector(backend, inv, false);
            Tensor shiftT = Tensor.vector(backend, shift, false);
            Tensor normalised = Ops.add(Ops.mul(x, invT), shiftT);
            return Ops.add(Ops.mul(normalised, gamma.value()), beta.value());
        }
        int batch = x.rows();
        if (batch < 2) {
            throw new IllegalArgumentException("BatchNorm1d in training mode needs at least 2 rows per batch, got "
                    + batch + " (drop or merge a final batch of one)");
        }
        Tensor y = Ops.batchNormTrain(x, gamma.value(), beta.value(), eps, batchMean, batchVar);
        // Like PyTorch, training mode updates the running statistics whether or not gradients are recorded.
        float unbias = batch / (float) (batch - 1);
        for (int j = 0; j < features; j++) {
            runningMean[j] = (1 - momentum) * runningMean[j] + momentum * batchMean[j];
            runningVar[j] = (1 - momentum) * runningVar[j] + momentum * batchVar[j] * unbias;
        }
        return y;
    }

    @Override
    public void train(boolean training) {
        this.training = training;
    }

    public boolean training() {
        return training;
    }

    public int features() {
        return features;
    }

    public float eps() {
        return eps;
    }

    public Parameter gamma() {
        return gamma;
    }

    public Parameter beta() {
        return beta;
    }

    public float[] runningMean() {
        return runningMean;
    }

    public float[] runningVar() {
        return runningVar;
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(gamma, beta);
    }

    @Override
    public List<Buffer> buffers() {
        String base = gamma.name().substring(0, gamma.name().length() - ".weight".length());
        return List.of(new Buffer(base + ".running_mean", runningMean), new Buffer(base + ".running_var", runningVar));
    }
}
