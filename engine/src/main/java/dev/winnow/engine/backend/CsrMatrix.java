package dev.winnow.engine.backend;

/**
 * A sparse matrix in compressed sparse row form, resident on one backend: {@code rowPtr} has rows + 1 entries,
 * {@code colIdx} and {@code values} have nnz entries, column indices ascending within a row.
 */
public final class CsrMatrix {
    public final int rows;
    public final int cols;
    public final int nnz;
    public final IntStorage rowPtr;
    public final IntStorage colIdx;
    public final Storage values;

    public CsrMatrix(int rows, int cols, int nnz, IntStorage rowPtr, IntStorage colIdx, Storage values) {
        if (rows < 0 || cols < 0 || nnz < 0) {
            throw new IllegalArgumentException("negative CSR dimension: rows=" + rows + " cols=" + cols + " nnz=" + nnz);
        }
        if (rowPtr.length() < rows + 1) {
            throw new IllegalArgumentException("rowPtr holds " + rowPtr.length() + " entries, needs rows + 1 = " + (rows + 1));
        }
        if (colIdx.length() < nnz || values.length() < nnz) {
            throw new IllegalArgumentException("colIdx/values hold " + colIdx.length() + "/" + values.length()
                    + " entries, need nnz = " + nnz);
        }
        this.rows = rows;
        this.cols = cols;
        this.nnz = nnz;
        this.rowPtr = rowPtr;
        this.colIdx = colIdx;
        this.values = values;
    }

    public double density() {
        long total = (long) rows * cols;
        return total == 0 ? 0.0 : (double) nnz / total;
    }
}
