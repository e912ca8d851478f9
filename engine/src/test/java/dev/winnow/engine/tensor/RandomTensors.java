package dev.winnow.engine.tensor;

import dev.winnow.engine.backend.Backend;

import java.util.SplittableRandom;

/** Seeded test inputs: uniform tensors, tensors kept away from a kink, and fixed weights that make sums informative. */
public final class RandomTensors {
    private RandomTensors() {
    }

    /** Values uniform in [lo, hi). */
    public static float[] uniform(int n, double lo, double hi, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (lo + r.nextDouble() * (hi - lo));
        }
        return v;
    }

    /** Values uniform in [-1, 1) but at least {@code margin} away from {@code kink} (relu at 0, a clamp bound). */
    public static float[] awayFrom(int n, float kink, double margin, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            float x;
            do {
                x = (float) (r.nextDouble() * 2 - 1);
            } while (Math.abs(x - kink) < margin);
            v[i] = x;
        }
        return v;
    }

    public static Tensor leaf(Backend backend, int rows, int cols, float[] values) {
        return Tensor.of(backend, rows, cols, values, true);
    }

    public static Tensor uniformLeaf(Backend backend, int rows, int cols, double lo, double hi, long seed) {
        return Tensor.of(backend, rows, cols, uniform(rows * cols, lo, hi, seed), true);
    }

    /**
     * sum(y ⊙ R) for a fixed random R in [-1, 1): unlike a plain sum, it gives every output its own upstream gradient,
     * so ops whose outputs sum to a constant (softmax, batch norm) are still checked.
     */
    public static Tensor weightedSum(Tensor y, long seed) {
        Tensor r = Tensor.of(y.backend(), y.rows(), y.cols(), uniform(y.size(), -1, 1, seed), false);
        return Ops.sum(Ops.mul(y, r));
    }
}
