package dev.winnow.engine.runtime;

import java.io.IOException;

/**
 * A streaming RFC 4180 reader, java.base only: fields separated by ',', records by CRLF, LF or a lone CR; a field in
 * double quotes may hold commas, line breaks and doubled quotes ({@code ""} stands for one {@code "}); a quote inside
 * an unquoted field is kept as a literal character. Empty lines are skipped; {@link InputLines} drops a leading
 * byte-order mark. Fields are views into a reused buffer, valid until the next {@link #next()}: reading a file
 * allocates only while the buffers grow to the longest record. A malformed record (a character after a closing
 * quote, a quote left open at the end of the input) is still returned, with {@link #problem()} saying what is wrong,
 * and reading goes on at the next line.
 *
 * <p>A record that touches a line with bad bytes is flagged {@code invalid UTF-8}, and memory stays bounded: a line
 * over {@link InputLines#MAX_LINE_BYTES} or a record over {@link #MAX_RECORD_CHARS} is returned flagged and ends the
 * input, with {@link #stopped()} set.
 */
public final class CsvReader {
    /** The longest record accepted: a quoted field may span lines, so this bounds it; 1 Mi characters. */
    public static final int MAX_RECORD_CHARS = 1 << 20;

    private final InputLines lines;
    private char[] chunk = new char[0];
    /** Lines mode: the number of a line with bad bytes that the current record touched, or 0. */
    private long badLine;
    private String stopProblem;
    private boolean stopped;
    private int pos;
    private int lim;
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

    public CsvReader(InputLines lines) {
        this.lines = lines;
    }

    /** Reads the next non-empty record; false at the end of the input. */
    public boolean next() throws IOException {
        while (true) {
            count = 0;
            length = 0;
            problem = null;
            recordLine = line;
            badLine = 0;
            int c = read();
            if (c < 0 && (stopProblem == null || stopped)) {
                return false;
            }
            if (c == '\n' || c == '\r') {
                endLine(c);
                continue; // an empty line
            }
            if (c >= 0) {
                readRecord(c);
            }
            if (stopProblem != null) {
                stopped = true;
                problem = (problem == null || length < MAX_RECORD_CHARS ? "" : problem + "; ") + stopProblem
                        + "; reading stopped there";
            } else if (badLine > 0) {
                problem = badLine == recordLine ? "invalid UTF-8" : "invalid UTF-8 on line " + badLine;
            }
            return true;
        }
    }

    /**
     * Whether reading ended early on a line or record too long to hold: the current record then carries that
     * problem and no further record is read.
     */
    public boolean stopped() {
        return stopped;
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
                problem = Echo.quote(String.valueOf((char) c)) + " after the closing quote of field " + count
                        + " (quote the whole field, doubling its quotes)";
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
        if (length >= MAX_RECORD_CHARS) {
            stopProblem = "record longer than " + MAX_RECORD_CHARS + " characters";
            pos = lim;
            return;
        }
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
        if (stopProblem != null) {
            return false;
        }
        if (!lines.next()) {
            return false;
        }
        if (lines.tooLong()) {
            stopProblem = "line " + lines.number() + " is longer than " + InputLines.MAX_LINE_BYTES + " bytes";
            return false;
        }
        chunk = lines.chars();
        pos = 0;
        lim = lines.length();
        if (lines.malformed() && badLine == 0) {
            badLine = lines.number();
        }
        return lim > 0 || fill();
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
