package dev.winnow.engine.runtime;

import java.io.IOException;

/**
 * The one exception the loader throws for a file it refuses: truncated, damaged (checksum mismatch), forged (a length
 * or count that does not fit), of an unsupported version or kind. It names the file, the section and the byte offset.
 */
public final class ModelFormatException extends IOException {
    private static final long serialVersionUID = 1L;
    private final String section;
    private final long offset;

    public ModelFormatException(String source, String section, long offset, String problem) {
        super(source + ": " + section + " at byte " + offset + ": " + problem);
        this.section = section;
        this.offset = offset;
    }

    /** The part of the file that was being read ("file header", "section 3 (tensor mlp.0.weight)"). */
    public String section() {
        return section;
    }

    /** Byte offset from the start of the file where the problem was found. */
    public long offset() {
        return offset;
    }
}
