package dev.winnow.engine.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;
import java.util.Locale;
import java.util.logging.Logger;

/**
 * The CPU's sparse kernels on heap arrays: CSR x dense products in both orientations and SDDMM on a CSR pattern.
 *
 * <p>Strategy ("panel" kernels): the batch is cut into chunks of {@link #CHUNK} rows. A chunk of the row-major dense
 * operand is packed transposed into a panel {@code P[k][CHUNK]}, so that each stored nonzero drives one contiguous
 * multiply-add over the chunk's batch lanes (an AXPY of {@code CHUNK} floats, held in vector registers). A panel has
 * {@code cols * CHUNK} floats and is reused by every nonzero of its column, which is where the speed comes from:
 * the dense operand is read from memory once per chunk, not once per nonzero. Results are unpacked transposed.
 * The forward panels start on a 64-byte cache line ({@link CacheLineOffset}), and at low densities the forward gather
 * walks W's columns in blocks ({@link #blockColumns}); neither changes a single bit of the result.
 *
 * <p>Determinism: threads split whole chunks (products) or whole rows of the pattern (SDDMM); each output element is
 * summed by one thread in an order fixed by the pattern and the chunk size alone, so results are bitwise identical
 * for any thread count. Scratch panels are per part and grown on demand, never allocated per call.
 *
 * <p>Same bits at every vector width, and without the Vector API: the summation order is fixed by the logical
 * layout, never by the register width. A product's output lane is one fused multiply-add chain over its row's
 * entries in pattern order; the scatter multiplies, then adds; an SDDMM entry sums a chunk's 64 batch lanes in 16
 * logical lanes (lane g chains lanes g, g+16, g+32, g+48 by fused multiply-adds), adds lane g+8 to lane g, and adds
 * the eight results to 0 in order ({@link Scalar#sddmmRows} spells it out). {@link Vectorized} holds those lanes in
 * whatever registers the machine has ({@link VectorLanes}); {@link Scalar}, the plain-Java fallback, computes exactly
 * the same IEEE operations one lane at a time.
 *
 * <p>Size: this class holds hand-unrolled kernels (one variant per vector width, its accumulator vectors spelt out
 * one by one, each with its scalar twin) and is deliberately longer than the ~600 lines other classes keep to. It
 * stays one class because every kernel shares the same per-part scratch panels, the same panel layout (CHUNK,
 * cache-line offsets, packing of the used rows and columns) and the same summation order, and the vector and scalar
 * twins must agree bit for bit: split up, that shared state and that contract would be exposed across classes.
 */
abstract class SparseKernels {
    private static final Logger LOG = Logger.getLogger(SparseKernels.class.getName());

    /**
     * Batch rows per panel: 8 AVX2 vectors (4 AVX-512), enough independent FMA chains per nonzero to hide the FMA
     * latency and to spread the per-nonzero index and broadcast over 8 FMAs. Measured 1.3-1.5x faster than 32.
     */
    static final int CHUNK = 64;

    /**
     * Column blocks of the forward gather hold, at the pattern's density, about {@link #BLOCK_NNZ} stored entries per
     * row, and are used only when that makes them at least {@link #MIN_BLOCK_COLS} wide (see {@link #blockColumns}).
     */
    static final int MIN_BLOCK_COLS = 256;
    static final int BLOCK_NNZ = 48;

    /**
     * Largest packed X (floats) that {@link #linearForward} keeps for the backward. Above it the forward packs each
     * chunk into the per-part panel that stays in L2, and the backward packs X again: at batch 1024 x 1024 inputs
     * (4 MiB) writing every chunk to a fresh place made the forward ~14% slower, more than the backward saved
     * (bench/HISTORY.md, "Sparse layer backward shares its packs"). The NCF student's layers (<= 32k floats) keep.
     */
    static final int KEEP_MAX_FLOATS = 128 * 1024;


    /** Per-part scratch: packed input panel, packed output panel, and where in each the cache lines start. */
    private float[][] panelIn = new float[0][];
    private float[][] panelOut = new float[0][];
    private int[] panelInOffset = new int[0];
    private int[] panelOutOffset = new int[0];
    private final Object[] addressScratch = new Object[1];
    /** Per-call split of the pattern's rows into column blocks: blockStart[j * rows + r], j in [0, blocks]. */
    private int[] blockStart = new int[0];
    /** Per-part scratch of the SDDMM: one entry's 16 logical lanes, read back in a fixed order. */
    private float[][] laneScratch = new float[0][];
    /** Shared transposed operands for SDDMM (packed once, then read by every thread). */
    private float[] packedA = new float[0];
    private float[] packedB = new float[0];
    /** The columns / rows of a pattern that hold entries (see {@link #usedColumns}); colStamp[c] == stamp: listed. */
    private int[] colStamp = new int[0];
    private int stamp;
    private int[] colList = new int[0];
    private int[] rowList = new int[0];
    /** Numbers the packs that {@link #linearForward} leaves in a {@link Packed}. */
    private long packTokens;

    /**
     * A sparse layer's input X as its forward packed it ({@link #linearForward}), kept for the layer's backward,
     * whose SDDMM reads exactly these panels ({@link #linearBackward}). One per layer (one pattern); grown on demand.
     */
    public static final class Packed {
        private float[] data = new float[0];
        private int offset;
        private Object source;
        private int batch = -1;
        private int cols = -1;
        private long token;

        /** Whether this holds the pack of {@code x} (batch x cols) made by the forward that returned {@code t}. */
        boolean holds(float[] x, int b, int c, long t) {
            return t != 0 && token == t && source == x && batch == b && cols == c;
        }
    }

    /** Which implementation {@link #create} picks: the Vector API one when the module is present. */
    public static SparseKernels create() {
        boolean vector = CpuBackend.GemmChoice.vectorModulePresent()
                && !"scalar".equals(System.getProperty("winnow.sparse.kernels", "").trim().toLowerCase(Locale.ROOT));
        return create(vector);
    }

    /** The vectorised kernels ({@code true}, needs jdk.incubator.vector) or the plain-Java ones. */
    public static SparseKernels create(boolean vectorized) {
        if (!vectorized) {
            return new Scalar();
        }
        if (!CpuBackend.GemmChoice.vectorModulePresent()) {
            throw new IllegalStateException("the vectorised sparse kernels need --add-modules jdk.incubator.vector");
        }
        try {
            return (SparseKernels) Class.forName("dev.winnow.engine.backend.cpu.SparseKernels$Vectorized")
                    .getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            LOG.warning("cannot load the vectorised sparse kernels, using plain Java: " + e);
            return new Scalar();
        }
    }

    public abstract String name();

    // ---- the kernels on one chunk (implemented twice: vector and scalar) ---------------------------------------

    /**
     * q[qo + r*CHUNK + i] = sum_{p in row r} v[p] * panel[po + ci[p]*CHUNK + i] for r in [0, rows), each lane summed
     * in the order of p. With {@code blocks} > 1 the implementation may walk the columns block by block
     * (bs[j*rows + r] = first entry of row r in column block j, as filled by {@link #splitBlocks}), carrying the
     * partial sums in q between blocks: the same additions in the same order, so the same bits.
     */
    abstract void gatherRowsChunk(int rows, int[] rp, int[] ci, float[] v, float[] panel, int po, float[] q, int qo,
                                  int[] bs, int blocks);

