package dev.winnow.engine.sparse;

import java.util.Arrays;

/**
 * A sparse matrix on the Java heap as a bitmask + packed values: one bit per dense position (row-major, each row
 * padded to whole 64-bit words: bit {@code c % 64} of word {@code r * wordsPerRow + c / 64} says whether (r, c) is
 * stored), the stored values packed in row-major order, and the packed offset of each row's first value (so that
 * threads can start at any row). Versus CSR it replaces the 4-byte column index per stored entry by rows x cols bits:
 * smaller above density 1/32, and a product decodes column indices from the bits instead of loading them.
 *
 * <p>Like {@link HostCsr#fromMask}, {@link #fromMask} stores every position the mask keeps, zeros included.
 */
public final class HostBitmask {
    public final int rows;
    public final int cols;
    public final int wordsPerRow;
    /** rows * wordsPerRow words; padding bits past {@code cols} are 0. */
    public final long[] bits;
    /** rows + 1 entries: row r's values are values[rowStart[r] .. rowStart[r+1]). */
    public final int[] rowStart;
    public final float[] values;

    public HostBitmask(int rows, int cols, long[] bits, int[] rowStart, float[] values) {
        if (rows < 0 || cols < 0) {
            throw new IllegalArgumentException("negative bitmask shape " + rows + "x" + cols);
        }
        int wpr = wordsPerRow(cols);
        if (bits.length != (long) rows * wpr) {
            throw new IllegalArgumentException("a " + rows + "x" + cols + " bitmask needs " + (long) rows * wpr
                    + " words, got " + bits.length);
        }
        if (rowStart.length != rows + 1 || rowStart[0] != 0) {
            throw new IllegalArgumentException("rowStart must hold rows + 1 = " + (rows + 1)
                    + " entries starting at 0, got " + rowStart.length);
        }
        long padding = cols % 64 == 0 ? 0L : -1L << (cols % 64);
        for (int r = 0; r < rows; r++) {
            int count = 0;
            for (int w = 0; w < wpr; w++) {
                count += Long.bitCount(bits[r * wpr + w]);
            }
            if (wpr > 0 && (bits[r * wpr + wpr - 1] & padding) != 0) {
                throw new IllegalArgumentException("row " + r + " has bits set past column " + (cols - 1));
            }
            if (rowStart[r + 1] - rowStart[r] != count) {
                throw new IllegalArgumentException("row " + r + " has " + count + " bits set but rowStart gives it "
                        + (rowStart[r + 1] - rowStart[r]) + " values");
            }
        }
        if (values.length != rowStart[rows]) {
            throw new IllegalArgumentException("the bits say " + rowStart[rows] + " stored entries but values holds "
                    + values.length);
        }
        this.rows = rows;
        this.cols = cols;
        this.wordsPerRow = wpr;
        this.bits = bits;
        this.rowStart = rowStart;
        this.values = values;
    }

    static int wordsPerRow(int cols) {
        return (cols + 63) >>> 6;
    }

    public int nnz() {
        return rowStart[rows];
    }

    public double density() {
        long total = (long) rows * cols;
        return total == 0 ? 0.0 : (double) nnz() / total;
    }

    /** Bytes of the layout (bits, row offsets and values), for comparing with CSR's. */
    public long bytes() {
        return 8L * bits.length + 4L * rowStart.length + 4L * values.length;
    }

    /** The nonzero entries of a dense row-major rows x cols matrix. */
    public static HostBitmask fromDense(float[] dense, int rows, int cols) {
        return fromCsr(HostCsr.fromDense(dense, rows, cols));
    }

    /** The positions where {@code mask} is nonzero, with their values from {@code dense} (zeros included). */
    public static HostBitmask fromMask(float[] mask, float[] dense, int rows, int cols) {
        return fromCsr(HostCsr.fromMask(mask, dense, rows, cols));
    }

    /** The same pattern and values as a CSR matrix. */
    public static HostBitmask fromCsr(HostCsr csr) {
        int wpr = wordsPerRow(csr.cols);
        long[] bits = new long[csr.rows * wpr];
        for (int r = 0; r < csr.rows; r++) {
            for (int p = csr.rowPtr[r]; p < csr.rowPtr[r + 1]; p++) {
                int c = csr.colIdx[p];
                bits[r * wpr + (c >>> 6)] |= 1L << (c & 63);
            }
        }
        return new HostBitmask(csr.rows, csr.cols, bits, csr.rowPtr.clone(), csr.values.clone());
    }

    /** The dense row-major matrix (zeros outside the pattern). */
    public float[] toDense() {
        float[] d = new float[rows * cols];
        forEach((r, c, p) -> d[r * cols + c] = values[p]);
        return d;
    }

    /** The 0/1 mask of the pattern (1 at every stored position, whatever its value). */
    public float[] toMask() {
        float[] m = new float[rows * cols];
        forEach((r, c, p) -> m[r * cols + c] = 1f);
        return m;
    }

    /** The same pattern and values in CSR. */
    public HostCsr toCsr() {
        int[] ci = new int[nnz()];
        forEach((r, c, p) -> ci[p] = c);
        return new HostCsr(rows, cols, rowStart.clone(), ci, values.clone());
    }

    /** Copies the current values of a dense row-major weight into the packed values at the stored positions. */
    public void refresh(float[] dense) {
        HostCsr.checkLength("dense", dense, rows, cols);
        // Written out (not through forEach): this runs before every bitmask product, like CsrWeight.refresh.
        int p = 0;
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            for (int w = 0; w < wordsPerRow; w++) {
                long word = bits[r * wordsPerRow + w];
                int base = o + (w << 6);
                while (word != 0) {
                    values[p++] = dense[base + Long.numberOfTrailingZeros(word)];
                    word &= word - 1;
                }
            }
        }
    }

    @FunctionalInterface
    private interface EntryVisitor {
        void visit(int row, int col, int packed);
    }

    /** Visits the stored entries in row-major order with their packed index. */
    private void forEach(EntryVisitor visitor) {
        for (int r = 0; r < rows; r++) {
            int p = rowStart[r];
            for (int w = 0; w < wordsPerRow; w++) {
                long word = bits[r * wordsPerRow + w];
                while (word != 0) {
                    int c = (w << 6) + Long.numberOfTrailingZeros(word);
                    word &= word - 1;
                    visitor.visit(r, c, p++);
                }
            }
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HostBitmask b && rows == b.rows && cols == b.cols && Arrays.equals(bits, b.bits)
                && Arrays.equals(rowStart, b.rowStart) && Arrays.equals(values, b.values);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * rows + cols) + Arrays.hashCode(bits);
    }

    @Override
    public String toString() {
        return "HostBitmask[" + rows + "x" + cols + ", nnz=" + nnz() + "]";
    }
}
