package dev.winnow.engine.backend.cpu;

import dev.winnow.engine.backend.BlockMatrix;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;


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
 * layer can switch between the two forms without changing a result. The backward sums in its own fixed orders (see
 * {@link #backward}), the same at every width and thread count.
 *
 * <p>The vector loops are unrolled by hand (8, 4 and 1 rows or blocks at a time, each accumulator spelt out), as in
 * {@link SparseKernels}: C2 keeps such accumulators in registers, while an array of vectors, a vector passed to a
 * method it does not inline, or one merged at a loop phi after an inner loop is boxed and allocated on every use.
 */
abstract class BlockKernels {
    static final int H = BlockMatrix.HEIGHT;
    /** Multiply-adds below which a product stays on the calling thread. */
    private static final long PARALLEL_MIN_WORK = 1L << 17;

    static BlockKernels create(boolean vectorized) {
        return VectorVariants.choose(BlockKernels.class, vectorized, Scalar::new);
    }

    /** Per part: scratch for a tile of rows of X, grown on demand (never per call). */
    private float[][] panels = new float[1][0];

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

    /**
     * The backward: dX += dY W unless dx is null, and the weight gradient added into the dense out x in {@code grad}
     * at the blocks' real rows unless grad is null (see {@link dev.winnow.engine.backend.Backend#blockLinearBackward}
     * for the order). Threads split the rows of dX, and the groups for the weight gradient, whose sums run over the
     * whole batch: every element is summed by one thread in one order.
     */
    final synchronized void backward(int rows, int cols, int[] gp, int[] bc, int[] pp, int[] pc, float[] vt,
                                     float[] dy, float[] x, int batch, float[] dx, float[] grad, Parallel parallel) {
        int groups = BlockMatrix.groups(rows);
        if (gp.length < groups + 1 || pp.length < groups + 1 || gp[groups] > bc.length || pp[groups] > pc.length
                || (long) pp[groups] * H > vt.length) {
            throw new IllegalArgumentException("block backward: " + rows + "x" + cols + " with " + gp.length
                    + " group and " + pp.length + " padded-group pointers, " + pc.length + " padded columns and "
                    + vt.length + " values do not describe one block matrix");
        }
        if ((long) batch * rows > dy.length || (long) batch * cols > x.length
                || (dx != null && (long) batch * cols > dx.length) || (grad != null && (long) rows * cols > grad.length)) {
            throw new IllegalArgumentException("block backward: batch " + batch + " of " + cols + " inputs and " + rows
                    + " outputs, got dy " + dy.length + ", x " + x.length + (dx == null ? "" : ", dx " + dx.length)
                    + (grad == null ? "" : ", grad " + grad.length) + " floats");
        }
        if (batch == 0 || rows == 0 || gp[groups] == 0) {
            return;
        }
        long work = (long) gp[groups] * H * batch;
        boolean alone = work < PARALLEL_MIN_WORK || parallel.threads() == 1;
        int parts = alone ? 1 : parallel.threads();
        if (panels.length < parts) {
            panels = java.util.Arrays.copyOf(panels, parts);
        }
        for (int p = 0; p < parts; p++) {
            // the input gradient's tile of 8 rows over the padded columns; the weight gradient's sums per block lane
            int need = Math.max(8 * pp[groups], gp[groups] * H);
            if (panels[p] == null || panels[p].length < need) {
                panels[p] = new float[need];
            }
        }
        float[][] ps = panels;
        if (dx != null) {
            if (alone) {
                inputGradient(rows, cols, gp, pp, pc, vt, dy, dx, 0, batch, ps[0]);
            } else {
                int minRows = (int) Math.max(TILE, PARALLEL_MIN_WORK / Math.max(1L, (long) gp[groups] * H));
                parallel.forRange(batch, minRows,
                        (part, from, to) -> inputGradient(rows, cols, gp, pp, pc, vt, dy, dx, from, to, ps[part]));
            }
        }
        if (grad != null) {
            if (alone) {
                weightGradient(rows, cols, gp, bc, dy, x, batch, grad, 0, groups, ps[0]);
            } else {
                parallel.forRange(groups, 1,
                        (part, from, to) -> weightGradient(rows, cols, gp, bc, dy, x, batch, grad, from, to, ps[part]));
            }
        }
    }

    /**
     * dX rows [from, to): each row takes every group's partial sums (its real columns only) in group order.
     */
    abstract void inputGradient(int rows, int cols, int[] gp, int[] pp, int[] pc, float[] vt, float[] dy, float[] dx,
                                int from, int to, float[] scratch);

    /** grad[r, c] += (0 + dY[b, r] X[b, c] over b in order) at the real rows of groups [from, to)'s blocks. */
    abstract void weightGradient(int rows, int cols, int[] gp, int[] bc, float[] dy, float[] x, int batch,
                                 float[] grad, int from, int to, float[] scratch);

    /**
     * Row b's partial sums for group g's real columns, one at a time: s = 0, then s = fma(dY[b, 16g + i],
     * W[16g + i, c], s) for the group's real rows i in order, then dX[b, c] += s.
     */
    static void inputGradientGroup(int rows, int cols, int[] gp, int[] pp, int[] pc, float[] vt, float[] dy,
                                   float[] dx, int b, int g) {
        int r0 = g * H;
        int h = Math.min(H, rows - r0);
        int width = pp[g + 1] - pp[g];
        int base = H * pp[g];
        for (int j = 0, m = gp[g + 1] - gp[g]; j < m; j++) {
            float s = 0f;
            for (int i = 0; i < h; i++) {
                s = Math.fma(dy[b * rows + r0 + i], vt[base + i * width + j], s);
            }
            dx[b * cols + pc[pp[g] + j]] += s;
        }
    }

    /** The weight gradient's chains for rows o .. o + n - 1 of blocks k0 .. k1 - 1, one element at a time. */
    static void weightGradientLanes(int rows, int cols, int k0, int k1, int[] bc, float[] dy, float[] x, int batch,
                                    float[] grad, int o, int n) {
        for (int k = k0; k < k1; k++) {
            int c = bc[k];
            for (int i = 0; i < n; i++) {
                float s = 0f;
                for (int b = 0; b < batch; b++) {
                    s = Math.fma(dy[b * rows + o + i], x[b * cols + c], s);
                }
                grad[(o + i) * cols + c] += s;
            }
        }
    }

    /** Rows of X in a tile: the vector kernel's 8 accumulators. */
    static final int TILE = 8;
    /** Floats of dY and X rows that one chunk of the weight gradient's batch keeps in the L1 cache (16 KB). */
    static final int L1_FLOATS = 4096;
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
        void inputGradient(int rows, int cols, int[] gp, int[] pp, int[] pc, float[] vt, float[] dy, float[] dx,
                           int from, int to, float[] scratch) {
            for (int b = from; b < to; b++) {
                for (int g = 0; g * H < rows; g++) {
                    inputGradientGroup(rows, cols, gp, pp, pc, vt, dy, dx, b, g);
                }
            }
        }

        @Override
        void weightGradient(int rows, int cols, int[] gp, int[] bc, float[] dy, float[] x, int batch, float[] grad,
                            int from, int to, float[] scratch) {
            for (int g = from; g < to; g++) {
                int r0 = g * H;
                weightGradientLanes(rows, cols, gp[g], gp[g + 1], bc, dy, x, batch, grad, r0, Math.min(H, rows - r0));
            }
        }

        @Override
        String name() {
            return "scalar";
        }
    }

    /**
     * The same chains, one register of lanes at a time. Tiles of 8 rows of X (then 4, then 1) are the outer loop, and
     * with {@link #PANEL_MIN_COLS} inputs or more and fewer than 16 lanes a tile of 8 is first copied transposed into
     * a panel (column c's 8 values side by side), so a block reads one cache line of X, not 8; every group's blocks
     * then stream past it.
     * (Groups outermost, each group's blocks over all rows, re-read X from memory once per group and register share:
     * at 1024 x 1024, density 0.1, that ran 1.5-2x slower than the CSR product on the development VM.)
     *
     * <p>Where a group of 16 lanes spans two registers or more (256 and 128 bits), the forward and the weight gradient
     * run two of its registers abreast, so one broadcast feeds two multiply-adds, and every loop keeps 8 independent
     * sums, so no multiply-add waits for the one before it: with the input gradient's changes below, that took the
     * NCF student's block16 step at density 0.1 from 1.8-2.2x to 2.6-2.9x the dense step's speed on the AVX2
     * development VM (bench/RESULTS.md, "Block kernels, second pass"). Each output still takes its one chain in its
     * one order, so the bits are unchanged.
     */
    static final class Vectorized extends BlockKernels {
        private static final VectorSpecies<Float> S = VectorLanes.S;
        private static final int L = S.length();
        /**
         * Whether wide tiles of X are packed into panels ({@link #PANEL_MIN_COLS}): not with 16 lanes, where the
         * packing's scalar transpose cost more than the 8 lines a block then reads: on Zen 5 at 512 bits the block
         * forward at 1024x1024, density 0.1, batch 1024 took 2.8-2.9 ms in place against 3.3-3.8 ms packed, and the
         * teacher-sized MLP's batch-1024 inference ran 1.35-1.5x faster; at 256 bits the two were within noise there
         * (bench/RESULTS.md, Machine 2). The bits do not depend on it: the same products in the same order.
         */
        private static final boolean PACK_WIDE_TILES = L < 16;

        @Override
        void rowRange(int rows, int cols, int[] gp, int[] bc, float[] v, float[] x, float[] bias, float[] y,
                      int from, int to, float[] panel) {
            boolean pack = PACK_WIDE_TILES && cols >= PANEL_MIN_COLS;
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
                        } else if (t >= 4 && h - q >= 2 * L) {
                            // two register shares of the group abreast, 4 rows at a time
                            for (int r = 0; r < t; r += 4) {
                                tilePairs(rows, bc, v, p, base + r * rs, cs, rs, bias, y, b + r, r0 + q, gp[g],
                                        gp[g + 1], q);
                            }
                            q += L;
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

        /**
         * Rows b .. b + 3 (X as in {@link #tile8}), outputs o .. o + 2L - 1 (block lanes q .. q + 2L - 1): two
         * registers of each block against one broadcast of X[b + r, c], 8 sums abreast.
         */
        private static void tilePairs(int rows, int[] bc, float[] v, float[] p, int base, int cs, int rs, float[] bias,
                                      float[] y, int b, int o, int k0, int k1, int q) {
            FloatVector a0 = FloatVector.zero(S);
            FloatVector a1 = a0;
            FloatVector a2 = a0;
            FloatVector a3 = a0;
            FloatVector e0 = a0;
            FloatVector e1 = a0;
            FloatVector e2 = a0;
            FloatVector e3 = a0;
            for (int k = k0; k < k1; k++) {
                FloatVector w = FloatVector.fromArray(S, v, k * H + q);
                FloatVector u = FloatVector.fromArray(S, v, k * H + q + L);
                int c = base + bc[k] * cs;
                FloatVector s0 = FloatVector.broadcast(S, p[c]);
                a0 = w.fma(s0, a0);
                e0 = u.fma(s0, e0);
                FloatVector s1 = FloatVector.broadcast(S, p[c + rs]);
                a1 = w.fma(s1, a1);
                e1 = u.fma(s1, e1);
                FloatVector s2 = FloatVector.broadcast(S, p[c + 2 * rs]);
                a2 = w.fma(s2, a2);
                e2 = u.fma(s2, e2);
                FloatVector s3 = FloatVector.broadcast(S, p[c + 3 * rs]);
                a3 = w.fma(s3, a3);
                e3 = u.fma(s3, e3);
            }
            int yo = b * rows + o;
            store(a0, bias, o, y, yo);
            store(e0, bias, o + L, y, yo + L);
            store(a1, bias, o, y, yo + rows);
            store(e1, bias, o + L, y, yo + rows + L);
            store(a2, bias, o, y, yo + 2 * rows);
            store(e2, bias, o + L, y, yo + 2 * rows + L);
            store(a3, bias, o, y, yo + 3 * rows);
            store(e3, bias, o + L, y, yo + 3 * rows + L);
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

        /**
         * Tiles of 8 rows: per group and L consecutive kept columns, a register of partial sums per row takes
         * one load of W's row over those columns against the row's broadcast dY[b, 16g + i] (no transposition of dY).
         * Only the group's real columns are computed, rounded up to a register (its padding to 16 is for the widest
         * register); a tile's sums go to scratch and are added into dX, group by group, over the real columns once
         * the tile is done. A batch's last 1-7 rows take the scalar chains.
         */
        @Override
        void inputGradient(int rows, int cols, int[] gp, int[] pp, int[] pc, float[] vt, float[] dy, float[] dx,
                           int from, int to, float[] scratch) {
            int padded = pp[pp.length - 1];
            int b = from;
            for (; b + 8 <= to; b += 8) {
                for (int g = 0, r0 = 0; r0 < rows; g++, r0 += H) {
                    int h = Math.min(H, rows - r0);
                    int width = pp[g + 1] - pp[g];
                    int base = H * pp[g];
                    int y0 = b * rows + r0;
                    for (int j = 0, m = gp[g + 1] - gp[g]; j < m; j += L) {
                        FloatVector a0 = FloatVector.zero(S);
                        FloatVector a1 = a0;
                        FloatVector a2 = a0;
                        FloatVector a3 = a0;
                        FloatVector a4 = a0;
                        FloatVector a5 = a0;
                        FloatVector a6 = a0;
                        FloatVector a7 = a0;
                        for (int i = 0; i < h; i++) {
                            FloatVector w = FloatVector.fromArray(S, vt, base + i * width + j);
                            int d = y0 + i;
                            a0 = w.fma(FloatVector.broadcast(S, dy[d]), a0);
                            a1 = w.fma(FloatVector.broadcast(S, dy[d + rows]), a1);
                            a2 = w.fma(FloatVector.broadcast(S, dy[d + 2 * rows]), a2);
                            a3 = w.fma(FloatVector.broadcast(S, dy[d + 3 * rows]), a3);
                            a4 = w.fma(FloatVector.broadcast(S, dy[d + 4 * rows]), a4);
                            a5 = w.fma(FloatVector.broadcast(S, dy[d + 5 * rows]), a5);
                            a6 = w.fma(FloatVector.broadcast(S, dy[d + 6 * rows]), a6);
                            a7 = w.fma(FloatVector.broadcast(S, dy[d + 7 * rows]), a7);
                        }
                        int so = pp[g] + j;
                        a0.intoArray(scratch, so);
                        a1.intoArray(scratch, padded + so);
                        a2.intoArray(scratch, 2 * padded + so);
                        a3.intoArray(scratch, 3 * padded + so);
                        a4.intoArray(scratch, 4 * padded + so);
                        a5.intoArray(scratch, 5 * padded + so);
                        a6.intoArray(scratch, 6 * padded + so);
                        a7.intoArray(scratch, 7 * padded + so);
                    }
                }
                addRealColumns(rows, cols, gp, pp, pc, dx, b, scratch, padded);
            }
            for (; b < to; b++) {
                for (int g = 0; g * H < rows; g++) {
                    inputGradientGroup(rows, cols, gp, pp, pc, vt, dy, dx, b, g);
                }
            }
        }

        /**
         * dX[b + r, c] += the 8-row tile's sum for row r and each group's real column c, groups in order (each
         * element's adds in the order of {@link #inputGradientGroup}); read back only once the whole tile is stored,
         * since a float loaded right after the vector store that wrote it waits for the store.
         */
        private static void addRealColumns(int rows, int cols, int[] gp, int[] pp, int[] pc, float[] dx, int b,
                                           float[] scratch, int padded) {
            for (int g = 0; g + 1 < pp.length && g * H < rows; g++) {
                for (int e = pp[g], end = pp[g] + gp[g + 1] - gp[g]; e < end; e++) {
                    // spelt out: a loop over the 8 rows paid an index multiply and two range checks per add
                    int xo = b * cols + pc[e];
                    dx[xo] += scratch[e];
                    dx[xo + cols] += scratch[padded + e];
                    dx[xo + 2 * cols] += scratch[2 * padded + e];
                    dx[xo + 3 * cols] += scratch[3 * padded + e];
                    dx[xo + 4 * cols] += scratch[4 * padded + e];
                    dx[xo + 5 * cols] += scratch[5 * padded + e];
                    dx[xo + 6 * cols] += scratch[6 * padded + e];
                    dx[xo + 7 * cols] += scratch[7 * padded + e];
                }
            }
        }

        /**
         * Per group, each register of accumulators sums one block's lanes over the batch in row order. The batch runs
         * in chunks whose rows of dY and X stay in the L1 cache ({@link #L1_FLOATS}); a block's running sums wait in
         * {@code scratch} at the block values' positions between chunks, so every element still takes its one chain.
         * Where a group spans two registers or more (H = 16 > L), two register shares of 4 blocks at a time (then 2,
         * then 1) run together: one broadcast of X[b, c] feeds both shares, and 8 independent sums keep the
         * multiply-adds from waiting on each other. A single share (H = L, the 512-bit registers) takes 8 blocks at a
         * time (then 4, then 1), one load of dY's lanes feeding them. (Over the whole batch at once, each pass over a
         * group's blocks streamed the batch's rows of dY and X from L2 again: at batch 256, 64 x 128, that bound it.)
         */
        @Override
        void weightGradient(int rows, int cols, int[] gp, int[] bc, float[] dy, float[] x, int batch, float[] grad,
                            int from, int to, float[] scratch) {
            int k0 = gp[from];
            int k1 = gp[to];
            java.util.Arrays.fill(scratch, k0 * H, k1 * H, 0f);
            int chunk = (int) Math.max(8, Math.min(batch, L1_FLOATS / ((long) rows + cols)));
            for (int b0 = 0; b0 < batch; b0 += chunk) {
                int b1 = Math.min(batch, b0 + chunk);
                for (int g = from; g < to; g++) {
                    int r0 = g * H;
                    int h = Math.min(H, rows - r0);
                    int q = 0;
                    for (; q + 2 * L <= h; q += 2 * L) {
                        sumPairs(rows, cols, gp[g], gp[g + 1], bc, dy, x, b0, b1, r0 + q, q, scratch);
                    }
                    for (; q + L <= h; q += L) {
                        sumShare(rows, cols, gp[g], gp[g + 1], bc, dy, x, b0, b1, r0 + q, q, scratch);
                    }
                }
            }
            for (int g = from; g < to; g++) {
                int r0 = g * H;
                int h = Math.min(H, rows - r0);
                int full = h / L * L;
                for (int k = gp[g]; k < gp[g + 1]; k++) {
                    int c = bc[k];
                    for (int i = 0; i < full; i++) {
                        grad[(r0 + i) * cols + c] += scratch[k * H + i];
                    }
                }
                if (full < h) {
                    // a ragged group's last lanes, one at a time (a masked load is not intrinsified on JDK 17)
                    weightGradientLanes(rows, cols, gp[g], gp[g + 1], bc, dy, x, batch, grad, r0 + full, h - full);
                }
            }
        }

        /**
         * Rows b0 .. b1 - 1 into the running sums of lanes q .. q + 2L - 1 (outputs o ..) of blocks k0 .. k1 - 1, which
         * {@code acc} holds at k * H + q: two register shares abreast (see {@link #weightGradient}).
         */
        private static void sumPairs(int rows, int cols, int k0, int k1, int[] bc, float[] dy, float[] x, int b0,
                                     int b1, int o, int q, float[] acc) {
            int p = o + L;
            int k = k0;
            for (; k + 4 <= k1; k += 4) {
                int s = k * H + q;
                FloatVector a0 = FloatVector.fromArray(S, acc, s);
                FloatVector e0 = FloatVector.fromArray(S, acc, s + L);
                FloatVector a1 = FloatVector.fromArray(S, acc, s + H);
                FloatVector e1 = FloatVector.fromArray(S, acc, s + H + L);
                FloatVector a2 = FloatVector.fromArray(S, acc, s + 2 * H);
                FloatVector e2 = FloatVector.fromArray(S, acc, s + 2 * H + L);
                FloatVector a3 = FloatVector.fromArray(S, acc, s + 3 * H);
                FloatVector e3 = FloatVector.fromArray(S, acc, s + 3 * H + L);
                int c0 = bc[k];
                int c1 = bc[k + 1];
                int c2 = bc[k + 2];
                int c3 = bc[k + 3];
                for (int b = b0; b < b1; b++) {
                    FloatVector d = FloatVector.fromArray(S, dy, b * rows + o);
                    FloatVector f = FloatVector.fromArray(S, dy, b * rows + p);
                    int xo = b * cols;
                    FloatVector x0 = FloatVector.broadcast(S, x[xo + c0]);
                    a0 = d.fma(x0, a0);
                    e0 = f.fma(x0, e0);
                    FloatVector x1 = FloatVector.broadcast(S, x[xo + c1]);
                    a1 = d.fma(x1, a1);
                    e1 = f.fma(x1, e1);
                    FloatVector x2 = FloatVector.broadcast(S, x[xo + c2]);
                    a2 = d.fma(x2, a2);
                    e2 = f.fma(x2, e2);
                    FloatVector x3 = FloatVector.broadcast(S, x[xo + c3]);
                    a3 = d.fma(x3, a3);
                    e3 = f.fma(x3, e3);
                }
                a0.intoArray(acc, s);
                e0.intoArray(acc, s + L);
                a1.intoArray(acc, s + H);
                e1.intoArray(acc, s + H + L);
                a2.intoArray(acc, s + 2 * H);
                e2.intoArray(acc, s + 2 * H + L);
                a3.intoArray(acc, s + 3 * H);
                e3.intoArray(acc, s + 3 * H + L);
            }
            for (; k + 2 <= k1; k += 2) {
                int s = k * H + q;
                FloatVector a0 = FloatVector.fromArray(S, acc, s);
                FloatVector e0 = FloatVector.fromArray(S, acc, s + L);
                FloatVector a1 = FloatVector.fromArray(S, acc, s + H);
                FloatVector e1 = FloatVector.fromArray(S, acc, s + H + L);
                int c0 = bc[k];
                int c1 = bc[k + 1];
                for (int b = b0; b < b1; b++) {
                    FloatVector d = FloatVector.fromArray(S, dy, b * rows + o);
                    FloatVector f = FloatVector.fromArray(S, dy, b * rows + p);
                    int xo = b * cols;
                    FloatVector x0 = FloatVector.broadcast(S, x[xo + c0]);
                    a0 = d.fma(x0, a0);
                    e0 = f.fma(x0, e0);
                    FloatVector x1 = FloatVector.broadcast(S, x[xo + c1]);
                    a1 = d.fma(x1, a1);
                    e1 = f.fma(x1, e1);
                }
                a0.intoArray(acc, s);
                e0.intoArray(acc, s + L);
                a1.intoArray(acc, s + H);
                e1.intoArray(acc, s + H + L);
            }
            if (k < k1) {
                int s = k * H + q;
                FloatVector a0 = FloatVector.fromArray(S, acc, s);
                FloatVector e0 = FloatVector.fromArray(S, acc, s + L);
                int c0 = bc[k];
                for (int b = b0; b < b1; b++) {
                    FloatVector x0 = FloatVector.broadcast(S, x[b * cols + c0]);
                    a0 = FloatVector.fromArray(S, dy, b * rows + o).fma(x0, a0);
                    e0 = FloatVector.fromArray(S, dy, b * rows + p).fma(x0, e0);
                }
                a0.intoArray(acc, s);
                e0.intoArray(acc, s + L);
            }
        }

        /** As {@link #sumPairs} for one register share, lanes q .. q + L - 1: 8 blocks at a time, then 4, then 1. */
        private static void sumShare(int rows, int cols, int k0, int k1, int[] bc, float[] dy, float[] x, int b0,
                                     int b1, int o, int q, float[] acc) {
            int k = k0;
            for (; k + 8 <= k1; k += 8) {
                int s = k * H + q;
                FloatVector a0 = FloatVector.fromArray(S, acc, s);
                FloatVector a1 = FloatVector.fromArray(S, acc, s + H);
                FloatVector a2 = FloatVector.fromArray(S, acc, s + 2 * H);
                FloatVector a3 = FloatVector.fromArray(S, acc, s + 3 * H);
                FloatVector a4 = FloatVector.fromArray(S, acc, s + 4 * H);
                FloatVector a5 = FloatVector.fromArray(S, acc, s + 5 * H);
                FloatVector a6 = FloatVector.fromArray(S, acc, s + 6 * H);
                FloatVector a7 = FloatVector.fromArray(S, acc, s + 7 * H);
                int c0 = bc[k];
                int c1 = bc[k + 1];
                int c2 = bc[k + 2];
                int c3 = bc[k + 3];
                int c4 = bc[k + 4];
                int c5 = bc[k + 5];
                int c6 = bc[k + 6];
                int c7 = bc[k + 7];
                for (int b = b0; b < b1; b++) {
                    FloatVector d = FloatVector.fromArray(S, dy, b * rows + o);
                    int xo = b * cols;
                    a0 = d.fma(FloatVector.broadcast(S, x[xo + c0]), a0);
                    a1 = d.fma(FloatVector.broadcast(S, x[xo + c1]), a1);
                    a2 = d.fma(FloatVector.broadcast(S, x[xo + c2]), a2);
                    a3 = d.fma(FloatVector.broadcast(S, x[xo + c3]), a3);
                    a4 = d.fma(FloatVector.broadcast(S, x[xo + c4]), a4);
                    a5 = d.fma(FloatVector.broadcast(S, x[xo + c5]), a5);
                    a6 = d.fma(FloatVector.broadcast(S, x[xo + c6]), a6);
                    a7 = d.fma(FloatVector.broadcast(S, x[xo + c7]), a7);
                }
                a0.intoArray(acc, s);
                a1.intoArray(acc, s + H);
                a2.intoArray(acc, s + 2 * H);
                a3.intoArray(acc, s + 3 * H);
                a4.intoArray(acc, s + 4 * H);
                a5.intoArray(acc, s + 5 * H);
                a6.intoArray(acc, s + 6 * H);
                a7.intoArray(acc, s + 7 * H);
            }
            for (; k + 4 <= k1; k += 4) {
                int s = k * H + q;
                FloatVector a0 = FloatVector.fromArray(S, acc, s);
                FloatVector a1 = FloatVector.fromArray(S, acc, s + H);
                FloatVector a2 = FloatVector.fromArray(S, acc, s + 2 * H);
                FloatVector a3 = FloatVector.fromArray(S, acc, s + 3 * H);
                int c0 = bc[k];
                int c1 = bc[k + 1];
                int c2 = bc[k + 2];
                int c3 = bc[k + 3];
                for (int b = b0; b < b1; b++) {
                    FloatVector d = FloatVector.fromArray(S, dy, b * rows + o);
                    int xo = b * cols;
                    a0 = d.fma(FloatVector.broadcast(S, x[xo + c0]), a0);
                    a1 = d.fma(FloatVector.broadcast(S, x[xo + c1]), a1);
                    a2 = d.fma(FloatVector.broadcast(S, x[xo + c2]), a2);
                    a3 = d.fma(FloatVector.broadcast(S, x[xo + c3]), a3);
                }
                a0.intoArray(acc, s);
                a1.intoArray(acc, s + H);
                a2.intoArray(acc, s + 2 * H);
                a3.intoArray(acc, s + 3 * H);
            }
            for (; k < k1; k++) {
                int s = k * H + q;
                FloatVector a0 = FloatVector.fromArray(S, acc, s);
                int c0 = bc[k];
                for (int b = b0; b < b1; b++) {
                    a0 = FloatVector.fromArray(S, dy, b * rows + o).fma(FloatVector.broadcast(S, x[b * cols + c0]), a0);
                }
                a0.intoArray(acc, s);
            }
        }

        /** One register of outputs, plus the bias when there is one (a separate store: no vector merges at a phi). */
        private static void store(FloatVector a, float[] bias, int o, float[] y, int yOff) {
            if (bias == null) {
                a.intoArray(y, yOff);
            } else {
                a.add(FloatVector.fromArray(S, bias, o)).intoArray(y, yOff);
            }
        }

        /**
         * The last {@code n < L} lanes of a ragged group (or of a matrix narrower than a register), rows [from, to),
         * one lane at a time: a masked load or store is not intrinsified on JDK 17 and allocated on every call.
         */
        private static void partialLanes(int cols, int rows, int[] bc, float[] v, float[] x, float[] bias, float[] y,
                                         int from, int to, int o, int k0, int k1, int q, int n) {
            for (int b = from; b < to; b++) {
                for (int i = 0; i < n; i++) {
                    float s = 0f;
                    for (int k = k0; k < k1; k++) {
                        s = Math.fma(x[b * cols + bc[k]], v[k * H + q + i], s);
                    }
                    y[b * rows + o + i] = bias == null ? s : s + bias[o + i];
                }
            }
        }

        @Override
        String name() {
            return "vector(" + S.vectorBitSize() + "-bit)";
        }
    }
}
