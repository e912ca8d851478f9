package dev.winnow.engine.nn;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.tensor.ConvOps;
import dev.winnow.engine.tensor.Ops;
import dev.winnow.engine.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A stride-1 1-D convolution over channels-last sequences ([batch x length*inChannels], see {@link ConvOps}),
 * computed as im2col followed by one GEMM: y = im2col(pad(x)) (W ⊙ M)^T + b. W has shape out x (kernel*in), column
 * j*in + c being kernel tap j of input channel c, so the weight behaves like a Linear weight (prunable, maskable) and
 * the output is again channels-last, [batch x outLength*outChannels]. Initialised like PyTorch's nn.Conv1d:
 * U(-1/sqrt(in*kernel), 1/sqrt(in*kernel)).
 */
public final class Conv1d implements Module {
    private final int inChannels;
    private final int outChannels;
    private final int kernel;
    private final int padding;
    private final Parameter weight;
    private final Parameter bias;

    public Conv1d(Backend backend, String name, int inChannels, int outChannels, int kernel, int padding,
                  SplittableRandom rng) {
        if (inChannels <= 0 || outChannels <= 0 || kernel <= 0 || padding < 0) {
            throw new IllegalArgumentException(name + ": Conv1d needs positive channels and kernel and padding >= 0, got"
                    + " in=" + inChannels + " out=" + outChannels + " kernel=" + kernel + " padding=" + padding);
        }
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernel = kernel;
        this.padding = padding;
        int fanIn = inChannels * kernel;
        double bound = 1.0 / Math.sqrt(fanIn);
        float[] w = new float[outChannels * fanIn];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
        }
        float[] b = new float[outChannels];
        for (int i = 0; i < b.length; i++) {
            b[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
        }
        this.weight = new Parameter(name + ".weight", Tensor.of(backend, outChannels, fanIn, w, true), true);
        this.bias = new Parameter(name + ".bias", Tensor.vector(backend, b, true), false);
    }

    /** Output length for an input of {@code length} positions. */
    public int outputLength(int length) {
        return length + 2 * padding - kernel + 1;
    }

    /** x: [batch x length*inChannels] -> [batch x outputLength(length)*outChannels]. */
    public Tensor forward(Tensor x, int length) {
        if (x.cols() != length * inChannels) {
            throw new IllegalArgumentException(weight.name() + ": input " + x.shape() + " is not [batch x " + length
                    + "*" + inChannels + "]");
        }
        int outLength = outputLength(length);
        if (outLength <= 0) {
            throw new IllegalArgumentException(weight.name() + ": a sequence of " + length + " positions is shorter "
                    + "than the kernel " + kernel + " with padding " + padding);
        }
        Tensor padded = ConvOps.pad1d(x, length, inChannels, padding);
        Tensor cols = ConvOps.im2col1d(padded, length + 2 * padding, inChannels, kernel);
        Tensor y = Ops.linear(cols, weight.value(), bias.value(), weight.mask());
        return ConvOps.reshape(y, x.rows(), outLength * outChannels);
    }

    public int inChannels() {
        return inChannels;
    }

    public int outChannels() {
        return outChannels;
    }

    public int kernel() {
        return kernel;
    }

    public int padding() {
        return padding;
    }

    public Parameter weight() {
        return weight;
    }

    public Parameter bias() {
        return bias;
    }

    @Override
    public List<Parameter> parameters() {
        List<Parameter> ps = new ArrayList<>(2);
        ps.add(weight);
        ps.add(bias);
        return ps;
    }
}
