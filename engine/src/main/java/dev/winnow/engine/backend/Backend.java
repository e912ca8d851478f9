package dev.winnow.engine.backend;

import dev.winnow.engine.backend.host.HostUpdates;

/**
 * The primitives every compute backend implements. Layers, losses and optimisers reach the hardware only through
 * this interface; the CPU backend is the reference every other backend is tested against.
 *
 * <p>Conventions: dense matrices are row-major with an explicit leading dimension (row stride); every output
 * argument is named and comes after the inputs; {@code beta} is the factor on the previous content of the output
 * (0 overwrites, 1 accumulates). A {@code mask} argument may be {@code null}, meaning "all ones".
 */
public interface Backend extends AutoCloseable {

    /** Short name for logs and results files, e.g. {@code cpu-vector(2 threads)}. */
    String name();

    // ---- memory -------------------------------------------------------------------------------------------------

    /** A zero-filled float buffer of the given length. */
    Storage allocate(int length);

    /** A zero-filled int buffer of the given length. */
    IntStorage allocateInts(int length);

    void upload(float[] src, int srcOffset, Storage dst, int dstOffset, int length);

    void download(Storage src, int srcOffset, float[] dst, int dstOffset, int length);

    void uploadInts(int[] src, int srcOffset, IntStorage dst, int dstOffset, int length);

    void downloadInts(IntStorage src, int srcOffset, int[] dst, int dstOffset, int length);

    /** Releases a buffer; using it afterwards is an error. A no-op where memory is garbage collected. */
    void free(Storage storage);

    void free(IntStorage storage);

    void fill(Storage dst, int offset, int length, float value);

    /** dst[dstOffset + r*dstStride + c] = src[srcOffset + r*srcStride + c] + beta * dst[...] for r < rows, c < cols. */
    void copy2d(Storage src, int srcOffset, int srcStride, Storage dst, int dstOffset, int dstStride,
                int rows, int cols, float beta);

    /** dst[c, r] = src[r, c] for a rows x cols source. */
    void transpose(Storage src, int rows, int cols, Storage dst);

    // ---- dense and masked products ------------------------------------------------------------------------------

