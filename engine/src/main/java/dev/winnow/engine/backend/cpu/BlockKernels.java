package dev.winnow.engine.backend.cpu;

import dev.winnow.engine.backend.BlockMatrix;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.util.logging.Logger;

/**
 * The CPU's 16x1 block product Y = X W^T (+ bias) on heap arrays ({@link BlockMatrix} describes the layout). X and Y
 * are row-major (batch x cols, batch x rows) and read in place: no panel, no transposed copy. A block row of W is
 * one vector load that every row of X reuses, and one broadcast of X[b, c] feeds it; a tile of 8 rows of X keeps 8
 * accumulators in registers, so the loop is bound by multiply-adds, not by loads.
 *
 * <p>Same bits everywhere: output Y[b, o] is 0, then one fused multiply-add per block of its group in column order,
 * then + bias: one chain per output lane whatever the register width, the thread count or the tile it falls in.
 * {@link Scalar} spells it out; {@link Vectorized} holds those lanes in {@link VectorLanes}' registers. That chain is
 * also the CPU CSR product's for the same entries (padding adds x * 0, which leaves a sum from +0 unchanged), so a
 * layer can switch between the two forms without changing a result.
 */
abstract class BlockKernels {
    private static final Logger LOG = Logger.getLogger(BlockKernels.class.getName());
    static final int H = BlockMatrix.HEIGHT;
    /** Multiply-adds below which a product stays on the calling thread. */
    private static final long PARALLEL_MIN_WORK = 1L << 17;

    static BlockKernels create(boolean vectorized) {
        if (!vectorized || !CpuBackend.GemmChoice.vectorModulePresent()) {
            return new Scalar();
        }
        try {
            return (BlockKernels) Class.forName("dev.winnow.engine.backend.cpu.BlockKernels$Vectorized")
                    .getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            LOG.warning("cannot load the vectorised block kernels, using plain Java: " + e);
            return new Scalar();
        }
    }

    /** Per part: scratch for a tile of rows of X, grown on demand (never per call). */
    float[][] panels = new float[1][0];

    /** Y = X W^T (+ bias) over batch rows; see the class comment for the order. */
    final synchronized void forward(int rows, int cols, int[] gp, int[] bc, float[] v, float[] x, int batch, float[] bias,
                       float[] y, Parallel parallel) {
        int groups = BlockMatrix.groups(rows);
        if (gp.length < groups + 1 || gp[0] != 0 || gp[groups] > bc.length || (long) gp[groups] * H > v.length) {
            throw new IllegalArgumentException("block forward: " + rows + "x" + cols + " needs " + (groups + 1)
                    + " group pointers starting at 0 and " + (gp.length > groups ? gp[groups] : -1)
                    + " blocks; got " + gp.length + " pointers, " + bc.length + " columns, " + v.length + " values");
        }
        if ((long) batch * cols > x.length || (long) batch * rows > y.length || (bias != null && bias.length < rows)) {
            throw new IllegalArgumentException("block forward: batch " + batch + " of " + cols + " inputs and "
                    + rows + " outputs, got x " + x.length + ", y " + y.length
                    + (bias == null ? "" : ", bias " + bias.length) + " floats");
        }
        if (batch == 0 || rows == 0) {
            return;
        }
        long work = (long) gp[groups] * H * batch;
        boolean alone = work < PARALLEL_MIN_WORK || parallel.threads() == 1;
        if (panels.length < parallel.threads()) {
            panels = java.util.Arrays.copyOf(panels, parallel.threads());
        }
        for (int p = 0; p < (alone ? 1 : parallel.threads()); p++) {
            if (panels[p] == null || panels[p].length < TILE * cols) {
                panels[p] = new float[TILE * cols];
            }
        }
        if (alone) {
            rowRange(rows, cols, gp, bc, v, x, bias, y, 0, batch, panels[0]);
            return;
        }
        int minRows = (int) Math.max(TILE, PARALLEL_MIN_WORK / Math.max(1L, (long) gp[groups] * H));
        float[][] ps = panels;
        parallel.forRange(batch, minRows,
                (part, from, to) -> rowRange(rows, cols, gp, bc, v, x, bias, y, from, to, ps[part]));
    }

    /** Rows of X in a tile: the vector kernel's 8 accumulators. */
    static final int TILE = 8;
    /**
     * Inputs from which a tile of X is packed into a panel first: below it the tile's 8 rows (< 8 KB) stay in L1 and
     * are read in place, and packing every column would cost more than the sparse product itself at low density.
     */
    static final int PANEL_MIN_COLS = 256;

