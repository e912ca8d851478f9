package dev.winnow.engine.runtime;

/**
 * A bounds-checked little-endian cursor over one section of a model file. Every read first checks that the bytes are
 * there, and every count is checked against the bytes left before the caller allocates anything sized by it.
 */
final class SectionReader {
    private final byte[] buf;
    private final String source;
    private final String section;
    private final int end;
    private int pos;

    SectionReader(byte[] buf, int pos, int end, String source, String section) {
        this.buf = buf;
        this.pos = pos;
        this.end = end;
        this.source = source;
        this.section = section;
    }

    int position() {
        return pos;
    }

    /** The unread rest of this section, named {@code section} in errors (a tensor's payload after its header). */
    SectionReader rest(String section) {
        return new SectionReader(buf, pos, end, source, section);
    }

    ModelFormatException fail(String problem) {
        return failAt(pos, problem);
    }

    /** A problem with the bytes at {@code offset} of this section (a count already read, one entry of a list). */
    ModelFormatException failAt(long offset, String problem) {
        return new ModelFormatException(source, section, offset, problem);
    }

    /** Checks that {@code bytes} (computed in long arithmetic, so forged counts cannot overflow) are present. */
    void need(long bytes, String what) throws ModelFormatException {
        if (bytes < 0 || bytes > end - pos) {
            throw fail(what + " needs " + bytes + " bytes but only " + (end - pos) + " remain in the section");
        }
    }

    int u8(String what) throws ModelFormatException {
        need(1, what);
        return buf[pos++] & 0xFF;
    }

    int u16(String what) throws ModelFormatException {
        need(2, what);
        int v = (buf[pos] & 0xFF) | (buf[pos + 1] & 0xFF) << 8;
        pos += 2;
        return v;
    }

    /** An unsigned 32-bit count that must lie in [min, max]. */
    int count(String what, int min, int max) throws ModelFormatException {
        need(4, what);
        long v = readU32(buf, pos);
        if (v < min || v > max) {
            throw fail(what + " is " + v + ", outside " + min + ".." + max);
        }
        pos += 4;
        return (int) v;
    }

    float f32(String what) throws ModelFormatException {
        need(4, what);
        float v = Float.intBitsToFloat((int) readU32(buf, pos));
        pos += 4;
        return v;
    }

    float finiteF32(String what) throws ModelFormatException {
        float v = f32(what);
        if (!Float.isFinite(v)) {
            throw fail(what + " is " + v + "; it must be finite");
        }
        return v;
    }

    /** A little-endian IEEE double that must be finite. */
    double finiteF64(String what) throws ModelFormatException {
        need(8, what);
        long lo = readU32(buf, pos);
        long hi = readU32(buf, pos + 4);
        pos += 8;
        double v = Double.longBitsToDouble(lo | hi << 32);
        if (!Double.isFinite(v)) {
            throw fail(what + " is " + v + "; it must be finite");
        }
        return v;
    }

    /** Copies {@code n} bytes (already checked with {@link #need}) into a new array. */
    byte[] bytes(int n, String what) throws ModelFormatException {
        need(n, what);
        byte[] out = new byte[n];
        System.arraycopy(buf, pos, out, 0, n);
        pos += n;
        return out;
    }

    void skip(long n, String what) throws ModelFormatException {
        need(n, what);
        pos += (int) n;
    }

    byte[] buffer() {
        return buf;
    }

    /** A u16-length-prefixed UTF-8 string. */
    String string(String what) throws ModelFormatException {
        int len = u16(what + " length");
        byte[] b = bytes(len, what);
        return new String(b, java.nio.charset.StandardCharsets.UTF_8);
    }

    void expectEnd() throws ModelFormatException {
        if (pos != end) {
            throw fail((end - pos) + " unexpected bytes at the end of the section");
        }
    }

    static long readU32(byte[] b, int p) {
        return ((b[p] & 0xFFL) | (b[p + 1] & 0xFFL) << 8 | (b[p + 2] & 0xFFL) << 16 | (b[p + 3] & 0xFFL) << 24);
    }

    static int readU16(byte[] b, int p) {
        return (b[p] & 0xFF) | (b[p + 1] & 0xFF) << 8;
    }

    /** An unsigned little-endian integer of 1, 2 or 4 bytes. */
    static long readUnsigned(byte[] b, int p, int width) {
        switch (width) {
            case 1: return b[p] & 0xFFL;
            case 2: return readU16(b, p);
            default: return readU32(b, p);
        }
    }

    /** Reads a metadata section (a count, then key/value string pairs) into {@code into}, to the section's end. */
    void readMetadata(java.util.Map<String, String> into) throws ModelFormatException {
        int n = u16("metadata entry count");
        need(4L * n, n + " metadata entries");
        for (int i = 0; i < n; i++) {
            String key = string("metadata key");
            into.put(key, string("metadata value for " + key));
        }
        expectEnd();
    }
}