    /**
     * C[m,n] = alpha * op(A) op(B) + beta * C where op(A) is m x k and op(B) is k x n; A is stored m x k (or k x m when
     * transA) with row stride lda, and likewise B.
     */
    void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
              Storage a, int lda, Storage b, int ldb, float beta, Storage c, int ldc);

    /** Like {@link #gemm} with B replaced by B ⊙ maskB, where maskB has B's stored layout and stride. */
    void gemmMasked(boolean transA, boolean transB, int m, int n, int k, float alpha,
                    Storage a, int lda, Storage b, int ldb, Storage maskB, float beta, Storage c, int ldc);

    // ---- sparse products (W is a CSR matrix of shape out x in) ---------------------------------------------------

    /** Y[batch, W.rows] = X[batch, W.cols] W^T + beta * Y: the forward of a sparse Linear. */
    void csrSpmmNT(CsrMatrix w, Storage x, int batch, float beta, Storage y);

    /** dX[batch, W.cols] = dY[batch, W.rows] W + beta * dX: the input gradient of a sparse Linear. */
    void csrSpmmNN(CsrMatrix w, Storage dy, int batch, float beta, Storage dx);

    /**
     * SDDMM on W's pattern: out[p] = sum_b dY[b, row(p)] * X[b, col(p)] + beta * out[p] for every stored entry p:
     * the weight gradient of a sparse Linear, computed only at surviving positions.
     */
    void sddmm(Storage dy, Storage x, int batch, CsrMatrix pattern, float beta, Storage outValues);

    /** Scratch for one sparse layer's {@link #csrLinearForward} / {@link #csrLinearBackward}; none by default. */
    default LayerScratch newLayerScratch() {
        return LayerScratch.NONE;
    }

    /**
     * The forward of a sparse Linear: Y = X W^T + bias (bias: one value per row of W, added to every row of Y, or
     * null), as {@link #csrSpmmNT} with beta 0 followed by a ROW-broadcast ADD. A backend may leave work in the
     * layer's {@code scratch} for {@link #csrLinearBackward}; the returned token names it (0: nothing kept). The
     * caller keeps x unchanged until the backward.
     */
    default long csrLinearForward(CsrMatrix w, Storage x, int batch, Storage bias, Storage y, LayerScratch scratch) {
        csrSpmmNT(w, x, batch, 0f, y);
        if (bias != null) {
            binary(BinaryOp.ADD, y, bias, Broadcast.ROW, batch, w.rows, y);
        }
        return 0L;
    }

    /**
     * The backward of a sparse Linear: dX += dY W through the transposed copy {@code wT} (skipped when dx is null)
     * and grad = dY^T X at W's stored positions, as {@link #sddmm} with beta 0 (skipped when grad is null).
     * {@code token} is what the layer's forward returned. The same numbers as the two calls it stands for; a backend
     * may share work between them and with the forward.
     */
    default void csrLinearBackward(CsrMatrix w, CsrMatrix wT, Storage dy, Storage x, int batch, Storage dx,
                                   Storage grad, LayerScratch scratch, long token) {
        if (dx != null) {
            csrSpmmNT(wT, dy, batch, 1f, dx);
        }
        if (grad != null) {
            sddmm(dy, x, batch, w, 0f, grad);
        }
    }

    /**
     * Whether {@link #blockLinearForward} runs natively here. A sparse layer takes its block form only where it does;
     * elsewhere CSR does the same product.
     */
    default boolean blockKernels() {
        return false;
    }

    /**
     * Y = X W^T (+ bias) for W in 16x1 blocks, overwriting Y (batch x w.rows): each output summed from 0 by one fused
     * multiply-add per block in column order (padding lanes weigh 0), then the bias added; so for a pattern whose CSR
     * product sums in column order the two give the same bits. Only where {@link #blockKernels()} says so.
     */
    default void blockLinearForward(BlockMatrix w, Storage x, int batch, Storage bias, Storage y) {
        throw new UnsupportedOperationException(name() + " has no block kernels (ask blockKernels() first)");
    }

    /**
     * The backward of {@link #blockLinearForward}: dX += dY W unless dx is null (dX[b, c] takes, group by group in
     * order, the sum from 0 of its block's rows in order: one rounding per group), and the weight gradient at the
     * blocks' real rows added into the dense out x in {@code grad} (each summed from 0 over the batch in row order,
     * then added) unless grad is null. Only where {@link #blockKernels()} says so.
     */
    default void blockLinearBackward(BlockMatrix w, Storage dy, Storage x, int batch, Storage dx, Storage grad) {
        throw new UnsupportedOperationException(name() + " has no block kernels (ask blockKernels() first)");
    }

    /**
     * Whether the fused row ops ({@link #rowL2Normalize}, {@link #rowSquaredDistance}, {@link #rowDot},
     * {@link #batchNormTrain}, {@link #affineRows} and their backwards) run here. Where they do not, {@code Ops}
     * composes the same arithmetic from the element-wise primitives.
     */
    default boolean fusedRowOps() {
        return false;
    }

    /** What a fused row op throws on a backend whose {@link #fusedRowOps()} is false. */
    private UnsupportedOperationException noFusedRowOps() {
        return new UnsupportedOperationException(name() + " has no fused row ops (ask fusedRowOps() first)");
    }

    /**
     * Row-wise L2 normalisation with the arithmetic of {@code Ops}' composition square, sumCols, clampMin(eps2), sqrt,
     * reciprocal, mul: sumSq[r] = the sum from 0 of x[r, c] * x[r, c] in column order, and y[r, c] = x[r, c] * (1 /
     * sqrt(max(sumSq[r], eps2))) (a NaN sum clamps to eps2, as clampMin does). Only where {@link #fusedRowOps()} says
     * so.
     */
    default void rowL2Normalize(Storage x, int rows, int cols, float eps2, Storage sumSq, Storage y) {
        throw noFusedRowOps();
    }

    /**
     * dx += the gradient of {@link #rowL2Normalize} for upstream dy, with the composition's backward arithmetic (its
     * mul, then down to its square, which adds last); {@code scratch} holds at least {@code rows} floats.
     */
    default void rowL2NormalizeBackward(Storage x, int rows, int cols, float eps2, Storage sumSq, Storage dy,
                                        Storage scratch, Storage dx) {
        throw noFusedRowOps();
    }

    /**
     * out[r] = the sum from 0 of (a[r, c] - b[r, c])^2 in column order: {@code Ops}' sumCols(square(sub(a, b))). Only
     * where {@link #fusedRowOps()} says so.
     */
    default void rowSquaredDistance(Storage a, Storage b, int rows, int cols, Storage out) {
        throw noFusedRowOps();
    }

    /**
     * The backward of {@link #rowSquaredDistance} for upstream g (rows): da += 2 (a - b) g, then db -= it, either
     * skipped when null, with the composition's roundings.
     */
    default void rowSquaredDistanceBackward(Storage a, Storage b, int rows, int cols, Storage g, Storage da,
                                            Storage db) {
        throw noFusedRowOps();
    }

    /**
     * out[r] = the sum from 0 of a[r, c] * b[r, c] in column order: {@code Ops}' sumCols(mul(a, b)). Only where
     * {@link #fusedRowOps()} says so.
     */
    default void rowDot(Storage a, Storage b, int rows, int cols, Storage out) {
        throw noFusedRowOps();
    }

    /**
     * The backward of {@link #rowDot} for upstream g (rows): da += g b, then db += g a, either skipped when null, with
     * the composition's roundings.
     */
    default void rowDotBackward(Storage a, Storage b, int rows, int cols, Storage g, Storage da, Storage db) {
        throw noFusedRowOps();
    }

    /**
     * Training-mode batch norm over the rows of x with the arithmetic of {@code Ops}' composition meanRows, sub,
     * square, meanRows, addScalar(eps), pow(-0.5), mul(gamma), add(beta): mean[c] and var[c] (biased) of column c,
     * each summed from 0 over the rows in order and scaled by 1 / rows, inv[c] = (var[c] + eps)^-0.5, and y = (x -
     * mean) * inv * gamma + beta. Only where {@link #fusedRowOps()} says so.
     */
    default void batchNormTrain(Storage x, int rows, int cols, float eps, Storage gamma, Storage beta, Storage mean,
                                Storage var, Storage inv, Storage y) {
        throw noFusedRowOps();
    }

    /**
     * The backward of {@link #batchNormTrain} for upstream dy with the composition's roundings: dGamma and dBeta
     * accumulate, dx += the input's gradient (the centring's part, then the mean's), each skipped when null;
     * {@code scratch} holds at least 4 * cols floats.
     */
    default void batchNormTrainBackward(Storage x, int rows, int cols, float eps, Storage mean, Storage var,
                                        Storage inv, Storage gamma, Storage dy, Storage dx, Storage dGamma,
                                        Storage dBeta, Storage scratch) {
        throw noFusedRowOps();
    }

    /**
     * y = (x * inv) * gamma + beta with inv, gamma and beta one value per column: {@code Ops}' composition mul, mul,
     * add (a pooled batch norm's per-block normalisation). Only where {@link #fusedRowOps()} says so.
     */
    default void affineRows(Storage x, int rows, int cols, Storage inv, Storage gamma, Storage beta, Storage y) {
        throw noFusedRowOps();
    }

    /**
     * The backward of {@link #affineRows} with the composition's roundings: dBeta, dGamma and dInv accumulate their
     * column sums and dx += the input's gradient, each skipped when null; {@code scratch} holds at least 3 * cols
     * floats.
     */
    default void affineRowsBackward(Storage x, int rows, int cols, Storage inv, Storage gamma, Storage dy, Storage dx,
                                    Storage dInv, Storage dGamma, Storage dBeta, Storage scratch) {
        throw noFusedRowOps();
    }

    /** dst[i] = src[index[i]] for i < n (refreshes a transposed CSR copy's values after an update). */
    void gather(Storage src, IntStorage index, int n, Storage dst);

    // ---- element-wise -------------------------------------------------------------------------------------------

    /** y[i] = op(x[i]; p). x and y may be the same buffer. */
    void unary(UnaryOp op, float p, Storage x, Storage y, int n);

    /** dx[i] += dy[i] * op'(x[i], y[i]; p). */
    void unaryBackward(UnaryOp op, float p, Storage x, Storage y, Storage dy, Storage dx, int n);

    /** c = a (op) b over a rows x cols matrix a, b laid out as {@code broadcast} says. c may alias a. */
    void binary(BinaryOp op, Storage a, Storage b, Broadcast broadcast, int rows, int cols, Storage c);

    /** y[i] += alpha * x[i]. */
    void axpy(float alpha, Storage x, Storage y, int n);

    // ---- reductions and softmax ---------------------------------------------------------------------------------

    /** out[c] = alpha * sum_r x[r, c] + beta * out[c]  (sum over rows; one value per column). */
    void sumRows(Storage x, int rows, int cols, float alpha, float beta, Storage out);

    /** out[r] = alpha * sum_c x[r, c] + beta * out[r]  (sum over columns; one value per row). */
    void sumCols(Storage x, int rows, int cols, float alpha, float beta, Storage out);

    /** y = softmax (or log-softmax) of each row of x. */
    void rowSoftmax(Storage x, int rows, int cols, boolean log, Storage y);

    /** dx += the gradient of a row softmax (or log-softmax) with output y and upstream gradient dy. */
    void rowSoftmaxBackward(Storage y, Storage dy, int rows, int cols, boolean log, Storage dx);

    // ---- rows by index ------------------------------------------------------------------------------------------

    /** out[i, :] = table[index[i], :] for i < n; the table has {@code cols} columns. */
    void gatherRows(Storage table, int cols, IntStorage index, int n, Storage out);

    /** table[index[i], :] += src[i, :] for i < n, in index order. */
    void scatterAddRows(Storage src, int cols, IntStorage index, int n, Storage table);

    // ---- optimiser updates (mask: a pruned position keeps weight 0 and optimiser state 0) ------------------------

    /**
     * PyTorch's SGD order: g = grad + wd*w; buf = momentum*buf + (1-dampening)*g (buf = g on the first step);
     * g = nesterov ? g + momentum*buf : buf; w -= lr*g. momentumBuf may be null when h's momentum is 0.
     */
    void sgdStep(Storage param, Storage grad, Storage momentumBuf, Storage mask, int n, float lr, boolean firstStep,
                 SgdHyper h);

    /**
     * Adam (h.decoupled() false: L2 added to the gradient) or AdamW (true: w -= lr*wd*w first), with bias correction
     * for the given 1-based step.
     */
    void adamStep(Storage param, Storage grad, Storage m, Storage v, Storage mask, int n, float lr, int step,
                  AdamHyper h);

    /**
     * {@link #sgdStep} over the positions {@code index[0..count)} of an n-element parameter only (a pruned weight's
     * survivors, ascending and distinct); every other position of param, grad and momentumBuf is left untouched. Each
     * updated position gets exactly the arithmetic of the dense step, so the two agree bitwise. The default goes
     * through host copies (download, update, upload of the whole buffers): correct on any backend, fast on none;
     * a backend with a native kernel overrides it and {@link #prefersIndexedUpdates}.
     */
    default void sgdStepIndexed(Storage param, Storage grad, Storage momentumBuf, IntStorage index, int count, int n,
                                float lr, boolean firstStep, SgdHyper h) {
        if (count == 0) {
            return;
        }
        float[] w = new float[n];
        float[] g = new float[n];
        float[] buf = momentumBuf == null ? null : new float[n];
        int[] idx = new int[count];
        download(param, 0, w, 0, n);
        download(grad, 0, g, 0, n);
        if (buf != null) {
            download(momentumBuf, 0, buf, 0, n);
        }
        downloadInts(index, 0, idx, 0, count);
        HostUpdates.sgdIndexed(w, g, buf, idx, 0, count, lr, firstStep, h);
        upload(w, 0, param, 0, n);
        if (buf != null) {
            upload(buf, 0, momentumBuf, 0, n);
        }
    }

    /** {@link #adamStep} over the positions {@code index[0..count)} only; see {@link #sgdStepIndexed}. */
    default void adamStepIndexed(Storage param, Storage grad, Storage m, Storage v, IntStorage index, int count, int n,
                                 float lr, int step, AdamHyper h) {
        if (count == 0) {
            return;
        }
        float[] w = new float[n];
        float[] g = new float[n];
        float[] m1 = new float[n];
        float[] m2 = new float[n];
        int[] idx = new int[count];
        download(param, 0, w, 0, n);
        download(grad, 0, g, 0, n);
        download(m, 0, m1, 0, n);
        download(v, 0, m2, 0, n);
        downloadInts(index, 0, idx, 0, count);
        HostUpdates.adamIndexed(w, g, m1, m2, idx, 0, count, lr, step, h);
        upload(w, 0, param, 0, n);
        upload(m1, 0, m, 0, n);
        upload(m2, 0, v, 0, n);
    }

    /**
     * {@link #adamStep} over whole rows of a parameter of {@code cols} columns: the rows {@code rows[0..rowCount)}
     * (distinct); every other row of param, m and v is left untouched, and each listed row gets exactly the dense
     * step's arithmetic. What lazy Adam runs on an embedding table (the rows a batch looked up). The default expands
     * the rows to positions for {@link #adamStepIndexed} (allocating; correct on any backend); the CPU backend runs
     * each row as a contiguous loop.
     */
    default void adamStepRows(Storage param, Storage grad, Storage m, Storage v, IntStorage rows, int rowCount,
                              int cols, int n, float lr, int step, AdamHyper h) {
        if (rowCount == 0) {
            return;
        }
        int[] r = new int[rowCount];
        downloadInts(rows, 0, r, 0, rowCount);
        int[] positions = new int[rowCount * cols];
        for (int k = 0; k < rowCount; k++) {
            for (int c = 0; c < cols; c++) {
                positions[k * cols + c] = r[k] * cols + c;
            }
        }
        IntStorage index = allocateInts(positions.length);
        try {
            uploadInts(positions, 0, index, 0, positions.length);
            adamStepIndexed(param, grad, m, v, index, positions.length, n, lr, step, h);
        } finally {
            free(index);
        }
    }

    /**
     * Whether the indexed updates are native kernels that beat a dense masked sweep at low density. False for the
     * host-copy defaults, so an optimiser choosing by density keeps such a backend on the dense masked sweep.
     */
    default boolean prefersIndexedUpdates() {
        return false;
    }

    /** Waits until every queued operation has finished (a no-op on synchronous backends). */
    default void synchronize() {
    }

    @Override
    default void close() {
    }
}
