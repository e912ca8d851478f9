package dev.winnow.engine.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Blocked GEMM on the JDK Vector API. B is packed once per (k, n) block into NR-wide panels shared by all threads; A is
 * packed into MR-tall panels per (MC, k) block, rows contiguous at 16 lanes and k-major at fewer ({@link #packA}). An
 * MR x NR register tile of FMAs does the work; a tile that overwrites C starts its accumulators from zero and never
 * reads C.
 *
 * <p>Every element of C is summed in the same k order whatever the thread count, and threads only ever split disjoint
 * tiles of C, so results are bitwise reproducible for any number of threads. The same holds for any vector width
 * ({@link VectorLanes}), because the order is fixed on a logical grid of {@link #MR} x {@link #LOGICAL_NR} tiles
 * (the 256-bit kernel's, which made every committed number), not on the registers: an element inside a whole
 * logical tile takes one fused multiply-add per k in k order onto C (cleared first when beta is 0); an element of
 * the last m mod 6 rows or n mod 16 columns sums each 256-deep k block from zero the same way and adds the block's
 * sum to C. Physical tiles ({@link #NR} = 2 vectors wide) that straddle that boundary go through {@link #edge},
 * which applies both rules column by column. The few-row path fixes its own 8-lane layout ({@link #dot8},
 * {@link #gemmFewRows}); products of one or two columns apply the second rule element by element
 * ({@link #gemmFewColumns}), with the blocked path's bits.
 *
 * <p>Why it looks the way it does (measured, see bench/HISTORY.md): the kernel indexes A and B from the loop counter
 * {@code p} (never from separately incremented offsets) so C2 can hoist every bounds check out of the loop; that alone
 * doubled throughput. 6 x 2 vectors is the largest tile whose 12 accumulators, 2 B vectors and a broadcast fit in
 * the 16 AVX2 registers.
 */
final class VectorGemm implements DenseGemm {
    private static final VectorSpecies<Float> S = VectorLanes.S;
    private static final int L = S.length();
    static final int MR = 6;
    static final int NR = 2 * L;
    /** The logical tile's width: columns below the last multiple of it are "inside" (see the class comment). */
    static final int LOGICAL_NR = 16;
    private static final int KC = 256;
    /**
     * Packed A's layout: element (r, p) of an MR x KC panel sits at {@code r * A_ROW + p * A_STEP}. With 16 or more
     * lanes (32 vector registers) the rows are contiguous, so untransposed A packs by plain copies (it is most of the
     * packing work when n is small: ~20% of a 256x128x64 product); with 8 lanes and 16 registers the six row
     * broadcasts of one k step would be hoisted into six live registers and spill the accumulators, so A stays
     * k-major there. Constants, so C2 compiles the kernel for one layout.
     */
    private static final boolean A_ROWS_CONTIGUOUS = L >= 16;
    private static final int A_ROW = A_ROWS_CONTIGUOUS ? KC : 1;
    private static final int A_STEP = A_ROWS_CONTIGUOUS ? 1 : MR;
    private static final int MC = 96;
    private static final int NC = 1024;
    /**
     * Up to this many columns (6 rows or more) a product runs element by element ({@link #gemmFewColumns}): a register
     * tile is {@link #NR} columns wide, so one column (a layer with one output, e.g. a rating) would compute 2 * L
     * lanes to keep one, and pack B and A for it.
     */
    static final int FEW_COLUMNS = 2;
    /** Below this many multiply-adds a product runs on the calling thread: dispatch would cost more than it saves. */
    private static final long PARALLEL_MIN_WORK = 1L << 20;
    // A is always packed: reading row-major A in place skips packing but measured ~2x slower in the kernel (6 strided
    // streams; bench/HISTORY.md, "What was tried on the GEMM"), so that path was removed. Packed rows read as six
    // streams are fine at 16 lanes (A_ROWS_CONTIGUOUS; bench/RESULTS.md, Machine 3).

    /**
     * Packed B shared by the threads; per-part packed A panels and edge tiles. Grown on demand, never per call. B's
     * panels start on a 64-byte cache line ({@link CacheLineOffset}; a panel's k step is NR floats, a whole number of
     * lines at 8 or 16 lanes), so that no 512-bit load of B splits across two lines.
     */
    private float[] packedB = new float[NC * KC + CacheLineOffset.PAD];
    private final Object[] addressScratch = new Object[1];
    private float[][] packedA = new float[1][];
    private float[][] edgeTile = new float[1][];
    /**
     * The few-row dot products' 8 lanes, read back in order (gemm is synchronized, and that path single-threaded); one
     * register's worth, as {@link #dot8} stores a whole register.
     */
    private final float[] dotLanes = new float[Math.max(8, L)];

    @Override
    public String name() {
        return "vector(" + S.vectorBitSize() + "-bit)";
    }

    @Override
    public synchronized void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                                  float[] a, int lda, float[] b, int ldb, float beta, float[] c, int ldc,
                                  Parallel parallel) {
        if (m == 0 || n == 0 || k == 0 || alpha == 0f) {
            DenseGemm.scale(m, n, beta, c, ldc);
            return;
        }
        if (packedA.length < parallel.threads()) {
            packedA = java.util.Arrays.copyOf(packedA, parallel.threads());
            edgeTile = java.util.Arrays.copyOf(edgeTile, parallel.threads());
        }
        if (m < MR) {
            gemmFewRows(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
            return;
        }
        if (n <= FEW_COLUMNS) {
            gemmFewColumns(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, parallel);
            return;
        }
        // beta = 0 is folded into the first k block (its tiles overwrite C); other betas scale C up front.
        if (beta != 0f) {
            DenseGemm.scale(m, n, beta, c, ldc);
        }
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            int nPanels = (nc + NR - 1) / NR;
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                int need = nPanels * NR * kc;
                if (packedB.length < need + CacheLineOffset.PAD) {
                    packedB = new float[need + CacheLineOffset.PAD];
                }
                int bBase = CacheLineOffset.of(packedB, addressScratch);
                packB(transB, b, ldb, pc, kc, jc, nc, alpha, packedB, bBase);
                boolean overwrite = pc == 0 && beta == 0f;
                int rowBlocks = (m + MR - 1) / MR;
                long work = (long) m * nc * kc;
                int parts = alone(parallel, work) ? 1 : parallel.threads();
                if (parts == 1) {
                    multiplyBlock(0, transA, a, lda, 0, m, pc, kc, packedB, bBase, jc, 0, nPanels, nc, n, overwrite,
                            c, ldc);
                } else if (rowBlocks >= 2 * parts || rowBlocks >= nPanels) {
                    final float[] bp = packedB;
                    final int fjc = jc, fkc = kc, fpc = pc, fnc = nc, fPanels = nPanels;
                    parallel.forRange(rowBlocks, 1, (part, from, to) -> multiplyBlock(part, transA, a, lda,
                            from * MR, Math.min(m, to * MR), fpc, fkc, bp, bBase, fjc, 0, fPanels, fnc, n, overwrite,
                            c, ldc));
                } else {
                    // Few rows (e.g. a weight gradient with a small output layer): split the column panels instead.
                    final float[] bp = packedB;
                    final int fjc = jc, fkc = kc, fpc = pc, fnc = nc;
                    parallel.forRange(nPanels, 1, (part, from, to) -> multiplyBlock(part, transA, a, lda, 0, m,
                            fpc, fkc, bp, bBase, fjc, from, to, fnc, n, overwrite, c, ldc));
                }
            }
        }
    }

    /**
     * Fewer rows than one register tile (batch-1 inference, the weight gradient of a one-output layer): packing B would
     * cost as much as the product itself, so compute straight from the operands, vectorised along k (dot products,
     * when B is transposed) or along n (row axpys). Chosen by shape alone, so results stay thread-count independent.
     */
    private void gemmFewRows(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a,
                                    int lda, float[] b, int ldb, float beta, float[] c, int ldc) {
        DenseGemm.scale(m, n, beta, c, ldc);
        // Row axpys: fused lanes below the last multiple of 8 columns, multiply-then-add after it (the 256-bit order).
        int fused = n & ~7;
        int nBound = S.loopBound(fused);
        for (int i = 0; i < m; i++) {
            int co = i * ldc;
            if (transB && !transA) {
                int ao = i * lda;
                for (int j = 0; j < n; j++) {
                    c[co + j] += alpha * dot8(a, ao, b, j * ldb, k, dotLanes);
                }
            } else if (transB) {
                for (int j = 0; j < n; j++) {
                    int bo = j * ldb;
                    float sum = 0f;
                    for (int p = 0; p < k; p++) {
                        sum += a[p * lda + i] * b[bo + p];
                    }
                    c[co + j] += alpha * sum;
                }
            } else {
                for (int p = 0; p < k; p++) {
                    float av = alpha * (transA ? a[p * lda + i] : a[i * lda + p]);
                    FloatVector va = FloatVector.broadcast(S, av);
                    int bo = p * ldb;
                    int j = 0;
                    for (; j < nBound; j += L) {
                        va.fma(FloatVector.fromArray(S, b, bo + j), FloatVector.fromArray(S, c, co + j))
                                .intoArray(c, co + j);
                    }
                    for (; j < fused; j++) {
                        c[co + j] = Math.fma(av, b[bo + j], c[co + j]);
                    }
                    for (; j < n; j++) {
                        c[co + j] += av * b[bo + j];
                    }
                }
            }
        }
    }

    /**
     * At most {@link #FEW_COLUMNS} columns and {@link #MR} rows or more: every element lies outside the logical grid
     * (there are fewer than {@link #LOGICAL_NR} columns), so, as in {@link #edge}, each 256-deep k block is summed from
     * zero by fused multiply-adds in k order with B scaled by alpha as {@link #packB} scales it, and the block sums are
     * added to C (the first one copied when beta is 0): the blocked path's bits, without its 2 * L-wide tiles. Eight
     * rows at a time run eight independent chains; threads split whole rows.
     */
    private static void gemmFewColumns(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a,
                                       int lda, float[] b, int ldb, float beta, float[] c, int ldc, Parallel parallel) {
        if (beta != 0f) {
            DenseGemm.scale(m, n, beta, c, ldc);
        }
        if (alone(parallel, (long) m * n * k)) {
            fewColumnRows(transA, transB, 0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        } else {
            parallel.forRange((m + 7) / 8, 1, (part, from, to) -> fewColumnRows(transA, transB, from * 8,
                    Math.min(m, to * 8), n, k, alpha, a, lda, b, ldb, beta, c, ldc));
        }
    }

    private static void fewColumnRows(boolean transA, boolean transB, int rowFrom, int rowTo, int n, int k,
                                      float alpha, float[] a, int lda, float[] b, int ldb, float beta, float[] c,
                                      int ldc) {
        int aRow = transA ? 1 : lda;
        int aStep = transA ? lda : 1;
        int bCol = transB ? ldb : 1;
        int bStep = transB ? 1 : ldb;
        for (int j = 0; j < n; j++) {
            int i = rowFrom;
            for (; i + 8 <= rowTo; i += 8) {
                for (int p0 = 0; p0 < k; p0 += KC) {
                    int p1 = Math.min(k, p0 + KC);
                    float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f, s4 = 0f, s5 = 0f, s6 = 0f, s7 = 0f;
                    for (int p = p0; p < p1; p++) {
                        float bv = alpha * b[j * bCol + p * bStep];
                        int ao = i * aRow + p * aStep;
                        s0 = Math.fma(a[ao], bv, s0);
                        s1 = Math.fma(a[ao + aRow], bv, s1);
                        s2 = Math.fma(a[ao + 2 * aRow], bv, s2);
                        s3 = Math.fma(a[ao + 3 * aRow], bv, s3);
                        s4 = Math.fma(a[ao + 4 * aRow], bv, s4);
                        s5 = Math.fma(a[ao + 5 * aRow], bv, s5);
                        s6 = Math.fma(a[ao + 6 * aRow], bv, s6);
                        s7 = Math.fma(a[ao + 7 * aRow], bv, s7);
                    }
                    boolean copy = p0 == 0 && beta == 0f;
                    int co = i * ldc + j;
                    c[co] = copy ? s0 : c[co] + s0;
                    c[co + ldc] = copy ? s1 : c[co + ldc] + s1;
                    c[co + 2 * ldc] = copy ? s2 : c[co + 2 * ldc] + s2;
                    c[co + 3 * ldc] = copy ? s3 : c[co + 3 * ldc] + s3;
                    c[co + 4 * ldc] = copy ? s4 : c[co + 4 * ldc] + s4;
                    c[co + 5 * ldc] = copy ? s5 : c[co + 5 * ldc] + s5;
                    c[co + 6 * ldc] = copy ? s6 : c[co + 6 * ldc] + s6;
                    c[co + 7 * ldc] = copy ? s7 : c[co + 7 * ldc] + s7;
                }
            }
            for (; i < rowTo; i++) {
                for (int p0 = 0; p0 < k; p0 += KC) {
                    int p1 = Math.min(k, p0 + KC);
                    float s = 0f;
                    for (int p = p0; p < p1; p++) {
                        s = Math.fma(a[i * aRow + p * aStep], alpha * b[j * bCol + p * bStep], s);
                    }
                    int co = i * ldc + j;
                    c[co] = p0 == 0 && beta == 0f ? s : c[co] + s;
                }
            }
        }
    }

    /** Whether a product of {@code work} multiply-adds runs on the calling thread ({@link #PARALLEL_MIN_WORK}). */
    private static boolean alone(Parallel parallel, long work) {
        return parallel.threads() == 1 || work < PARALLEL_MIN_WORK;
    }

    /**
     * sum_p a[ao + p] * b[bo + p] in a fixed 8-lane layout, the 256-bit kernel's order at every width: logical lane g
     * sums the products p = g (mod 8) below the last multiple of 8 by fused multiply-adds, the lanes are added 0..7 to
     * 0 in order ({@link VectorLanes#sumInOrder8}, through {@code lanes}, scratch of one register, at least 8
     * floats), then the remaining products are added in order (multiply, then add).
     */
    static float dot8(float[] a, int ao, float[] b, int bo, int k, float[] lanes) {
        int bound = k & ~7;
        int p = 0;
        if (L == 4) {
            FloatVector lo = FloatVector.zero(S);
            FloatVector hi = lo;
            for (; p < bound; p += 8) {
                lo = FloatVector.fromArray(S, a, ao + p).fma(FloatVector.fromArray(S, b, bo + p), lo);
                hi = FloatVector.fromArray(S, a, ao + p + 4).fma(FloatVector.fromArray(S, b, bo + p + 4), hi);
            }
            lo.intoArray(lanes, 0);
            hi.intoArray(lanes, 4);
        } else {
            // 8 or 16 lanes; with 16 the low 8 carry the logical lanes (each step loads 16 floats and moves on by 8; the
            // high lanes' sums are never read), not a 256-bit register: a second species in the JVM would stop C2
            // intrinsifying every other Vector API kernel (OneVectorSpeciesTest). Steps whose L floats would pass an
            // array's end (only possible with 16) finish lane by lane, with the same fused multiply-adds.
            int whole = Math.min(bound, Math.min(a.length - ao, b.length - bo) - (L - 1));
            FloatVector acc = FloatVector.zero(S);
            for (; p < whole; p += 8) {
                acc = FloatVector.fromArray(S, a, ao + p).fma(FloatVector.fromArray(S, b, bo + p), acc);
            }
            if (L == 16 && p == bound) {
                // Same adds, same order, without the 512-bit store and its wait (VectorLanes.sumLow8InOrder).
                float sum = VectorLanes.sumLow8InOrder(acc);
                for (; p < k; p++) {
                    sum += a[ao + p] * b[bo + p];
                }
                return sum;
            }
            acc.intoArray(lanes, 0);
            for (; p < bound; p += 8) {
                for (int g = 0; g < 8; g++) {
                    lanes[g] = Math.fma(a[ao + p + g], b[bo + p + g], lanes[g]);
                }
            }
        }
        float sum = VectorLanes.sumInOrder8(lanes);
        for (; p < k; p++) {
            sum += a[ao + p] * b[bo + p];
        }
        return sum;
    }

    /**
     * Rows [rowFrom, rowTo) of C against B panels [panelFrom, panelTo) of the current (k, n) block, whose panels start
     * at {@code bBase} in {@code bp}.
     */
    private void multiplyBlock(int part, boolean transA, float[] a, int lda, int rowFrom, int rowTo, int pc, int kc,
                               float[] bp, int bBase, int jc, int panelFrom, int panelTo, int nc, int n,
                               boolean overwrite, float[] c, int ldc) {
        int insideCols = n - n % LOGICAL_NR;
        float[] ap = scratch(packedA, part, MC * KC);
        float[] tile = scratch(edgeTile, part, MR * NR);
        for (int ic = rowFrom; ic < rowTo; ic += MC) {
            int mc = Math.min(MC, rowTo - ic);
            packA(transA, a, lda, ic, mc, pc, kc, ap);
            int mPanels = (mc + MR - 1) / MR;
            for (int jp = panelFrom; jp < panelTo; jp++) {
                int col = jc + jp * NR;
                int cols = Math.min(NR, jc + nc - col);
                int bOff = bBase + jp * NR * kc;
                for (int ip = 0; ip < mPanels; ip++) {
                    int row = ic + ip * MR;
                    int rows = Math.min(MR, ic + mc - row);
                    if (rows == MR && col + NR <= insideCols) {
                        kernelPackedA(kc, ap, ip * MR * KC, bp, bOff, c, row * ldc + col, ldc, overwrite);
                    } else {
                        int inside = rows < MR ? 0 : Math.max(0, Math.min(cols, insideCols - col));
                        edge(kc, ap, ip * MR * KC, bp, bOff, tile, c, row * ldc + col, ldc, rows, cols, inside,
                                overwrite);
                    }
                }
            }
        }
    }

    /**
     * A physical tile that is not wholly inside the logical grid: computed whole in a scratch tile whose first
     * {@code inside} columns start from C and whose other columns start from zero (all of it from zero when this block
     * overwrites C); then the inside columns are copied back and the others added to C (or copied when overwriting).
     */
    private static void edge(int kc, float[] ap, int aOff, float[] bp, int bOff, float[] tile, float[] c, int cOff,
                             int ldc, int rows, int cols, int inside, boolean overwrite) {
        if (!overwrite) {
            zeroTile(tile, 0, NR);
            for (int r = 0; r < rows; r++) {
                System.arraycopy(c, cOff + r * ldc, tile, r * NR, inside);
            }
        }
        kernelPackedA(kc, ap, aOff, bp, bOff, tile, 0, NR, overwrite);
        for (int r = 0; r < rows; r++) {
            int co = cOff + r * ldc;
            int to = r * NR;
            if (overwrite) {
                System.arraycopy(tile, to, c, co, cols);
            } else {
                System.arraycopy(tile, to, c, co, inside);
                for (int j = inside; j < cols; j++) {
                    c[co + j] += tile[to + j];
                }
            }
        }
    }

    private static float[] scratch(float[][] perPart, int part, int size) {
        float[] s = perPart[part];
        if (s == null || s.length < size) {
            s = new float[size];
            perPart[part] = s;
        }
        return s;
    }

    /**
     * Packs alpha * op(B)[pc:pc+kc, jc:jc+nc] into NR-wide panels from {@code outBase} on, k-major inside a panel,
     * zero-padded at the edge. Folding alpha in here keeps the kernel branch-free (alpha is 1 for every product the
     * engine's ops issue).
     */
    private static void packB(boolean transB, float[] b, int ldb, int pc, int kc, int jc, int nc, float alpha,
                              float[] out, int outBase) {
        int nPanels = (nc + NR - 1) / NR;
        for (int jp = 0; jp < nPanels; jp++) {
            int col0 = jc + jp * NR;
            int cols = Math.min(NR, jc + nc - col0);
            int base = outBase + jp * NR * kc;
            if (!transB && cols == NR) {
                // Two register copies per k step: System.arraycopy of NR floats cost about as much again as the copy
                // itself (a weight gradient's B packing: 18% of a 4096x256x256 product; 6% with registers).
                for (int p = 0; p < kc; p++) {
                    int src = (pc + p) * ldb + col0;
                    int o = base + p * NR;
                    FloatVector lo = FloatVector.fromArray(S, b, src);
                    FloatVector hi = FloatVector.fromArray(S, b, src + L);
                    if (alpha != 1f) {
                        lo = lo.mul(alpha);
                        hi = hi.mul(alpha);
                    }
                    lo.intoArray(out, o);
                    hi.intoArray(out, o + L);
                }
            } else if (!transB) {
                for (int p = 0; p < kc; p++) {
                    int o = base + p * NR;
                    System.arraycopy(b, (pc + p) * ldb + col0, out, o, cols);
                    if (alpha != 1f) {
                        for (int j = 0; j < cols; j++) {
                            out[o + j] *= alpha;
                        }
                    }
                    for (int j = cols; j < NR; j++) {
                        out[o + j] = 0f;
                    }
                }
            } else {
                // op(B)[p][j] = B[j][p]: read each source row sequentially, write with stride NR.
                for (int j = 0; j < cols; j++) {
                    int src = (col0 + j) * ldb + pc;
                    for (int p = 0; p < kc; p++) {
                        out[base + p * NR + j] = alpha * b[src + p];
                    }
                }
                for (int j = cols; j < NR; j++) {
                    for (int p = 0; p < kc; p++) {
                        out[base + p * NR + j] = 0f;
                    }
                }
            }
        }
    }

    /**
     * Packs op(A)[row0:row0+rows, pc:pc+kc] into MR-tall panels of MR x KC floats, element (r, p) of a panel at
     * {@code r * A_ROW + p * A_STEP}, zero-padded at the edge. Untransposed A in the row layout is one contiguous copy
     * per row; otherwise six sequential read streams and one write stream (untransposed, k-major), or six contiguous
     * floats per k step copied element by element (transposed).
     */
    private static void packA(boolean transA, float[] a, int lda, int row0, int rowsTotal, int pc, int kc,
                              float[] out) {
        int mPanels = (rowsTotal + MR - 1) / MR;
        for (int ip = 0; ip < mPanels; ip++) {
            int r0 = row0 + ip * MR;
            int rows = Math.min(MR, row0 + rowsTotal - r0);
            int base = ip * MR * KC;
            if (!transA && A_STEP == 1) {
                for (int r = 0; r < rows; r++) {
                    System.arraycopy(a, (r0 + r) * lda + pc, out, base + r * A_ROW, kc);
                }
            } else if (rows == MR && !transA) {
                // Indices linear in p, so the bounds checks are hoisted.
                int s0 = r0 * lda + pc, s1 = s0 + lda, s2 = s1 + lda, s3 = s2 + lda, s4 = s3 + lda, s5 = s4 + lda;
                for (int p = 0; p < kc; p++) {
                    int o = base + p * A_STEP;
                    out[o] = a[s0 + p];
                    out[o + A_ROW] = a[s1 + p];
                    out[o + 2 * A_ROW] = a[s2 + p];
                    out[o + 3 * A_ROW] = a[s3 + p];
                    out[o + 4 * A_ROW] = a[s4 + p];
                    out[o + 5 * A_ROW] = a[s5 + p];
                }
            } else if (rows == MR) {
                // Transposed A: six contiguous floats per k step, one per row (with the k-major layout a contiguous
                // run; System.arraycopy of those 6 floats cost more than the copy: a 256-bit weight gradient's A
                // packing took 17% of a 4096x256x256 product, 9% element by element).
                for (int p = 0; p < kc; p++) {
                    int src = (pc + p) * lda + r0;
                    int o = base + p * A_STEP;
                    out[o] = a[src];
                    out[o + A_ROW] = a[src + 1];
                    out[o + 2 * A_ROW] = a[src + 2];
                    out[o + 3 * A_ROW] = a[src + 3];
                    out[o + 4 * A_ROW] = a[src + 4];
                    out[o + 5 * A_ROW] = a[src + 5];
                }
            } else {
                // The ragged last panel (fewer than MR rows).
                int rowStride = transA ? 1 : lda;
                int stepStride = transA ? lda : 1;
                int src = transA ? pc * lda + r0 : r0 * lda + pc;
                for (int r = 0; r < rows; r++) {
                    for (int p = 0; p < kc; p++) {
                        out[base + r * A_ROW + p * A_STEP] = a[src + r * rowStride + p * stepStride];
                    }
                }
            }
            for (int r = rows; r < MR; r++) {
                for (int p = 0; p < kc; p++) {
                    out[base + r * A_ROW + p * A_STEP] = 0f;
                }
            }
        }
    }

    /** C[0:MR, 0:NR] += Apanel * Bpanel over kc steps, A packed as {@link #packA} lays it out. */
    private static void kernelPackedA(int kc, float[] ap, int aOff, float[] bp, int bOff, float[] c, int cOff,
                                      int ldc, boolean fromZero) {
        // Accumulators start from C itself (or from zero when this k block overwrites C: fma(a, b, +0) is the product
        // rounded, as onto a cleared C) and go back with one store each: no separate load-add at the end.
        FloatVector c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
        if (fromZero) {
            c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = FloatVector.zero(S);
        } else {
            c00 = FloatVector.fromArray(S, c, cOff);
            c01 = FloatVector.fromArray(S, c, cOff + L);
            c10 = FloatVector.fromArray(S, c, cOff + ldc);
            c11 = FloatVector.fromArray(S, c, cOff + ldc + L);
            c20 = FloatVector.fromArray(S, c, cOff + 2 * ldc);
            c21 = FloatVector.fromArray(S, c, cOff + 2 * ldc + L);
            c30 = FloatVector.fromArray(S, c, cOff + 3 * ldc);
            c31 = FloatVector.fromArray(S, c, cOff + 3 * ldc + L);
            c40 = FloatVector.fromArray(S, c, cOff + 4 * ldc);
            c41 = FloatVector.fromArray(S, c, cOff + 4 * ldc + L);
            c50 = FloatVector.fromArray(S, c, cOff + 5 * ldc);
            c51 = FloatVector.fromArray(S, c, cOff + 5 * ldc + L);
        }
        for (int p = 0; p < kc; p++) {
            int ai = aOff + p * A_STEP;
            int bi = bOff + p * NR;
            FloatVector b0 = FloatVector.fromArray(S, bp, bi);
            FloatVector b1 = FloatVector.fromArray(S, bp, bi + L);
            FloatVector x = FloatVector.broadcast(S, ap[ai]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, ap[ai + A_ROW]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, ap[ai + 2 * A_ROW]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, ap[ai + 3 * A_ROW]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, ap[ai + 4 * A_ROW]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, ap[ai + 5 * A_ROW]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
        }
        c00.intoArray(c, cOff);
        c01.intoArray(c, cOff + L);
        c10.intoArray(c, cOff + ldc);
        c11.intoArray(c, cOff + ldc + L);
        c20.intoArray(c, cOff + 2 * ldc);
        c21.intoArray(c, cOff + 2 * ldc + L);
        c30.intoArray(c, cOff + 3 * ldc);
        c31.intoArray(c, cOff + 3 * ldc + L);
        c40.intoArray(c, cOff + 4 * ldc);
        c41.intoArray(c, cOff + 4 * ldc + L);
        c50.intoArray(c, cOff + 5 * ldc);
        c51.intoArray(c, cOff + 5 * ldc + L);
    }

    /**
     * Zeroes an MR x NR edge tile whose outside columns start from zero while its inside ones start from C. The kernel
     * is kept free of helper calls taking vectors and of branches inside its loop (its only branch picks the
     * accumulators' start, before the loop; OneVectorSpeciesTest holds it allocation-free): in JDK 17, C2 stops
     * inlining at NodeCountInliningCutoff, and a vector passed to a call that is not inlined is boxed, once per loop
     * iteration here (measured: ~1 MB of garbage per 256x128x64 product and a several-fold slowdown).
     */
    private static void zeroTile(float[] c, int off, int ldc) {
        FloatVector z = FloatVector.zero(S);
        for (int r = 0; r < MR; r++) {
            z.intoArray(c, off + r * ldc);
            z.intoArray(c, off + r * ldc + L);
        }
    }
}
