package dev.winnow.engine.runtime;

import static dev.winnow.engine.runtime.WnwFormat.*;

/**
 * One validated tensor payload, still in the file buffer: shape, storage and the offsets of its parts. Validation
 * covers every byte the runtime will later read: sizes against the section, CSR row counts summing to nnz, column
 * indices strictly increasing and in range, values and scales finite.
 */
final class StoredTensor {
    final byte[] buf;
    final int storage;
    final int rows;
    final int cols;
    final int nnz;
    /** Dense: offset of rows*cols floats. CSR: offset of the column indices. */
    final int dataOff;
    final int valOff;
    final int scaleOff;
    /** CSR only: rowStart[r]..rowStart[r+1] are row r's entries. */
    final int[] rowStart;
    final long payloadBytes;

    private StoredTensor(byte[] buf, int storage, int rows, int cols, int nnz, int dataOff, int valOff, int scaleOff,
                         int[] rowStart, long payloadBytes) {
        this.buf = buf;
        this.storage = storage;
        this.rows = rows;
        this.cols = cols;
        this.nnz = nnz;
        this.dataOff = dataOff;
        this.valOff = valOff;
        this.scaleOff = scaleOff;
        this.rowStart = rowStart;
        this.payloadBytes = payloadBytes;
    }

    /** Reads the storage-specific part (after role, storage code, layer, rows, cols). */
    static StoredTensor read(SectionReader in, int storage, int rows, int cols) throws ModelFormatException {
        byte[] buf = in.buffer();
        int start = in.position();
        if (storage == STORAGE_DENSE_F32) {
            long n = (long) rows * cols;
            in.need(n * 4, rows + "x" + cols + " dense fp32 values");
            int off = in.position();
            for (long i = 0; i < n; i++) {
                float v = Float.intBitsToFloat((int) SectionReader.readU32(buf, off + (int) (i * 4)));
                if (!Float.isFinite(v)) {
                    throw in.fail("value " + i + " is " + v + "; weights must be finite");
                }
            }
            in.skip(n * 4, "dense values");
            return new StoredTensor(buf, storage, rows, cols, (int) n, off, off, -1,
                    null, n * 4);
        }
        if (storage != STORAGE_CSR_F32 && storage != STORAGE_CSR_F16 && storage != STORAGE_CSR_I8) {
            throw in.fail("unknown storage code " + storage + " (expected 0..3: dense, csr, csr-fp16, int8)");
        }
        long cells = (long) rows * cols;
        int nnz = in.count("nonzero count", 0, (int) Math.min(cells, Integer.MAX_VALUE));
        int cw = countWidth(cols);
        int iw = indexWidth(cols);
        int vw = valueWidth(storage);
        long scaleBytes = storage == STORAGE_CSR_I8 ? 4L * rows : 0;
        in.need(scaleBytes + (long) rows * cw + (long) nnz * (iw + vw),
                "a CSR tensor of " + rows + " rows and " + nnz + " nonzeros");
        int scaleOff = -1;
        if (storage == STORAGE_CSR_I8) {
            scaleOff = in.position();
            for (int r = 0; r < rows; r++) {
                float s = Float.intBitsToFloat((int) SectionReader.readU32(buf, scaleOff + 4 * r));
                if (!Float.isFinite(s) || s < 0f) {
                    throw in.fail("row scale " + r + " is " + s + "; scales must be finite and >= 0");
                }
            }
            in.skip(scaleBytes, "row scales");
        }
        int[] rowStart = new int[rows + 1];
        int countOff = in.position();
        long sum = 0;
        for (int r = 0; r < rows; r++) {
            long c = SectionReader.readUnsigned(buf, countOff + r * cw, cw);
            if (c > cols) {
                throw in.fail("row " + r + " claims " + c + " entries but the tensor has " + cols + " columns");
            }
            sum += c;
            if (sum > nnz) {
                throw in.fail("row counts exceed the nonzero count " + nnz + " at row " + r);
            }
            rowStart[r + 1] = (int) sum;
        }
        if (sum != nnz) {
            throw in.fail("row counts add up to " + sum + " but the nonzero count is " + nnz);
        }
        in.skip((long) rows * cw, "row counts");
        int idxOff = in.position();
        for (int r = 0; r < rows; r++) {
            long prev = -1;
            for (int k = rowStart[r]; k < rowStart[r + 1]; k++) {
                long c = SectionReader.readUnsigned(buf, idxOff + k * iw, iw);
                if (c >= cols || c <= prev) {
                    throw in.fail("row " + r + ": column index " + c + " is out of range or out of order"
                            + " (columns must increase and be < " + cols + ")");
                }
                prev = c;
            }
        }
        in.skip((long) nnz * iw, "column indices");
        int valOff = in.position();
        if (storage == STORAGE_CSR_F32) {
            for (int k = 0; k < nnz; k++) {
                float v = Float.intBitsToFloat((int) SectionReader.readU32(buf, valOff + 4 * k));
                if (!Float.isFinite(v)) {
                    throw in.fail("value " + k + " is " + v + "; weights must be finite");
                }
            }
        } else if (storage == STORAGE_CSR_F16) {
            for (int k = 0; k < nnz; k++) {
                if ((SectionReader.readU16(buf, valOff + 2 * k) & 0x7C00) == 0x7C00) {
                    throw in.fail("fp16 value " + k + " is infinite or NaN; weights must be finite");
                }
            }
        }
        in.skip((long) nnz * vw, "values");
        return new StoredTensor(buf, storage, rows, cols, nnz, idxOff, valOff, scaleOff, rowStart,
                in.position() - start);
    }

    boolean dense() {
        return storage == STORAGE_DENSE_F32;
    }

    int column(int k) {
        return (int) SectionReader.readUnsigned(buf, dataOff + k * indexWidth(cols), indexWidth(cols));
    }

    /** The stored value of CSR entry k in row r, dequantised. */
    float value(int r, int k) {
        switch (storage) {
            case STORAGE_CSR_F32: return Float.intBitsToFloat((int) SectionReader.readU32(buf, valOff + 4 * k));
            case STORAGE_CSR_F16: return Half.toFloat(SectionReader.readU16(buf, valOff + 2 * k));
            default:
                return buf[valOff + k] * Float.intBitsToFloat((int) SectionReader.readU32(buf, scaleOff + 4 * r));
        }
    }

    float denseValue(long i) {
        return Float.intBitsToFloat((int) SectionReader.readU32(buf, dataOff + (int) (i * 4)));
    }

    /** A dense-stored tensor's values (its size is bounded by the bytes it occupies). */
    float[] denseValues() {
        if (!dense()) {
            throw new IllegalStateException("not a dense tensor");
        }
        float[] out = new float[rows * cols];
        for (int i = 0; i < out.length; i++) {
            out[i] = denseValue(i);
        }
        return out;
    }

    long nonzeros() {
        if (!dense()) {
            return nnz;
        }
        long n = 0;
        long cells = (long) rows * cols;
        for (long i = 0; i < cells; i++) {
            if (denseValue(i) != 0f) {
                n++;
            }
        }
        return n;
    }
}
