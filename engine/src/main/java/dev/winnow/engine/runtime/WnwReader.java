package dev.winnow.engine.runtime;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32C;

import static dev.winnow.engine.runtime.WnwFormat.*;

/**
 * Walks a .wnw file or stream in bounded steps, so that what is not a model costs a few bytes to refuse whatever its
 * size: the 8 magic bytes first, then the header, then each section as its declared length allows, its checksum
 * computed as it streams past. A file is walked once in a 64 KB window and read whole only once it has proved to be
 * a model; a stream is kept as it arrives (memory grows with the bytes it really delivers), stops at the first bad
 * section checksum and must end right after the file checksum. The same walk over a file image is
 * {@link RecommenderModel#frame}, so every path gives the same message for the same fault.
 */
final class WnwReader {
    private final InputStream in;
    private final String source;
    /** The bytes read so far, for a stream (null for a file walked in its window). */
    private final ByteArrayOutputStream kept;

    /** A walk over {@code in}; {@code kept} collects the bytes read (a stream's image), or is null. */
    WnwReader(InputStream in, String source, ByteArrayOutputStream kept) {
        this.in = in;
        this.source = source;
        this.kept = kept;
    }

    /**
     * The bytes of a regular model file, refused unread unless it is one of at most
     * {@link RecommenderModel#MAX_FILE_BYTES} whose header, lengths and checksums hold (a file that is not a model is
     * refused in constant memory, whatever its size).
     */
    static byte[] readFile(Path path) throws IOException {
        String source = path.toString();
        int size = (int) InputFiles.requireRegular(path, "model file", RecommenderModel.MAX_FILE_BYTES);
        byte[] all = null;
        try (InputStream in = Files.newInputStream(path)) {
            if (new WnwReader(in, source, null).walk(size, false) != null) {
                all = Files.readAllBytes(path);
            }
        }
        if (all == null || all.length != size) {
            throw new ModelFormatException(source, "file", size, "the file changed while it was read");
        }
        return all;
    }

    /**
     * A stream's bytes as far as its structure goes: refused after 8 bytes when the magic differs, at the end of the
     * first section whose checksum fails, and when it goes on after the file checksum; memory grows with the bytes
     * actually read, never with a declared length. A stream that ends early is returned as it is, for {@link #frame}
     * to say what is missing.
     */
    static byte[] readStream(InputStream in, String source) throws IOException {
        ByteArrayOutputStream kept = new ByteArrayOutputStream(8192);
        if (new WnwReader(in, source, kept).walk(-1, false) != null && in.read() >= 0) {
            throw new ModelFormatException(source, "file", kept.size(), "bytes after the file checksum: damaged or"
                    + " wrongly concatenated");
        }
        return kept.toByteArray();
    }

    /** Checks magic, version, every section's bounds and CRC32C and the file checksum of an image; reads no payload. */
    static Frame frame(byte[] buf, int len, String source) throws ModelFormatException {
        int[] table;
        try {
            table = new WnwReader(new java.io.ByteArrayInputStream(buf, 0, len), source, null).walk(len, true);
        } catch (IOException e) {
            throw (ModelFormatException) e; // a byte array does not fail to read: every refusal is the model's
        }
        return new Frame(buf, len, source, table);
    }

