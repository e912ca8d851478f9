package dev.winnow.engine.runtime;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CsvReaderTest {

    /** Delivers at most {@code step} chars per read, so every token straddles buffer boundaries somewhere. */
    private static Reader trickle(String s, int step) {
        return new Reader() {
            private int pos;

            @Override
            public int read(char[] buf, int off, int len) {
                if (pos == s.length()) {
                    return -1;
                }
                int n = Math.min(Math.min(len, step), s.length() - pos);
                s.getChars(pos, pos + n, buf, off);
                pos += n;
                return n;
            }

            @Override
            public void close() {
            }
        };
    }

    /** Each record as "line|problem|field;field;..." */
    private static List<String> records(Reader in) throws IOException {
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
        CsvReader csv = new CsvReader(new StringReader("a,\"b\"x,c\nd,e\n\"open,f\ng\n"));
        assertTrue(csv.next());
        assertTrue(csv.problem().contains("'x' after the closing quote of field 2"), csv.problem());
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
        CsvReader csv = new CsvReader(new StringReader(sb.toString()));
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
}
