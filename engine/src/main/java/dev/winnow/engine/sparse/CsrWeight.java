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
    private final IntStorage transposedDenseIndex;
    private final Storage packedGrad;
    private final LayerScratch scratch;

    private CsrWeight(Backend backend, HostCsr csr) {
        this.backend = backend;
        HostCsr t = csr.transpose().matrix();
        this.forward = upload(backend, csr);
        this.transposed = upload(backend, t);
        int nnz = csr.nnz();
        this.denseIndex = backend.allocateInts(Math.max(1, nnz));
        backend.uploadInts(csr.denseIndex(), 0, denseIndex, 0, nnz);
        // The transposed copy's entry q sits at dense position (col, row) of W^T, i.e. (row, col) of W.
        int[] tIdx = new int[nnz];
        for (int r = 0; r < t.rows; r++) {
            for (int q = t.rowPtr[r]; q < t.rowPtr[r + 1]; q++) {
                tIdx[q] = t.colIdx[q] * csr.cols + r;
            }
        }
        this.transposedDenseIndex = backend.allocateInts(Math.max(1, nnz));
        backend.uploadInts(tIdx, 0, transposedDenseIndex, 0, nnz);
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

    /** Copies the current values of the dense weight (out x in) into both CSR copies: O(nnz). */
    public void refresh(Storage denseWeight) {
        int nnz = forward.nnz;
        if (nnz == 0) {
            return;
        }
        backend.gather(denseWeight, denseIndex, nnz, forward.values);
        backend.gather(denseWeight, transposedDenseIndex, nnz, transposed.values);
    }

    /** W (out x in). */
    public CsrMatrix matrix() {
        return forward;
    }

    /** W^T (in x out), values kept in step with {@link #matrix()} by {@link #refresh}. */
    public CsrMatrix transposed() {
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
        backend.free(transposedDenseIndex);
        backend.free(packedGrad);
        scratch.close();
    }
}