    /** Whether {@link #gatherRowsChunk} uses column blocks (otherwise spmmNT does not compute them). */
    abstract boolean blocksColumns();

    /** q[ci[p]*CHUNK + i] += v[p] * panel[r*CHUNK + i] for every stored p = (r, ci[p]). q is zeroed by the caller. */
    abstract void scatterRowsChunk(int rowFrom, int rowTo, int[] rp, int[] ci, float[] v, float[] panel, float[] q);

    /**
     * out[p] += sum_{c < chunks} sum_i a[c][r][i] * b[c][ci[p]][i] for rows r in [rowFrom, rowTo), where a and b are
     * chunk-packed panels starting at aOff / bOff with strides aChunk = aRows*CHUNK and bChunk = bRows*CHUNK.
     */
    abstract void sddmmRows(int rowFrom, int rowTo, int[] rp, int[] ci, float[] a, int aOff, int aChunk, float[] b,
                            int bOff, int bChunk, int chunks, float[] out, float[] lanes);

    // ---- public kernels -----------------------------------------------------------------------------------------

    /**
     * y[b, r] = sum_{p in row r} v[p] x[b, ci[p]] + beta * y[b, r]: Y = X W^T for W (rows x cols) in CSR, X of shape
     * batch x cols, Y of shape batch x rows, both row-major and dense.
     */
    public synchronized void spmmNT(int rows, int cols, int[] rp, int[] ci, float[] v,
                                    float[] x, int batch, float beta, float[] y, Parallel parallel) {
        forward(rows, cols, rp, ci, v, x, batch, beta, null, y, null, parallel);
    }

    /**
     * The forward of a sparse layer: y = X W^T + bias (bias[r] added to every y[b, r]; null: none), {@link #spmmNT}
     * with beta 0 whose unpack adds the bias (the same single rounding as adding it afterwards), and that leaves the
     * packed X in {@code keep} for the layer's {@link #linearBackward}, so its SDDMM does not pack X again (only
     * when X packs into at most {@link #KEEP_MAX_FLOATS}). Returns the token that names this pack (0: none kept);
     * the backward passes it back, and a later forward into the same {@code keep} makes it stale (the backward then
     * packs X itself). The caller must not change x, nor the pattern, between the two.
     */
    public synchronized long linearForward(int rows, int cols, int[] rp, int[] ci, float[] v, float[] x, int batch,
                                           float[] bias, float[] y, Packed keep, Parallel parallel) {
        keep.source = null;
        keep.token = 0;
        if ((long) ((batch + CHUNK - 1) / CHUNK) * cols * CHUNK > KEEP_MAX_FLOATS) {
            forward(rows, cols, rp, ci, v, x, batch, 0f, bias, y, null, parallel);
            return 0;
        }
        if (!forward(rows, cols, rp, ci, v, x, batch, 0f, bias, y, keep, parallel)) {
            return 0;
        }
        keep.source = x;
        keep.batch = batch;
        keep.cols = cols;
        keep.token = ++packTokens;
        return keep.token;
    }

    /**
     * Batches up to this size skip the panels: a panel holds {@link #CHUNK} lanes whatever the batch, so one row
     * paid for 64 (an engine prediction at batch 1 ran 2.6x slower in CSR than dense; bench/RESULTS.md).
     */
    static final int DIRECT_MAX_BATCH = 4;

    /**
     * The product for a few rows of X, each output lane's chain spelt out: 0, then one fused multiply-add per entry
     * of its row in pattern order, then the bias or beta Y added as {@link #unpackAddingBias} / {@link #unpack} add
     * them. The same operations as the panel kernels', so the same bits; nothing is packed.
     */
    private static void forwardDirect(int rows, int cols, int[] rp, int[] ci, float[] v, float[] x, int batch,
                                      float beta, float[] bias, float[] y) {
        for (int b = 0; b < batch; b++) {
            int xo = b * cols;
            int yo = b * rows;
            for (int r = 0; r < rows; r++) {
                float s = 0f;
                for (int p = rp[r]; p < rp[r + 1]; p++) {
                    s = Math.fma(x[xo + ci[p]], v[p], s);
                }
                if (bias != null) {
                    y[yo + r] = s + bias[r];
                } else if (beta == 0f) {
                    y[yo + r] = s;
                } else if (beta == 1f) {
                    y[yo + r] += s;
                } else {
                    y[yo + r] = s + beta * y[yo + r];
                }
            }
        }
    }

    /**
     * Y = X W^T + beta Y (+ bias, only with beta 0) chunk by chunk; with {@code keep}, every chunk's panel goes to
     * its own place in keep (for the backward) instead of the per-part scratch. False when there was nothing to pack.
     */
    private boolean forward(int rows, int cols, int[] rp, int[] ci, float[] v, float[] x, int batch, float beta,
                            float[] bias, float[] y, Packed keep, Parallel parallel) {
        checkCsr(rows, cols, rp, ci, v);
        checkDense("x", x, batch, cols);
        checkDense("y", y, batch, rows);
        if (batch == 0 || rows == 0) {
            return false;
        }
        if (batch <= DIRECT_MAX_BATCH) {
            forwardDirect(rows, cols, rp, ci, v, x, batch, beta, bias, y);
            return false;
        }
        int chunks = (batch + CHUNK - 1) / CHUNK;
        int parts = Math.min(parallel.threads(), chunks);
        ensurePanels(parts, keep == null ? cols : 0, rows);
        alignPanels(parts);
        int xChunk = cols * CHUNK;
        if (keep != null) {
            if (keep.data.length < chunks * xChunk + CacheLineOffset.PAD) {
                keep.data = new float[chunks * xChunk + CacheLineOffset.PAD];
            }
            keep.offset = CacheLineOffset.of(keep.data, addressScratch);
        }
        int used = usedColumns(cols, ci, rp[rows]);
        int[] list = colList;
        int width = blocksColumns() ? blockColumns(rows, cols, rp[rows]) : cols;
        int blocks = width < cols && splitBlocks(rows, rp, ci, width, (cols + width - 1) / width)
                ? (cols + width - 1) / width : 1;
        int[] bs = blockStart;
        parallel.forRange(chunks, 1, (part, from, to) -> {
            float[] q = panelOut[part];
            int qo = panelOutOffset[part];
            for (int c = from; c < to; c++) {
                float[] panel = keep == null ? panelIn[part] : keep.data;
                int po = keep == null ? panelInOffset[part] : keep.offset + c * xChunk;
                int b0 = c * CHUNK;
                int nb = Math.min(CHUNK, batch - b0);
                packUsed(x, cols, b0, nb, cols, panel, po, list, used);
                gatherRowsChunk(rows, rp, ci, v, panel, po, q, qo, bs, blocks);
                if (bias == null) {
                    unpack(q, qo, rows, b0, nb, beta, y);
                } else {
                    unpackAddingBias(q, qo, rows, b0, nb, bias, y);
                }
            }
        });
        return true;
    }