    /** Rows [from, to) of Y; {@code panel} holds at least TILE * cols floats of scratch. */
    abstract void rowRange(int rows, int cols, int[] gp, int[] bc, float[] v, float[] x, float[] bias, float[] y,
                           int from, int to, float[] panel);

    abstract String name();

    /** The reference: every output lane's chain, one lane at a time. */
    static final class Scalar extends BlockKernels {
        @Override
        void rowRange(int rows, int cols, int[] gp, int[] bc, float[] v, float[] x, float[] bias, float[] y,
                      int from, int to, float[] panel) {
            for (int b = from; b < to; b++) {
                int xo = b * cols;
                int yo = b * rows;
                for (int g = 0, r0 = 0; r0 < rows; g++, r0 += H) {
                    int h = Math.min(H, rows - r0);
                    for (int i = 0; i < h; i++) {
                        float s = 0f;
                        for (int k = gp[g]; k < gp[g + 1]; k++) {
                            s = Math.fma(x[xo + bc[k]], v[k * H + i], s);
                        }
                        y[yo + r0 + i] = bias == null ? s : s + bias[r0 + i];
                    }
                }
            }
        }

        @Override
        String name() {
            return "scalar";
        }
    }

    /**
     * The same chains, one register of lanes at a time. Tiles of 8 rows of X (then 4, then 1) are the outer loop, and
     * with {@link #PANEL_MIN_COLS} inputs or more a tile of 8 is first copied transposed into a panel (column c's 8
     * values side by side), so a block reads one cache line of X, not 8; every group's blocks then stream past it.
     * (Groups outermost, each group's blocks over all rows, re-read X from memory once per group and register share:
     * at 1024 x 1024, density 0.1, that ran 1.5-2x slower than the CSR product on the development VM.)
     */
    static final class Vectorized extends BlockKernels {
        private static final VectorSpecies<Float> S = VectorLanes.S;
        private static final int L = S.length();

        @Override
        void rowRange(int rows, int cols, int[] gp, int[] bc, float[] v, float[] x, float[] bias, float[] y,
                      int from, int to, float[] panel) {
            boolean pack = cols >= PANEL_MIN_COLS;
            for (int b = from; b < to; ) {
                int t = to - b >= 8 ? 8 : to - b >= 4 ? 4 : 1;
                boolean packed = pack && t == 8;
                if (packed) {
                    for (int r = 0; r < 8; r++) {
                        for (int c = 0, xo = (b + r) * cols; c < cols; c++) {
                            panel[c * 8 + r] = x[xo + c];
                        }
                    }
                }
                float[] p = packed ? panel : x;
                int base = packed ? 0 : b * cols;
                int cs = packed ? 8 : 1;
                int rs = packed ? 1 : cols;
                for (int g = 0, r0 = 0; r0 < rows; g++, r0 += H) {
                    int h = Math.min(H, rows - r0);
                    for (int q = 0; q < h; q += L) {
                        if (h - q < L) {
                            partialLanes(cols, rows, bc, v, x, bias, y, b, b + t, r0 + q, gp[g], gp[g + 1], q, h - q);
                        } else if (t == 8) {
                            tile8(rows, bc, v, p, base, cs, rs, bias, y, b, r0 + q, gp[g], gp[g + 1], q);
                        } else if (t == 4) {
                            tile4(cols, rows, bc, v, x, bias, y, b, r0 + q, gp[g], gp[g + 1], q);
                        } else {
                            tile1(cols, rows, bc, v, x, bias, y, b, r0 + q, gp[g], gp[g + 1], q);
                        }
                    }
                }
                b += t;
            }
        }

