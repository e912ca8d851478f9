package dev.winnow.engine.runtime;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.io.ModelExporter;
import dev.winnow.engine.io.StorageChoice;
import dev.winnow.engine.io.TestModels;
import dev.winnow.engine.nn.Activation;

import java.util.zip.CRC32C;

/** Valid model files for the safety tests, and a way to re-seal a mutated file's checksums. */
final class ModelFiles {
    private ModelFiles() {
    }

    static byte[] small(Backend backend, StorageChoice storage, long seed) {
        TestModels m = new TestModels(backend, 7, 9, 3, new int[] {5}, Activation.RELU, seed);
        m.pruneByMagnitude(0.5);
        return ModelExporter.encode(m.export(1f, 5f), storage, 1.0).bytes();
    }

    /** Raw ids of {@link #withIdMap}'s 7 users and 9 items: unordered, non-contiguous, negative and large ones. */
    static final int[] USER_IDS = {900, 5, 17, 123_456_789, -4, 0, 42};
    static final int[] ITEM_IDS = {3, 1000, 50, 7, 8, 2_000_000_000, 11, 12, -13};

    /** {@link #small} with an id map (section 4), as a model trained on real data is exported. */
    static byte[] withIdMap(Backend backend, StorageChoice storage, long seed) {
        TestModels m = new TestModels(backend, 7, 9, 3, new int[] {5}, Activation.RELU, seed);
        m.pruneByMagnitude(0.5);
        return ModelExporter.encode(m.export(1f, 5f).withIdMap(USER_IDS, ITEM_IDS), storage, 1.0).bytes();
    }

    /** Index of the first section of {@code type} in a well-formed file, or -1. */
    static int sectionIndex(byte[] f, int type) {
        long count = SectionReader.readU32(f, 12);
        for (int s = 0; s < count; s++) {
            if (SectionReader.readU16(f, sectionOffset(f, s)) == type) {
                return s;
            }
        }
        return -1;
    }

    /** {@code f} with a copy of its section {@code from} inserted before section {@code at}, count bumped, re-sealed. */
    static byte[] copySection(byte[] f, int from, byte[] into, int at) {
        int start = sectionOffset(f, from);
        int len = 12 + (int) SectionReader.readU32(f, start + 4);
        int where = sectionOffset(into, at);
        byte[] g = new byte[into.length + len];
        System.arraycopy(into, 0, g, 0, where);
        System.arraycopy(f, start, g, where, len);
        System.arraycopy(into, where, g, where + len, into.length - where);
        putU32(g, 12, (int) SectionReader.readU32(into, 12) + 1);
        reseal(g);
        return g;
    }

    /** A copy of {@code f} with the u32 at {@code offset} replaced by {@code value}, re-sealed. */
    static byte[] forged(byte[] f, int offset, int value) {
        byte[] g = f.clone();
        putU32(g, offset, value);
        reseal(g);
        return g;
    }

    /**
     * Recomputes every section CRC the (possibly mutated) header structure still reaches, then the file CRC, so the
     * mutation reaches the parser's structural checks instead of stopping at a checksum.
     */
    static void reseal(byte[] f) {
        if (f.length < WnwFormat.FILE_HEADER_BYTES + WnwFormat.CRC_BYTES) {
            return;
        }
        int bodyEnd = f.length - 4;
        long count = SectionReader.readU32(f, 12);
        int pos = WnwFormat.FILE_HEADER_BYTES;
        CRC32C crc = new CRC32C();
        for (long s = 0; s < count && pos + 12 <= bodyEnd; s++) {
            long len = SectionReader.readU32(f, pos + 4);
            if (len > bodyEnd - pos - 12) {
                break;
            }
            int end = pos + 8 + (int) len;
            crc.reset();
            crc.update(f, pos, end - pos);
            putU32(f, end, (int) crc.getValue());
            pos = end + 4;
        }
        crc.reset();
        crc.update(f, 0, bodyEnd);
        putU32(f, bodyEnd, (int) crc.getValue());
    }

    static boolean fileChecksumPasses(byte[] f) {
        if (f.length < 4) {
            return false;
        }
        CRC32C crc = new CRC32C();
        crc.update(f, 0, f.length - 4);
        return SectionReader.readU32(f, f.length - 4) == crc.getValue();
    }

    static void putU32(byte[] f, int p, int v) {
        f[p] = (byte) v;
        f[p + 1] = (byte) (v >>> 8);
        f[p + 2] = (byte) (v >>> 16);
        f[p + 3] = (byte) (v >>> 24);
    }

    /** Offset of section {@code index}'s header in a well-formed file. */
    static int sectionOffset(byte[] f, int index) {
        int pos = WnwFormat.FILE_HEADER_BYTES;
        for (int s = 0; s < index; s++) {
            pos += 12 + (int) SectionReader.readU32(f, pos + 4);
        }
        return pos;
    }
}