    /**
     * A sparse layer's weight as {@link #linearBackward} reads it: W's pattern (rows x cols, rowPtr, colIdx; W's
     * values are not needed) and its transposed copy W^T in CSR (tRowPtr, tColIdx, tValues). Checked once, here;
     * made once per layer (the CPU backend keeps it in the layer's scratch), so a backward allocates nothing for it.
     * The arrays are shared, not copied: W^T's values change between steps, the pattern must not.
     */
    public record LayerWeight(int rows, int cols, int[] rowPtr, int[] colIdx, int[] tRowPtr, int[] tColIdx,
                              float[] tValues) {
        public LayerWeight {
            checkCsr(cols, rows, tRowPtr, tColIdx, tValues);
            if (rowPtr.length < rows + 1) {
                throw new IllegalArgumentException("rowPtr holds " + rowPtr.length + " entries, needs rows + 1 = "
                        + (rows + 1));
            }
            int nnz = rowPtr[rows];
            if (colIdx.length < nnz || tRowPtr[cols] != nnz) {
                throw new IllegalArgumentException("linearBackward: W has " + nnz + " entries (colIdx holds "
                        + colIdx.length + ") but its transposed copy " + tRowPtr[cols]);
            }
        }
    }

    /**
     * The backward of a sparse layer W (rows x cols) in one call, sharing packed panels between its two products:
     * dx += dY W through the transposed copy (W^T in {@code w}) when dx is not null, and
     * grad[p] = sum_b dY[b, row(p)] X[b, ci[p]] on W's pattern when grad is not null. dY is packed once for both;
     * X is not packed at all when {@code keep} still holds the pack of the forward that returned {@code token}.
     * Bitwise the same as {@link #spmmNT} on W^T with beta 1 followed by {@link #sddmm} with beta 0: the same
     * panels (only where they start differs), the same kernels, the same order.
     */
    public synchronized void linearBackward(LayerWeight w, float[] dy, float[] x, int batch, float[] dx, float[] grad,
                                            Packed keep, long token, Parallel parallel) {
        int rows = w.rows;
        int cols = w.cols;
        int[] rp = w.rowPtr;
        int[] ci = w.colIdx;
        int[] trp = w.tRowPtr;
        int[] tci = w.tColIdx;
        float[] tv = w.tValues;
        int nnz = rp[rows];
        checkDense("dy", dy, batch, rows);
        checkDense("x", x, batch, cols);
        if (dx != null) {
            checkDense("dx", dx, batch, cols);
        }
        if (grad != null) {
            if (grad.length < nnz) {
                throw new IllegalArgumentException("linearBackward: pattern has " + nnz + " entries but grad holds "
                        + grad.length);
            }
            Arrays.fill(grad, 0, nnz, 0f);
        }
        boolean wantGrad = grad != null && nnz > 0;
        boolean wantDx = dx != null && cols > 0;
        if (batch == 0 || !(wantDx || wantGrad)) {
            return;
        }
        int chunks = (batch + CHUNK - 1) / CHUNK;
        int aChunk = rows * CHUNK;
        if (packedA.length < chunks * aChunk + CacheLineOffset.PAD) {
            packedA = new float[chunks * aChunk + CacheLineOffset.PAD];
        }
        float[] pa = packedA;
        int aOff = CacheLineOffset.of(pa, addressScratch);
        // dY's panel rows that anything reads: W's rows with entries, i.e. W^T's columns (the SDDMM loads the panel
        // row of every row r but uses it only for r's entries).
        int usedRows = usedRows(rows, rp);
        int[] rows1 = rowList;
        int parts = Math.min(parallel.threads(), chunks);
        int blocks = 1;
        if (wantDx) {
            ensurePanels(parts, 0, cols);
            alignPanels(parts);
            int width = blocksColumns() ? blockColumns(cols, rows, nnz) : rows;
            blocks = width < rows && splitBlocks(cols, trp, tci, width, (rows + width - 1) / width)
                    ? (rows + width - 1) / width : 1;
        }
        int[] bs = blockStart;
        int dxBlocks = blocks;
        parallel.forRange(chunks, 1, (part, from, to) -> {
            for (int c = from; c < to; c++) {
                int b0 = c * CHUNK;
                int nb = Math.min(CHUNK, batch - b0);
                int po = aOff + c * aChunk;
                packUsed(dy, rows, b0, nb, rows, pa, po, rows1, usedRows);
                if (wantDx) {
                    float[] q = panelOut[part];
                    int qo = panelOutOffset[part];
                    gatherRowsChunk(cols, trp, tci, tv, pa, po, q, qo, bs, dxBlocks);
                    unpack(q, qo, cols, b0, nb, 1f, dx);
                }
            }
        });
        if (!wantGrad) {
            return;
        }
        int bChunk = cols * CHUNK;
        float[] pb;
        int bOff;
        if (keep != null && keep.holds(x, batch, cols, token)) {
            pb = keep.data;
            bOff = keep.offset;
        } else {
            if (packedB.length < chunks * bChunk + CacheLineOffset.PAD) {
                packedB = new float[chunks * bChunk + CacheLineOffset.PAD];
            }
            pb = packedB;
            bOff = CacheLineOffset.of(pb, addressScratch);
            int usedCols = usedColumns(cols, ci, nnz);
            int[] cols1 = colList;
            float[] pbf = pb;
            int bOffF = bOff;
            parallel.forRange(chunks, 1, (part, from, to) -> {
                for (int c = from; c < to; c++) {
                    int b0 = c * CHUNK;
                    packUsed(x, cols, b0, Math.min(CHUNK, batch - b0), cols, pbf, bOffF + c * bChunk, cols1,
                            usedCols);
                }
            });
        }
        float[] pbF = pb;
        int bOffF = bOff;
        float[][] lanes = laneScratch(parallel.threads());
        parallel.forRange(rows, 1, (part, from, to) ->
                sddmmRows(from, to, rp, ci, pa, aOff, aChunk, pbF, bOffF, bChunk, chunks, grad, lanes[part]));
    }

    /**
     * Columns per block of the forward gather: the smallest power of two that holds about {@link #BLOCK_NNZ}
     * entries of a row at this density; {@code cols} (one block) when that is narrower than {@link #MIN_BLOCK_COLS}
     * or not narrower than the matrix. Why blocks: the panel rows of one block (128 KiB at 512 columns) are read
     * from closer to the core than the whole 256 KiB panel at in = 1024; why not narrow ones: each (row, block)
     * reloads and stores the row's 64 partial sums, and the output panel streamed once per block competes with the
     * input panel for L2. Measured at 1024x1024, batch 1024, in one JVM against the one-block kernel (bench/HISTORY.md,
     * "CSR forward, second pass"): 512 columns at density 0.1 and 256 at 0.3 faster by ~10%; 64-256 columns at
     * density 0.5 and 1 slower by up to 25%; at 0.05 the rule gives one block.
     */
    static int blockColumns(int rows, int cols, int nnz) {
        if (nnz == 0 || rows == 0) {
            return cols;
        }
        double perRow = (double) nnz / rows;
        double want = BLOCK_NNZ * (double) cols / perRow;
        int width = 64;
        while (width < want && width < cols) {
            width <<= 1;
        }
        return width < MIN_BLOCK_COLS || width >= cols ? cols : width;
    }

