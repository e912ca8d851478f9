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
