package dev.winnow.engine.backend;

/**
 * Element-wise maps y = f(x; p) that every backend implements, with the derivative each one needs for its backward.
 * {@code p} is the op's scalar parameter (slope, constant, bound); it is ignored where it has no meaning.
 */
public enum UnaryOp {
    IDENTITY, NEG, RELU, LEAKY_RELU, SIGMOID, TANH, EXP, LOG, SQUARE, SQRT, ABS,
    /** y = x * p. */
    SCALE,
    /** y = x + p. */
    ADD_SCALAR,
    /** y = max(x, p): the epsilon clamp of a norm. */
    CLAMP_MIN,
    /** y = 1 / x. */
    RECIPROCAL,
    /** y = x^p. */
    POW;

    /** Reference scalar definition, shared by the CPU backend and by tests of every other backend. */
    public float apply(float x, float p) {
        switch (this) {
            case IDENTITY: return x;
            case NEG: return -x;
            case RELU: return x > 0f ? x : 0f;
            case LEAKY_RELU: return x > 0f ? x : p * x;
            case SIGMOID: return x >= 0f ? 1f / (1f + (float) Math.exp(-x)) : (float) (Math.exp(x) / (1.0 + Math.exp(x)));
            case TANH: return (float) Math.tanh(x);
            case EXP: return (float) Math.exp(x);
            case LOG: return (float) Math.log(x);
            case SQUARE: return x * x;
            case SQRT: return (float) Math.sqrt(x);
            case ABS: return Math.abs(x);
            case SCALE: return x * p;
            case ADD_SCALAR: return x + p;
            case CLAMP_MIN: return x > p ? x : p;
            case RECIPROCAL: return 1f / x;
            case POW: return (float) Math.pow(x, p);
            default: throw new AssertionError(this);
        }
    }

    /** dy/dx given the input x and the output y = apply(x, p). */
    public float derivative(float x, float y, float p) {
        switch (this) {
            case IDENTITY: return 1f;
            case NEG: return -1f;
            case RELU: return x > 0f ? 1f : 0f;
            case LEAKY_RELU: return x > 0f ? 1f : p;
            case SIGMOID: return y * (1f - y);
            case TANH: return 1f - y * y;
            case EXP: return y;
            case LOG: return 1f / x;
            case SQUARE: return 2f * x;
            case SQRT: return 0.5f / y;
            case ABS: return x > 0f ? 1f : (x < 0f ? -1f : 0f);
            case SCALE: return p;
            case ADD_SCALAR: return 1f;
            case CLAMP_MIN: return x > p ? 1f : 0f;
            case RECIPROCAL: return -y * y;
            case POW: return p == 0f ? 0f : p * (float) Math.pow(x, p - 1f);
            default: throw new AssertionError(this);
        }
    }
}
