package dev.winnow.engine.sparse;

import dev.winnow.engine.backend.Backend;
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

    private CsrWeight(Backend backend, HostCsr csr) {
        this.backend = backend;
        HostCsr.Transposed tr = csr.transpose();
        this.forward = upload(backend, csr);
        this.transposed = upload(backend, tr.matrix());
        int nnz = csr.nnz();
        this.denseIndex = backend.allocateInts(Math.max(1, nnz));
        backend.uploadInts(csr.denseIndex(), 0, denseIndex, 0, nnz);
        this.transposedOrder = backend.allocateInts(Math.max(1, nnz));
        backend.uploadInts(tr.permutation(), 0, transposedOrder, 0, nnz);
        this.packedGrad = backend.allocate(Math.max(1, nnz));
        this.scratch = backend.newLayerScratch();
    }

    /** The CSR form of a weight whose surviving positions are the nonzeros of {@code mask} (out x in, row-major). */
    public static CsrWeight fromMask(Backend backend, float[] mask, float[] weight, int out, int in) {
        return new CsrWeight(backend, HostCsr.fromMask(mask, weight, out, in));
    }

    public static CsrWeight of(Backend backend, HostCsr csr) {
        return new CsrWeight(backend, csr);
    }

    private static CsrMatrix upload(Backend be, HostCsr h) {
        int nnz = h.nnz();
        IntStorage rp = be.allocateInts(h.rows + 1);
        be.uploadInts(h.rowPtr, 0, rp, 0, h.rows + 1);
        IntStorage ci = be.allocateInts(Math.max(1, nnz));
        be.uploadInts(h.colIdx, 0, ci, 0, nnz);
        Storage v = be.allocate(Math.max(1, nnz));
        be.upload(h.values, 0, v, 0, nnz);
        return new CsrMatrix(h.rows, h.cols, nnz, rp, ci, v);
    }

    /**
     * Copies the current values of the dense weight (out x in) into W's CSR values: O(nnz). W^T's values follow when
     * {@link #transposed()} is next asked for, from W's (a gather over nnz floats, not over the dense weight in
     * column order), so a forward, which only needs W, does not pay for them.
     */
    public void refresh(Storage denseWeight) {
        int nnz = forward.nnz;
        if (nnz == 0) {
            return;
        }
        backend.gather(denseWeight, denseIndex, nnz, forward.values);
        transposedStale = true;
    }

    /** W (out x in). */
    public CsrMatrix matrix() {
        return forward;
    }

    /** W^T (in x out), its values first brought in step with {@link #matrix()}'s if a refresh came since. */
    public CsrMatrix transposed() {
        if (transposedStale) {
            backend.gather(forward.values, transposedOrder, forward.nnz, transposed.values);
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
    }
}
