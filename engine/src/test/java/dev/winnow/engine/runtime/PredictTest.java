package dev.winnow.engine.runtime;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.backend.cpu.CpuBackend;
import dev.winnow.engine.io.StorageChoice;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static dev.winnow.engine.runtime.ModelFiles.ITEM_IDS;
import static dev.winnow.engine.runtime.ModelFiles.USER_IDS;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The runtime jar's command line ({@link Predict}), run in-process: raw ids, and one-line errors for bad input. */
class PredictTest {
    @TempDir
    static Path dir;
    private static Path plain;
    private static Path mapped;
    private static Path movie;

    @BeforeAll
    static void setUp() throws Exception {
        try (Backend backend = new CpuBackend(1)) {
            plain = Files.write(dir.resolve("plain.wnw"), ModelFiles.small(backend, StorageChoice.DENSE, 31));
            mapped = Files.write(dir.resolve("mapped.wnw"), ModelFiles.withIdMap(backend, StorageChoice.DENSE, 31));
        }
        movie = Files.write(dir.resolve("movie.wnw"),
                MovieRequestTest.export(16, 3).encode(WnwFormat.STORAGE_DENSE_F32));
    }

    private record Run(int exit, String out, String err) {
    }

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Predict.run(args, new ByteArrayInputStream(new byte[0]),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Exit 2, nothing on stdout, and exactly one line on stderr that is not a stack trace. */
    private static void assertUsageError(Run r, String expected) {
        assertEquals(2, r.exit, r.err);
        assertEquals("", r.out, "nothing is printed before the error");
        assertEquals(1, r.err.strip().lines().count(), r.err);
        assertFalse(r.err.contains("Exception") || r.err.contains("\tat "), r.err);
        assertEquals(expected, r.err.strip());
    }

    @Test
    void aModelWithAnIdMapTakesAndPrintsRawIds() throws Exception {
        RecommenderModel m = RecommenderModel.load(mapped);
        Run r = run(mapped.toString(), "17", "2000000000", "3");
        assertEquals(0, r.exit, r.err);
        String[] lines = r.out.split("\n");
        assertEquals("user 17 item 2000000000 rating " + m.predict(2, 5), lines[0]);
        int[] top = new int[3];
        float[] scores = new float[3];
        assertEquals(3, m.topK(2, 3, null, top, scores));
        assertEquals(4, lines.length);
        for (int k = 0; k < 3; k++) {
            assertEquals((k + 1) + "\t" + ITEM_IDS[top[k]] + "\t" + scores[k], lines[k + 1]);
        }
        assertUsageError(run(mapped.toString(), "944", "3"), "user 944 is not in the model's id map (7 user ids in"
                + " -4..123456789, 9 item ids in -13..2000000000)");
        assertUsageError(run(mapped.toString(), String.valueOf(USER_IDS[0]), "2"), "item 2 is not in the model's id"
                + " map (7 user ids in -4..123456789, 9 item ids in -13..2000000000)");
    }

    @Test
    void aModelWithoutAnIdMapTakesIndices() throws Exception {
        Run r = run(plain.toString(), "6", "8");
        assertEquals(0, r.exit, r.err);
        assertEquals("user 6 item 8 rating " + RecommenderModel.load(plain).predict(6, 8), r.out.strip());
        assertUsageError(run(plain.toString(), "7", "0"),
                "user 7 is outside 0..6 (this model has no id map: ids are 0-based indices)");
        assertUsageError(run(plain.toString(), "0", "-1"),
                "item -1 is outside 0..8 (this model has no id map: ids are 0-based indices)");
    }

    @Test
    void badArgumentsAreOneLineNamingTheArgumentWithExitTwo() {
        assertUsageError(run(plain.toString(), "x", "0"),
                "USER 'x' is not an integer (arguments: MODEL.wnw USER ITEM [K])");
        assertUsageError(run(plain.toString(), "0", "1.5"),
                "ITEM '1.5' is not an integer (arguments: MODEL.wnw USER ITEM [K])");
        assertUsageError(run(plain.toString(), "0", "99999999999"),
                "ITEM '99999999999' is not an integer (arguments: MODEL.wnw USER ITEM [K])");
        assertUsageError(run(plain.toString(), "0", "0", "-3"), "K -3 is negative; it is how many top items to list");
        assertUsageError(run(plain.toString(), "0", "0", "ten"),
                "K 'ten' is not an integer (arguments: MODEL.wnw USER ITEM [K])");
        assertUsageError(run(dir.resolve("absent.wnw").toString(), "0", "0"), "no model file " + dir.resolve(
                "absent.wnw"));
        Run usage = run(plain.toString(), "0");
        assertEquals(2, usage.exit);
        assertTrue(usage.err.startsWith("usage: "), usage.err);
    }

    @Test
    void aHugeKListsEveryItemWithoutAllocatingForK() {
        Run r = run(plain.toString(), "0", "0", String.valueOf(Integer.MAX_VALUE));
        assertEquals(0, r.exit, r.err);
        assertEquals(1 + 9, r.out.strip().lines().count(), r.out);
    }

    @Test
    void aDamagedModelIsRefusedInOneLineWithExitOne() throws Exception {
        byte[] f = Files.readAllBytes(plain);
        Path bad = Files.write(dir.resolve("bad.wnw"), java.util.Arrays.copyOf(f, f.length - 1));
        Run r = run(bad.toString(), "0", "0");
        assertEquals(1, r.exit);
        assertTrue(r.err.startsWith("refused: " + bad + ": "), r.err);
        assertEquals(1, r.err.strip().lines().count(), r.err);
    }

    @Test
    void movieModeRefusesAMissingOrUnreadableCsvInOneLine() throws Exception {
        assertUsageError(run(movie.toString(), dir.resolve("films.csv").toString()),
                "no input file " + dir.resolve("films.csv") + " (FILMS.csv, or - for stdin)");
        Path header = Files.writeString(dir.resolve("header.csv"), "imdb,title\n");
        Run r = run(movie.toString(), header.toString());
        assertEquals(2, r.exit, r.err);
        assertEquals(1, r.err.strip().lines().count(), r.err);
        assertTrue(r.err.contains("the header has no column"), r.err);
        Path dev = Path.of("/dev/zero");
        if (Files.exists(dev)) {
            assertUsageError(run(movie.toString(), dev.toString()), "no input file " + dev + " (FILMS.csv, or - for"
                    + " stdin)");
        }
        r = run(movie.toString(), "-", "imdb", "extra");
        assertEquals(2, r.exit);
        assertTrue(r.err.startsWith("usage: "), r.err);
    }

    private static final String FILMS_HEADER = "id,title,budget,duration,production_companies,release_date,genres,"
            + "content_rating,overview\n";

    private static Run runOnStdin(java.io.InputStream stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Predict.run(args, stdin, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aRowWithInvalidUtf8IsSkippedWithItsLineAndTheGoodRowsAreWritten() throws Exception {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        bytes.writeBytes((FILMS_HEADER + "a,A,1,90,,2001-01-01,Drama,R,x\n").getBytes(StandardCharsets.UTF_8));
        bytes.writeBytes("b,\u00e9t\u00e9,1,90,,2001-01-01,Drama,R,x\n".getBytes(StandardCharsets.ISO_8859_1));
        bytes.writeBytes("c,C\u00e9,1,90,,2001-01-01,Drama,R,x\n".getBytes(StandardCharsets.UTF_8));
        Path latin1 = Files.write(dir.resolve("latin1.csv"), bytes.toByteArray());
        Run r = run(movie.toString(), latin1.toString());
        assertEquals(1, r.exit, r.err);
        assertEquals(List.of("id", "a", "c"), r.out.lines().map(l -> l.split(",")[0]).toList());
        assertTrue(r.err.contains(latin1 + ":3: invalid UTF-8; row skipped"), r.err);
        assertTrue(r.err.contains("2 predictions, 1 bad rows"), r.err);
    }

    @Test
    void endlessZerosOnStdinEndInOneBoundedLineMessage() {
        java.io.InputStream zeros = new java.io.InputStream() {
            @Override
            public int read() {
                return 0;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                java.util.Arrays.fill(b, off, off + len, (byte) 0);
                return len;
            }
        };
        Run r = runOnStdin(zeros, movie.toString(), "-");
        assertEquals(2, r.exit, r.err);
        assertEquals("stdin:1: header: line 1 is longer than 1048576 bytes; reading"
                + " stopped there", r.err.strip());
    }

    @Test
    void anEmptyCsvAndAnUnclosedQuoteAreOneLineEachNamingWhere() throws Exception {
        Run r = runOnStdin(new ByteArrayInputStream(new byte[0]), movie.toString(), "-");
        assertUsageError(r, "stdin: empty file; expected a header naming the columns budget,duration,"
                + "production_companies,release_date,genres,content_rating,overview,title");
        String csv = FILMS_HEADER + "a,A,1,90,,2001-01-01,Drama,R,x\nb,\"B,1,90,,2001-01-01,Drama,R,x\n"
                + "c,C,1,90,,2001-01-01,Drama,R,x\n";
        r = runOnStdin(new ByteArrayInputStream(csv.getBytes(StandardCharsets.UTF_8)), movie.toString(), "-");
        assertEquals(1, r.exit, r.err);
        assertTrue(r.err.startsWith("stdin:3: a quoted field opened on line 3 is never closed; row skipped"), r.err);
    }
}
