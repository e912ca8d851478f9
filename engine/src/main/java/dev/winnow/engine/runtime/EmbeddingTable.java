package dev.winnow.engine.runtime;

import static dev.winnow.engine.runtime.WnwFormat.*;

/**
 * A user or item table kept in its stored encoding (the bulk of a pruned model), so the heap holds about what the
 * file holds; a lookup decodes one row (at most {@code dim} entries) into the caller's buffer.
 */
final class EmbeddingTable {
    private final int storage;
    private final int rows;
    private final int dim;
    private final float[] dense;
    private final int[] rowStart;
    private final byte[] index;
    private final int indexWidth;
    private final byte[] values;
    private final float[] scales;

    EmbeddingTable(StoredTensor t) {
        this.storage = t.storage;
        this.rows = t.rows;
        this.dim = t.cols;
        if (t.dense()) {
            this.dense = t.denseValues();
            this.rowStart = null;
            this.index = null;
            this.indexWidth = 0;
            this.values = null;
            this.scales = null;
            return;
        }
        this.dense = null;
        this.rowStart = t.rowStart;
        this.indexWidth = indexWidth(t.cols);
        this.index = slice(t.buf, t.dataOff, t.nnz * indexWidth);
        this.values = slice(t.buf, t.valOff, t.nnz * valueWidth(t.storage));
        if (t.storage == STORAGE_CSR_I8) {
            this.scales = new float[rows];
            for (int r = 0; r < rows; r++) {
                scales[r] = Float.intBitsToFloat((int) SectionReader.readU32(t.buf, t.scaleOff + 4 * r));
            }
        } else {
            this.scales = null;
        }
    }

    private static byte[] slice(byte[] buf, int off, int len) {
        byte[] b = new byte[len];
        System.arraycopy(buf, off, b, 0, len);
        return b;
    }

    int rows() {
        return rows;
    }

    int dim() {
        return dim;
    }

    /** dst[off + c * stride] = row[c] for every c < dim (zeros included). */
    void lookup(int row, float[] dst, int off, int stride) {
        if (dense != null) {
            int base = row * dim;
            for (int c = 0; c < dim; c++) {
                dst[off + c * stride] = dense[base + c];
            }
            return;
        }
        for (int c = 0; c < dim; c++) {
            dst[off + c * stride] = 0f;
        }
        int from = rowStart[row];
        int to = rowStart[row + 1];
        for (int k = from; k < to; k++) {
            int c = (int) SectionReader.readUnsigned(index, k * indexWidth, indexWidth);
            float v;
            switch (storage) {
                case STORAGE_CSR_F32: v = Float.intBitsToFloat((int) SectionReader.readU32(values, 4 * k)); break;
                case STORAGE_CSR_F16: v = Half.toFloat(SectionReader.readU16(values, 2 * k)); break;
                default: v = values[k] * scales[row];
            }
            dst[off + c * stride] = v;
        }
    }

    long heapBytes() {
        if (dense != null) {
            return 4L * dense.length;
        }
        return 4L * rowStart.length + index.length + values.length + (scales == null ? 0 : 4L * scales.length);
    }
}
