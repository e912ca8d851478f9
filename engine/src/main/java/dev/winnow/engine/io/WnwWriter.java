package dev.winnow.engine.io;

import dev.winnow.engine.runtime.Half;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.zip.CRC32C;

import static dev.winnow.engine.runtime.WnwFormat.*;

/**
 * Encodes an {@link NcfExport} as a .wnw file image (format 1.0, docs/format.md), with one storage code
 * per weight tensor, and writes files atomically (temporary file in the same folder, forced to disk, then renamed).
 */
public final class WnwWriter {
    private WnwWriter() {
    }

    /**
     * The file image; {@code storage[t]} is the code for weight tensor t (user table, item table, mlp.i.weight).
     *
     * @throws IllegalArgumentException when a value is not finite or does not fit the chosen encoding (fp16 range)
     */
    public static byte[] encode(NcfExport m, int[] storage) {
        if (storage.length != m.weightTensorCount()) {
            throw new IllegalArgumentException(storage.length + " storage codes for " + m.weightTensorCount()
                    + " weight tensors");
        }
        Bytes file = new Bytes(1024);
        file.raw(MAGIC);
        file.u16(VERSION_MAJOR);
        file.u16(VERSION_MINOR);
        int sections = 1 + (m.metadata().isEmpty() ? 0 : 1) + (m.hasIdMap() ? 1 : 0) + m.weightTensorCount()
                + m.layers().size();
        file.u32(sections);

        Bytes model = new Bytes(64);
        model.u8(KIND_NCF);
        model.u8(m.activationCode());
        model.f32(dev.winnow.engine.nn.Activation.LEAKY_SLOPE);
        model.u16(m.layers().size());
        model.u32(m.users());
        model.u32(m.items());
        model.u32(m.dim());
        model.f32(m.minRating());
        model.f32(m.maxRating());
        for (NcfExport.LayerWeights l : m.layers()) {
            model.u32(l.in());
            model.u32(l.out());
        }
        section(file, SECTION_MODEL, FLAG_REQUIRED, model);

        if (!m.metadata().isEmpty()) {
            Bytes meta = new Bytes(256);
            meta.u16(m.metadata().size());
            for (Map.Entry<String, String> e : m.metadata().entrySet()) {
                meta.string(e.getKey());
                meta.string(e.getValue());
            }
            section(file, SECTION_METADATA, 0, meta);
        }

        if (m.hasIdMap()) {
            // required: a 1.0 reader, which does not know the map, must refuse the file rather than read raw ids as
            // indices
            Bytes ids = new Bytes(8 + ID_BYTES * (m.users() + m.items()));
            ids.u32(m.users());
            for (int id : m.userIds()) {
                ids.u32(id);
            }
            ids.u32(m.items());
            for (int id : m.itemIds()) {
                ids.u32(id);
            }
            section(file, SECTION_ID_MAP, FLAG_REQUIRED, ids);
        }

        for (int t = 0; t < m.weightTensorCount(); t++) {
            int role = t == 0 ? ROLE_USER_EMBEDDING : t == 1 ? ROLE_ITEM_EMBEDDING : ROLE_WEIGHT;
            int layer = t < 2 ? 0 : t - 2;
            section(file, SECTION_TENSOR, FLAG_REQUIRED, tensor(role, layer, storage[t], m.weightRows(t),
                    m.weightCols(t), m.weightValues(t), m.weightName(t)));
        }
        for (int i = 0; i < m.layers().size(); i++) {
            float[] b = m.layers().get(i).bias();
            section(file, SECTION_TENSOR, FLAG_REQUIRED, tensor(ROLE_BIAS, i, STORAGE_DENSE_F32, 1, b.length, b,
                    "mlp." + i + ".bias"));
        }
        CRC32C crc = new CRC32C();
        crc.update(file.buf, 0, file.len);
        file.u32((int) crc.getValue());
        return file.toArray();
    }

    /** Writes {@code bytes} to {@code out} through a temporary file and an atomic rename. */
    public static void writeAtomically(byte[] bytes, Path out) throws IOException {
        AtomicFile.write(out, bytes);
    }

    static void section(Bytes file, int type, int flags, Bytes payload) {
        int start = file.len;
        file.u16(type);
        file.u16(flags);
        file.u32(payload.len);
        file.raw(payload.buf, payload.len);
        CRC32C crc = new CRC32C();
        crc.update(file.buf, start, file.len - start);
        file.u32((int) crc.getValue());
    }

