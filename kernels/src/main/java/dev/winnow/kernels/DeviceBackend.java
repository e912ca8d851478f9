package dev.winnow.kernels;

import dev.winnow.engine.backend.AdamHyper;
import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.backend.BinaryOp;
import dev.winnow.engine.backend.Broadcast;
import dev.winnow.engine.backend.CsrMatrix;
import dev.winnow.engine.backend.IntStorage;
import dev.winnow.engine.backend.SgdHyper;
import dev.winnow.engine.backend.Storage;
import dev.winnow.engine.backend.UnaryOp;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Backend SPI expressed as launches of the shared kernels. A subclass supplies device memory and one
 * {@link #launch} for its API (OpenCL, CUDA driver); everything about which kernel runs with which arguments and
 * work-group shape lives here once, so the OpenCL tests in CI exercise the same launch logic the CUDA backend uses.
 *
 * <p>Not thread-safe: one training loop drives one backend. Operations are queued in order on one device queue;
 * downloads wait for them.
 */
public abstract class DeviceBackend implements Backend {
    /** Grid y (and z) limit of CUDA; OpenCL devices allow at least this much. */
    private static final int MAX_GROUPS_Y = 65535;
    /** Transposed patterns kept for {@link #csrSpmmNN}; the least recently used is released beyond this. */
    private static final int TRANSPOSE_CACHE = 64;

    private Storage none;
    private Storage scratch;
    private SpmmStrategy spmmStrategy = SpmmStrategy.fromProperty();

    /** How the CSR products lay out their work; both give the same sums in the same order. */
    public enum SpmmStrategy {
        /** Work-item per (output, sample): gathers the row's columns of one X row (no extra pass). */
        ROW_SPLIT,
        /** X transposed first, work-item per (sample, output): coalesced reads of X^T, shared row indices. */
        BATCH_SPLIT;

        /** {@code -Dwinnow.spmm=row-split|batch-split}; row-split by default until a GPU run decides. */
        static SpmmStrategy fromProperty() {
            String v = System.getProperty("winnow.spmm", "row-split").trim().toLowerCase(java.util.Locale.ROOT);
            switch (v) {
                case "row-split": return ROW_SPLIT;
                case "batch-split": return BATCH_SPLIT;
                default:
                    throw new IllegalArgumentException("-Dwinnow.spmm must be row-split or batch-split, got '" + v + "'");
            }
        }
    }

    public SpmmStrategy spmmStrategy() {
        return spmmStrategy;
    }

    public void spmmStrategy(SpmmStrategy strategy) {
        this.spmmStrategy = java.util.Objects.requireNonNull(strategy);
    }
    private final Map<CsrMatrix, CsrTranspose> transposes = new LinkedHashMap<>(16, 0.75f, true);

    /**
     * Enqueues {@code kernel} on a groupsX x groupsY grid of localX x localY work-groups. Arguments are, in the
     * kernel's order, this backend's {@link Storage}/{@link IntStorage}, {@link Integer} or {@link Float}.
     */
    protected abstract void launch(Kernel kernel, int groupsX, int groupsY, int localX, int localY, Object... args);

    private void launch1d(Kernel kernel, int n, Object... args) {
        if (n <= 0) {
            return;
        }
        launch(kernel, ceilDiv(n, Kernel.LINEAR_WG), 1, Kernel.LINEAR_WG, 1, args);
    }

    private void launch2d(Kernel kernel, int nx, int ny, Object... args) {
        if (nx <= 0 || ny <= 0) {
            return;
        }
        launch(kernel, ceilDiv(nx, Kernel.TILE_2D), groupsY(kernel, ceilDiv(ny, Kernel.TILE_2D)),
                Kernel.TILE_2D, Kernel.TILE_2D, args);
    }

    private static int groupsY(Kernel kernel, int groups) {
        if (groups > MAX_GROUPS_Y) {
            throw new IllegalArgumentException(kernel.symbol() + ": " + groups + " work-groups along y exceed the "
                    + MAX_GROUPS_Y + " a CUDA grid allows; split the call into smaller row blocks");
        }
        return groups;
    }

    static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    private Storage none() {
        if (none == null) {
            none = allocate(1);
        }
        return none;
    }

    // ---- memory -------------------------------------------------------------------------------------------------

    @Override
    public void fill(Storage dst, int offset, int length, float value) {
        checkRange("fill", dst.length(), offset, length);
        launch1d(Kernel.FILL, length, dst, offset, length, value);
    }

    @Override
    public void copy2d(Storage src, int srcOffset, int srcStride, Storage dst, int dstOffset, int dstStride,
                       int rows, int cols, float beta) {
        need("copy2d", "src", src, srcOffset + span(rows, cols, srcStride));
        need("copy2d", "dst", dst, dstOffset + span(rows, cols, dstStride));
        launch2d(Kernel.COPY2D, cols, rows, src, srcOffset, srcStride, dst, dstOffset, dstStride, rows, cols, beta);
    }

    @Override
    public void transpose(Storage src, int rows, int cols, Storage dst) {
        need("transpose", "src", src, (long) rows * cols);
        need("transpose", "dst", dst, (long) rows * cols);
        launch2d(Kernel.TRANSPOSE, cols, rows, src, rows, cols, dst);
    }

    // ---- dense and masked products ------------------------------------------------------------------------------

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                     Storage a, int lda, Storage b, int ldb, float beta, Storage c, int ldc) {
        gemmMasked(transA, transB, m, n, k, alpha, a, lda, b, ldb, null, beta, c, ldc);
    }

    @Override
    public void gemmMasked(boolean transA, boolean transB, int m, int n, int k, float alpha,
                           Storage a, int lda, Storage b, int ldb, Storage maskB, float beta, Storage c, int ldc) {
        if (m <= 0 || n <= 0) {
            return;
        }
        need("gemm", "A", a, transA ? span(k, m, lda) : span(m, k, lda));
        long bSpan = transB ? span(n, k, ldb) : span(k, n, ldb);
        need("gemm", "B", b, bSpan);
        if (maskB != null) {
            need("gemm", "maskB", maskB, bSpan);
        }
        need("gemm", "C", c, span(m, n, ldc));
        launch(Kernel.GEMM_MASKED, ceilDiv(n, Kernel.GEMM_BN), groupsY(Kernel.GEMM_MASKED, ceilDiv(m, Kernel.GEMM_BM)),
                Kernel.GEMM_T, Kernel.GEMM_T,
                transA ? 1 : 0, transB ? 1 : 0, m, n, k, alpha, a, lda, b, ldb,
                maskB == null ? none() : maskB, maskB == null ? 0 : 1, beta, c, ldc);
    }

    // ---- sparse products ----------------------------------------------------------------------------------------

    @Override
    public void csrSpmmNT(CsrMatrix w, Storage x, int batch, float beta, Storage y) {
        need("csrSpmmNT", "X", x, (long) batch * w.cols);
        need("csrSpmmNT", "Y", y, (long) batch * w.rows);
        spmm(w.rows, w.cols, w.rowPtr, w.colIdx, w.values, x, batch, beta, y);
    }

    /** y[batch, rows] = x[batch, cols] A^T + beta y for a CSR A given by its arrays, in the current strategy. */
    private void spmm(int rows, int cols, IntStorage rowPtr, IntStorage colIdx, Storage values, Storage x, int batch,
                      float beta, Storage y) {
        if (spmmStrategy == SpmmStrategy.ROW_SPLIT || rows == 0 || batch == 0) {
            launch2d(Kernel.CSR_SPMM_NT, rows, batch, rows, cols, rowPtr, colIdx, values, x, batch, beta, y);
            return;
        }
        Storage xt = scratch(Math.multiplyExact(batch, cols));
        transpose(x, batch, cols, xt);
        launch2d(Kernel.CSR_SPMM_NT_XT, batch, rows, rows, cols, rowPtr, colIdx, values, xt, batch, beta, y);
    }

    /** A device buffer of at least n floats, reused across calls (the transposed X of the batch-split SpMM). */
    private Storage scratch(int n) {
        if (scratch == null || scratch.length() < n) {
            if (scratch != null) {
                release(scratch);
            }
            scratch = allocate(Math.max(n, 1024));
        }
        return scratch;
    }

    /** Runs as X W^T with the CSR of W^T, built once per pattern (see {@link CsrTranspose}); values refreshed per call. */
    @Override
    public void csrSpmmNN(CsrMatrix w, Storage dy, int batch, float beta, Storage dx) {
        if (w.cols == 0 || batch == 0) {
            return;
        }
        need("csrSpmmNN", "dY", dy, (long) batch * w.rows);
        need("csrSpmmNN", "dX", dx, (long) batch * w.cols);
        CsrTranspose t = transposeOf(w);
        launch1d(Kernel.GATHER, w.nnz, w.values, t.perm, w.nnz, t.values);
        spmm(w.cols, w.rows, t.rowPtr, t.colIdx, t.values, dy, batch, beta, dx);
    }

    @Override
    public void sddmm(Storage dy, Storage x, int batch, CsrMatrix pattern, float beta, Storage outValues) {
        if (pattern.rows == 0 || pattern.nnz == 0) {
            return;
        }
        need("sddmm", "dY", dy, (long) batch * pattern.rows);
        need("sddmm", "X", x, (long) batch * pattern.cols);
        need("sddmm", "outValues", outValues, pattern.nnz);
        launch(Kernel.SDDMM, pattern.rows, 1, 64, 1, dy, x, batch, pattern.rows, pattern.cols, pattern.rowPtr,
                pattern.colIdx, beta, outValues);
    }

    @Override
    public void gather(Storage src, IntStorage index, int n, Storage dst) {
        need("gather", "index", index, n);
        need("gather", "dst", dst, n);
        launch1d(Kernel.GATHER, n, src, index, n, dst);
    }

    // ---- element-wise -------------------------------------------------------------------------------------------

    @Override
    public void unary(UnaryOp op, float p, Storage x, Storage y, int n) {
        need("unary", "x", x, n);
        need("unary", "y", y, n);
        launch1d(Kernel.UNARY, n, op.ordinal(), p, x, y, n);
    }

    @Override
    public void unaryBackward(UnaryOp op, float p, Storage x, Storage y, Storage dy, Storage dx, int n) {
        need("unaryBackward", "x", x, n);
        need("unaryBackward", "y", y, n);
        need("unaryBackward", "dy", dy, n);
        need("unaryBackward", "dx", dx, n);
        launch1d(Kernel.UNARY_BACKWARD, n, op.ordinal(), p, x, y, dy, dx, n);
    }

    @Override
    public void binary(BinaryOp op, Storage a, Storage b, Broadcast broadcast, int rows, int cols, Storage c) {
        need("binary", "a", a, (long) rows * cols);
        need("binary", "b (" + broadcast + ")", b, rows == 0 || cols == 0 ? 0 : broadcast.length(rows, cols));
        need("binary", "c", c, (long) rows * cols);
        launch1d(Kernel.BINARY, Math.multiplyExact(rows, cols), op.ordinal(), a, b, broadcast.ordinal(), rows, cols, c);
    }

    @Override
    public void axpy(float alpha, Storage x, Storage y, int n) {
        need("axpy", "x", x, n);
        need("axpy", "y", y, n);
        launch1d(Kernel.AXPY, n, alpha, x, y, n);
    }

    // ---- reductions and softmax ---------------------------------------------------------------------------------

    @Override
    public void sumRows(Storage x, int rows, int cols, float alpha, float beta, Storage out) {
        need("sumRows", "x", x, (long) rows * cols);
        need("sumRows", "out", out, cols);
        launch1d(Kernel.SUM_ROWS, cols, x, rows, cols, alpha, beta, out);
    }

    @Override
    public void sumCols(Storage x, int rows, int cols, float alpha, float beta, Storage out) {
        need("sumCols", "x", x, (long) rows * cols);
        need("sumCols", "out", out, rows);
        if (rows > 0) {
            launch(Kernel.SUM_COLS, rows, 1, Kernel.REDUCE_WG, 1, x, rows, cols, alpha, beta, out);
        }
    }

    @Override
    public void rowSoftmax(Storage x, int rows, int cols, boolean log, Storage y) {
        need("rowSoftmax", "x", x, (long) rows * cols);
        need("rowSoftmax", "y", y, (long) rows * cols);
        if (rows > 0 && cols > 0) {
            launch(Kernel.ROW_SOFTMAX, rows, 1, Kernel.REDUCE_WG, 1, x, rows, cols, log ? 1 : 0, y);
        }
    }

    @Override
    public void rowSoftmaxBackward(Storage y, Storage dy, int rows, int cols, boolean log, Storage dx) {
        need("rowSoftmaxBackward", "y", y, (long) rows * cols);
        need("rowSoftmaxBackward", "dy", dy, (long) rows * cols);
        need("rowSoftmaxBackward", "dx", dx, (long) rows * cols);
        if (rows > 0 && cols > 0) {
            launch(Kernel.ROW_SOFTMAX_BACKWARD, rows, 1, Kernel.REDUCE_WG, 1, y, dy, rows, cols, log ? 1 : 0, dx);
        }
    }

    // ---- rows by index ------------------------------------------------------------------------------------------

    /** An index outside the table yields a NaN row (the device cannot throw; the CPU reference does). */
    @Override
    public void gatherRows(Storage table, int cols, IntStorage index, int n, Storage out) {
        if (cols <= 0) {
            return;
        }
        need("gatherRows", "index", index, n);
        need("gatherRows", "out", out, (long) n * cols);
        launch2d(Kernel.GATHER_ROWS, cols, n, table, table.length() / cols, cols, index, n, out);
    }

    /** An index outside the table is skipped (the CPU reference throws; a kernel cannot). */
    @Override
    public void scatterAddRows(Storage src, int cols, IntStorage index, int n, Storage table) {
        need("scatterAddRows", "src", src, (long) n * cols);
        need("scatterAddRows", "index", index, n);
        if (cols <= 0) {
            return;
        }
        launch2d(Kernel.SCATTER_ADD_ROWS, cols, n, src, cols, index, n, table.length() / cols, table);
    }

    // ---- optimiser updates --------------------------------------------------------------------------------------

    @Override
    public void sgdStep(Storage param, Storage grad, Storage momentumBuf, Storage mask, int n, float lr,
                        boolean firstStep, SgdHyper h) {
        need("sgdStep", "param", param, n);
        need("sgdStep", "grad", grad, n);
        if (momentumBuf != null) {
            need("sgdStep", "momentumBuf", momentumBuf, n);
        }
        if (mask != null) {
            need("sgdStep", "mask", mask, n);
        }
        if (h.momentum() != 0f && momentumBuf == null) {
            throw new IllegalArgumentException("sgdStep: momentum " + h.momentum()
                    + " needs a momentum buffer, got null");
        }
        launch1d(Kernel.SGD_STEP, n, param, grad, momentumBuf == null ? none() : momentumBuf, momentumBuf == null ? 0 : 1,
                mask == null ? none() : mask, mask == null ? 0 : 1, n, lr, h.momentum(), h.dampening(),
                h.weightDecay(), h.nesterov() ? 1 : 0, firstStep ? 1 : 0);
    }

    @Override
    public void adamStep(Storage param, Storage grad, Storage m, Storage v, Storage mask, int n, float lr, int step,
                         AdamHyper h) {
        need("adamStep", "param", param, n);
        need("adamStep", "grad", grad, n);
        need("adamStep", "m", m, n);
        need("adamStep", "v", v, n);
        if (mask != null) {
            need("adamStep", "mask", mask, n);
        }
        // the same float rounding of the bias corrections as the CPU reference
        float bc1 = (float) (1.0 - Math.pow(h.beta1(), step));
        float bc2Sqrt = (float) Math.sqrt(1.0 - Math.pow(h.beta2(), step));
        float stepSize = lr / bc1;
        launch1d(Kernel.ADAM_STEP, n, param, grad, m, v, mask == null ? none() : mask, mask == null ? 0 : 1, n, lr,
                h.beta1(), h.beta2(), h.eps(), h.weightDecay(), h.decoupled() ? 1 : 0, stepSize, bc2Sqrt);
    }

    // ---- the transposed patterns of csrSpmmNN ---------------------------------------------------------------------

    /**
     * The CSR of W^T for one pattern: built on the host once (a stable counting sort by column, so each column's
     * entries stay in row order and the summation order matches the CPU's), kept on the device. {@code perm[q]} is
     * the position in W of the q-th entry of W^T; a call only gathers the current values through it. A pattern is
     * assumed fixed once a CsrMatrix is made (its values may change); freeing its rowPtr or colIdx drops the entry.
     */
    private static final class CsrTranspose {
        final IntStorage rowPtr;
        final IntStorage colIdx;
        final IntStorage perm;
        final Storage values;

        CsrTranspose(IntStorage rowPtr, IntStorage colIdx, IntStorage perm, Storage values) {
            this.rowPtr = rowPtr;
            this.colIdx = colIdx;
            this.perm = perm;
            this.values = values;
        }
    }

    private CsrTranspose transposeOf(CsrMatrix w) {
        CsrTranspose cached = transposes.get(w);
        if (cached != null) {
            return cached;
        }
        int[] rp = new int[w.rows + 1];
        int[] ci = new int[w.nnz];
        downloadInts(w.rowPtr, 0, rp, 0, w.rows + 1);
        downloadInts(w.colIdx, 0, ci, 0, w.nnz);
        int[] cp = new int[w.cols + 1];
        for (int p = 0; p < w.nnz; p++) {
            if (ci[p] < 0 || ci[p] >= w.cols) {
                throw new IllegalArgumentException("CSR colIdx[" + p + "] = " + ci[p] + " is outside 0.." + (w.cols - 1));
            }
            cp[ci[p] + 1]++;
        }
        for (int j = 0; j < w.cols; j++) {
            cp[j + 1] += cp[j];
        }
        int[] next = cp.clone();
        int[] rowIdx = new int[w.nnz];
        int[] perm = new int[w.nnz];
        for (int o = 0; o < w.rows; o++) {
            for (int p = rp[o]; p < rp[o + 1]; p++) {
                int q = next[ci[p]]++;
                rowIdx[q] = o;
                perm[q] = p;
            }
        }
        IntStorage tRowPtr = allocateInts(w.cols + 1);
        IntStorage tColIdx = allocateInts(w.nnz);
        IntStorage tPerm = allocateInts(w.nnz);
        uploadInts(cp, 0, tRowPtr, 0, cp.length);
        uploadInts(rowIdx, 0, tColIdx, 0, w.nnz);
        uploadInts(perm, 0, tPerm, 0, w.nnz);
        CsrTranspose t = new CsrTranspose(tRowPtr, tColIdx, tPerm, allocate(w.nnz));
        transposes.put(w, t);
        if (transposes.size() > TRANSPOSE_CACHE) {
            Iterator<Map.Entry<CsrMatrix, CsrTranspose>> eldest = transposes.entrySet().iterator();
            release(eldest.next().getValue());
            eldest.remove();
        }
        return t;
    }

    private void release(CsrTranspose t) {
        releaseInts(t.rowPtr);
        releaseInts(t.colIdx);
        releaseInts(t.perm);
        release(t.values);
    }

    /** Drops cached transposes whose source pattern uses {@code storage}; call before the storage is freed. */
    protected final void forgetPatternsUsing(IntStorage storage) {
        List<CsrMatrix> stale = new ArrayList<>();
        for (CsrMatrix w : transposes.keySet()) {
            if (w.rowPtr == storage || w.colIdx == storage) {
                stale.add(w);
            }
        }
        for (CsrMatrix w : stale) {
            release(transposes.remove(w));
        }
    }

    /** Releases what this base class allocated: the dummy operand and the cached transposes. */
    protected final void releaseBaseBuffers() {
        for (CsrTranspose t : transposes.values()) {
            release(t);
        }
        transposes.clear();
        if (scratch != null) {
            release(scratch);
            scratch = null;
        }
        if (none != null) {
            release(none);
            none = null;
        }
    }

    /** Frees a float buffer (the subclass's implementation behind {@link #free(Storage)}). */
    protected abstract void release(Storage storage);

    /** Frees an int buffer (the subclass's implementation behind {@link #free(IntStorage)}). */
    protected abstract void releaseInts(IntStorage storage);

    @Override
    public void free(Storage storage) {
        release(storage);
    }

    @Override
    public void free(IntStorage storage) {
        forgetPatternsUsing(storage);
        releaseInts(storage);
    }

    /**
     * A device kernel cannot throw on an out-of-bounds index the way a Java array does; it corrupts memory. So every
     * operation checks its buffers' lengths before launching.
     */
    private static void need(String op, String arg, Object buffer, long elements) {
        if (elements <= 0) {
            return;
        }
        int have = buffer instanceof Storage ? ((Storage) buffer).length() : ((IntStorage) buffer).length();
        if (have < elements) {
            throw new IllegalArgumentException(op + ": " + arg + " holds " + have + " elements, the call needs "
                    + elements);
        }
    }

    /** Elements a rows x cols matrix with row stride ld spans. */
    private static long span(int rows, int cols, int ld) {
        return rows <= 0 || cols <= 0 ? 0 : (long) (rows - 1) * ld + cols;
    }

    protected static void checkRange(String op, int bufferLength, int offset, int length) {
        if (offset < 0 || length < 0 || offset + length > bufferLength) {
            throw new IndexOutOfBoundsException(op + ": range [" + offset + ", " + (offset + length)
                    + ") is outside a buffer of " + bufferLength + " elements");
        }
    }
}
