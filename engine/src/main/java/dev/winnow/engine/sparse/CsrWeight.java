package dev.winnow.engine.sparse;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.backend.BlockMatrix;
import dev.winnow.engine.backend.CsrMatrix;
import dev.winnow.engine.backend.IntStorage;
import dev.winnow.engine.backend.LayerScratch;
import dev.winnow.engine.backend.Storage;

/**
 * A pruned weight matrix W (out x in) held on a backend in CSR form for the sparse Linear: the matrix itself for the
 * forward (Y = X W^T), its transpose for the input gradient (dX = dY W is the same kernel on W^T), the dense position
 * of every stored entry (values are gathered from the dense parameter before each use, and the SDDMM gradient is
 * scattered back through it), a buffer for the packed gradient, and the backend's scratch that carries work from the
 * layer's forward to its backward. The pattern is fixed at construction; a new mask
 * needs a new CsrWeight.
 *
 * <p>Where the backend has block kernels and the pattern is made of whole 16x1 blocks (what {@code block16} pruning
 * leaves), the weight is held in block form too ({@link #block()}), and the layer's forward runs on it: the same bits
 * as the CSR product, without its packing of X (see {@link HostBlocks}). A pattern with padding inside its blocks
 * stays CSR: a padded lane would read a pruned position of the dense weight, and a pruned weight must never enter the
 * product, whatever value the dense array holds there.
 */
public final class CsrWeight implements AutoCloseable {
    private final Backend backend;
    private final CsrMatrix forward;
    private final CsrMatrix transposed;
    private final IntStorage denseIndex;
    /** Entry q of W^T is entry transposedOrder[q] of W. */
    private final IntStorage transposedOrder;
    /** Whether W's values were refreshed since W^T's were (W^T is brought in step when asked for). */
    private boolean transposedStale;
    private final Storage packedGrad;
    private final LayerScratch scratch;
    /** The block form, or null where the backend has no block kernels or the pattern fills its blocks too thinly. */
    private final BlockMatrix block;
    private final IntStorage blockIndex;
    private final IntStorage blockIndexT;
    /** The dense weight of the last refresh, which the stale forms below are gathered from when next asked for. */
    /** A weight version that matches nothing: {@link #refresh(Storage, long)} always gathers. */
    public static final long UNVERSIONED = Long.MIN_VALUE;
    private Storage source;
    private long sourceVersion = UNVERSIONED;
    private boolean forwardStale;
    private boolean blockStale;
    private boolean blockTStale;

    private CsrWeight(Backend backend, HostCsr csr) {
        this(backend, csr, true);
    }

    private CsrWeight(Backend backend, HostCsr csr, boolean blockForm) {
        this.backend = backend;
        HostCsr.Transposed tr = csr.transpose();
        this.forward = upload(backend, csr);
        this.transposed = upload(backend, tr.matrix());
        int nnz = csr.nnz();
        this.denseIndex = ints(backend, csr.denseIndex());
        this.transposedOrder = ints(backend, tr.permutation());
        this.packedGrad = backend.allocate(Math.max(1, nnz));
        this.scratch = backend.newLayerScratch();
        HostBlocks hb = blockForm && backend.blockKernels() && nnz > 0 ? HostBlocks.of(csr) : null;
        if (hb != null && hb.fill(nnz) == 1.0) {
            HostBlocks.Transposed bt = hb.transposed();
            int[] indexT = bt.denseIndexT();
            float[] dense = csr.toDense();
            float[] valuesT = new float[indexT.length];
            for (int i = 0; i < indexT.length; i++) {
                valuesT[i] = dense[indexT[i]];
            }
            this.block = new BlockMatrix(csr.rows, csr.cols, hb.blocks(), ints(backend, hb.groupPtr),
                    ints(backend, hb.blockCol), floats(backend, hb.values(csr.values)), ints(backend, bt.padPtr()),
                    ints(backend, bt.padCol()), floats(backend, valuesT));
            this.blockIndex = ints(backend, hb.denseIndex());
            this.blockIndexT = ints(backend, indexT);
        } else {
            this.block = null;
            this.blockIndex = null;
            this.blockIndexT = null;
        }
    }

    /** The CSR form of a weight whose surviving positions are the nonzeros of {@code mask} (out x in, row-major). */
    public static CsrWeight fromMask(Backend backend, float[] mask, float[] weight, int out, int in) {
        return new CsrWeight(backend, HostCsr.fromMask(mask, weight, out, in));
    }

    public static CsrWeight of(Backend backend, HostCsr csr) {
        return new CsrWeight(backend, csr);
    }

    /**
     * As {@link #fromMask(Backend, float[], float[], int, int)}; {@code blockForm} false keeps a block pattern in CSR
     * form alone (what the benchmarks and tests compare the two forms with).
     */
    public static CsrWeight fromMask(Backend backend, float[] mask, float[] weight, int out, int in,
                                     boolean blockForm) {
        return new CsrWeight(backend, HostCsr.fromMask(mask, weight, out, in), blockForm);
    }

