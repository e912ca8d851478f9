package dev.winnow.engine.runtime;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API loops; only loaded (by name, from {@link Kernels#detect()}) when jdk.incubator.vector is present.
 *
 * <p>The register width never changes a result: every output lane is one fused multiply-add chain in a fixed order
 * (the tails too), and nothing is summed across lanes. {@link ScalarKernels} computes the
 * same IEEE operations one lane at a time, so a prediction has the same bits on every machine, with or without the
 * Vector API. {@code -Dwinnow.vectorBits=128|256|512} forces a width, as in the training engine.
 */
final class VectorKernels implements Kernels {
    private static final VectorSpecies<Float> S = species(System.getProperty("winnow.vectorBits", ""));
    private static final FloatVector ZERO = FloatVector.zero(S);

    private static VectorSpecies<Float> species(String bits) {
        switch (bits.trim()) {
            case "128":
                return FloatVector.SPECIES_128;
            case "256":
                return FloatVector.SPECIES_256;
            case "512":
                return FloatVector.SPECIES_512;
            default:
                VectorSpecies<Float> p = FloatVector.SPECIES_PREFERRED;
                return p.length() > 16 ? FloatVector.SPECIES_512 : p.length() < 4 ? FloatVector.SPECIES_128 : p;
        }
    }

    @Override
    public void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        int bound = S.loopBound(n);
        int i = 0;
        if (bound > 0) {
            FloatVector va = FloatVector.broadcast(S, alpha);
            for (; i < bound; i += S.length()) {
                FloatVector.fromArray(S, x, xOff + i).fma(va, FloatVector.fromArray(S, y, yOff + i))
                        .intoArray(y, yOff + i);
            }
        }
        for (; i < n; i++) {
            y[yOff + i] = Math.fma(x[xOff + i], alpha, y[yOff + i]);
        }
    }

    @Override
    public void csrRowBlock(float[] val, int[] col, int from, int to, int shift, float[] x, int lanes, float init,
                            float[] y, int yOff, int n, boolean relu) {
        int l = S.length();
        int b = 0;
        // four independent accumulators hide the FMA latency; x rows are read once per entry and chunk
        for (; b + 4 * l <= n; b += 4 * l) {
            FloatVector a0 = FloatVector.broadcast(S, init);
            FloatVector a1 = a0;
            FloatVector a2 = a0;
            FloatVector a3 = a0;
            for (int k = from; k < to; k++) {
                FloatVector w = FloatVector.broadcast(S, val[k]);
                int xo = (col[k] - shift) * lanes + b;
                a0 = FloatVector.fromArray(S, x, xo).fma(w, a0);
                a1 = FloatVector.fromArray(S, x, xo + l).fma(w, a1);
                a2 = FloatVector.fromArray(S, x, xo + 2 * l).fma(w, a2);
                a3 = FloatVector.fromArray(S, x, xo + 3 * l).fma(w, a3);
            }
            store(a0, y, yOff + b, relu);
            store(a1, y, yOff + b + l, relu);
            store(a2, y, yOff + b + 2 * l, relu);
            store(a3, y, yOff + b + 3 * l, relu);
        }
        for (; b + l <= n; b += l) {
            FloatVector a0 = FloatVector.broadcast(S, init);
            for (int k = from; k < to; k++) {
                a0 = FloatVector.fromArray(S, x, (col[k] - shift) * lanes + b).fma(FloatVector.broadcast(S, val[k]),
                        a0);
            }
            store(a0, y, yOff + b, relu);
        }
        for (; b < n; b++) {
            float s = init;
            for (int k = from; k < to; k++) {
                s = Math.fma(x[(col[k] - shift) * lanes + b], val[k], s);
            }
            y[yOff + b] = relu ? (s > 0f ? s : 0f) : s;
        }
    }

    @Override
    public void denseRowBlock(float[] w, int wOff, int from, int to, int shift, float[] x, int lanes, float init,
                              float[] y, int yOff, int n, boolean relu) {
        int l = S.length();
        int b = 0;
        for (; b + 4 * l <= n; b += 4 * l) {
            FloatVector a0 = FloatVector.broadcast(S, init);
            FloatVector a1 = a0;
            FloatVector a2 = a0;
            FloatVector a3 = a0;
            for (int c = from; c < to; c++) {
                FloatVector wv = FloatVector.broadcast(S, w[wOff + c]);
                int xo = (c - shift) * lanes + b;
                a0 = FloatVector.fromArray(S, x, xo).fma(wv, a0);
                a1 = FloatVector.fromArray(S, x, xo + l).fma(wv, a1);
                a2 = FloatVector.fromArray(S, x, xo + 2 * l).fma(wv, a2);
                a3 = FloatVector.fromArray(S, x, xo + 3 * l).fma(wv, a3);
            }
            store(a0, y, yOff + b, relu);
            store(a1, y, yOff + b + l, relu);
            store(a2, y, yOff + b + 2 * l, relu);
            store(a3, y, yOff + b + 3 * l, relu);
        }
        for (; b + l <= n; b += l) {
            FloatVector a0 = FloatVector.broadcast(S, init);
            for (int c = from; c < to; c++) {
                a0 = FloatVector.fromArray(S, x, (c - shift) * lanes + b).fma(FloatVector.broadcast(S, w[wOff + c]),
                        a0);
            }
            store(a0, y, yOff + b, relu);
        }
        for (; b < n; b++) {
            float s = init;
            for (int c = from; c < to; c++) {
                s = Math.fma(x[(c - shift) * lanes + b], w[wOff + c], s);
            }
            y[yOff + b] = relu ? (s > 0f ? s : 0f) : s;
        }
    }

    /**
     * Stores {@code v}, through max(v, 0) when asked: the engine's ReLU for every finite input. Two separate stores,
     * not one store of a conditionally chosen vector: C2 on JDK 17 boxes a vector that merges at a phi, which made
     * every call allocate.
     */
    private static void store(FloatVector v, float[] y, int off, boolean relu) {
        if (relu) {
            v.max(ZERO).intoArray(y, off);
        } else {
            v.intoArray(y, off);
        }
    }

    @Override
    public String name() {
        return "vector(" + S.length() + " lanes)";
    }
}
