package dev.winnow.engine.nn;

import dev.winnow.engine.tensor.Ops;
import dev.winnow.engine.tensor.Tensor;

/** The non-linearities a layer stack may use between its Linear layers. */
public enum Activation {
    NONE, RELU, LEAKY_RELU, SIGMOID, TANH;

    /** Slope of LEAKY_RELU for negative inputs (PyTorch's default). */
    public static final float LEAKY_SLOPE = 0.01f;

    public Tensor apply(Tensor x) {
        switch (this) {
            case NONE: return x;
            case RELU: return Ops.relu(x);
            case LEAKY_RELU: return Ops.leakyRelu(x, LEAKY_SLOPE);
            case SIGMOID: return Ops.sigmoid(x);
            case TANH: return Ops.tanh(x);
            default: throw new AssertionError(this);
        }
    }

    /** The same map on one float, for forward-only runtimes. */
    public float apply(float x) {
        switch (this) {
            case NONE: return x;
            case RELU: return x > 0f ? x : 0f;
            case LEAKY_RELU: return x > 0f ? x : LEAKY_SLOPE * x;
            case SIGMOID: return (float) (1.0 / (1.0 + Math.exp(-x)));
            case TANH: return (float) Math.tanh(x);
            default: throw new AssertionError(this);
        }
    }
}