    /**
     * Checks magic, version, every section's bounds and CRC32C and the file checksum of the {@code len} bytes
     * the stream delivers ({@code len} -1: a stream of unknown length, whose length checks {@link #frame} makes on the
     * image). Returns the section table, 4 ints a section (type, flags, payload start, payload end) when
     * {@code table} is set, an empty one otherwise; null when the bytes end early. Keeps nothing but a 64 KB window.
     */
    int[] walk(int len, boolean table) throws IOException {
        int minLen = FILE_HEADER_BYTES + CRC_BYTES;
        if (len >= 0 && len < minLen) {
            throw new ModelFormatException(source, "file header", 0, "file is " + len + " bytes, shorter than the "
                    + minLen + "-byte minimum: truncated, or not a .wnw model");
        }
        byte[] w = new byte[1 << 16];
        if (!fill(w, 0, MAGIC.length)) {
            return null;
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (w[i] != MAGIC[i]) {
                throw new ModelFormatException(source, "file header", i, "magic bytes differ: not a Winnow .wnw"
                        + " model file");
            }
        }
        if (!fill(w, MAGIC.length, FILE_HEADER_BYTES - MAGIC.length)) {
            return null;
        }
        int major = SectionReader.readU16(w, 8);
        if (major != VERSION_MAJOR) {
            throw new ModelFormatException(source, "file header", 8, "format version " + major + "."
                    + SectionReader.readU16(w, 10) + " is not supported by this runtime (it reads " + VERSION_MAJOR
                    + ".x); export the model again with a matching winnow, or the file is damaged");
        }
        long count = SectionReader.readU32(w, 12);
        long bodyEnd = len < 0 ? Long.MAX_VALUE : len - CRC_BYTES;
        if (count > (bodyEnd - FILE_HEADER_BYTES) / (SECTION_HEADER_BYTES + CRC_BYTES)) {
            throw new ModelFormatException(source, "file header", 12, "section count " + count
                    + " cannot fit in the " + (bodyEnd - FILE_HEADER_BYTES) + " bytes that follow: truncated or"
                    + " damaged");
        }
        int[] sections = new int[table ? 4 * (int) count : 0];
        CRC32C file = new CRC32C();
        file.update(w, 0, FILE_HEADER_BYTES);
        CRC32C crc = new CRC32C();
        long pos = FILE_HEADER_BYTES;
        for (int s = 0; s < count; s++) {
            if (bodyEnd - pos < SECTION_HEADER_BYTES + CRC_BYTES) {
                throw new ModelFormatException(source, "section " + s, pos, "section header runs past the end of"
                        + " the file: truncated");
            }
            if (!fill(w, 0, SECTION_HEADER_BYTES)) {
                return null;
            }
            int type = SectionReader.readU16(w, 0);
            String name = "section " + s + " (" + sectionName(type) + ")";
            long payload = SectionReader.readU32(w, 4);
            long room = bodyEnd - pos - SECTION_HEADER_BYTES - CRC_BYTES;
            if (payload > room) {
                throw new ModelFormatException(source, name, pos + 4, "payload length " + payload + " exceeds the "
                        + room + " bytes left: truncated or damaged");
            }
            if (table) {
                sections[4 * s] = type;
                sections[4 * s + 1] = SectionReader.readU16(w, 2);
                sections[4 * s + 2] = (int) pos + SECTION_HEADER_BYTES;
                sections[4 * s + 3] = (int) (pos + SECTION_HEADER_BYTES + payload);
            }
            crc.reset();
            crc.update(w, 0, SECTION_HEADER_BYTES);
            file.update(w, 0, SECTION_HEADER_BYTES);
            for (long left = payload; left > 0; ) {
                int n = (int) Math.min(left, w.length);
                if (!fill(w, 0, n)) {
                    return null;
                }
                crc.update(w, 0, n);
                file.update(w, 0, n);
                left -= n;
            }
            if (!fill(w, 0, CRC_BYTES)) {
                return null;
            }
            file.update(w, 0, CRC_BYTES);
            long stored = SectionReader.readU32(w, 0);
            if (stored != crc.getValue()) {
                throw new ModelFormatException(source, name, pos, "checksum mismatch (stored " + hex8(stored)
                        + ", computed " + hex8(crc.getValue()) + "): the file is damaged");
            }
            pos += SECTION_HEADER_BYTES + payload + CRC_BYTES;
        }
        if (len >= 0 && pos != bodyEnd) {
            throw new ModelFormatException(source, "file", pos, (bodyEnd - pos) + " bytes between the last section"
                    + " and the file checksum: damaged or wrongly concatenated");
        }
        if (!fill(w, 0, CRC_BYTES)) {
            return null;
        }
        long stored = SectionReader.readU32(w, 0);
        if (stored != file.getValue()) {
            throw new ModelFormatException(source, "file checksum", pos, "mismatch (stored " + hex8(stored)
                    + ", computed " + hex8(file.getValue()) + "): the file is damaged");
        }
        return sections;
    }

    /** Reads {@code n} bytes into {@code w} (and keeps them for a stream); false when the bytes end first. */
    private boolean fill(byte[] w, int off, int n) throws IOException {
        int got = in.readNBytes(w, off, n);
        if (kept != null) {
            kept.write(w, off, got);
        }
        return got == n;
    }

    /** {@code %08x} without java.util.Formatter (whose regex classes cost the runtime's start-up). */
    private static String hex8(long v) {
        String h = Long.toHexString(v);
        return "00000000".substring(h.length()) + h;
    }

    /**
     * The validated section table of a file image, and readers over its sections: what both model kinds parse their
     * sections from. Errors name the section as "section 3 (tensor)".
     */
    static final class Frame {
        private final byte[] buf;
        private final int len;
        private final String source;
        /** 4 ints a section: type, flags, payload start, payload end. */
        private final int[] table;

        private Frame(byte[] buf, int len, String source, int[] table) {
            this.buf = buf;
            this.len = len;
            this.source = source;
            this.table = table;
        }

        int sections() {
            return table.length / 4;
        }

        int type(int s) {
            return table[4 * s];
        }

        int payloadBytes(int s) {
            return table[4 * s + 3] - table[4 * s + 2];
        }

        int fileBytes() {
            return len;
        }

        /** The whole-file CRC32C (already checked). */
        long checksum() {
            return SectionReader.readU32(buf, len - CRC_BYTES);
        }

        /** Section 0, which must be the model header, positioned at the model kind. */
        SectionReader modelHeader() throws ModelFormatException {
            if (table.length == 0 || type(0) != SECTION_MODEL) {
                throw new ModelFormatException(source, "section 0", FILE_HEADER_BYTES,
                        "the first section must be the model header");
            }
            return section(0);
        }

        /** A reader over the payload of section {@code s}. */
        SectionReader section(int s) {
            return new SectionReader(buf, table[4 * s + 2], table[4 * s + 3], source,
                    "section " + s + " (" + sectionName(type(s)) + ")");
        }

        /**
         * Section {@code s}, of a type this model kind does not know: refused if its flags mark it required (written by
         * a newer major revision), skipped otherwise (an optional section from a newer minor version).
         */
        void skipUnknown(SectionReader r, int s) throws ModelFormatException {
            if ((table[4 * s + 1] & FLAG_REQUIRED) != 0) {
                throw r.fail("section type " + type(s) + " is marked required but this runtime does not know it; use a"
                        + " newer runtime");
            }
        }

        /** A reader at the file checksum: where a section found missing after the last one is reported. */
        SectionReader end() {
            return new SectionReader(buf, len - CRC_BYTES, len, source, "file");
        }
    }
}
