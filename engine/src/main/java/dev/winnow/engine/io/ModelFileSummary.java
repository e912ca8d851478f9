package dev.winnow.engine.io;

import dev.winnow.engine.runtime.WnwFormat;

import java.io.IOException;
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

    public static ModelFileSummary read(Path file) throws IOException {
        long size = Files.size(file);
        if (size > Integer.MAX_VALUE - 16) {
            return new ModelFileSummary(size, -1, -1, List.of(), null, "file too large for a .wnw model");
        }
        byte[] f = Files.readAllBytes(file);
        List<Section> sections = new ArrayList<>();
        if (f.length < WnwFormat.FILE_HEADER_BYTES + WnwFormat.CRC_BYTES) {
            return new ModelFileSummary(f.length, -1, -1, sections, null, "shorter than a file header: truncated");
        }
        for (int i = 0; i < WnwFormat.MAGIC.length; i++) {
            if (f[i] != WnwFormat.MAGIC[i]) {
                return new ModelFileSummary(f.length, -1, -1, sections, null, "magic bytes differ: not a .wnw file");
            }
        }
        int major = u16(f, 8);
        int minor = u16(f, 10);
        long count = u32(f, 12);
        int bodyEnd = f.length - WnwFormat.CRC_BYTES;
        int pos = WnwFormat.FILE_HEADER_BYTES;
        CRC32C crc = new CRC32C();
        String problem = null;
        for (long s = 0; s < count; s++) {
            if (bodyEnd - pos < 12) {
                problem = "section " + s + " of " + count + " runs past the end of the file: truncated";
                break;
            }
            long len = u32(f, pos + 4);
            if (len > bodyEnd - pos - 12) {
                problem = "section " + s + " declares " + len + " payload bytes; only " + (bodyEnd - pos - 12)
                        + " remain: truncated or damaged";
                break;
            }
            int end = pos + 8 + (int) len;
            crc.reset();
            crc.update(f, pos, end - pos);
            sections.add(new Section(u16(f, pos), u16(f, pos + 2), pos, len, crc.getValue() == u32(f, end)));
            pos = end + 4;
        }
        if (problem == null && pos != bodyEnd) {
            problem = (bodyEnd - pos) + " bytes between the last section and the file checksum";
        }
        crc.reset();
        crc.update(f, 0, bodyEnd);
        return new ModelFileSummary(f.length, major, minor, sections, crc.getValue() == u32(f, bodyEnd), problem);
    }

    private static int u16(byte[] b, int p) {
        return (b[p] & 0xFF) | (b[p + 1] & 0xFF) << 8;
    }

    private static long u32(byte[] b, int p) {
        return (b[p] & 0xFFL) | (b[p + 1] & 0xFFL) << 8 | (b[p + 2] & 0xFFL) << 16 | (b[p + 3] & 0xFFL) << 24;
    }
}
