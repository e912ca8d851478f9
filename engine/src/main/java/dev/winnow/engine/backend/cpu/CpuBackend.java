package dev.winnow.engine.backend.cpu;

import dev.winnow.engine.backend.AdamHyper;
import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.backend.BinaryOp;
import dev.winnow.engine.backend.BlockMatrix;
import dev.winnow.engine.backend.Broadcast;
import dev.winnow.engine.backend.CsrMatrix;
import dev.winnow.engine.backend.IntStorage;
import dev.winnow.engine.backend.LayerScratch;
import dev.winnow.engine.backend.SgdHyper;
import dev.winnow.engine.backend.Storage;
import dev.winnow.engine.backend.UnaryOp;

import java.util.Arrays;
import java.util.logging.Logger;

/**
 * The reference backend: heap arrays, a Vector API GEMM (EJML when the incubator module is absent), hand-written
 * loops for everything else, a fixed partition over a fixed number of threads. Every other backend is tested against
 * this one, and a seed plus a thread count fix its results bit for bit.
 */
public final class CpuBackend implements Backend {
    private static final Logger LOG = Logger.getLogger(CpuBackend.class.getName());
    /** Elements per part of a split element-wise loop (also the optimiser steps' dense sweeps). */
    static final int ELEMENTWISE_GRAIN = 1 << 15;

    private final Parallel parallel;
    private final DenseGemm gemm;
    private final SparseKernels sparse;
    private final BlockKernels blocks;
    private final ElementwiseKernels elementwise;
    private final BatchNormKernels batchNorm;
    private final CpuOptimizerSteps steps;
    private float[] maskScratch = new float[0];

    public CpuBackend(int threads) {
        this(threads, GemmChoice.detect());
    }

    public CpuBackend(int threads, GemmChoice choice) {
        this.parallel = new Parallel(threads);
        this.gemm = choice.create();
        // The "no Vector API" configuration (EJML) gets the plain-Java sparse kernels too, so it can be tested in-process.
        this.sparse = choice == GemmChoice.EJML ? SparseKernels.create(false) : SparseKernels.create();
        this.blocks = BlockKernels.create(choice != GemmChoice.EJML);
        this.elementwise = ElementwiseKernels.create(choice != GemmChoice.EJML);
        this.batchNorm = BatchNormKernels.create(choice != GemmChoice.EJML);
        this.steps = new CpuOptimizerSteps(parallel, elementwise);
    }

    /** Which dense GEMM the CPU backend uses. */
    public enum GemmChoice {
        VECTOR, EJML;

        private static volatile GemmChoice detected;

        /**
         * VECTOR when the jdk.incubator.vector module is in the boot layer, else EJML; the system property
         * {@code winnow.gemm=ejml|vector} overrides. Decided once per JVM and logged in one line.
         */
        public static GemmChoice detect() {
            GemmChoice d = detected;
            if (d != null) {
                return d;
            }
            synchronized (GemmChoice.class) {
                if (detected == null) {
                    boolean present = vectorModulePresent();
                    String forced = System.getProperty("winnow.gemm", "").trim().toLowerCase(java.util.Locale.ROOT);
                    GemmChoice choice;
                    String why;
                    if (forced.equals("ejml")) {
                        choice = EJML;
                        why = "forced by -Dwinnow.gemm=ejml";
                    } else if (present) {
                        choice = VECTOR;
                        why = "jdk.incubator.vector is present";
                    } else {
                        choice = EJML;
                        why = "jdk.incubator.vector is absent (add --add-modules jdk.incubator.vector for the fast path)";
                    }
                    LOG.info("CPU GEMM: " + choice.name().toLowerCase(java.util.Locale.ROOT) + " (" + why + ")");
                    detected = choice;
                }
                return detected;
            }
        }

        public static boolean vectorModulePresent() {
            return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
        }

