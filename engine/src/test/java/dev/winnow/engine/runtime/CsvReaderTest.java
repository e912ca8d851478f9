package dev.winnow.engine.runtime;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CsvReaderTest {

    /** Delivers at most {@code step} bytes per read, so every token straddles buffer boundaries somewhere. */
    private static InputLines trickle(String s, int step) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return new InputLines(new InputStream() {
            private int pos;

            @Override
            public int read() {
                return pos == b.length ? -1 : b[pos++] & 0xff;
            }

            @Override
            public int read(byte[] buf, int off, int len) {
                if (pos == b.length) {
                    return -1;
                }
                int n = Math.min(Math.min(len, step), b.length - pos);
                System.arraycopy(b, pos, buf, off, n);
                pos += n;
                return n;
            }
        }, StandardCharsets.UTF_8);
    }

    private static CsvReader csv(String s) {
        return new CsvReader(trickle(s, Integer.MAX_VALUE));
    }

    /** Each record as "line|problem|field;field;..." */
    private static List<String> records(InputLines in) throws IOException {
        CsvReader csv = new CsvReader(in);
        List<String> out = new ArrayList<>();
        while (csv.next()) {
            StringBuilder sb = new StringBuilder().append(csv.line()).append('|')
                    .append(csv.problem() == null ? "" : "BAD").append('|');
            for (int i = 0; i < csv.size(); i++) {
                sb.append(i == 0 ? "" : ";").append(csv.field(i));
            }
            out.add(sb.toString());
        }
        return out;
    }

    @Test
    void readsQuotedCommasDoubledQuotesLineBreaksAndEveryLineEnding() throws IOException {
        String text = "\uFEFFid,title,overview\r\n"
                + "1,\"Crouching Tiger, Hidden Dragon\",\"He said \"\"no\"\".\"\r\n"
                + "\r\n"
                + "2,Plain,\"two\nlines\"\n"
                + "3,,\"\"\r"
                + "4,a\"b,c";
        List<String> expected = List.of("1||id;title;overview",
                "2||1;Crouching Tiger, Hidden Dragon;He said \"no\".",
                "4||2;Plain;two\nlines",
                "6||3;;",
                "7||4;a\"b;c");
        for (int step : new int[] {1, 2, 3, 7, 8192}) {
            assertEquals(expected, records(trickle(text, step)), "chunks of " + step);
        }
    }

    @Test
    void aMalformedRecordIsFlaggedAndReadingResumesOnTheNextLine() throws IOException {
        CsvReader csv = csv("a,\"b\"x,c\nd,e\n\"open,f\ng\n");
        assertTrue(csv.next());
        assertTrue(csv.problem().contains("\"x\" after the closing quote of field 2"), csv.problem());
        assertEquals(1, csv.line());
        assertTrue(csv.next());
        assertNull(csv.problem());
        assertEquals("d", csv.field(0).toString());
        assertEquals(2, csv.line());
        assertTrue(csv.next());
        assertTrue(csv.problem().contains("opened on line 3 is never closed"), csv.problem());
        assertEquals(false, csv.next());
    }

    @Test
    void fieldsAreReusedViewsSoALongFileAllocatesOnlyWhileBuffersGrow() throws IOException {
        StringBuilder sb = new StringBuilder("a,b\n");
        for (int i = 0; i < 20_000; i++) {
            sb.append(i).append(",\"x, ").append(i).append("\"\r\n");
        }
        CsvReader csv = csv(sb.toString());
        csv.next();
        CharSequence first = csv.field(1);
        long rows = 0;
        while (csv.next()) {
            assertTrue(csv.field(1) == first, "the view of column 1 is one object");
            assertEquals("x, " + rows, csv.field(1).toString());
            rows++;
        }
        assertEquals(20_000, rows);
    }

    private static CsvReader lines(byte[] bytes) {
        return new CsvReader(new InputLines(new java.io.ByteArrayInputStream(bytes),
                StandardCharsets.UTF_8));
    }

    @Test
    void aRecordTouchingALineWithBadBytesIsFlaggedAndTheNextLineDecodesAfresh() throws IOException {
        byte[] bytes = "a,b\n\"x\n\u00ff\",1\nc,d\ne,\u00e9\n".getBytes(StandardCharsets.ISO_8859_1);
        bytes[bytes.length - 2] = (byte) 0xC3; // "e,\u00c3" is cut: a lone lead byte before '\n'
        CsvReader csv = lines(bytes);
        assertTrue(csv.next());
        assertNull(csv.problem());
        assertTrue(csv.next());
        assertEquals(2, csv.line());
        assertEquals("invalid UTF-8 on line 3", csv.problem());
        assertTrue(csv.next());
        assertNull(csv.problem());
        assertEquals("c", csv.field(0).toString());
        assertTrue(csv.next());
        assertEquals(5, csv.line());
        assertEquals("invalid UTF-8", csv.problem());
        assertEquals(false, csv.next());
    }

    @Test
    void aLineOrARecordTooLongToHoldEndsTheInputWithOneFlaggedRecord() throws IOException {
        byte[] longLine = new byte[InputLines.MAX_LINE_BYTES + 10];
        java.util.Arrays.fill(longLine, (byte) 'x');
        byte[] bytes = ("a,b\n" + new String(longLine, StandardCharsets.ISO_8859_1) + "\nc,d\n")
                .getBytes(StandardCharsets.ISO_8859_1);
        CsvReader csv = lines(bytes);
        assertTrue(csv.next());
        assertTrue(csv.next());
        assertTrue(csv.stopped());
        assertEquals(2, csv.line());
        assertTrue(csv.problem().startsWith("line 2 is longer than 1048576 bytes"), csv.problem());
        assertEquals(false, csv.next());

        StringBuilder many = new StringBuilder("a,b\n1,\"open\n");
        String line = "y".repeat(1000) + "\n";
        while (many.length() < 2 * CsvReader.MAX_RECORD_CHARS) {
            many.append(line);
        }
        csv = lines(many.toString().getBytes(StandardCharsets.UTF_8));
        assertTrue(csv.next());
        assertTrue(csv.next());
        assertEquals(2, csv.line());
        assertTrue(csv.problem().startsWith("a quoted field opened on line 2 is never closed; record longer than"
                + " 1048576 characters"), csv.problem());
        assertEquals(false, csv.next());
    }
}