    /**
     * Fills blockStart for column blocks of {@code width}; false (and blocks are not used) when a row's columns are
     * not strictly ascending or fall outside [0, blocks * width), which the unblocked kernel then handles as before.
     */
    private boolean splitBlocks(int rows, int[] rp, int[] ci, int width, int blocks) {
        int need = (blocks + 1) * rows;
        if (blockStart.length < need) {
            blockStart = new int[need];
        }
        int[] bs = blockStart;
        for (int r = 0; r < rows; r++) {
            int p = rp[r];
            int end = rp[r + 1];
            int prev = -1;
            for (int j = 0; j < blocks; j++) {
                bs[j * rows + r] = p;
                int limit = (j + 1) * width;
                while (p < end && ci[p] < limit) {
                    if (ci[p] <= prev) {
                        return false;
                    }
                    prev = ci[p++];
                }
            }
            if (p != end) {
                return false;
            }
            bs[blocks * rows + r] = end;
        }
        return true;
    }

    /**
     * dx[b, c] = sum_{stored p = (r, c)} dy[b, r] v[p] + beta * dx[b, c]: dX = dY W for W (rows x cols) in CSR. This
     * scatters along W's rows; with a transposed copy of W at hand, {@link #spmmNT} on it is the faster route.
     */
    public synchronized void spmmNN(int rows, int cols, int[] rp, int[] ci, float[] v,
                                    float[] dy, int batch, float beta, float[] dx, Parallel parallel) {
        checkCsr(rows, cols, rp, ci, v);
        checkDense("dy", dy, batch, rows);
        checkDense("dx", dx, batch, cols);
        if (batch == 0 || cols == 0) {
            return;
        }
        int chunks = (batch + CHUNK - 1) / CHUNK;
        ensurePanels(Math.min(parallel.threads(), chunks), rows, cols);
        parallel.forRange(chunks, 1, (part, from, to) -> {
            float[] panel = panelIn[part];
            float[] q = panelOut[part];
            for (int c = from; c < to; c++) {
                int b0 = c * CHUNK;
                int nb = Math.min(CHUNK, batch - b0);
                pack(dy, rows, b0, nb, rows, panel);
                Arrays.fill(q, 0, cols * CHUNK, 0f);
                scatterRowsChunk(0, rows, rp, ci, v, panel, q);
                unpack(q, 0, cols, b0, nb, beta, dx);
            }
        });
    }

    /**
     * out[p] = sum_b a[b, r] * b[b, ci[p]] + beta * out[p] for every stored p = (r, ci[p]) of the pattern (rows x
     * cols): with a = dY (batch x rows) and b = X (batch x cols) this is dW = dY^T X restricted to the pattern.
     */
    public synchronized void sddmm(int rows, int cols, int[] rp, int[] ci, float[] a, float[] b, int batch,
                                   float beta, float[] out, Parallel parallel) {
        checkDense("dy", a, batch, rows);
        checkDense("x", b, batch, cols);
        if (rp.length < rows + 1) {
            throw new IllegalArgumentException("rowPtr holds " + rp.length + " entries, needs rows + 1 = " + (rows + 1));
        }
        int nnz = rp[rows];
        if (out.length < nnz || ci.length < nnz) {
            throw new IllegalArgumentException("sddmm: pattern has " + nnz + " entries but colIdx/out hold "
                    + ci.length + "/" + out.length);
        }
        if (beta == 0f) {
            Arrays.fill(out, 0, nnz, 0f);
        } else if (beta != 1f) {
            for (int p = 0; p < nnz; p++) {
                out[p] *= beta;
            }
        }
        if (batch == 0 || nnz == 0) {
            return;
        }
        int chunks = (batch + CHUNK - 1) / CHUNK;
        int aChunk = rows * CHUNK;
        int bChunk = cols * CHUNK;
        if (packedA.length < chunks * aChunk + CacheLineOffset.PAD) {
            packedA = new float[chunks * aChunk + CacheLineOffset.PAD];
        }
        if (packedB.length < chunks * bChunk + CacheLineOffset.PAD) {
            packedB = new float[chunks * bChunk + CacheLineOffset.PAD];
        }
        float[] pa = packedA;
        float[] pb = packedB;
        // Every 64-float panel row on a cache line, as in spmmNT: the b rows are read at random columns.
        int aOff = CacheLineOffset.of(pa, addressScratch);
        int bOff = CacheLineOffset.of(pb, addressScratch);
        // Only the panel rows the products read: a's rows with entries, b's columns with entries.
        int usedRows = usedRows(rows, rp);
        int[] rows1 = rowList;
        int usedCols = usedColumns(cols, ci, nnz);
        int[] cols1 = colList;
        parallel.forRange(chunks, 1, (part, from, to) -> {
            for (int c = from; c < to; c++) {
                int b0 = c * CHUNK;
                int nb = Math.min(CHUNK, batch - b0);
                packUsed(a, rows, b0, nb, rows, pa, aOff + c * aChunk, rows1, usedRows);
                packUsed(b, cols, b0, nb, cols, pb, bOff + c * bChunk, cols1, usedCols);
            }
        });
        // A fixed split of the pattern's rows: each out[p] is summed by one thread, chunk by chunk, in chunk order.
        float[][] lanes = laneScratch(parallel.threads());
        parallel.forRange(rows, 1, (part, from, to) ->
                sddmmRows(from, to, rp, ci, pa, aOff, aChunk, pb, bOff, bChunk, chunks, out, lanes[part]));
    }

    /** dst[i] = src[index[i]] for i < n. */
    public void gather(float[] src, int[] index, int n, float[] dst) {
        for (int i = 0; i < n; i++) {
            dst[i] = src[index[i]];
        }
    }

    // ---- packing ------------------------------------------------------------------------------------------------

    private float[][] laneScratch(int parts) {
        if (laneScratch.length < parts) {
            laneScratch = Arrays.copyOf(laneScratch, parts);
        }
        for (int p = 0; p < parts; p++) {
            if (laneScratch[p] == null) {
                laneScratch[p] = new float[16];
            }
        }
        return laneScratch;
    }

    /** Panels have {@link CacheLineOffset#PAD} spare floats so that their data can start on a cache line. */
    private void ensurePanels(int parts, int inRows, int outRows) {
        if (panelIn.length < parts) {
            panelIn = Arrays.copyOf(panelIn, parts);
            panelOut = Arrays.copyOf(panelOut, parts);
            panelInOffset = Arrays.copyOf(panelInOffset, parts);
            panelOutOffset = Arrays.copyOf(panelOutOffset, parts);
        }
        for (int p = 0; p < parts; p++) {
            if (panelIn[p] == null || panelIn[p].length < inRows * CHUNK + CacheLineOffset.PAD) {
                panelIn[p] = new float[Math.max(inRows, 1) * CHUNK + CacheLineOffset.PAD];
            }
            if (panelOut[p] == null || panelOut[p].length < outRows * CHUNK + CacheLineOffset.PAD) {
                panelOut[p] = new float[Math.max(outRows, 1) * CHUNK + CacheLineOffset.PAD];
            }
        }
    }

    /** Where each part's panels start on a cache line, asked again on every call because the GC moves arrays. */
    private void alignPanels(int parts) {
        for (int p = 0; p < parts; p++) {
            panelInOffset[p] = CacheLineOffset.of(panelIn[p], addressScratch);
            panelOutOffset[p] = CacheLineOffset.of(panelOut[p], addressScratch);
        }
    }