        DenseGemm create() {
            if (this == EJML) {
                return new EjmlGemm();
            }
            if (!vectorModulePresent()) {
                throw new IllegalStateException("the Vector API GEMM needs --add-modules jdk.incubator.vector");
            }
            try {
                return (DenseGemm) Class.forName("dev.winnow.engine.backend.cpu.VectorGemm")
                        .getDeclaredConstructor().newInstance();
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot create the Vector API GEMM", e);
            }
        }
    }

    @Override
    public String name() {
        return "cpu-" + gemm.name() + "(" + parallel.threads() + " thread" + (parallel.threads() == 1 ? "" : "s") + ")";
    }

    public int threads() {
        return parallel.threads();
    }

    static float[] f(Storage s) {
        return ((CpuStorage) s).data;
    }

    static int[] ints(IntStorage s) {
        return ((CpuIntStorage) s).data;
    }

    // ---- memory -------------------------------------------------------------------------------------------------

    @Override
    public Storage allocate(int length) {
        return new CpuStorage(new float[length]);
    }

    @Override
    public IntStorage allocateInts(int length) {
        return new CpuIntStorage(new int[length]);
    }

    @Override
    public void upload(float[] src, int srcOffset, Storage dst, int dstOffset, int length) {
        System.arraycopy(src, srcOffset, f(dst), dstOffset, length);
    }

    @Override
    public void download(Storage src, int srcOffset, float[] dst, int dstOffset, int length) {
        System.arraycopy(f(src), srcOffset, dst, dstOffset, length);
    }

    @Override
    public void uploadInts(int[] src, int srcOffset, IntStorage dst, int dstOffset, int length) {
        System.arraycopy(src, srcOffset, ints(dst), dstOffset, length);
    }

    @Override
    public void downloadInts(IntStorage src, int srcOffset, int[] dst, int dstOffset, int length) {
        System.arraycopy(ints(src), srcOffset, dst, dstOffset, length);
    }

    @Override
    public void free(Storage storage) {
    }

    @Override
    public void free(IntStorage storage) {
    }

    @Override
    public void fill(Storage dst, int offset, int length, float value) {
        Arrays.fill(f(dst), offset, offset + length, value);
    }

    @Override
    public void copy2d(Storage src, int srcOffset, int srcStride, Storage dst, int dstOffset, int dstStride,
                       int rows, int cols, float beta) {
        float[] s = f(src);
        float[] d = f(dst);
        for (int r = 0; r < rows; r++) {
            int so = srcOffset + r * srcStride;
            int dOff = dstOffset + r * dstStride;
            if (beta == 0f) {
                System.arraycopy(s, so, d, dOff, cols);
            } else {
                elementwise.addScaledRow(s, so, d, dOff, cols, beta);
            }
        }
    }

    @Override
    public void transpose(Storage src, int rows, int cols, Storage dst) {
        float[] s = f(src);
        float[] d = f(dst);
        final int block = 32;
        for (int r0 = 0; r0 < rows; r0 += block) {
            int r1 = Math.min(rows, r0 + block);
            for (int c0 = 0; c0 < cols; c0 += block) {
                int c1 = Math.min(cols, c0 + block);
                for (int r = r0; r < r1; r++) {
                    for (int c = c0; c < c1; c++) {
                        d[c * rows + r] = s[r * cols + c];
                    }
                }
            }
        }
    }

