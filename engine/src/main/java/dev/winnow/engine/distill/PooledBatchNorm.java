package dev.winnow.engine.distill;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.nn.Module;
import dev.winnow.engine.nn.Parameter;
import dev.winnow.engine.tensor.Ops;
import dev.winnow.engine.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * BatchNorm1d over several equally tall blocks of rows treated as one batch: the statistics pool every row of every
 * block. This is the official SAD bilinear layer's BN, applied to the S student keys stacked sample-major into a
 * (B*S) x n matrix; keeping the blocks apart avoids a reshape op and gives the same numbers, because BN statistics do
 * not depend on row order. Biased variance to normalise, unbiased for the running estimate (PyTorch).
 */
public final class PooledBatchNorm implements Module {
    private final int features;
    private final float eps;
    private final float momentum;
    private final Parameter gamma;
    private final Parameter beta;
    private final float[] runningMean;
    private final float[] runningVar;
    private final Backend backend;
    private boolean training = true;

    public PooledBatchNorm(Backend backend, String name, int features, float eps, float momentum) {
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
    }

    public List<Tensor> forward(List<Tensor> blocks) {
        int rows = blocks.get(0).rows();
        for (Tensor x : blocks) {
            if (x.cols() != features || x.rows() != rows) {
                throw new IllegalArgumentException("pooled BatchNorm over " + features + " features needs blocks of "
                        + rows + "x" + features + ", got " + x.shape());
            }
        }
        int n = rows * blocks.size();
        List<Tensor> out = new ArrayList<>(blocks.size());
        if (!training) {
            float[] shift = new float[features];
            float[] inv = new float[features];
            for (int j = 0; j < features; j++) {
                inv[j] = (float) (1.0 / Math.sqrt(runningVar[j] + eps));
                shift[j] = -runningMean[j] * inv[j];
            }
            Tensor invT = Tensor.vector(backend, inv, false);
            Tensor shiftT = Tensor.vector(backend, shift, false);
            for (Tensor x : blocks) {
                out.add(Ops.add(Ops.mul(Ops.add(Ops.mul(x, invT), shiftT), gamma.value()), beta.value()));
            }
            return out;
        }
        if (n < 2) {
            throw new IllegalArgumentException("pooled BatchNorm in training mode needs at least 2 rows in all, got "
                    + n);
        }
        float share = 1f / blocks.size();
        Tensor mean = null;
        for (Tensor x : blocks) {
            Tensor m = Ops.scale(Ops.meanRows(x), share);
            mean = mean == null ? m : Ops.add(mean, m);
        }
        List<Tensor> centred = new ArrayList<>(blocks.size());
        Tensor var = null;
        for (Tensor x : blocks) {
            Tensor c = Ops.sub(x, mean);
            centred.add(c);
            Tensor v = Ops.scale(Ops.meanRows(Ops.square(c)), share);
            var = var == null ? v : Ops.add(var, v);
        }
        Tensor inv = Ops.pow(Ops.addScalar(var, eps), -0.5f);
        for (Tensor c : centred) {
            out.add(Ops.affineRows(c, inv, gamma.value(), beta.value()));
        }
        float[] m = mean.toArray();
        float[] v = var.toArray();
        float unbias = n / (float) (n - 1);
        for (int j = 0; j < features; j++) {
            runningMean[j] = (1 - momentum) * runningMean[j] + momentum * m[j];
            runningVar[j] = (1 - momentum) * runningVar[j] + momentum * v[j] * unbias;
        }
        return out;
    }

    @Override
    public void train(boolean training) {
        this.training = training;
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