        /**
         * Rows b .. b + 7 (X[b + r, c] at p[base + c * cs + r * rs]: the panel, or X in place), outputs o .. o + L - 1
         * (block lanes q .. q + L - 1 of blocks k0 .. k1 - 1).
         */
        private static void tile8(int rows, int[] bc, float[] v, float[] p, int base, int cs, int rs, float[] bias,
                                  float[] y, int b, int o, int k0, int k1, int q) {
            FloatVector a0 = FloatVector.zero(S);
            FloatVector a1 = a0;
            FloatVector a2 = a0;
            FloatVector a3 = a0;
            FloatVector a4 = a0;
            FloatVector a5 = a0;
            FloatVector a6 = a0;
            FloatVector a7 = a0;
            for (int k = k0; k < k1; k++) {
                FloatVector w = FloatVector.fromArray(S, v, k * H + q);
                int c = base + bc[k] * cs;
                a0 = w.fma(FloatVector.broadcast(S, p[c]), a0);
                a1 = w.fma(FloatVector.broadcast(S, p[c + rs]), a1);
                a2 = w.fma(FloatVector.broadcast(S, p[c + 2 * rs]), a2);
                a3 = w.fma(FloatVector.broadcast(S, p[c + 3 * rs]), a3);
                a4 = w.fma(FloatVector.broadcast(S, p[c + 4 * rs]), a4);
                a5 = w.fma(FloatVector.broadcast(S, p[c + 5 * rs]), a5);
                a6 = w.fma(FloatVector.broadcast(S, p[c + 6 * rs]), a6);
                a7 = w.fma(FloatVector.broadcast(S, p[c + 7 * rs]), a7);
            }
            store(a0, bias, o, y, b * rows + o);
            store(a1, bias, o, y, (b + 1) * rows + o);
            store(a2, bias, o, y, (b + 2) * rows + o);
            store(a3, bias, o, y, (b + 3) * rows + o);
            store(a4, bias, o, y, (b + 4) * rows + o);
            store(a5, bias, o, y, (b + 5) * rows + o);
            store(a6, bias, o, y, (b + 6) * rows + o);
            store(a7, bias, o, y, (b + 7) * rows + o);
        }

        private static void tile4(int cols, int rows, int[] bc, float[] v, float[] x, float[] bias, float[] y,
                                  int b, int o, int k0, int k1, int q) {
            FloatVector a0 = FloatVector.zero(S);
            FloatVector a1 = a0;
            FloatVector a2 = a0;
            FloatVector a3 = a0;
            int x0 = b * cols;
            for (int k = k0; k < k1; k++) {
                FloatVector w = FloatVector.fromArray(S, v, k * H + q);
                int c = x0 + bc[k];
                a0 = w.fma(FloatVector.broadcast(S, x[c]), a0);
                a1 = w.fma(FloatVector.broadcast(S, x[c + cols]), a1);
                a2 = w.fma(FloatVector.broadcast(S, x[c + 2 * cols]), a2);
                a3 = w.fma(FloatVector.broadcast(S, x[c + 3 * cols]), a3);
            }
            store(a0, bias, o, y, b * rows + o);
            store(a1, bias, o, y, (b + 1) * rows + o);
            store(a2, bias, o, y, (b + 2) * rows + o);
            store(a3, bias, o, y, (b + 3) * rows + o);
        }

        private static void tile1(int cols, int rows, int[] bc, float[] v, float[] x, float[] bias, float[] y,
                                  int b, int o, int k0, int k1, int q) {
            FloatVector a0 = FloatVector.zero(S);
            int x0 = b * cols;
            for (int k = k0; k < k1; k++) {
                a0 = FloatVector.fromArray(S, v, k * H + q).fma(FloatVector.broadcast(S, x[x0 + bc[k]]), a0);
            }
            store(a0, bias, o, y, b * rows + o);
        }

        /** One register of outputs, plus the bias when there is one (a separate store: no vector merges at a phi). */
        private static void store(FloatVector a, float[] bias, int o, float[] y, int yOff) {
            if (bias == null) {
                a.intoArray(y, yOff);
            } else {
                a.add(FloatVector.fromArray(S, bias, o)).intoArray(y, yOff);
            }
        }

        /** The last {@code n < L} lanes of a ragged group (or of a matrix narrower than a register), rows [from, to). */
        private static void partialLanes(int cols, int rows, int[] bc, float[] v, float[] x, float[] bias, float[] y,
                                         int from, int to, int o, int k0, int k1, int q, int n) {
            var m = S.indexInRange(0, n);
            FloatVector bv = bias == null ? null : FloatVector.fromArray(S, bias, o, m);
            for (int b = from; b < to; b++) {
                FloatVector a0 = FloatVector.zero(S);
                int x0 = b * cols;
                for (int k = k0; k < k1; k++) {
                    a0 = FloatVector.fromArray(S, v, k * H + q).fma(FloatVector.broadcast(S, x[x0 + bc[k]]), a0);
                }
                if (bv == null) {
                    a0.intoArray(y, b * rows + o, m);
                } else {
                    a0.add(bv).intoArray(y, b * rows + o, m);
                }
            }
        }

        @Override
        String name() {
            return "vector(" + S.vectorBitSize() + "-bit)";
        }
    }
}
