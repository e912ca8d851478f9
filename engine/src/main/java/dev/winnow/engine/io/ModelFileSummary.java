package dev.winnow.engine.io;

import dev.winnow.engine.runtime.InputFiles;
import dev.winnow.engine.runtime.RecommenderModel;
import dev.winnow.engine.runtime.WnwFormat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The section table of a .wnw file and the status of every checksum, read without building the model, so that
 * {@code winnow inspect} can say which part of a damaged file is bad. Stops at the first structural problem.
 */
public record ModelFileSummary(long fileBytes, int versionMajor, int versionMinor, List<Section> sections,
                               Boolean fileChecksumOk, String problem) {

    /** One section: its type, flags, where its header starts, its payload length and whether its CRC32C matches. */
    public record Section(int type, int flags, long offset, long length, boolean checksumOk) {
        public String typeName() {
            return WnwFormat.sectionName(type);
        }
    }

    /**
     * Walks the file once, in a 64 KB window: a regular file only (a FIFO or device is refused before it is opened),
     * and memory does not grow with its size or with any length it declares.
     */
    public static ModelFileSummary read(Path file) throws IOException {
        long size = InputFiles.requireRegular(file, "model file", Long.MAX_VALUE);
        if (size > RecommenderModel.MAX_FILE_BYTES) {
            return new ModelFileSummary(size, -1, -1, List.of(), null, "file too large for a .wnw model");
        }
        List<Section> sections = new ArrayList<>();
        if (size < WnwFormat.FILE_HEADER_BYTES + WnwFormat.CRC_BYTES) {
            return new ModelFileSummary(size, -1, -1, sections, null, "shorter than a file header: truncated");
        }
        try (InputStream in = Files.newInputStream(file)) {
            Walk w = new Walk(in, size - WnwFormat.CRC_BYTES, file);
            byte[] h = w.next(WnwFormat.FILE_HEADER_BYTES, null);
            for (int i = 0; i < WnwFormat.MAGIC.length; i++) {
                if (h[i] != WnwFormat.MAGIC[i]) {
                    return new ModelFileSummary(size, -1, -1, sections, null, "magic bytes differ: not a .wnw file");
                }
            }
            int major = u16(h, 8);
            int minor = u16(h, 10);
            long count = u32(h, 12);
            long bodyEnd = size - WnwFormat.CRC_BYTES;
            long pos = WnwFormat.FILE_HEADER_BYTES;
            CRC32C crc = new CRC32C();
            String problem = null;
            for (long s = 0; s < count; s++) {
                if (bodyEnd - pos < 12) {
                    problem = "section " + s + " of " + count + " runs past the end of the file: truncated";
                    break;
                }
                crc.reset();
                byte[] sh = w.next(8, crc);
                long len = u32(sh, 4);
                if (len > bodyEnd - pos - 12) {
                    problem = "section " + s + " declares " + len + " payload bytes; only " + (bodyEnd - pos - 12)
                            + " remain: truncated or damaged";
                    break;
                }
                w.skip(len, crc);
                long stored = u32(w.next(4, null), 0);
                sections.add(new Section(u16(sh, 0), u16(sh, 2), pos, len, crc.getValue() == stored));
                pos += 8 + len + 4;
            }
            if (problem == null && pos != bodyEnd) {
                problem = (bodyEnd - pos) + " bytes between the last section and the file checksum";
            }
            w.skip(bodyEnd - w.at, null);
            boolean fileOk = w.fileCrc.getValue() == u32(w.next(4, null), 0);
            return new ModelFileSummary(size, major, minor, sections, fileOk, problem);
        }
    }

    /** A sequential read that keeps the CRC32C of everything before the file checksum, for the file's own check. */
    private static final class Walk {
        private final InputStream in;
        private final long bodyEnd;
        private final Path file;
        private final byte[] window = new byte[1 << 16];
        final CRC32C fileCrc = new CRC32C();
        long at;

        Walk(InputStream in, long bodyEnd, Path file) {
            this.in = in;
            this.bodyEnd = bodyEnd;
            this.file = file;
        }

        /** The next {@code n} (at most 16) bytes, also added to {@code crc} when given. */
        byte[] next(int n, CRC32C crc) throws IOException {
            byte[] b = new byte[n];
            read(b, n, crc);
            return b;
        }

        void skip(long n, CRC32C crc) throws IOException {
            for (long left = n; left > 0; ) {
                int k = (int) Math.min(left, window.length);
                read(window, k, crc);
                left -= k;
            }
        }

        private void read(byte[] b, int n, CRC32C crc) throws IOException {
            if (in.readNBytes(b, 0, n) != n) {
                throw new IOException(file + ": the file ended early; it changed while it was read");
            }
            if (crc != null) {
                crc.update(b, 0, n);
            }
            int body = (int) Math.max(0, Math.min(n, bodyEnd - at));
            fileCrc.update(b, 0, body);
            at += n;
        }
    }

    private static int u16(byte[] b, int p) {
        return (b[p] & 0xFF) | (b[p + 1] & 0xFF) << 8;
    }

    private static long u32(byte[] b, int p) {
        return (b[p] & 0xFFL) | (b[p + 1] & 0xFFL) << 8 | (b[p + 2] & 0xFFL) << 16 | (b[p + 3] & 0xFFL) << 24;
    }
}