    /**
     * Lists in colList the columns of [0, cols) that hold entries of the pattern (ci[0..nnz)) and returns how many;
     * -1 (list not used) once more than half of them do, where a full pack with its contiguous reads is cheaper.
     * Panel rows of unlisted columns are never read by a kernel on this pattern, so skipping them changes nothing.
     */
    private int usedColumns(int cols, int[] ci, int nnz) {
        if (colStamp.length < cols) {
            colStamp = new int[cols];
            stamp = 0;
        }
        int limit = cols / 2;
        if (colList.length < limit + 1) {
            colList = new int[limit + 1];
        }
        if (++stamp == Integer.MAX_VALUE) {
            Arrays.fill(colStamp, 0);
            stamp = 1;
        }
        int s = stamp;
        int n = 0;
        for (int p = 0; p < nnz; p++) {
            int c = ci[p];
            if (colStamp[c] != s) {
                if (n == limit) {
                    return -1;
                }
                colStamp[c] = s;
                colList[n++] = c;
            }
        }
        return n;
    }

    /** Like {@link #usedColumns} for the pattern's rows with entries, listed in rowList. */
    private int usedRows(int rows, int[] rp) {
        int limit = rows / 2;
        if (rowList.length < limit + 1) {
            rowList = new int[limit + 1];
        }
        int n = 0;
        for (int r = 0; r < rows; r++) {
            if (rp[r + 1] > rp[r]) {
                if (n == limit) {
                    return -1;
                }
                rowList[n++] = r;
            }
        }
        return n;
    }

    /** {@link #packInto} for all columns (n < 0) or only the n listed ones (other panel rows keep what they held). */
    static void packUsed(float[] x, int ld, int b0, int nb, int cols, float[] panel, int off, int[] list, int n) {
        if (n < 0) {
            packInto(x, ld, b0, nb, cols, panel, off);
            return;
        }
        for (int i = 0; i < nb; i++) {
            int src = (b0 + i) * ld;
            for (int j = 0; j < n; j++) {
                int k = list[j];
                panel[off + k * CHUNK + i] = x[src + k];
            }
        }
        if (nb < CHUNK) {
            for (int j = 0; j < n; j++) {
                int k = list[j];
                Arrays.fill(panel, off + k * CHUNK + nb, off + (k + 1) * CHUNK, 0f);
            }
        }
    }

    private static void pack(float[] x, int ld, int b0, int nb, int cols, float[] panel) {
        packInto(x, ld, b0, nb, cols, panel, 0);
    }

    /** panel[off + k*CHUNK + i] = x[(b0+i)*ld + k] for i < nb, k < cols; lanes nb..CHUNK-1 are zero. */
    static void packInto(float[] x, int ld, int b0, int nb, int cols, float[] panel, int off) {
        final int kb = 64;
        for (int k0 = 0; k0 < cols; k0 += kb) {
            int k1 = Math.min(cols, k0 + kb);
            for (int i = 0; i < nb; i++) {
                int src = (b0 + i) * ld;
                for (int k = k0; k < k1; k++) {
                    panel[off + k * CHUNK + i] = x[src + k];
                }
            }
        }
        if (nb < CHUNK) {
            for (int k = 0; k < cols; k++) {
                Arrays.fill(panel, off + k * CHUNK + nb, off + (k + 1) * CHUNK, 0f);
            }
        }
    }

    /** y[(b0+i)*rows + r] = q[qo + r*CHUNK + i] + bias[r] for i < nb, r < rows: the forward's unpack and bias add. */
    private static void unpackAddingBias(float[] q, int qo, int rows, int b0, int nb, float[] bias, float[] y) {
        final int rb = 64;
        for (int r0 = 0; r0 < rows; r0 += rb) {
            int r1 = Math.min(rows, r0 + rb);
            for (int i = 0; i < nb; i++) {
                int dst = (b0 + i) * rows;
                for (int r = r0; r < r1; r++) {
                    y[dst + r] = q[qo + r * CHUNK + i] + bias[r];
                }
            }
        }
    }

    /** y[(b0+i)*rows + r] = q[qo + r*CHUNK + i] + beta * y[...] for i < nb, r < rows. */
    private static void unpack(float[] q, int qo, int rows, int b0, int nb, float beta, float[] y) {
        final int rb = 64;
        for (int r0 = 0; r0 < rows; r0 += rb) {
            int r1 = Math.min(rows, r0 + rb);
            for (int i = 0; i < nb; i++) {
                int dst = (b0 + i) * rows;
                if (beta == 0f) {
                    for (int r = r0; r < r1; r++) {
                        y[dst + r] = q[qo + r * CHUNK + i];
                    }
                } else if (beta == 1f) {
                    for (int r = r0; r < r1; r++) {
                        y[dst + r] += q[qo + r * CHUNK + i];
                    }
                } else {
                    for (int r = r0; r < r1; r++) {
                        y[dst + r] = q[qo + r * CHUNK + i] + beta * y[dst + r];
                    }
                }
            }
        }
    }

    private static void checkCsr(int rows, int cols, int[] rp, int[] ci, float[] v) {
        if (rows < 0 || cols < 0) {
            throw new IllegalArgumentException("negative CSR shape " + rows + "x" + cols);
        }
        if (rp.length < rows + 1) {
            throw new IllegalArgumentException("rowPtr holds " + rp.length + " entries, needs rows + 1 = " + (rows + 1));
        }
        int nnz = rp[rows];
        if (ci.length < nnz || v.length < nnz) {
            throw new IllegalArgumentException("CSR has " + nnz + " entries but colIdx/values hold " + ci.length + "/"
                    + v.length);
        }
    }

    private static void checkDense(String what, float[] a, int batch, int cols) {
        if (batch < 0) {
            throw new IllegalArgumentException("negative batch " + batch);
        }
        if ((long) batch * cols > a.length) {
            throw new IllegalArgumentException(what + ": buffer of " + a.length + " floats is too small for " + batch
                    + "x" + cols);
        }
    }

    // ---- plain Java ---------------------------------------------------------------------------------------------

    /**
     * Plain loops over the CHUNK lanes, the reference of the logical layout; C2 may vectorise the lane loops, nothing
     * depends on it.
     */
    static final class Scalar extends SparseKernels {
        /**
         * The 64 batch lanes' dot product in the fixed layout: 16 logical lanes, lane g a fused multiply-add chain
         * over lanes g, g+16, g+32, g+48 (the first a plain product), lanes g and g+8 added, the eight sums added to 0
         * in order of g. (On 256-bit registers: two accumulators, their sum, its lanes in order.)
         */
        static float dot64(float[] a, int ao, float[] b, int bo) {
            float s = 0f;
            for (int g = 0; g < 8; g++) {
                int lo = g;
                int hi = g + 8;
                float x = a[ao + lo] * b[bo + lo];
                float y = a[ao + hi] * b[bo + hi];
                for (int j = 16; j < CHUNK; j += 16) {
                    x = Math.fma(b[bo + lo + j], a[ao + lo + j], x);
                    y = Math.fma(b[bo + hi + j], a[ao + hi + j], y);
                }
                s += x + y;
            }
            return s;
        }

        @Override
        public String name() {
            return "scalar";
        }

        @Override
        boolean blocksColumns() {
            return false;
        }

