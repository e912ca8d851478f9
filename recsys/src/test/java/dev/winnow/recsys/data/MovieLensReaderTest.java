package dev.winnow.recsys.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MovieLensReaderTest {
    @TempDir
    Path dir;

    private void write(String name, String text) throws IOException {
        Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
    }

    private String loadError(boolean skip) {
        return assertThrows(DataFormatException.class, () -> DataSource.load(dir.toString(), 0, skip)).getMessage();
    }

    @Test
    void ml100kIsDetectedAndIdsFollowTheCatalogues() throws IOException {
        write("u.data", "2\t10\t3\t881250949\n1\t20\t5\t881250950\n\n2\t20\t1\t881250951\n");
        Files.write(dir.resolve("u.item"), ("10|Mis\u00e9rables, Les (1995)|01-Jan-1995||http://x|" + "0|".repeat(18)
                + "1\n20|Toy Story (1995)|01-Jan-1995||http://y|" + "0|".repeat(18) + "0\n30|Unrated (1990)|"
                + "01-Jan-1990||http://z|" + "0|".repeat(18) + "0\n").getBytes(StandardCharsets.ISO_8859_1));
        write("u.user", "1|24|M|technician|85711\n2|53|F|other|94043\n3|23|M|writer|32067\n");
        LoadedRatings d = DataSource.load(dir.toString(), 0, false);
        assertEquals("ml-100k", d.format());
        RatingData r = d.ratings();
        assertEquals(3, r.users(), "user space comes from u.user, not just users with ratings");
        assertEquals(3, r.items(), "item space comes from u.item");
        assertArrayEquals(new int[] {1, 0, 1}, r.user());
        assertArrayEquals(new int[] {0, 1, 1}, r.item());
        assertArrayEquals(new float[] {3, 5, 1}, r.rating());
        assertArrayEquals(new int[] {1, 2, 4}, d.sourceLine(), "blank line 3 is skipped but still counted");
        assertEquals("Mis\u00e9rables, Les (1995)", d.itemTitles()[0], "u.item is decoded as ISO-8859-1");
    }

    @Test
    void aLeadingByteOrderMarkIsDroppedFromUDataUItemAndUUser() throws IOException {
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        write("u.data", "\uFEFF196\t10\t3\t881250949\n1\t20\t5\t881250950\n");
        Files.write(dir.resolve("u.item"), concat(bom, ("10|A (1995)|01-Jan-1995||http://x|" + "0|".repeat(18)
                + "1\n20|B (1995)|01-Jan-1995||http://y|" + "0|".repeat(18) + "0\n")
                .getBytes(StandardCharsets.ISO_8859_1)));
        write("u.user", "\uFEFF1|24|M|technician|85711\n196|53|F|other|94043\n");
        assertEquals((byte) 0xEF, Files.readAllBytes(dir.resolve("u.data"))[0]);
        LoadedRatings d = DataSource.load(dir.toString(), 0, false);
        assertEquals(2, d.ratings().users());
        assertEquals(2, d.ratings().items());
        assertArrayEquals(new int[] {1, 0}, d.ratings().user(), "user 196 is the second id of u.user");
        assertArrayEquals(new int[] {0, 1}, d.ratings().item());
        assertEquals("A (1995)", d.itemTitles()[0]);
        assertArrayEquals(new int[] {1, 2}, d.sourceLine(), "the mark does not shift line numbers");
    }

    @Test
    void aLeadingByteOrderMarkIsDroppedFromRatingsDatAndRatingsCsv() throws IOException {
        write("ratings.dat", "\uFEFF1::1193::5::978300760\n7::1193::4::978300761\n");
        LoadedRatings m1 = DataSource.load(dir.toString(), 0, false);
        assertEquals("ml-1m", m1.format());
        assertArrayEquals(new float[] {5, 4}, m1.ratings().rating());
        Files.delete(dir.resolve("ratings.dat"));
        write("ratings.csv", "\uFEFFuserId,movieId,rating,timestamp\n1,31,2.5,1260759144\n");
        LoadedRatings latest = DataSource.load(dir.toString(), 0, false);
        assertEquals("ml-latest", latest.format());
        assertArrayEquals(new float[] {2.5f}, latest.ratings().rating());
    }

    @Test
    void everyDataFileIsClosedOnceItIsRead() throws IOException {
        // the line readers once left u.data, u.item, u.user and ratings.csv open until the collector found them
        Path fds = Path.of("/proc/self/fd");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(fds),
                "skipped: no /proc/self/fd to count this JVM's open files (Linux only); runs on Linux");
        write("u.data", "2\t10\t3\t881250949\n1\t20\t5\t881250950\n");
        write("u.item", "10|A (1995)|01-Jan-1995||http://x|" + "0|".repeat(18) + "1\n20|B (1995)|01-Jan-1995||"
                + "http://y|" + "0|".repeat(18) + "0\n");
        write("u.user", "1|24|M|technician|85711\n2|53|F|other|94043\n");
        Path latest = Files.createDirectory(dir.resolve("latest"));
        Files.writeString(latest.resolve("ratings.csv"), "userId,movieId,rating,timestamp\n1,31,2.5,1260759144\n");
        long before = openFiles(fds);
        for (int i = 0; i < 100; i++) {
            DataSource.load(dir.toString(), 0, false);
            DataSource.load(latest.toString(), 0, false);
        }
        long grown = openFiles(fds) - before;
        assertTrue(grown < 20, "400 data files read, " + grown + " file descriptors still open");
    }

    private static long openFiles(Path fds) throws IOException {
        try (var s = Files.list(fds)) {
            return s.count();
        }
    }

    @Test
    void onlyALeadingMarkIsDroppedAndAShortFileIsReadWhole() throws IOException {
        Path a = dir.resolve("a");
        Files.write(a, new byte[] {(byte) 0xEF, (byte) 0xBB});
        try (var r = DataFileReader.lines(a, StandardCharsets.ISO_8859_1)) {
            assertTrue(r.next());
            assertEquals("\u00EF\u00BB", DataFileReader.text(r), "two bytes of a mark are data");
        }
        Files.writeString(a, "x\uFEFFy", StandardCharsets.UTF_8);
        try (var r = DataFileReader.lines(a, StandardCharsets.UTF_8)) {
            assertTrue(r.next());
            assertEquals("x\uFEFFy", DataFileReader.text(r), "a mark after the start is data");
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    @Test
    void ml1mDoubleColonFormatIsRead() throws IOException {
        write("ratings.dat", "1::1193::5::978300760\r\n1::661::3::978302109\r\n7::1193::4::978300761\r\n");
        LoadedRatings d = DataSource.load(dir.toString(), 0, false);
        assertEquals("ml-1m", d.format());
        assertEquals(2, d.ratings().users());
        assertEquals(2, d.ratings().items());
        assertArrayEquals(new int[] {1, 0, 1}, d.ratings().item(), "items are indexed in raw-id order");
        assertArrayEquals(new long[] {978300760L, 978302109L, 978300761L}, d.ratings().time());
    }

    @Test
    void latestCsvReadsHalfStarsQuotedFieldsAndCrlf() throws IOException {
        write("ratings.csv", "userId,movieId,rating,timestamp\r\n1,31,2.5,1260759144\r\n\"1\",\"1029\",\"3.0\","
                + "1260759179\r\n2,31,0.5,1260759182\r\n");
        LoadedRatings d = DataSource.load(dir.toString(), 0, false);
        assertEquals("ml-latest", d.format());
        assertArrayEquals(new float[] {2.5f, 3f, 0.5f}, d.ratings().rating());
        assertArrayEquals(new int[] {2, 3, 4}, d.sourceLine());
        assertEquals(0.5f, d.ratings().minRating());
    }

    @Test
    void aMalformedLineStopsTheLoadNamingFileLineFieldAndValue() throws IOException {
        write("u.data", "1\t1\t3\t881250949\n1\t2\t4\t881250949\n2\tabc\t3\t881250949\n");
        String m = loadError(false);
        assertTrue(m.startsWith("u.data:3: item id \"abc\" is not a whole number"), m);
        assertTrue(m.contains("--skip-bad-lines"), "the message says how to go on: " + m);
    }

    @Test
    void aLineWithTheWrongFieldCountIsReported() throws IOException {
        write("ratings.dat", "1::1193::5::978300760\n1::661::3\n");
        String m = loadError(false);
        assertTrue(m.startsWith("ratings.dat:2: expected 4 '::'-separated fields"), m);
        assertTrue(m.contains("found 3"), m);
    }

    @Test
    void skipBadLinesSkipsAndCountsThem() throws IOException {
        write("u.data", "1\t1\t3\t881250949\n1\t2\tfour\t881250949\n2\t2\t9\t881250949\n2\t1\t5\t881250949\n");
        LoadedRatings d = DataSource.load(dir.toString(), 0, true);
        assertEquals(2, d.ratings().size());
        assertEquals(2, d.skippedLines());
        assertTrue(d.firstSkipped().startsWith("u.data:2: rating \"four\" is not a number"), d.firstSkipped());
        assertTrue(MovieLensReader.describe(d).contains("skipped 2 bad lines"), MovieLensReader.describe(d));
    }

    @Test
    void aRatingOutOfRangeHasItsOwnMessage() throws IOException {
        write("u.data", "1\t1\t3\t881250949\n1\t2\t7\t881250949\n");
        assertTrue(loadError(false).startsWith("u.data:2: rating 7 is outside 1..5"));
        write("u.data", "1\t1\t3.5\t881250949\n");
        assertTrue(loadError(false).startsWith("u.data:1: rating 3.5 is not a multiple of 1 stars"));
        Files.delete(dir.resolve("u.data"));
        write("ratings.csv", "userId,movieId,rating,timestamp\n1,1,5.5,0\n");
        assertTrue(loadError(false).startsWith("ratings.csv:2: rating 5.5 is outside 0.5..5"), loadError(false));
    }

    @Test
    void anInfiniteRatingAndAnIdBeyondIntRangeSayWhatIsWrong() throws IOException {
        write("ratings.csv", "userId,movieId,rating,timestamp\n1,2,Infinity,4\n");
        assertTrue(loadError(false).startsWith("ratings.csv:2: rating \"Infinity\" is not a finite number"),
                loadError(false));
        write("ratings.csv", "userId,movieId,rating,timestamp\n3000000000,2,3,4\n");
        assertTrue(loadError(false).startsWith("ratings.csv:2: user id \"3000000000\" is outside 0..2147483647"),
                loadError(false));
        write("ratings.csv", "userId,movieId,rating,timestamp\n1,x2,3,4\n");
        assertTrue(loadError(false).startsWith("ratings.csv:2: item id \"x2\" is not a whole number"),
                loadError(false));
    }

    @Test
    void aMissingRatingsFileNamesWhatWasExpected() throws IOException {
        write("README", "nothing here");
        String m = loadError(false);
        assertTrue(m.contains("no ratings file found; expected u.data (MovieLens 100K), ratings.dat (MovieLens 1M) "
                + "or ratings.csv (MovieLens latest)"), m);
        String gone = assertThrows(DataFormatException.class,
                () -> DataSource.load(dir.resolve("nope").toString(), 0, false)).getMessage();
        assertTrue(gone.contains("nope: no such file or directory"), gone);
    }

    @Test
    void anEmptyDataSetHasItsOwnMessage() throws IOException {
        write("u.data", "\n\n");
        assertEquals("u.data: the data set is empty: no ratings found", loadError(false));
        write("u.data", "x\t1\t1\t1\n");
        assertTrue(loadError(true).startsWith("u.data: no ratings left: all 1 lines were bad and skipped"));
    }

    @Test
    void anItemMissingFromTheCatalogueIsReported() throws IOException {
        write("u.data", "1\t99\t3\t881250949\n");
        write("u.item", "1|A (1990)|01-Jan-1990||http://a|" + "0|".repeat(18) + "0\n");
        assertTrue(loadError(false).startsWith("u.data:1: item id 99 is not in u.item (1 items, ids 1..1)"));
    }

    @Test
    void aCsvHeaderWithoutTheRatingColumnIsRejected() throws IOException {
        write("ratings.csv", "userId,movieId,stars\n1,1,5\n");
        assertTrue(loadError(false).startsWith("ratings.csv:1: header has no 'rating' column"));
    }

    @Test
    void theRealMovieLens100kLoadsCompletely() {
        Path ml = SharedData.ml100k();
        LoadedRatings d = DataSource.load(ml.toString(), 0, false);
        assertEquals(100_000, d.ratings().size());
        assertEquals(943, d.ratings().users());
        assertEquals(1682, d.ratings().items());
        assertEquals("Toy Story (1995)", d.itemTitles()[0]);
        assertEquals("Mis\u00e9rables, Les (1995)", d.itemTitles()[542]);
        assertEquals(3.52986, d.ratings().meanRating(), 1e-5);
    }

    @Test
    void aRatingsLineThatIsNotUtf8IsABadLineWithItsNumberNotInputLength1() throws IOException {
        byte[] csv = "userId,movieId,rating\n1,1,4\n2,#,4\n3,1,5\n".getBytes(StandardCharsets.UTF_8);
        csv[new String(csv, StandardCharsets.UTF_8).indexOf('#')] = (byte) 0xff; // a byte that is never UTF-8
        Files.write(dir.resolve("ratings.csv"), csv);
        assertEquals("ratings.csv:3: invalid UTF-8 (use --skip-bad-lines to skip such lines)", loadError(false));
        LoadedRatings d = DataSource.load(dir.toString(), 0, true);
        assertEquals(2, d.ratings().size());
        assertEquals(1, d.skippedLines());
        assertEquals("ratings.csv:3: invalid UTF-8", d.firstSkipped());
    }

    @Test
    void anUnclosedQuoteNamesTheLineItOpenedOnAndAnEmptyCsvIsOneLine() throws IOException {
        write("ratings.csv", "userId,movieId,rating\n1,1,4\n2,\"1,4\n3,1,5\n4,1,5\n");
        assertEquals("ratings.csv:3: a quoted field opened on line 3 is never closed (use --skip-bad-lines to skip"
                + " such lines)", loadError(false));
        write("ratings.csv", "");
        assertEquals("ratings.csv: empty file; expected a header userId,movieId,rating,timestamp and one rating per"
                + " line", loadError(false));
    }

    @Test
    void aLineOver1MiBEndsTheLoadWithItsNumberWhateverThePolicy() throws IOException {
        write("u.data", "1\t1\t3\t881250949\n" + "7".repeat(InputLinesLimit.BYTES + 1) + "\n1\t2\t3\t881250949\n");
        for (boolean skip : new boolean[] {false, true}) {
            assertEquals("u.data:2: line longer than 1048576 bytes (1 MiB), the most a line may be; reading stopped"
                    + " there", loadError(skip));
        }
    }

    @Test
    void anEchoedValueIsQuotedEscapedAndCutToOneShortLine() throws IOException {
        write("ratings.csv", "userId,movieId,rating\n1,1,\u001b[2J" + "9".repeat(200_000) + "\u0000\n");
        String m = loadError(false);
        assertTrue(m.startsWith("ratings.csv:2: rating \"\\u001b[2J999"), m);
        assertTrue(m.length() < 200 && m.chars().noneMatch(c -> c < 0x20), m);
    }

    /** The line cap, named here so that the test reads as the limit it checks. */
    private static final class InputLinesLimit {
        static final int BYTES = dev.winnow.engine.runtime.InputLines.MAX_LINE_BYTES;
    }
}
