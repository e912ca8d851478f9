package dev.winnow.engine.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;

/**
 * The physical lines of a text input, split on the byte '\n' and decoded one line at a time, so that a bad byte spoils
 * only its own line: that line is still returned (bad bytes as U+FFFD) with {@link #malformed()} set, and the next
 * line decodes afresh. A line longer than {@link #MAX_LINE_BYTES} is not buffered: it is returned empty with
 * {@link #tooLong()} set and reading stops there, so memory stays bounded whatever the input delivers ({@code
 * /dev/zero} on stdin ends after one such line). A leading UTF-8 byte-order mark is dropped.
 */
public final class InputLines implements java.io.Closeable {
    /** The longest line accepted, in bytes without its '\n': 1 MiB, far above any real row or header. */
    public static final int MAX_LINE_BYTES = 1 << 20;

    private final InputStream in;
    private final Charset cs;
    private final CharsetDecoder strict;
    private final byte[] chunk = new byte[1 << 14];
    private int pos;
    private int lim;
    private byte[] bytes = new byte[256];
    private char[] chars = new char[256];
    private int length;
    private long number;
    private boolean malformed;
    private boolean tooLong;
    private boolean done;

    public InputLines(InputStream in, Charset cs) {
        this.in = in;
        this.cs = cs;
        this.strict = cs.newDecoder(); // reports malformed input, as a new decoder does
    }

    /** Closes the stream the lines come from. */
    @Override
    public void close() throws IOException {
        in.close();
    }

    /** Reads the next line; false at the end of the input (and after a line that was too long). */
    public boolean next() throws IOException {
        if (done) {
            return false;
        }
        int n = 0;
        malformed = false;
        while (true) {
            if (pos == lim) {
                int r = in.read(chunk, 0, chunk.length);
                if (r < 0) {
                    done = true;
                    if (n == 0) {
                        length = 0;
                        return false;
                    }
                    break;
                }
                pos = 0;
                lim = r;
                continue;
            }
            int end = pos;
            while (end < lim && chunk[end] != '\n') {
                end++;
            }
            boolean eol = end < lim;
            int take = (eol ? end + 1 : end) - pos;
            if (n + take - (eol ? 1 : 0) > MAX_LINE_BYTES) {
                number++;
                length = 0;
                tooLong = true;
                done = true;
                return true;
            }
            if (n + take > bytes.length) {
                bytes = java.util.Arrays.copyOf(bytes, Math.max(n + take, Math.min(2 * bytes.length,
                        MAX_LINE_BYTES + 1)));
            }
            System.arraycopy(chunk, pos, bytes, n, take);
            n += take;
            pos += take;
            if (eol) {
                break;
            }
        }
        number++;
        int from = number == 1 && n >= 3 && (bytes[0] & 0xff) == 0xEF && (bytes[1] & 0xff) == 0xBB
                && (bytes[2] & 0xff) == 0xBF ? 3 : 0;
        decode(from, n);
        return true;
    }

    private void decode(int from, int to) {
        if (chars.length < to) {
            chars = new char[bytes.length]; // UTF-8 and ISO-8859-1 decode to at most a char a byte
        }
        strict.reset();
        CharBuffer out = CharBuffer.wrap(chars);
        // UTF-8 and ISO-8859-1 decoders keep no state to flush
        CoderResult r = strict.decode(ByteBuffer.wrap(bytes, from, to - from), out, true);
        length = out.position();
        if (r.isError()) {
            // the line again with each bad byte as U+FFFD (what String does), so that its record keeps its shape
            malformed = true;
            String text = new String(bytes, from, to - from, cs);
            length = Math.min(text.length(), chars.length);
            text.getChars(0, length, chars, 0);
        }
    }

    /** The 1-based number of the current line. */
    public long number() {
        return number;
    }

    /** The current line's characters, its '\n' included when it has one; valid until the next {@link #next()}. */
    public char[] chars() {
        return chars;
    }

    /** How many of {@link #chars()} the current line holds. */
    public int length() {
        return length;
    }

    /** Whether the current line is not valid in the charset (its bad bytes read as U+FFFD). */
    public boolean malformed() {
        return malformed;
    }

    /** Whether the current line ran past {@link #MAX_LINE_BYTES}: it is returned empty and reading stops. */
    public boolean tooLong() {
        return tooLong;
    }
}