    static Bytes tensor(int role, int layer, int storage, int rows, int cols, float[] v, String name) {
        for (int i = 0; i < v.length; i++) {
            if (!Float.isFinite(v[i])) {
                throw new IllegalArgumentException(name + ": value " + i + " is " + v[i]
                        + "; only finite weights can be exported (did training diverge?)");
            }
        }
        Bytes p = new Bytes(16 + v.length);
        p.u8(role);
        p.u8(storage);
        p.u16(layer);
        p.u32(rows);
        p.u32(cols);
        if (storage == STORAGE_DENSE_F32) {
            for (float x : v) {
                p.f32(x);
            }
            return p;
        }
        // encode each row's kept entries first; entries that encode to zero are dropped (they contribute nothing)
        int[] counts = new int[rows];
        int[] idx = new int[v.length];
        int[] code = new int[v.length];
        float[] scales = new float[rows];
        int nnz = 0;
        for (int r = 0; r < rows; r++) {
            float scale = 0f;
            if (storage == STORAGE_CSR_I8) {
                float maxAbs = 0f;
                for (int c = 0; c < cols; c++) {
                    maxAbs = Math.max(maxAbs, Math.abs(v[r * cols + c]));
                }
                scale = maxAbs / 127f;
                scales[r] = scale;
            }
            for (int c = 0; c < cols; c++) {
                float x = v[r * cols + c];
                if (x == 0f) {
                    continue;
                }
                int q;
                if (storage == STORAGE_CSR_F32) {
                    q = Float.floatToRawIntBits(x);
                } else if (storage == STORAGE_CSR_F16) {
                    if (Math.abs(x) > Half.MAX) {
                        throw new IllegalArgumentException(name + ": value " + x + " is outside the fp16 range");
                    }
                    q = Half.fromFloat(x) & 0xFFFF;
                    if ((q & 0x7FFF) == 0) {
                        continue;
                    }
                } else if (storage == STORAGE_CSR_I8) {
                    q = Math.max(-127, Math.min(127, Math.round(x / scale)));
                    if (q == 0) {
                        continue;
                    }
                } else {
                    throw new IllegalArgumentException("unknown storage code " + storage);
                }
                idx[nnz] = c;
                code[nnz] = q;
                nnz++;
                counts[r]++;
            }
        }
        p.u32(nnz);
        if (storage == STORAGE_CSR_I8) {
            for (float s : scales) {
                p.f32(s);
            }
        }
        int cw = countWidth(cols);
        for (int c : counts) {
            p.unsigned(c, cw);
        }
        int iw = indexWidth(cols);
        for (int k = 0; k < nnz; k++) {
            p.unsigned(idx[k], iw);
        }
        int vw = valueWidth(storage);
        for (int k = 0; k < nnz; k++) {
            p.unsigned(code[k], vw);
        }
        return p;
    }

    /** A growable little-endian byte buffer. */
    static final class Bytes {
        byte[] buf;
        int len;

        Bytes(int capacity) {
            buf = new byte[Math.max(16, capacity)];
        }

        private void ensure(int n) {
            if (len + n > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
            }
        }

        void u8(int v) {
            ensure(1);
            buf[len++] = (byte) v;
        }

        void u16(int v) {
            ensure(2);
            buf[len++] = (byte) v;
            buf[len++] = (byte) (v >>> 8);
        }

        void u32(int v) {
            ensure(4);
            buf[len++] = (byte) v;
            buf[len++] = (byte) (v >>> 8);
            buf[len++] = (byte) (v >>> 16);
            buf[len++] = (byte) (v >>> 24);
        }

        void f64(double v) {
            long b = Double.doubleToRawLongBits(v);
            u32((int) b);
            u32((int) (b >>> 32));
        }

        void f32(float v) {
            u32(Float.floatToRawIntBits(v));
        }

        void unsigned(int v, int width) {
            if (width == 1) {
                u8(v);
            } else if (width == 2) {
                u16(v);
            } else {
                u32(v);
            }
        }

        void string(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            if (b.length > 0xFFFF) {
                throw new IllegalArgumentException("metadata string of " + b.length + " bytes (the limit is 65535)");
            }
            u16(b.length);
            raw(b);
        }

        void raw(byte[] b) {
            raw(b, b.length);
        }

        void raw(byte[] b, int n) {
            ensure(n);
            System.arraycopy(b, 0, buf, len, n);
            len += n;
        }

        byte[] toArray() {
            return Arrays.copyOf(buf, len);
        }
    }
}