    // ---- dense and masked products ------------------------------------------------------------------------------

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                     Storage a, int lda, Storage b, int ldb, float beta, Storage c, int ldc) {
        gemm.gemm(transA, transB, m, n, k, alpha, f(a), lda, f(b), ldb, beta, f(c), ldc, parallel);
    }

    @Override
    public synchronized void gemmMasked(boolean transA, boolean transB, int m, int n, int k, float alpha,
                                        Storage a, int lda, Storage b, int ldb, Storage maskB, float beta,
                                        Storage c, int ldc) {
        if (maskB == null) {
            gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
            return;
        }
        float[] bv = f(b);
        float[] mv = f(maskB);
        int rowsB = transB ? n : k;
        int size = rowsB * ldb;
        if (maskScratch.length < size) {
            maskScratch = new float[size];
        }
        float[] masked = maskScratch;
        for (int i = 0; i < size; i++) {
            masked[i] = bv[i] * mv[i];
        }
        gemm.gemm(transA, transB, m, n, k, alpha, f(a), lda, masked, ldb, beta, f(c), ldc, parallel);
    }

    // ---- sparse products ----------------------------------------------------------------------------------------

    @Override
    public void csrSpmmNT(CsrMatrix w, Storage x, int batch, float beta, Storage y) {
        sparse.spmmNT(w.rows, w.cols, ints(w.rowPtr), ints(w.colIdx), f(w.values), f(x), batch, beta, f(y), parallel);
    }

    /**
     * The CPU's layer scratch: the forward's packed input, which the backward's SDDMM reads as it is, and the weight
     * as the backward takes it, made on the layer's first backward (a layer keeps its W and W^T for life).
     */
    private static final class PackedInput implements LayerScratch {
        final SparseKernels.Packed packed = new SparseKernels.Packed();
        private CsrMatrix w;
        private CsrMatrix wT;
        private SparseKernels.LayerWeight weight;

        SparseKernels.LayerWeight weight(CsrMatrix w, CsrMatrix wT) {
            if (w != this.w || wT != this.wT) {
                weight = new SparseKernels.LayerWeight(w.rows, w.cols, ints(w.rowPtr), ints(w.colIdx),
                        ints(wT.rowPtr), ints(wT.colIdx), f(wT.values));
                this.w = w;
                this.wT = wT;
            }
            return weight;
        }

        @Override
        public void close() {
        }
    }

    @Override
    public LayerScratch newLayerScratch() {
        return new PackedInput();
    }

    private static PackedInput input(LayerScratch scratch) {
        if (scratch instanceof PackedInput p) {
            return p;
        }
        throw new IllegalArgumentException("this layer scratch was not made by a CPU backend ("
                + (scratch == null ? "null" : scratch.getClass().getName()) + "): make it with newLayerScratch()");
    }

    @Override
    public long csrLinearForward(CsrMatrix w, Storage x, int batch, Storage bias, Storage y, LayerScratch scratch) {
        if (bias != null && bias.length() < w.rows) {
            throw new IllegalArgumentException("csrLinearForward: bias holds " + bias.length() + " values, W has "
                    + w.rows + " rows");
        }
        return sparse.linearForward(w.rows, w.cols, ints(w.rowPtr), ints(w.colIdx), f(w.values), f(x), batch,
                bias == null ? null : f(bias), f(y), input(scratch).packed, parallel);
    }

    @Override
    public void csrLinearBackward(CsrMatrix w, CsrMatrix wT, Storage dy, Storage x, int batch, Storage dx,
                                  Storage grad, LayerScratch scratch, long token) {
        if (wT.rows != w.cols || wT.cols != w.rows || wT.nnz != w.nnz) {
            throw new IllegalArgumentException("csrLinearBackward: the transposed copy is " + wT.rows + "x" + wT.cols
                    + " with " + wT.nnz + " entries, W is " + w.rows + "x" + w.cols + " with " + w.nnz);
        }
        PackedInput in = input(scratch);
        sparse.linearBackward(in.weight(w, wT), f(dy), f(x), batch, dx == null ? null : f(dx),
                grad == null ? null : f(grad), in.packed, token, parallel);
    }

    @Override
    public void csrSpmmNN(CsrMatrix w, Storage dy, int batch, float beta, Storage dx) {
        sparse.spmmNN(w.rows, w.cols, ints(w.rowPtr), ints(w.colIdx), f(w.values), f(dy), batch, beta, f(dx),
                parallel);
    }

    @Override
    public void sddmm(Storage dy, Storage x, int batch, CsrMatrix pattern, float beta, Storage outValues) {
        sparse.sddmm(pattern.rows, pattern.cols, ints(pattern.rowPtr), ints(pattern.colIdx), f(dy), f(x), batch, beta,
                f(outValues), parallel);
    }

    @Override
    public boolean blockKernels() {
        return true;
    }

    @Override
    public void blockLinearForward(BlockMatrix w, Storage x, int batch, Storage bias, Storage y) {
        blocks.forward(w.rows, w.cols, ints(w.groupPtr), ints(w.blockCol), f(w.values), f(x), batch,
                bias == null ? null : f(bias), f(y), parallel);
    }

    @Override
    public void blockLinearBackward(BlockMatrix w, Storage dy, Storage x, int batch, Storage dx, Storage grad) {
        blocks.backward(w.rows, w.cols, ints(w.groupPtr), ints(w.blockCol), ints(w.padPtr), ints(w.padCol),
                f(w.valuesT), f(dy), f(x), batch, dx == null ? null : f(dx), grad == null ? null : f(grad), parallel);
    }

    @Override
    public void gather(Storage src, IntStorage index, int n, Storage dst) {
        sparse.gather(f(src), ints(index), n, f(dst));
    }

    // ---- element-wise -------------------------------------------------------------------------------------------

    @Override
    public void unary(UnaryOp op, float p, Storage x, Storage y, int n) {
        float[] xs = f(x);
        float[] ys = f(y);
        if (op == UnaryOp.RELU && (parallel.threads() == 1 || n < 2 * ELEMENTWISE_GRAIN)) {
            // The per-step activations: no lambda, no dispatch.
            elementwise.relu(xs, ys, 0, n);
            return;
        }
        parallel.forRange(n, ELEMENTWISE_GRAIN, (part, from, to) -> unaryRange(op, p, xs, ys, from, to));
    }

    private void unaryRange(UnaryOp op, float p, float[] x, float[] y, int from, int to) {
        switch (op) {
            case IDENTITY:
                System.arraycopy(x, from, y, from, to - from);
                break;
            case RELU:
                elementwise.relu(x, y, from, to);
                break;
            case SCALE:
                for (int i = from; i < to; i++) {
                    y[i] = x[i] * p;
                }
                break;
            case ADD_SCALAR:
                for (int i = from; i < to; i++) {
                    y[i] = x[i] + p;
                }
                break;
            case SQUARE:
                for (int i = from; i < to; i++) {
                    y[i] = x[i] * x[i];
                }
                break;
            case NEG:
                for (int i = from; i < to; i++) {
                    y[i] = -x[i];
                }
                break;
            default:
                for (int i = from; i < to; i++) {
                    y[i] = op.apply(x[i], p);
                }
        }
    }

    @Override
    public void unaryBackward(UnaryOp op, float p, Storage x, Storage y, Storage dy, Storage dx, int n) {
        float[] xs = f(x);
        float[] ys = f(y);
        float[] dys = f(dy);
        float[] dxs = f(dx);
        if (op == UnaryOp.RELU && (parallel.threads() == 1 || n < 2 * ELEMENTWISE_GRAIN)) {
            elementwise.reluBackward(xs, dys, dxs, 0, n);
            return;
        }
        parallel.forRange(n, ELEMENTWISE_GRAIN, (part, from, to) -> {
            if (op == UnaryOp.RELU) {
                elementwise.reluBackward(xs, dys, dxs, from, to);
            } else {
                unaryBackwardRange(op, p, xs, ys, dys, dxs, from, to);
            }
        });
    }

    /**
     * dx += dy * op.derivative(x, y, p) on [from, to), with the derivative's expression spelt out per op (the same
     * float operations in the same order, so the same bits) for the ops whose loop C2 can then vectorise; the
     * per-element switch through {@link UnaryOp#derivative} cost 5% of a SAD step at batch 64.
     */
    static void unaryBackwardRange(UnaryOp op, float p, float[] x, float[] y, float[] dy, float[] dx, int from,
                                   int to) {
        switch (op) {
            case SCALE:
                for (int i = from; i < to; i++) {
                    dx[i] += dy[i] * p;
                }
                return;
            case SQUARE:
                for (int i = from; i < to; i++) {
                    dx[i] += dy[i] * (2f * x[i]);
                }
                return;
            case SQRT:
                for (int i = from; i < to; i++) {
                    dx[i] += dy[i] * (0.5f / y[i]);
                }
                return;
            case EXP:
                for (int i = from; i < to; i++) {
                    dx[i] += dy[i] * y[i];
                }
                return;
            case RECIPROCAL:
                for (int i = from; i < to; i++) {
                    dx[i] += dy[i] * (-y[i] * y[i]);
                }
                return;
            case SIGMOID:
                for (int i = from; i < to; i++) {
                    dx[i] += dy[i] * (y[i] * (1f - y[i]));
                }
                return;
            case TANH:
                for (int i = from; i < to; i++) {
                    dx[i] += dy[i] * (1f - y[i] * y[i]);
                }
                return;
            default:
                for (int i = from; i < to; i++) {
                    dx[i] += dy[i] * op.derivative(x[i], y[i], p);
                }
        }
    }

    @Override
    public void binary(BinaryOp op, Storage a, Storage b, Broadcast broadcast, int rows, int cols, Storage c) {
        float[] as = f(a);
        float[] bs = f(b);
        float[] cs = f(c);
        int n = rows * cols;
        if (broadcast == Broadcast.FULL && (op == BinaryOp.ADD || op == BinaryOp.SUB || op == BinaryOp.MUL)
                && (parallel.threads() == 1 || n < 2 * ELEMENTWISE_GRAIN)) {
            // Same shapes: one contiguous run, not one call per row (a [batch x 1] loss term is 256 rows of 1).
            binaryRow(op, as, 0, bs, 0, 1, cs, n);
            return;
        }
        int minRows = Math.max(1, ELEMENTWISE_GRAIN / Math.max(1, cols));
        parallel.forRange(rows, minRows, (part, from, to) -> {
            for (int r = from; r < to; r++) {
                int o = r * cols;
                switch (broadcast) {
                    case FULL:
                        binaryRow(op, as, o, bs, o, 1, cs, cols);
                        break;
                    case ROW:
                        binaryRow(op, as, o, bs, 0, 1, cs, cols);
                        break;
                    case COLUMN:
                        binaryRow(op, as, o, bs, r, 0, cs, cols);
                        break;
                    case SCALAR:
                        binaryRow(op, as, o, bs, 0, 0, cs, cols);
                        break;
                    default:
                        throw new AssertionError(broadcast);
                }
            }
        });
    }

    private void binaryRow(BinaryOp op, float[] a, int ao, float[] b, int bo, int bStep, float[] c, int n) {
        if (bStep == 1) {
            switch (op) {
                case ADD:
                    elementwise.binaryRow(ElementwiseKernels.ADD, a, ao, b, bo, c, ao, n);
                    return;
                case SUB:
                    elementwise.binaryRow(ElementwiseKernels.SUB, a, ao, b, bo, c, ao, n);
                    return;
                case MUL:
                    elementwise.binaryRow(ElementwiseKernels.MUL, a, ao, b, bo, c, ao, n);
                    return;
                default:
                    for (int j = 0; j < n; j++) {
                        c[ao + j] = op.apply(a[ao + j], b[bo + j]);
                    }
                    return;
            }
        }
        // one operand per row (a column or scalar broadcast): the loop per op, so that C2 vectorises it (the same
        // single rounding per element as BinaryOp.apply)
        float bv = b[bo];
        switch (op) {
            case ADD:
                for (int j = 0; j < n; j++) {
                    c[ao + j] = a[ao + j] + bv;
                }
                return;
            case SUB:
                for (int j = 0; j < n; j++) {
                    c[ao + j] = a[ao + j] - bv;
                }
                return;
            case MUL:
                for (int j = 0; j < n; j++) {
                    c[ao + j] = a[ao + j] * bv;
                }
                return;
            case DIV:
                for (int j = 0; j < n; j++) {
                    c[ao + j] = a[ao + j] / bv;
                }
                return;
            default:
                for (int j = 0; j < n; j++) {
                    c[ao + j] = op.apply(a[ao + j], bv);
                }
        }
    }

    @Override
    public void axpy(float alpha, Storage x, Storage y, int n) {
        float[] xs = f(x);
        float[] ys = f(y);
        if (parallel.threads() == 1 || n < 2 * ELEMENTWISE_GRAIN) {
            elementwise.axpy(alpha, xs, ys, 0, n);
            return;
        }
        parallel.forRange(n, ELEMENTWISE_GRAIN, (part, from, to) -> elementwise.axpy(alpha, xs, ys, from, to));
    }

    // ---- reductions and softmax ---------------------------------------------------------------------------------

    @Override
    public void sumRows(Storage x, int rows, int cols, float alpha, float beta, Storage out) {
        float[] xs = f(x);
        float[] os = f(out);
        // Split over columns so each output is summed in row order by one thread: thread-count independent.
        parallel.forRange(cols, Math.max(16, (1 << 16) / Math.max(1, rows)), (part, from, to) -> {
            int w = to - from;
            float[] acc = new float[w];
            if (w == 1) {
                // A one-output layer's bias gradient: a strided walk down one column.
                for (int r = 0; r < rows; r++) {
                    acc[0] += xs[r * cols + from];
                }
            } else {
                for (int r = 0; r < rows; r++) {
                    elementwise.addRow(xs, r * cols + from, acc, 0, w);
                }
            }
            for (int j = 0; j < w; j++) {
                os[from + j] = alpha * acc[j] + (beta == 0f ? 0f : beta * os[from + j]);
            }
        });
    }

    @Override
    public void sumCols(Storage x, int rows, int cols, float alpha, float beta, Storage out) {
        float[] xs = f(x);
        float[] os = f(out);
        parallel.forRange(rows, rowGrain(cols), (part, from, to) -> {
            int r = from;
            // Four rows abreast: each row's sum is still one chain in column order (the same bits), but four
            // independent chains keep the adder busy instead of waiting on one add's latency per element.
            for (; r + 4 <= to; r += 4) {
                int o = r * cols;
                float a0 = 0f;
                float a1 = 0f;
                float a2 = 0f;
                float a3 = 0f;
                for (int j = 0; j < cols; j++) {
                    a0 += xs[o + j];
                    a1 += xs[o + cols + j];
                    a2 += xs[o + 2 * cols + j];
                    a3 += xs[o + 3 * cols + j];
                }
                os[r] = alpha * a0 + (beta == 0f ? 0f : beta * os[r]);
                os[r + 1] = alpha * a1 + (beta == 0f ? 0f : beta * os[r + 1]);
                os[r + 2] = alpha * a2 + (beta == 0f ? 0f : beta * os[r + 2]);
                os[r + 3] = alpha * a3 + (beta == 0f ? 0f : beta * os[r + 3]);
            }
            for (; r < to; r++) {
                int o = r * cols;
                float acc = 0f;
                for (int j = 0; j < cols; j++) {
                    acc += xs[o + j];
                }
                os[r] = alpha * acc + (beta == 0f ? 0f : beta * os[r]);
            }
        });
    }

    @Override
    public boolean fusedRowOps() {
        return true;
    }

    @Override
    public void rowL2Normalize(Storage x, int rows, int cols, float eps2, Storage sumSq, Storage y) {
        float[] xs = f(x);
        float[] ss = f(sumSq);
        float[] ys = f(y);
        parallel.forRange(rows, rowGrain(cols), (part, from, to) ->
                RowNorms.l2NormalizeForward(xs, cols, eps2, ss, ys, from, to));
    }

    @Override
    public void rowL2NormalizeBackward(Storage x, int rows, int cols, float eps2, Storage sumSq, Storage dy,
                                       Storage scratch, Storage dx) {
        float[] xs = f(x);
        float[] ss = f(sumSq);
        float[] dys = f(dy);
        float[] tmp = f(scratch);
        float[] dxs = f(dx);
        parallel.forRange(rows, rowGrain(cols), (part, from, to) ->
                RowNorms.l2NormalizeBackward(xs, cols, eps2, ss, dys, dxs, tmp, from, to));
    }

    @Override
    public void rowSquaredDistance(Storage a, Storage b, int rows, int cols, Storage out) {
        pairRows(a, b, rows, cols, out, RowNorms::squaredDistanceForward);
    }

    @Override
    public void rowSquaredDistanceBackward(Storage a, Storage b, int rows, int cols, Storage g, Storage da,
                                           Storage db) {
        pairRowsBackward(a, b, rows, cols, g, da, db, RowNorms::squaredDistanceBackward);
    }

    /** A row op of two equally shaped matrices, rows [from, to) into one value per row. */
    private interface PairRows {
        void run(float[] a, float[] b, int cols, float[] out, int from, int to);
    }

    /** Its backward: da and db (either null: not wanted) from the upstream gradient g, rows [from, to). */
    private interface PairRowsBackward {
        void run(float[] a, float[] b, int cols, float[] g, float[] da, float[] db, int from, int to);
    }

    private void pairRows(Storage a, Storage b, int rows, int cols, Storage out, PairRows op) {
        float[] as = f(a);
        float[] bs = f(b);
        float[] os = f(out);
        parallel.forRange(rows, rowGrain(cols), (part, from, to) -> op.run(as, bs, cols, os, from, to));
    }

    private void pairRowsBackward(Storage a, Storage b, int rows, int cols, Storage g, Storage da, Storage db,
                                  PairRowsBackward op) {
        float[] as = f(a);
        float[] bs = f(b);
        float[] gs = f(g);
        float[] das = da == null ? null : f(da);
        float[] dbs = db == null ? null : f(db);
        parallel.forRange(rows, rowGrain(cols), (part, from, to) -> op.run(as, bs, cols, gs, das, dbs, from, to));
    }

    @Override
    public void rowDot(Storage a, Storage b, int rows, int cols, Storage out) {
        pairRows(a, b, rows, cols, out, RowNorms::dotForward);
    }

    @Override
    public void rowDotBackward(Storage a, Storage b, int rows, int cols, Storage g, Storage da, Storage db) {
        pairRowsBackward(a, b, rows, cols, g, da, db, RowNorms::dotBackward);
    }

    @Override
    public void batchNormTrain(Storage x, int rows, int cols, float eps, Storage gamma, Storage beta, Storage mean,
                               Storage var, Storage inv, Storage y) {
        batchNorm.forward(f(x), rows, cols, eps, f(gamma), f(beta), f(mean), f(var), f(inv), f(y));
    }

    @Override
    public void batchNormTrainBackward(Storage x, int rows, int cols, float eps, Storage mean, Storage var,
                                       Storage inv, Storage gamma, Storage dy, Storage dx, Storage dGamma,
                                       Storage dBeta, Storage scratch) {
        batchNorm.backward(f(x), rows, cols, eps, f(mean), f(var), f(inv), f(gamma), f(dy),
                dx == null ? null : f(dx), dGamma == null ? null : f(dGamma), dBeta == null ? null : f(dBeta),
                f(scratch));
    }

    @Override
    public void affineRows(Storage x, int rows, int cols, Storage inv, Storage gamma, Storage beta, Storage y) {
        batchNorm.affineForward(f(x), rows, cols, f(inv), f(gamma), f(beta), f(y));
    }

    @Override
    public void affineRowsBackward(Storage x, int rows, int cols, Storage inv, Storage gamma, Storage dy, Storage dx,
                                   Storage dInv, Storage dGamma, Storage dBeta, Storage scratch) {
        batchNorm.affineBackward(f(x), rows, cols, f(inv), f(gamma), f(dy), dx == null ? null : f(dx),
                dInv == null ? null : f(dInv), dGamma == null ? null : f(dGamma), dBeta == null ? null : f(dBeta),
                f(scratch));
    }

    /** Rows per part for the row reductions and row ops: a part covers about {@link #ELEMENTWISE_GRAIN} elements. */
    private static int rowGrain(int cols) {
        return Math.max(1, ELEMENTWISE_GRAIN / Math.max(1, cols));
    }

    @Override
    public void rowSoftmax(Storage x, int rows, int cols, boolean log, Storage y) {
        RowSoftmax.forward(f(x), rows, cols, log, f(y));
    }

    @Override
    public void rowSoftmaxBackward(Storage y, Storage dy, int rows, int cols, boolean log, Storage dx) {
        RowSoftmax.backward(f(y), f(dy), rows, cols, log, f(dx));
    }

    // ---- rows by index ------------------------------------------------------------------------------------------

    @Override
    public void gatherRows(Storage table, int cols, IntStorage index, int n, Storage out) {
        float[] t = f(table);
        int[] idx = ints(index);
        float[] o = f(out);
        int tableRows = cols == 0 ? 0 : t.length / cols;
        for (int i = 0; i < n; i++) {
            int row = idx[i];
            if (row < 0 || row >= tableRows) {
                throw new IndexOutOfBoundsException("index " + row + " at position " + i
                        + " is outside the table's 0.." + (tableRows - 1));
            }
            System.arraycopy(t, row * cols, o, i * cols, cols);
        }
    }

    @Override
    public void scatterAddRows(Storage src, int cols, IntStorage index, int n, Storage table) {
        float[] s = f(src);
        int[] idx = ints(index);
        float[] t = f(table);
        if (cols == 1) {
            // A sparse weight gradient scattered into its dense buffer: one value per index.
            for (int i = 0; i < n; i++) {
                t[idx[i]] += s[i];
            }
            return;
        }
        for (int i = 0; i < n; i++) {
            elementwise.addRow(s, i * cols, t, idx[i] * cols, cols);
        }
    }

    // ---- optimiser updates --------------------------------------------------------------------------------------

    @Override
    public void sgdStep(Storage param, Storage grad, Storage momentumBuf, Storage mask, int n, float lr,
                        boolean firstStep, SgdHyper h) {
        steps.sgd(param, grad, momentumBuf, mask, n, lr, firstStep, h);
    }

    @Override
    public void adamStep(Storage param, Storage grad, Storage m, Storage v, Storage mask, int n, float lr, int step,
                         AdamHyper h) {
        steps.adam(param, grad, m, v, mask, n, lr, step, h);
    }

    @Override
    public void sgdStepIndexed(Storage param, Storage grad, Storage momentumBuf, IntStorage index, int count, int n,
                               float lr, boolean firstStep, SgdHyper h) {
        steps.sgdIndexed(param, grad, momentumBuf, index, count, lr, firstStep, h);
    }

    @Override
    public void adamStepIndexed(Storage param, Storage grad, Storage m, Storage v, IntStorage index, int count, int n,
                                float lr, int step, AdamHyper h) {
        steps.adamIndexed(param, grad, m, v, index, count, lr, step, h);
    }

    @Override
    public void adamStepRows(Storage param, Storage grad, Storage m, Storage v, IntStorage rows, int rowCount, int cols,
                             int n, float lr, int step, AdamHyper h) {
        steps.adamRows(param, grad, m, v, rows, rowCount, cols, lr, step, h);
    }

    /**
     * One sample of this core's fp32 multiply-add peak at the backend's vector width: {@code iterations} rounds of 12
     * independent fused multiply-add chains, timed by the caller beside the kernel it compares ({@code bench gemm}).
     * Needs jdk.incubator.vector ({@link GemmChoice#vectorModulePresent()}). Returns {flops done, vector bits}; the
     * value of the chains goes to {@code sink[0]} so that no chain can be dropped.
     */
    public static double[] fmaPeak(int iterations, float seed, float[] sink) {
        sink[0] += FmaPeak.run(iterations, seed);
        return new double[] {FmaPeak.flops(iterations), FmaPeak.vectorBits()};
    }

    @Override
    public boolean prefersIndexedUpdates() {
        return true;
    }

    @Override
    public void close() {
        parallel.close();
    }
}
