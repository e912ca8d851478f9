package dev.winnow.engine.sparse;

import java.util.Arrays;

/**
 * A CSR matrix on the Java heap (float values, int column indices ascending within a row, int row pointers), with
 * the conversions between the three host layouts the engine uses: dense row-major, dense + 0/1 mask, and CSR.
 *
 * <p>Two constructions differ on purpose: {@link #fromDense} keeps the nonzero values, {@link #fromMask} keeps the
 * positions the mask keeps even where the weight happens to be exactly zero, so that a surviving weight that passes
 * through zero during training keeps its slot (the pattern is the mask, not the values).
 */
public final class HostCsr {
    public final int rows;
    public final int cols;
    public final int[] rowPtr;
    public final int[] colIdx;
    public final float[] values;

    public HostCsr(int rows, int cols, int[] rowPtr, int[] colIdx, float[] values) {
        if (rows < 0 || cols < 0) {
            throw new IllegalArgumentException("negative CSR shape " + rows + "x" + cols);
        }
        if (rowPtr.length != rows + 1 || rowPtr[0] != 0) {
            throw new IllegalArgumentException("rowPtr must hold rows + 1 = " + (rows + 1) + " entries starting at 0, got "
                    + rowPtr.length + " entries");
        }
        int nnz = rowPtr[rows];
        if (colIdx.length != nnz || values.length != nnz) {
            throw new IllegalArgumentException("rowPtr says " + nnz + " entries but colIdx/values hold " + colIdx.length
                    + "/" + values.length);
        }
        for (int r = 0; r < rows; r++) {
            if (rowPtr[r + 1] < rowPtr[r]) {
                throw new IllegalArgumentException("rowPtr decreases at row " + r);
            }
            for (int p = rowPtr[r]; p < rowPtr[r + 1]; p++) {
                int c = colIdx[p];
                if (c < 0 || c >= cols || (p > rowPtr[r] && colIdx[p - 1] >= c)) {
                    throw new IllegalArgumentException("row " + r + ": column index " + c + " at entry " + p
                            + " is out of range 0.." + (cols - 1) + " or not strictly ascending");
                }
            }
        }
        this.rows = rows;
        this.cols = cols;
        this.rowPtr = rowPtr;
        this.colIdx = colIdx;
        this.values = values;
    }

    public int nnz() {
        return rowPtr[rows];
    }

    public double density() {
        long total = (long) rows * cols;
        return total == 0 ? 0.0 : (double) nnz() / total;
    }

    /** The nonzero entries of a dense row-major rows x cols matrix. */
    public static HostCsr fromDense(float[] dense, int rows, int cols) {
        checkLength("dense", dense, rows, cols);
        return build(dense, null, rows, cols);
    }

    /** The entries where {@code mask} is nonzero, with their values from {@code dense} (zeros included). */
    public static HostCsr fromMask(float[] mask, float[] dense, int rows, int cols) {
        checkLength("mask", mask, rows, cols);
        checkLength("dense", dense, rows, cols);
        return build(dense, mask, rows, cols);
    }

    private static HostCsr build(float[] dense, float[] mask, int rows, int cols) {
        float[] keep = mask == null ? dense : mask;
        int nnz = 0;
        for (int i = 0; i < rows * cols; i++) {
            if (keep[i] != 0f) {
                nnz++;
            }
        }
        int[] rp = new int[rows + 1];
        int[] ci = new int[nnz];
        float[] v = new float[nnz];
        int p = 0;
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            for (int c = 0; c < cols; c++) {
                if (keep[o + c] != 0f) {
                    ci[p] = c;
                    v[p] = dense[o + c];
                    p++;
                }
            }
            rp[r + 1] = p;
        }
        return new HostCsr(rows, cols, rp, ci, v);
    }

    /** The dense row-major matrix (zeros outside the pattern). */
    public float[] toDense() {
        float[] d = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int p = rowPtr[r]; p < rowPtr[r + 1]; p++) {
                d[r * cols + colIdx[p]] = values[p];
            }
        }
        return d;
    }

    /** The 0/1 mask of the pattern (1 at every stored position, whatever its value). */
    public float[] toMask() {
        float[] m = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int p = rowPtr[r]; p < rowPtr[r + 1]; p++) {
                m[r * cols + colIdx[p]] = 1f;
            }
        }
        return m;
    }

    /** For every stored entry, its index in the dense row-major matrix: values[p] = dense[denseIndex()[p]]. */
    public int[] denseIndex() {
        int[] idx = new int[nnz()];
        for (int r = 0; r < rows; r++) {
            for (int p = rowPtr[r]; p < rowPtr[r + 1]; p++) {
                idx[p] = r * cols + colIdx[p];
            }
        }
        return idx;
    }

    /** The transpose (cols x rows) together with the permutation that refreshes its values from this matrix's. */
    public Transposed transpose() {
        int nnz = nnz();
        int[] rp = new int[cols + 1];
        for (int p = 0; p < nnz; p++) {
            rp[colIdx[p] + 1]++;
        }
        for (int c = 0; c < cols; c++) {
            rp[c + 1] += rp[c];
        }
        int[] next = Arrays.copyOf(rp, cols);
        int[] ci = new int[nnz];
        float[] v = new float[nnz];
        int[] perm = new int[nnz];
        // Rows are visited in order, so the column indices of the transpose come out ascending.
        for (int r = 0; r < rows; r++) {
            for (int p = rowPtr[r]; p < rowPtr[r + 1]; p++) {
                int q = next[colIdx[p]]++;
                ci[q] = r;
                v[q] = values[p];
                perm[q] = p;
            }
        }
        return new Transposed(new HostCsr(cols, rows, rp, ci, v), perm);
    }

    /** A transposed matrix and the map from its entries to the original's: t.values[q] = values[permutation[q]]. */
    public record Transposed(HostCsr matrix, int[] permutation) {
    }

    static void checkLength(String what, float[] a, int rows, int cols) {
        if (rows < 0 || cols < 0 || a.length != rows * cols) {
            throw new IllegalArgumentException(what + " holds " + a.length + " values, a " + rows + "x" + cols
                    + " matrix needs " + (long) rows * cols);
        }
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof HostCsr)) {
            return false;
        }
        HostCsr h = (HostCsr) o;
        return rows == h.rows && cols == h.cols && Arrays.equals(rowPtr, h.rowPtr) && Arrays.equals(colIdx, h.colIdx)
                && Arrays.equals(values, h.values);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * rows + cols) + Arrays.hashCode(colIdx);
    }

    @Override
    public String toString() {
        return "HostCsr[" + rows + "x" + cols + ", nnz=" + nnz() + "]";
    }
}
