package dev.winnow.engine.runtime;

import java.io.IOException;
import java.io.Reader;

/**
 * A streaming RFC 4180 reader, java.base only: fields separated by ',', records by CRLF, LF or a lone CR; a field in
 * double quotes may hold commas, line breaks and doubled quotes ({@code ""} stands for one {@code "}); a quote inside
 * an unquoted field is kept as a literal character. Empty lines are skipped and a leading UTF-8 byte-order mark is
 * dropped. Fields are views into a reused buffer, valid until the next {@link #next()}: reading a file allocates only
 * while the buffers grow to the longest record. A malformed record (a character after a closing quote, a quote left
 * open at the end of the input) is still returned, with {@link #problem()} saying what is wrong, and reading goes on
 * at the next line.
 */
public final class CsvReader {
    private final Reader in;
    private final char[] chunk = new char[8192];
    private int pos;
    private int lim;
    private boolean started;
    private char[] record = new char[256];
    private int length;
    private int[] starts = new int[16];
    private int[] ends = new int[16];
    private Field[] views = new Field[0];
    private int count;
    /** The physical line the next character is on (1-based), and the one the current record began on. */
    private long line = 1;
    private long recordLine;
    private String problem;

    public CsvReader(Reader in) {
        this.in = in;
    }

    /** Reads the next non-empty record; false at the end of the input. */
    public boolean next() throws IOException {
        while (true) {
            count = 0;
            length = 0;
            problem = null;
            recordLine = line;
            int c = read();
            if (c < 0) {
                return false;
            }
            if (c == '\n' || c == '\r') {
                endLine(c);
                continue; // an empty line
            }
            readRecord(c);
            return true;
        }
    }

    private void readRecord(int c) throws IOException {
        while (true) {
            if (count == starts.length) {
                starts = java.util.Arrays.copyOf(starts, 2 * count);
                ends = java.util.Arrays.copyOf(ends, 2 * count);
            }
            starts[count] = length;
            if (c == '"') {
                long opened = line;
                while (true) {
                    c = read();
                    if (c < 0) {
                        ends[count++] = length;
                        problem = "a quoted field opened on line " + opened + " is never closed";
                        return;
                    }
                    if (c == '"') {
                        if (peek() != '"') {
                            break;
                        }
                        read();
                    } else if (c == '\n') {
                        line++;
                    }
                    append((char) c);
                }
                ends[count++] = length;
                c = read();
                if (c == ',') {
                    c = read();
                    continue;
                }
                if (c < 0 || c == '\n' || c == '\r') {
                    endLine(c);
                    return;
                }
                problem = "'" + (char) c + "' after the closing quote of field " + count
                        + " (a field with a quote must be quoted whole, its quotes doubled)";
                while (c >= 0 && c != '\n' && c != '\r') {
                    c = read();
                }
                endLine(c);
                return;
            }
            while (c >= 0 && c != ',' && c != '\n' && c != '\r') {
                append((char) c);
                c = read();
            }
            ends[count++] = length;
            if (c == ',') {
                c = read();
                continue;
            }
            endLine(c);
            return;
        }
    }

    /** After a record's last field: {@code c} is its terminator (or -1); a CR LF pair is one line break. */
    private void endLine(int c) throws IOException {
        if (c == '\r' && peek() == '\n') {
            read();
        }
        if (c >= 0) {
            line++;
        }
    }

    private void append(char c) {
        if (length == record.length) {
            record = java.util.Arrays.copyOf(record, 2 * length);
        }
        record[length++] = c;
    }

    private int read() throws IOException {
        if (pos == lim && !fill()) {
            return -1;
        }
        return chunk[pos++];
    }

    private int peek() throws IOException {
        if (pos == lim && !fill()) {
            return -1;
        }
        return chunk[pos];
    }

    private boolean fill() throws IOException {
        int n;
        do {
            n = in.read(chunk, 0, chunk.length);
        } while (n == 0);
        if (n < 0) {
            return false;
        }
        pos = 0;
        lim = n;
        if (!started) {
            started = true;
            if (chunk[0] == '\uFEFF') {
                pos = 1;
                return pos < lim || fill();
            }
        }
        return true;
    }

    /** Fields of the current record. */
    public int size() {
        return count;
    }

    /** Field {@code i} of the current record (without its quotes), valid until the next {@link #next()}. */
    public CharSequence field(int i) {
        if (i < 0 || i >= count) {
            throw new IndexOutOfBoundsException("field " + i + " of a record with " + count);
        }
        if (views.length < count) {
            Field[] grown = java.util.Arrays.copyOf(views, Math.max(count, 2 * views.length));
            for (int k = views.length; k < grown.length; k++) {
                grown[k] = new Field(k);
            }
            views = grown;
        }
        return views[i];
    }

    /** The line the current record starts on (1-based). */
    public long line() {
        return recordLine;
    }

    /** What is malformed about the current record, or null. */
    public String problem() {
        return problem;
    }

    private final class Field implements CharSequence {
        private final int index;

        Field(int index) {
            this.index = index;
        }

        @Override
        public int length() {
            return ends[index] - starts[index];
        }

        @Override
        public char charAt(int i) {
            if (i < 0 || i >= length()) {
                throw new IndexOutOfBoundsException(i);
            }
            return record[starts[index] + i];
        }

        @Override
        public CharSequence subSequence(int from, int to) {
            return toString().substring(from, to);
        }

        @Override
        public String toString() {
            return new String(record, starts[index], length());
        }
    }
}