    /** {@code a} on the backend (at least one element, as a backend buffer may not be empty). */
    private static IntStorage ints(Backend be, int[] a) {
        IntStorage s = be.allocateInts(Math.max(1, a.length));
        be.uploadInts(a, 0, s, 0, a.length);
        return s;
    }

    private static Storage floats(Backend be, float[] a) {
        Storage s = be.allocate(Math.max(1, a.length));
        be.upload(a, 0, s, 0, a.length);
        return s;
    }

    private static CsrMatrix upload(Backend be, HostCsr h) {
        return new CsrMatrix(h.rows, h.cols, h.nnz(), ints(be, h.rowPtr), ints(be, h.colIdx), floats(be, h.values));
    }

    /**
     * Takes the current values of the dense weight (out x in) for every form: each is gathered from it when next
     * asked for (W's CSR values O(nnz), the blocks' O(blocks * 16); W^T's from W's, a gather over nnz floats rather
     * than over the dense weight in column order), so a forward pays only for the form it runs on. The dense weight
     * must not change before they are used (a step's forward and backward read the weight the forward saw).
     */
    public void refresh(Storage denseWeight) {
        refresh(denseWeight, UNVERSIONED);
    }

    /**
     * {@link #refresh(Storage)}, skipped when {@code version} (the weight's {@code Parameter.contentVersion()}) and
     * the buffer are those of the last refresh: the values are then the same, and the forms already gathered stay
     * valid (an inference forward after the first pays no gather). {@link #UNVERSIONED} always refreshes.
     */
    public void refresh(Storage denseWeight, long version) {
        if (version != UNVERSIONED && version == sourceVersion && denseWeight == source) {
            return;
        }
        sourceVersion = version;
        if (forward.nnz == 0) {
            return;
        }
        source = denseWeight;
        forwardStale = true;
        blockStale = block != null;
        blockTStale = block != null;
        transposedStale = true;
    }

    /** W (out x in), its values first brought in step with the last refresh. */
    public CsrMatrix matrix() {
        if (forwardStale) {
            backend.gather(source, denseIndex, forward.nnz, forward.values);
            forwardStale = false;
        }
        return forward;
    }

    /** Whether this weight runs in 16x1 block form (whole blocks on a backend with block kernels). */
    public boolean hasBlockForm() {
        return block != null;
    }

    /**
     * W in 16x1 blocks, its forward values in step with the last refresh; null where this weight has no block form.
     * The backward's copy ({@link BlockMatrix#valuesT}) follows only through {@link #blockForBackward()}, so an
     * inference forward does not pay for it.
     */
    public BlockMatrix block() {
        if (blockStale) {
            backend.gather(source, blockIndex, block.blocks * BlockMatrix.HEIGHT, block.values);
            blockStale = false;
        }
        return block;
    }

    /** {@link #block()} with the backward's copy of the values in step with the last refresh too. */
    public BlockMatrix blockForBackward() {
        BlockMatrix b = block();
        if (blockTStale) {
            backend.gather(source, blockIndexT, b.valuesT.length(), b.valuesT);
            blockTStale = false;
        }
        return b;
    }

    /** W^T (in x out), its values first brought in step with {@link #matrix()}'s if a refresh came since. */
    public CsrMatrix transposed() {
        CsrMatrix w = matrix();
        if (transposedStale) {
            backend.gather(w.values, transposedOrder, w.nnz, transposed.values);
            transposedStale = false;
        }
        return transposed;
    }

    /** Dense position (row * in + col) of each entry of {@link #matrix()}. */
    public IntStorage denseIndex() {
        return denseIndex;
    }

    /** Scratch for the SDDMM weight gradient, one float per stored entry. */
    public Storage packedGrad() {
        return packedGrad;
    }

    /** What the layer's forward leaves for its backward on this backend (see {@link Backend#csrLinearForward}). */
    public LayerScratch scratch() {
        return scratch;
    }

    public int nnz() {
        return forward.nnz;
    }

    public int rows() {
        return forward.rows;
    }

    public int cols() {
        return forward.cols;
    }

    public double density() {
        return forward.density();
    }

    public Backend backend() {
        return backend;
    }

    @Override
    public void close() {
        backend.free(forward.values);
        backend.free(forward.rowPtr);
        backend.free(forward.colIdx);
        backend.free(transposed.values);
        backend.free(transposed.rowPtr);
        backend.free(transposed.colIdx);
        backend.free(denseIndex);
        backend.free(transposedOrder);
        backend.free(packedGrad);
        scratch.close();
        if (block != null) {
            backend.free(block.groupPtr);
            backend.free(block.blockCol);
            backend.free(block.values);
            backend.free(block.padPtr);
            backend.free(block.padCol);
            backend.free(block.valuesT);
            backend.free(blockIndex);
            backend.free(blockIndexT);
        }
    }
}
