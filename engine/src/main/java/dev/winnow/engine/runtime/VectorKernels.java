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
    /** Lanes per vector, and vectors per 16-row block (1, 2 or 4: constants, so the unused accumulators fold away). */
    private static final int L = S.length();
    private static final int V = 16 / L;

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

    /** 16x1 blocks: two groups at a time, each 16 rows in V vectors, so that four or more fma chains overlap. */
    @Override
    public void one(Layer.Form f, int rows, int[] hi, float[] x, float[] init, float[] y) {
        if (f.group == 1) {
            Kernels.super.one(f, rows, hi, x, init, y);
            return;
        }
        int[] lo = f.lo;
        int[] col = f.col;
        float[] val = f.val;
        for (int o = 0; o < rows; o += 32) {
            int g = o >>> 4;
            // a single last group runs as a pair whose other group has no blocks (its stores are skipped)
            boolean pair = o + 16 < rows;
            int ka = lo[g];
            int ea = hi[g];
            int kb = pair ? lo[g + 1] : 0;
            int eb = pair ? hi[g + 1] : 0;
            int pa = o;
            int pb = pair ? o + 16 : o;
            if (eb - kb > ea - ka) {
                // a is the longer group, so that only a has a rest to run alone
                pa = pb;
                pb = o;
                int t = ka;
                ka = kb;
                kb = t;
                t = ea;
                ea = eb;
                eb = t;
            }
            FloatVector a0 = FloatVector.fromArray(S, init, pa);
            FloatVector a1 = V > 1 ? FloatVector.fromArray(S, init, pa + L) : a0;
            FloatVector a2 = V > 2 ? FloatVector.fromArray(S, init, pa + 2 * L) : a0;
            FloatVector a3 = V > 2 ? FloatVector.fromArray(S, init, pa + 3 * L) : a0;
            FloatVector b0 = FloatVector.fromArray(S, init, pb);
            FloatVector b1 = V > 1 ? FloatVector.fromArray(S, init, pb + L) : b0;
            FloatVector b2 = V > 2 ? FloatVector.fromArray(S, init, pb + 2 * L) : b0;
            FloatVector b3 = V > 2 ? FloatVector.fromArray(S, init, pb + 3 * L) : b0;
            // the pair's common length together, then a's rest: no vector is chosen by a branch (C2 on JDK 17 boxes a
            // vector that merges at an if's phi)
            for (; kb < eb; ka++, kb++) {
                FloatVector xa = FloatVector.broadcast(S, x[col[ka]]);
                FloatVector xb = FloatVector.broadcast(S, x[col[kb]]);
                int wa = 16 * ka;
                int wb = 16 * kb;
                a0 = FloatVector.fromArray(S, val, wa).fma(xa, a0);
                b0 = FloatVector.fromArray(S, val, wb).fma(xb, b0);
                if (V > 1) {
                    a1 = FloatVector.fromArray(S, val, wa + L).fma(xa, a1);
                    b1 = FloatVector.fromArray(S, val, wb + L).fma(xb, b1);
                }
                if (V > 2) {
                    a2 = FloatVector.fromArray(S, val, wa + 2 * L).fma(xa, a2);
                    a3 = FloatVector.fromArray(S, val, wa + 3 * L).fma(xa, a3);
                    b2 = FloatVector.fromArray(S, val, wb + 2 * L).fma(xb, b2);
                    b3 = FloatVector.fromArray(S, val, wb + 3 * L).fma(xb, b3);
                }
            }
            for (; ka < ea; ka++) {
                FloatVector xa = FloatVector.broadcast(S, x[col[ka]]);
                int wa = 16 * ka;
                a0 = FloatVector.fromArray(S, val, wa).fma(xa, a0);
                if (V > 1) {
                    a1 = FloatVector.fromArray(S, val, wa + L).fma(xa, a1);
                }
                if (V > 2) {
                    a2 = FloatVector.fromArray(S, val, wa + 2 * L).fma(xa, a2);
                    a3 = FloatVector.fromArray(S, val, wa + 3 * L).fma(xa, a3);
                }
            }
            put(a0, a1, a2, a3, y, pa);
            if (pair) {
                put(b0, b1, b2, b3, y, pb);
            }
        }
    }

    /** Stores a block's 16 rows from their V vectors (inlined: the unused ones fold away with V). */
    private static void put(FloatVector v0, FloatVector v1, FloatVector v2, FloatVector v3, float[] y, int off) {
        v0.intoArray(y, off);
        if (V > 1) {
            v1.intoArray(y, off + L);
        }
        if (V > 2) {
            v2.intoArray(y, off + 2 * L);
            v3.intoArray(y, off + 3 * L);
        }
    }

    /**
     * CSR: one row at a time, four lane chunks in registers. 16x1 blocks: four rows of a block by two lane chunks, so
     * that each x load serves four outputs and each weight broadcast two chunks.
     */
    @Override
    public void many(Layer.Form f, int rows, int[] lo, int shift, float[] x, int lanes, int n, float[] init,
                     float[] y, boolean relu) {
        int[] hi = f.hi;
        int[] col = f.col;
        float[] val = f.val;
        if (f.group == 1) {
            for (int o = 0; o < rows; o++) {
                csrRow(val, col, lo[o], hi[o], shift, x, lanes, init[o], y, o * lanes, n, relu);
            }
            return;
        }
        // a block's four quads run one lane chunk after another: the chunk's x lines (one line per kept column at 256
        // bits) are still in L1 when the next quad reads them
        for (int o0 = 0; o0 < rows; o0 += 16) {
            int from = lo[o0 >>> 4];
            int to = hi[o0 >>> 4];
            for (int b = 0; b < n; b += 2 * L) {
                for (int o = o0; o < rows && o < o0 + 16; o += 4) {
                    FloatVector a0 = FloatVector.broadcast(S, init[o]);
                    FloatVector a1 = FloatVector.broadcast(S, init[o + 1]);
                    FloatVector a2 = FloatVector.broadcast(S, init[o + 2]);
                    FloatVector a3 = FloatVector.broadcast(S, init[o + 3]);
                    FloatVector c0 = a0;
                    FloatVector c1 = a1;
                    FloatVector c2 = a2;
                    FloatVector c3 = a3;
                    for (int k = from; k < to; k++) {
                        int xo = (col[k] - shift) * lanes + b;
                        FloatVector x0 = FloatVector.fromArray(S, x, xo);
                        FloatVector x1 = FloatVector.fromArray(S, x, xo + L);
                        int w = 16 * k + (o & 15);
                        FloatVector w0 = FloatVector.broadcast(S, val[w]);
                        FloatVector w1 = FloatVector.broadcast(S, val[w + 1]);
                        FloatVector w2 = FloatVector.broadcast(S, val[w + 2]);
                        FloatVector w3 = FloatVector.broadcast(S, val[w + 3]);
                        a0 = x0.fma(w0, a0);
                        c0 = x1.fma(w0, c0);
                        a1 = x0.fma(w1, a1);
                        c1 = x1.fma(w1, c1);
                        a2 = x0.fma(w2, a2);
                        c2 = x1.fma(w2, c2);
                        a3 = x0.fma(w3, a3);
                        c3 = x1.fma(w3, c3);
                    }
                    int yb = o * lanes + b;
                    store(a0, y, yb, relu);
                    store(c0, y, yb + L, relu);
                    store(a1, y, yb + lanes, relu);
                    store(c1, y, yb + lanes + L, relu);
                    store(a2, y, yb + 2 * lanes, relu);
                    store(c2, y, yb + 2 * lanes + L, relu);
                    store(a3, y, yb + 3 * lanes, relu);
                    store(c3, y, yb + 3 * lanes + L, relu);
                }
            }
        }
    }

    private static void csrRow(float[] val, int[] col, int from, int to, int shift, float[] x, int lanes, float init,
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
        // the rest in single chunks: lanes is a multiple of 32, so a chunk past n stays inside the row
        for (; b < n; b += l) {
            FloatVector a0 = FloatVector.broadcast(S, init);
            for (int k = from; k < to; k++) {
                a0 = FloatVector.fromArray(S, x, (col[k] - shift) * lanes + b).fma(FloatVector.broadcast(S, val[k]),
                        a0);
            }
            store(a0, y, yOff + b, relu);
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