        @Override
        void gatherRowsChunk(int rows, int[] rp, int[] ci, float[] v, float[] panel, int pOff, float[] q, int qOff,
                             int[] bs, int blocks) {
            for (int r = 0; r < rows; r++) {
                int qo = qOff + r * CHUNK;
                Arrays.fill(q, qo, qo + CHUNK, 0f);
                for (int p = rp[r], end = rp[r + 1]; p < end; p++) {
                    float w = v[p];
                    int po = pOff + ci[p] * CHUNK;
                    for (int i = 0; i < CHUNK; i++) {
                        q[qo + i] = Math.fma(panel[po + i], w, q[qo + i]);
                    }
                }
            }
        }

        @Override
        void scatterRowsChunk(int rowFrom, int rowTo, int[] rp, int[] ci, float[] v, float[] panel, float[] q) {
            for (int r = rowFrom; r < rowTo; r++) {
                int po = r * CHUNK;
                for (int p = rp[r], end = rp[r + 1]; p < end; p++) {
                    float w = v[p];
                    int qo = ci[p] * CHUNK;
                    for (int i = 0; i < CHUNK; i++) {
                        q[qo + i] += w * panel[po + i];
                    }
                }
            }
        }

        @Override
        void sddmmRows(int rowFrom, int rowTo, int[] rp, int[] ci, float[] a, int aOff, int aChunk, float[] b,
                       int bOff, int bChunk, int chunks, float[] out, float[] lanes) {
            for (int c = 0; c < chunks; c++) {
                for (int r = rowFrom; r < rowTo; r++) {
                    int ao = aOff + c * aChunk + r * CHUNK;
                    for (int p = rp[r], end = rp[r + 1]; p < end; p++) {
                        int bo = bOff + c * bChunk + ci[p] * CHUNK;
                        out[p] += dot64(a, ao, b, bo);
                    }
                }
            }
        }
    }

    // ---- Vector API ---------------------------------------------------------------------------------------------

    /** The same kernels with the CHUNK lanes held in vector registers. Loaded only when the module is present. */
    static final class Vectorized extends SparseKernels {
        private static final VectorSpecies<Float> S = VectorLanes.S;
        private static final int L = S.length();
        /** Vectors per chunk row: 8 at 256 bits, 4 at 512, 16 at 128. */
        private static final int NV = CHUNK / L;
        /** At 16 lanes: lane i takes lane (i + 8) mod 16, the register's high half under its low one. */
        private static final VectorShuffle<Float> HIGH_HALF = L == 16 ? VectorShuffle.fromOp(S, i -> (i + 8) & 15)
                : null;

        @Override
        public String name() {
            return "vector(" + S.vectorBitSize() + "-bit)";
        }

        @Override
        boolean blocksColumns() {
            return NV == 8;
        }

        @Override
        void gatherRowsChunk(int rows, int[] rp, int[] ci, float[] v, float[] panel, int po, float[] q, int qo,
                             int[] bs, int blocks) {
            if (NV == 8) {
                if (blocks > 1) {
                    gather8Blocked(rows, bs, blocks, ci, v, panel, po, q, qo);
                } else {
                    gather8(rows, rp, ci, v, panel, po, q, qo);
                }
            } else if (NV == 4) {
                gather4(rows, rp, ci, v, panel, po, q, qo);
            } else {
                gatherGeneric(rows, rp, ci, v, panel, po, q, qo);
            }
        }

        /** Eight vectors of lanes per nonzero: eight independent FMA chains, one broadcast and index per 8 FMAs. */
        private static void gather8(int rows, int[] rp, int[] ci, float[] v, float[] panel, int po, float[] q,
                                    int qOff) {
            for (int r = 0; r < rows; r++) {
                FloatVector a0 = FloatVector.zero(S);
                FloatVector a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
                for (int p = rp[r], end = rp[r + 1]; p < end; p++) {
                    int o = po + ci[p] * CHUNK;
                    FloatVector w = FloatVector.broadcast(S, v[p]);
                    a0 = FloatVector.fromArray(S, panel, o).fma(w, a0);
                    a1 = FloatVector.fromArray(S, panel, o + L).fma(w, a1);
                    a2 = FloatVector.fromArray(S, panel, o + 2 * L).fma(w, a2);
                    a3 = FloatVector.fromArray(S, panel, o + 3 * L).fma(w, a3);
                    a4 = FloatVector.fromArray(S, panel, o + 4 * L).fma(w, a4);
                    a5 = FloatVector.fromArray(S, panel, o + 5 * L).fma(w, a5);
                    a6 = FloatVector.fromArray(S, panel, o + 6 * L).fma(w, a6);
                    a7 = FloatVector.fromArray(S, panel, o + 7 * L).fma(w, a7);
                }
                int qo = qOff + r * CHUNK;
                a0.intoArray(q, qo);
                a1.intoArray(q, qo + L);
                a2.intoArray(q, qo + 2 * L);
                a3.intoArray(q, qo + 3 * L);
                a4.intoArray(q, qo + 4 * L);
                a5.intoArray(q, qo + 5 * L);
                a6.intoArray(q, qo + 6 * L);
                a7.intoArray(q, qo + 7 * L);
            }
        }

