package dev.winnow.recsys.cli;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.backend.cpu.CpuBackend;
import dev.winnow.engine.runtime.MovieRatingModel;
import dev.winnow.engine.runtime.RecommenderModel;
import dev.winnow.recsys.checkpoint.MovieCheckpoint;
import dev.winnow.recsys.model.FeatureMlp;
import dev.winnow.recsys.movies.FeatureGroup;
import dev.winnow.recsys.movies.Movie;
import dev.winnow.recsys.movies.MovieFeatures;
import dev.winnow.recsys.movies.SyntheticMovies;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InferCommandTest {

    @Test
    void predictsEveryGoodRowAndReportsBadRowsByLineNumber(@TempDir Path dir) throws Exception {
        ExportCommandTest.checkpoint(dir, ExportCommandTest.SMALL, 6);
        Path model = dir.resolve("m.wnw");
        assertEquals(0, CliRun.of("export", "--checkpoint", dir.toString(), "--out", model.toString()).exit());
        Path in = dir.resolve("pairs.csv");
        Files.writeString(in, "user,item\n0,1\n59,89\nabc,3\n\n60,1\n5\n7,-1\n3,4,extra\n");
        Path out = dir.resolve("out.csv");
        CliRun r = CliRun.of("infer", "--model", model.toString(), "--input", in.toString(), "--output",
                out.toString(), "--batch", "2");
        assertEquals(1, r.exit(), "bad rows make the exit code 1");
        assertTrue(r.err().contains(in + ":4: user \"abc\" is not an integer"), r.err());
        assertTrue(r.err().contains(in + ":6: user 60 is outside 0..59"), r.err());
        assertTrue(r.err().contains(in + ":7: expected user,item"), r.err());
        assertTrue(r.err().contains(in + ":8: item -1 is outside 0..89"), r.err());
        assertTrue(r.err().contains("3 predictions, 4 bad rows"), r.err());
        RecommenderModel m = RecommenderModel.load(model);
        List<String> lines = Files.readAllLines(out);
        assertEquals(List.of("user,item,rating",
                "0,1," + String.format(java.util.Locale.ROOT, "%.4f", m.predict(0, 1)),
                "59,89," + String.format(java.util.Locale.ROOT, "%.4f", m.predict(59, 89)),
                "3,4," + String.format(java.util.Locale.ROOT, "%.4f", m.predict(3, 4))), lines);
    }

    @Test
    void aCleanFileExitsZeroAndARefusedModelExitsOne(@TempDir Path dir) throws Exception {
        ExportCommandTest.checkpoint(dir, ExportCommandTest.SMALL, 7);
        Path model = dir.resolve("m.wnw");
        assertEquals(0, CliRun.of("export", "--checkpoint", dir.toString(), "--out", model.toString()).exit());
        Path in = dir.resolve("pairs.csv");
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < 1000; k++) {
            sb.append(k % 60).append(',').append(k % 90).append('\n');
        }
        Files.writeString(in, sb);
        Path out = dir.resolve("out.csv");
        CliRun r = CliRun.of("infer", "--model", model.toString(), "--input", in.toString(), "--output",
                out.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals(1001, Files.readAllLines(out).size());
        Files.write(model, new byte[] {1, 2, 3});
        r = CliRun.of("infer", "--model", model.toString(), "--input", in.toString(), "--output", out.toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("ModelFormatException") && r.err().contains("truncated"), r.err());
    }

    /** A movie feature model (every feature group) exported through the CLI from a real movie checkpoint. */
    private static Path movieModel(Path dir) throws Exception {
        List<Movie> films = SyntheticMovies.generate(300, 3);
        MovieFeatures f = MovieFeatures.fit(films, FeatureGroup.ALL, 32, 5);
        try (Backend backend = new CpuBackend(1)) {
            MovieCheckpoint.write(MovieCheckpoint.capture(f, FeatureMlp.student(backend, f.width(), 4).mlp(), 6.4f,
                    1f, 10f, "synthetic", 4), dir);
        }
        Path model = dir.resolve("movie.wnw");
        CliRun r = CliRun.of("export", "--checkpoint", dir.toString(), "--out", model.toString());
        assertEquals(0, r.exit(), r.err());
        return model;
    }

    @Test
    void movieModelStreamsFilmsFromAHeaderedCsvWithQuotedFieldsCrlfAndBadRows(@TempDir Path dir) throws Exception {
        Path model = movieModel(dir);
        MovieRatingModel m = MovieRatingModel.load(model);
        List<String> fields = m.fields();
        Map<String, String> heat = new HashMap<>();
        heat.put("title", "Heat, Part \"One\"");
        heat.put("budget", "60000000");
        heat.put("release_date", "1995-12-15");
        heat.put("genres", "Action|Crime|Drama");
        heat.put("overview", "Obsessive cops,\r\nand a crew of robbers.");
        Map<String, String> quiet = Map.of("title", "Quiet", "genres", "Drama");
        // header: an id column, every field the model reads (the synthetic films' columns), one it does not read
        StringBuilder csv = new StringBuilder("movie_id,gross");
        for (String f : fields) {
            csv.append(',').append(f);
        }
        csv.append("\r\n");
        csv.append(row("tt0113277", heat, fields)).append("\r\n");
        Map<String, String> badBudget = new HashMap<>(quiet);
        badBudget.put("budget", "sixty million");
        csv.append(row("tt1", badBudget, fields)).append("\r\n");
        Map<String, String> badDate = new HashMap<>(quiet);
        badDate.put("release_date", "1995-02-30");
        csv.append(row("tt2", badDate, fields)).append("\r\n");
        csv.append("tt3,1,2\r\n");
        csv.append(row("tt\u00e9", quiet, fields)).append("\r\n"); // written below as ISO-8859-1: not UTF-8
        csv.append(row("tt4", quiet, fields)).append("\r\n");
        Path in = dir.resolve("films.csv");
        int latin1 = csv.indexOf("tt\u00e9");
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        bytes.writeBytes(csv.substring(0, latin1).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        bytes.writeBytes("tt\u00e9".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        bytes.writeBytes(csv.substring(latin1 + 3).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Files.write(in, bytes.toByteArray());
        Path out = dir.resolve("ratings.csv");
        CliRun r = CliRun.of("infer", "--model", model.toString(), "--input", in.toString(), "--output",
                out.toString(), "--id-column", "movie_id");
        assertEquals(1, r.exit(), "bad rows make the exit code 1: " + r.err());
        // the quoted overview spans two lines, so the bad rows are on lines 4, 5 and 6
        assertTrue(r.err().contains(in + ":4: column 'budget': \"sixty million\" is not a finite number; row skipped"),
                r.err());
        assertTrue(r.err().contains(in + ":5: column 'release_date': \"1995-02-30\" is not a date (yyyy-mm-dd)"),
                r.err());
        assertTrue(r.err().contains(in + ":6: expected " + (fields.size() + 2) + " fields as in the header, found 3"),
                r.err());
        assertTrue(r.err().contains(in + ":7: invalid UTF-8; row skipped"), r.err());
        assertTrue(r.err().contains("infer: 2 predictions, 4 bad rows"), r.err());
        assertEquals(List.of("movie_id,rating",
                "tt0113277," + String.format(Locale.ROOT, "%.4f", m.predict(heat)),
                "tt4," + String.format(Locale.ROOT, "%.4f", m.predict(quiet))), Files.readAllLines(out));

        // a header without a column the model reads is refused once, naming it
        Files.writeString(in, "title,genres\nA,Drama\n");
        r = CliRun.of("infer", "--model", model.toString(), "--input", in.toString(), "--output", out.toString());
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("the header has no column 'budget'"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }

    @Test
    void idColumnIsRefusedForAnNcfModel(@TempDir Path dir) throws Exception {
        ExportCommandTest.checkpoint(dir, ExportCommandTest.SMALL, 8);
        Path model = dir.resolve("m.wnw");
        assertEquals(0, CliRun.of("export", "--checkpoint", dir.toString(), "--out", model.toString()).exit());
        Path in = dir.resolve("pairs.csv");
        Files.writeString(in, "0,1\n");
        CliRun r = CliRun.of("infer", "--model", model.toString(), "--input", in.toString(), "--id-column", "x");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--id-column applies to movie feature models"), r.err());
    }

    private static String row(String id, Map<String, String> film, List<String> fields) {
        StringBuilder sb = new StringBuilder(quote(id)).append(",123");
        for (String f : fields) {
            sb.append(',').append(quote(film.getOrDefault(f, "")));
        }
        return sb.toString();
    }

    private static String quote(String v) {
        return v.contains(",") || v.contains("\"") || v.contains("\n") ? "\"" + v.replace("\"", "\"\"") + "\"" : v;
    }

    @Test
    void pathsThatAreMissingOrDirectoriesExitTwoNamingTheOption(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("nofile.wnw");
        CliRun r = CliRun.of("infer", "--model", missing.toString(), "--input", "-");
        assertEquals(2, r.exit(), r.err());
        assertEquals("winnow infer: --model " + missing + ": does not exist", r.err().strip());
        ExportCommandTest.checkpoint(dir, ExportCommandTest.SMALL, 7);
        Path model = dir.resolve("m.wnw");
        assertEquals(0, CliRun.of("export", "--checkpoint", dir.toString(), "--out", model.toString()).exit());
        r = CliRun.of("infer", "--model", model.toString(), "--input", dir.toString());
        assertEquals(2, r.exit(), r.err());
        assertEquals("winnow infer: --input " + dir + ": is a directory; name a file", r.err().strip());
        assertEquals("", r.out(), "nothing is written before the input is known to be readable");
        Path pairs = Files.writeString(dir.resolve("pairs.csv"), "1,2\n");
        r = CliRun.of("infer", "--model", model.toString(), "--input", pairs.toString(), "--output", dir.toString());
        assertEquals(2, r.exit(), r.err());
        assertEquals("winnow infer: --output " + dir + ": is a directory", r.err().strip());
        Path noInput = dir.resolve("none.csv");
        r = CliRun.of("infer", "--model", model.toString(), "--input", noInput.toString());
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("--input " + noInput + ": does not exist"), r.err());
    }

    private static Path ncfModel(Path dir) throws Exception {
        ExportCommandTest.checkpoint(dir, ExportCommandTest.SMALL, 9);
        Path model = dir.resolve("m.wnw");
        assertEquals(0, CliRun.of("export", "--checkpoint", dir.toString(), "--out", model.toString()).exit());
        return model;
    }

    @Test
    void aRowThatIsNotUtf8IsSkippedWithItsLineAndEveryGoodRowIsWritten(@TempDir Path dir) throws Exception {
        Path model = ncfModel(dir);
        Path in = Files.write(dir.resolve("l.csv"), new byte[] {'0', ',', '0', '\n', '1', ',', '1', '\n', (byte) 0xe9,
            ',', '2', '\n', '2', ',', '2', '\n'});
        CliRun r = CliRun.of("infer", "--model", model.toString(), "--input", in.toString());
        assertEquals(1, r.exit(), r.err());
        assertTrue(r.err().contains(in + ":3: invalid UTF-8; row skipped"), r.err());
        assertEquals(List.of("user,item,rating", "0,0", "1,1", "2,2"),
                r.out().lines().map(l -> l.replaceAll(",[^,]*$", "")).map(l -> l.equals("user,item") ? l + ",rating"
                        : l).toList());
        assertTrue(r.err().contains("infer: 3 predictions, 1 bad rows"), r.err());
    }

    @Test
    void aDeviceIsRefusedInOneLineAndALineOver1MiBEndsTheRead(@TempDir Path dir) throws Exception {
        Path model = ncfModel(dir);
        if (Files.exists(Path.of("/dev/zero"))) {
            CliRun r = CliRun.of("infer", "--model", model.toString(), "--input", "/dev/zero");
            assertEquals(2, r.exit(), r.err());
            assertEquals("winnow infer: --input /dev/zero: is not a regular file (a device, FIFO or socket); name a CSV"
                    + " file (or - for stdin)", r.err().strip());
            assertEquals("", r.out());
        }
        byte[] zeros = new byte[(1 << 20) + 100];
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        b.writeBytes("0,0\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        b.writeBytes(zeros);
        b.writeBytes("\n1,1\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Path in = Files.write(dir.resolve("long.csv"), b.toByteArray());
        CliRun r = CliRun.of("infer", "--model", model.toString(), "--input", in.toString());
        assertEquals(1, r.exit(), r.err());
        assertEquals(List.of(in + ":2: line longer than 1048576 bytes; reading stopped there",
                "infer: 1 predictions, 1 bad rows"), r.err().lines().toList());
        assertEquals(2, r.out().lines().count(), r.out());

        // stdin is allowed (documented), and an endless line on it ends the same way instead of growing
        java.io.InputStream old = System.in;
        try {
            System.setIn(new java.io.ByteArrayInputStream(zeros));
            r = CliRun.of("infer", "--model", model.toString(), "--input", "-");
        } finally {
            System.setIn(old);
        }
        assertEquals(1, r.exit(), r.err());
        assertTrue(r.err().startsWith("stdin:1: line longer than 1048576 bytes; reading stopped there"), r.err());
    }

    @Test
    void anEchoedValueIsQuotedEscapedAndCut(@TempDir Path dir) throws Exception {
        Path model = ncfModel(dir);
        String id = "7\u001b[31m" + "9".repeat(500_000) + "\u0000x";
        Path in = Files.writeString(dir.resolve("ids.csv"), "0,0\n" + id + ",1\n");
        CliRun r = CliRun.of("infer", "--model", model.toString(), "--input", in.toString());
        assertEquals(1, r.exit(), r.err());
        String first = r.err().lines().findFirst().orElseThrow();
        assertEquals(in + ":2: user \"7\\u001b[31m" + "9".repeat(54) + "\"... (500008 chars) is not an integer; row"
                + " skipped", first);
        assertTrue(first.chars().noneMatch(c -> c < 0x20), first);
    }

    @Test
    void aBatchTooLargeToAllocateIsRefusedInOneLine(@TempDir Path dir) throws Exception {
        Path model = ncfModel(dir);
        Path in = Files.writeString(dir.resolve("p.csv"), "0,0\n");
        for (String batch : new String[] {"2147483647", "0", "1048577"}) {
            CliRun r = CliRun.of("infer", "--model", model.toString(), "--input", in.toString(), "--batch", batch);
            assertEquals(2, r.exit(), r.err());
            assertEquals("winnow infer: --batch must be 1..1048576, got " + batch, r.err().strip());
            assertEquals("", r.out());
        }
        CliRun r = CliRun.of("infer", "--model", model.toString(), "--input", in.toString(), "--batch", "1048576");
        assertEquals(0, r.exit(), r.err());
    }

    @Test
    void aFailedWriteNamesTheOutputAndIsNotAnInternalError(@TempDir Path dir) throws Exception {
        Path model = ncfModel(dir);
        Path in = Files.writeString(dir.resolve("p.csv"), "0,0\n1,1\n");
        Path full = Path.of("/dev/full"); // every write fails with ENOSPC, as on a full disk
        if (Files.isWritable(full)) {
            CliRun r = CliRun.of("infer", "--model", model.toString(), "--input", in.toString(), "--output",
                    full.toString());
            assertEquals(2, r.exit(), r.err());
            assertEquals("winnow infer: --output /dev/full: no space left on device", r.err().strip());
            assertTrue(Files.isWritable(full) && !Files.isRegularFile(full), "the device is still a device");
        }
        // standard output's PrintStream keeps write errors to itself: it was exit 0 with every row lost
        java.io.PrintStream oldOut = System.out;
        java.io.PrintStream broken = new java.io.PrintStream(new java.io.OutputStream() {
            @Override
            public void write(int b) throws java.io.IOException {
                throw new java.io.IOException("Broken pipe");
            }
        }, true);
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream oldErr = System.err;
        int code;
        try {
            System.setOut(broken);
            System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
            code = WinnowCli.run("infer", "--model", model.toString(), "--input", in.toString());
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        String e = err.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(2, code, e);
        assertTrue(e.contains("winnow infer: stdout: write failed"), e);
    }
}