        /**
         * {@link #gather8} one column block at a time: block 0 starts every row's eight accumulators at zero and
         * leaves them in q; each later block reloads a row's accumulators, adds its entries of that block, and stores
         * them back (rows without entries in the block are skipped). Per lane the FMAs run in the same order as in
         * gather8 and a float survives the trip through q exactly, so the result is bitwise the same. Two loops, not
         * one with a zero-or-load branch: a vector value merged from two branches may be boxed by C2 in JDK 17.
         */
        private static void gather8Blocked(int rows, int[] bs, int blocks, int[] ci, float[] v, float[] panel,
                                           int po, float[] q, int qOff) {
            for (int r = 0; r < rows; r++) {
                FloatVector a0 = FloatVector.zero(S);
                FloatVector a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
                for (int p = bs[r], end = bs[rows + r]; p < end; p++) {
                        int o = po + ci[p] * CHUNK;
                        FloatVector w = FloatVector.broadcast(S, v[p]);
                        a0 = FloatVector.fromArray(S, panel, o).fma(w, a0);
                        a1 = FloatVector.fromArray(S, panel, o + L).fma(w, a1);
                        a2 = FloatVector.fromArray(S, panel, o + 2 * L).fma(w, a2);
                        a3 = FloatVector.fromArray(S, panel, o + 3 * L).fma(w, a3);
                        a4 = FloatVector.fromArray(S, panel, o + 4 * L).fma(w, a4);
                        a5 = FloatVector.fromArray(S, panel, o + 5 * L).fma(w, a5);
                        a6 = FloatVector.fromArray(S, panel, o + 6 * L).fma(w, a6);
                        a7 = FloatVector.fromArray(S, panel, o + 7 * L).fma(w, a7);
                }
                int qo = qOff + r * CHUNK;
                a0.intoArray(q, qo);
                a1.intoArray(q, qo + L);
                a2.intoArray(q, qo + 2 * L);
                a3.intoArray(q, qo + 3 * L);
                a4.intoArray(q, qo + 4 * L);
                a5.intoArray(q, qo + 5 * L);
                a6.intoArray(q, qo + 6 * L);
                a7.intoArray(q, qo + 7 * L);
            }
            for (int j = 1; j < blocks; j++) {
                int lo = j * rows;
                int hi = lo + rows;
                for (int r = 0; r < rows; r++) {
                    int p = bs[lo + r];
                    int end = bs[hi + r];
                    if (p == end) {
                        continue;
                    }
                    int qo = qOff + r * CHUNK;
                    FloatVector a0 = FloatVector.fromArray(S, q, qo);
                    FloatVector a1 = FloatVector.fromArray(S, q, qo + L);
                    FloatVector a2 = FloatVector.fromArray(S, q, qo + 2 * L);
                    FloatVector a3 = FloatVector.fromArray(S, q, qo + 3 * L);
                    FloatVector a4 = FloatVector.fromArray(S, q, qo + 4 * L);
                    FloatVector a5 = FloatVector.fromArray(S, q, qo + 5 * L);
                    FloatVector a6 = FloatVector.fromArray(S, q, qo + 6 * L);
                    FloatVector a7 = FloatVector.fromArray(S, q, qo + 7 * L);
                    for (; p < end; p++) {
                        int o = po + ci[p] * CHUNK;
                        FloatVector w = FloatVector.broadcast(S, v[p]);
                        a0 = FloatVector.fromArray(S, panel, o).fma(w, a0);
                        a1 = FloatVector.fromArray(S, panel, o + L).fma(w, a1);
                        a2 = FloatVector.fromArray(S, panel, o + 2 * L).fma(w, a2);
                        a3 = FloatVector.fromArray(S, panel, o + 3 * L).fma(w, a3);
                        a4 = FloatVector.fromArray(S, panel, o + 4 * L).fma(w, a4);
                        a5 = FloatVector.fromArray(S, panel, o + 5 * L).fma(w, a5);
                        a6 = FloatVector.fromArray(S, panel, o + 6 * L).fma(w, a6);
                        a7 = FloatVector.fromArray(S, panel, o + 7 * L).fma(w, a7);
                    }
                    a0.intoArray(q, qo);
                    a1.intoArray(q, qo + L);
                    a2.intoArray(q, qo + 2 * L);
                    a3.intoArray(q, qo + 3 * L);
                    a4.intoArray(q, qo + 4 * L);
                    a5.intoArray(q, qo + 5 * L);
                    a6.intoArray(q, qo + 6 * L);
                    a7.intoArray(q, qo + 7 * L);
                }
            }
        }

        /**
         * Four vectors of lanes per nonzero (512-bit registers): two rows at a time, so that eight independent FMA
         * chains hide the FMA latency. Each row's lanes still take its entries one by one in pattern order, as in
         * {@link #gather8}: splitting a row's entries over two chains would change the sums with the width.
         */
        private static void gather4(int rows, int[] rp, int[] ci, float[] v, float[] panel, int po, float[] q,
                                    int qOff) {
            int r = 0;
            for (; r + 1 < rows; r += 2) {
                FloatVector a0 = FloatVector.zero(S);
                FloatVector a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
                int p = rp[r];
                int pEnd = rp[r + 1];
                int s = pEnd;
                int sEnd = rp[r + 2];
                int both = Math.min(pEnd - p, sEnd - s);
                for (int e = 0; e < both; e++, p++, s++) {
                    int o0 = po + ci[p] * CHUNK;
                    int o1 = po + ci[s] * CHUNK;
                    FloatVector w0 = FloatVector.broadcast(S, v[p]);
                    FloatVector w1 = FloatVector.broadcast(S, v[s]);
                    a0 = FloatVector.fromArray(S, panel, o0).fma(w0, a0);
                    a1 = FloatVector.fromArray(S, panel, o0 + L).fma(w0, a1);
                    a2 = FloatVector.fromArray(S, panel, o0 + 2 * L).fma(w0, a2);
                    a3 = FloatVector.fromArray(S, panel, o0 + 3 * L).fma(w0, a3);
                    b0 = FloatVector.fromArray(S, panel, o1).fma(w1, b0);
                    b1 = FloatVector.fromArray(S, panel, o1 + L).fma(w1, b1);
                    b2 = FloatVector.fromArray(S, panel, o1 + 2 * L).fma(w1, b2);
                    b3 = FloatVector.fromArray(S, panel, o1 + 3 * L).fma(w1, b3);
                }
                for (; p < pEnd; p++) {
                    int o0 = po + ci[p] * CHUNK;
                    FloatVector w0 = FloatVector.broadcast(S, v[p]);
                    a0 = FloatVector.fromArray(S, panel, o0).fma(w0, a0);
                    a1 = FloatVector.fromArray(S, panel, o0 + L).fma(w0, a1);
                    a2 = FloatVector.fromArray(S, panel, o0 + 2 * L).fma(w0, a2);
                    a3 = FloatVector.fromArray(S, panel, o0 + 3 * L).fma(w0, a3);
                }
                for (; s < sEnd; s++) {
                    int o1 = po + ci[s] * CHUNK;
                    FloatVector w1 = FloatVector.broadcast(S, v[s]);
                    b0 = FloatVector.fromArray(S, panel, o1).fma(w1, b0);
                    b1 = FloatVector.fromArray(S, panel, o1 + L).fma(w1, b1);
                    b2 = FloatVector.fromArray(S, panel, o1 + 2 * L).fma(w1, b2);
                    b3 = FloatVector.fromArray(S, panel, o1 + 3 * L).fma(w1, b3);
                }
                int qo = qOff + r * CHUNK;
                a0.intoArray(q, qo);
                a1.intoArray(q, qo + L);
                a2.intoArray(q, qo + 2 * L);
                a3.intoArray(q, qo + 3 * L);
                b0.intoArray(q, qo + CHUNK);
                b1.intoArray(q, qo + CHUNK + L);
                b2.intoArray(q, qo + CHUNK + 2 * L);
                b3.intoArray(q, qo + CHUNK + 3 * L);
            }
            if (r < rows) {
                FloatVector a0 = FloatVector.zero(S);
                FloatVector a1 = a0, a2 = a0, a3 = a0;
                for (int p = rp[r], end = rp[r + 1]; p < end; p++) {
                    int o0 = po + ci[p] * CHUNK;
                    FloatVector w0 = FloatVector.broadcast(S, v[p]);
                    a0 = FloatVector.fromArray(S, panel, o0).fma(w0, a0);
                    a1 = FloatVector.fromArray(S, panel, o0 + L).fma(w0, a1);
                    a2 = FloatVector.fromArray(S, panel, o0 + 2 * L).fma(w0, a2);
                    a3 = FloatVector.fromArray(S, panel, o0 + 3 * L).fma(w0, a3);
                }
                int qo = qOff + r * CHUNK;
                a0.intoArray(q, qo);
                a1.intoArray(q, qo + L);
                a2.intoArray(q, qo + 2 * L);
                a3.intoArray(q, qo + 3 * L);
            }
        }

        private static void gatherGeneric(int rows, int[] rp, int[] ci, float[] v, float[] panel, int po, float[] q,
                                          int qOff) {
            for (int r = 0; r < rows; r++) {
                int qo = qOff + r * CHUNK;
                for (int j = 0; j < NV; j++) {
                    FloatVector a = FloatVector.zero(S);
                    for (int p = rp[r], end = rp[r + 1]; p < end; p++) {
                        a = FloatVector.fromArray(S, panel, po + ci[p] * CHUNK + j * L)
                                .fma(FloatVector.broadcast(S, v[p]), a);
                    }
                    a.intoArray(q, qo + j * L);
                }
            }
        }

        @Override
        void scatterRowsChunk(int rowFrom, int rowTo, int[] rp, int[] ci, float[] v, float[] panel, float[] q) {
            for (int r = rowFrom; r < rowTo; r++) {
                int po = r * CHUNK;
                for (int j = 0; j < NV; j++) {
                    FloatVector d = FloatVector.fromArray(S, panel, po + j * L);
                    for (int p = rp[r], end = rp[r + 1]; p < end; p++) {
                        int qo = ci[p] * CHUNK + j * L;
                        FloatVector.fromArray(S, q, qo)
                                .add(d.mul(v[p]))
                                .intoArray(q, qo);
                    }
                }
            }
        }

        /**
         * The chunks' SDDMM in {@link Scalar#dot64}'s layout. 256 bits: the two accumulators are logical lanes 0-7
         * and 8-15 (vectors 0, 2, 4, 6 and 1, 3, 5, 7 of the chunk row), added, then their lanes in order through a
         * per-part scratch array ({@link VectorLanes#sumInOrder8}).
         */
        @Override
        void sddmmRows(int rowFrom, int rowTo, int[] rp, int[] ci, float[] a, int aOff, int aChunk, float[] b,
                       int bOff, int bChunk, int chunks, float[] out, float[] lanes) {
            for (int c = 0; c < chunks; c++) {
                int aBase = aOff + c * aChunk;
                int bBase = bOff + c * bChunk;
                for (int r = rowFrom; r < rowTo; r++) {
                    int ao = aBase + r * CHUNK;
                    if (NV == 8) {
                        sddmmRow8(a, ao, b, bBase, rp[r], rp[r + 1], ci, out, lanes);
                    } else if (NV == 4) {
                        sddmmRow4(a, ao, b, bBase, rp[r], rp[r + 1], ci, out);
                    } else {
                        sddmmRow16(a, ao, b, bBase, rp[r], rp[r + 1], ci, out, lanes);
                    }
                }
            }
        }

        private static void sddmmRow8(float[] a, int ao, float[] b, int bBase, int from, int to, int[] ci,
                                      float[] out, float[] lanes) {
            FloatVector d0 = FloatVector.fromArray(S, a, ao);
            FloatVector d1 = FloatVector.fromArray(S, a, ao + L);
            FloatVector d2 = FloatVector.fromArray(S, a, ao + 2 * L);
            FloatVector d3 = FloatVector.fromArray(S, a, ao + 3 * L);
            FloatVector d4 = FloatVector.fromArray(S, a, ao + 4 * L);
            FloatVector d5 = FloatVector.fromArray(S, a, ao + 5 * L);
            FloatVector d6 = FloatVector.fromArray(S, a, ao + 6 * L);
            FloatVector d7 = FloatVector.fromArray(S, a, ao + 7 * L);
            for (int p = from; p < to; p++) {
                int bo = bBase + ci[p] * CHUNK;
                FloatVector s0 = FloatVector.fromArray(S, b, bo).mul(d0);
                FloatVector s1 = FloatVector.fromArray(S, b, bo + L).mul(d1);
                s0 = FloatVector.fromArray(S, b, bo + 2 * L).fma(d2, s0);
                s1 = FloatVector.fromArray(S, b, bo + 3 * L).fma(d3, s1);
                s0 = FloatVector.fromArray(S, b, bo + 4 * L).fma(d4, s0);
                s1 = FloatVector.fromArray(S, b, bo + 5 * L).fma(d5, s1);
                s0 = FloatVector.fromArray(S, b, bo + 6 * L).fma(d6, s0);
                s1 = FloatVector.fromArray(S, b, bo + 7 * L).fma(d7, s1);
                s0.add(s1).intoArray(lanes, 0);
                out[p] += VectorLanes.sumInOrder8(lanes);
            }
        }

        /**
         * 512 bits: one register is the 16 logical lanes; lane g + 8 is added to lane g (one permute), then lanes 0-7
         * in order, read from the register ({@link VectorLanes#sumLow8InOrder}: through the lanes array this SDDMM
         * ran twice as slow as the 256-bit one on Zen 5).
         */
        private static void sddmmRow4(float[] a, int ao, float[] b, int bBase, int from, int to, int[] ci,
                                      float[] out) {
            FloatVector d0 = FloatVector.fromArray(S, a, ao);
            FloatVector d1 = FloatVector.fromArray(S, a, ao + L);
            FloatVector d2 = FloatVector.fromArray(S, a, ao + 2 * L);
            FloatVector d3 = FloatVector.fromArray(S, a, ao + 3 * L);
            for (int p = from; p < to; p++) {
                int bo = bBase + ci[p] * CHUNK;
                FloatVector s = FloatVector.fromArray(S, b, bo).mul(d0);
                s = FloatVector.fromArray(S, b, bo + L).fma(d1, s);
                s = FloatVector.fromArray(S, b, bo + 2 * L).fma(d2, s);
                s = FloatVector.fromArray(S, b, bo + 3 * L).fma(d3, s);
                out[p] += VectorLanes.sumLow8InOrder(s.add(s.rearrange(HIGH_HALF)));
            }
        }

        /**
         * 128 bits: four registers hold logical lanes 0-3, 4-7, 8-11 and 12-15; register j of the chunk row's 16
         * feeds accumulator j % 4; accumulators 0 + 2 and 1 + 3 are lanes g + (g + 8).
         */
        private static void sddmmRow16(float[] a, int ao, float[] b, int bBase, int from, int to, int[] ci,
                                       float[] out, float[] lanes) {
            for (int p = from; p < to; p++) {
                int bo = bBase + ci[p] * CHUNK;
                FloatVector s0 = FloatVector.fromArray(S, b, bo).mul(FloatVector.fromArray(S, a, ao));
                FloatVector s1 = FloatVector.fromArray(S, b, bo + L).mul(FloatVector.fromArray(S, a, ao + L));
                FloatVector s2 = FloatVector.fromArray(S, b, bo + 2 * L).mul(FloatVector.fromArray(S, a, ao + 2 * L));
                FloatVector s3 = FloatVector.fromArray(S, b, bo + 3 * L).mul(FloatVector.fromArray(S, a, ao + 3 * L));
                for (int j = 4; j < NV; j += 4) {
                    int o = j * L;
                    s0 = FloatVector.fromArray(S, b, bo + o).fma(FloatVector.fromArray(S, a, ao + o), s0);
                    s1 = FloatVector.fromArray(S, b, bo + o + L).fma(FloatVector.fromArray(S, a, ao + o + L), s1);
                    s2 = FloatVector.fromArray(S, b, bo + o + 2 * L)
                            .fma(FloatVector.fromArray(S, a, ao + o + 2 * L), s2);
                    s3 = FloatVector.fromArray(S, b, bo + o + 3 * L)
                            .fma(FloatVector.fromArray(S, a, ao + o + 3 * L), s3);
                }
                s0.add(s2).intoArray(lanes, 0);
                s1.add(s3).intoArray(lanes, L);
                out[p] += VectorLanes.sumInOrder8(lanes);
            }
        }
    }
}
