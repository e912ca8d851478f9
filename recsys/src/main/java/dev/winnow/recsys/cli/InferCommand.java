package dev.winnow.recsys.cli;

import dev.winnow.engine.io.RunLock;
import dev.winnow.engine.runtime.Echo;
import dev.winnow.engine.runtime.InputFiles;
import dev.winnow.engine.runtime.InputLines;
import dev.winnow.engine.runtime.MovieCsv;
import dev.winnow.engine.runtime.MovieRatingModel;
import dev.winnow.engine.runtime.RecommenderModel;
import dev.winnow.engine.runtime.WnwFormat;
import dev.winnow.recsys.data.DataFileReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code winnow infer}: streams a CSV through a .wnw model. An NCF model (kind 1) reads (user, item) pairs and writes
 * {@code user,item,rating} rows, with the data set's raw ids when the model has an id map (real data) and 0-based
 * indices otherwise; a movie feature model (kind 2) reads films, one per row under a header naming the
 * model's raw fields (RFC 4180: quoted fields may hold commas and line breaks), and writes {@code id,rating} rows
 * ({@link MovieCsv}). Ratings have 4 decimals. Bad rows (invalid UTF-8 included) are reported on stderr with their
 * line number and skipped; the exit code is 1 when there were any. The input is read a line at a time and a line over
 * 1 MiB ends the read ({@code InputLines}), so memory stays bounded on any input.
 */
@Command(name = "infer", mixinStandardHelpOptions = true,
        description = "Predict ratings with a .wnw model: user,item pairs for an NCF model, films (a CSV whose header"
                + " names the raw fields) for a movie feature model.")
public final class InferCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "MODEL.wnw", description = "The model file.")
    Path model;

    @Option(names = "--input", required = true, paramLabel = "PAIRS.csv",
            description = "NCF model: CSV with user,item in the first two columns (the data set's raw ids when the"
                    + " model has an id map, as models trained on real data do; 0-based indices otherwise; a header"
                    + " line is allowed). Movie model: CSV whose header names every raw field the model reads (a header"
                    + " lacking any is refused with the full list; lists joined by '|', dates yyyy-mm-dd, empty = missing; other columns are"
                    + " ignored). '-' reads stdin; otherwise a regular file (not a device or FIFO). UTF-8; a row with"
                    + " bad bytes is skipped with its line, and a line over 1 MiB ends the read.")
    String input;

    @Option(names = "--id-column", paramLabel = "NAME",
            description = "Movie model: the column naming each film in the output (default: id when the header has"
                    + " it, else the 1-based row number).")
    String idColumn;

    @Option(names = "--output", defaultValue = "-", paramLabel = "FILE",
            description = "Where to write user,item,rating rows; '-' (default) is stdout.")
    String output;

    /** The largest --batch: three arrays of this many entries (12 MB); larger batches would not predict faster. */
    static final int MAX_BATCH = 1 << 20;

    @Option(names = "--batch", defaultValue = "256",
            description = "Pairs predicted together (1.." + MAX_BATCH + "). Default: ${DEFAULT-VALUE}.")
    int batch;

    @Override
    public Integer call() throws IOException {
        if (batch < 1 || batch > MAX_BATCH) {
            // checked before the arrays are allocated: --batch 2147483647 must be a message, not an OutOfMemoryError
            throw new IllegalArgumentException("--batch must be 1.." + MAX_BATCH + ", got " + batch);
        }
        if (WnwFormat.declaredKind(model) == WnwFormat.KIND_MOVIE_MLP) {
            return films();
        }
        if (idColumn != null) {
            throw new IllegalArgumentException("--id-column applies to movie feature models; " + model
                    + " is an NCF model");
        }
        RecommenderModel m = RecommenderModel.load(model);
        String name = input.equals("-") ? "stdin" : input;
        int[] users = new int[batch];
        int[] items = new int[batch];
        float[] out = new float[batch];
        long good = 0;
        long bad = 0;
        try (InputStream stream = openInput(); Writer w = openOutput()) {
            // decoded a line at a time: a bad byte costs its row, and a line is at most 1 MiB (InputLines)
            InputLines in = new InputLines(stream, StandardCharsets.UTF_8);
            w.write("user,item,rating\n");
            int n = 0;
            while (in.next()) {
                long lineNo = in.number();
                if (in.tooLong()) {
                    System.err.println(name + ":" + lineNo + ": line longer than " + InputLines.MAX_LINE_BYTES
                            + " bytes; reading stopped there");
                    bad++;
                    break;
                }
                String line = DataFileReader.text(in);
                if (in.malformed()) {
                    System.err.println(name + ":" + lineNo + ": invalid UTF-8; row skipped");
                    bad++;
                    continue;
                }
                if (line.isBlank()) {
                    continue;
                }
                String[] f = line.split(",", -1);
                if (lineNo == 1 && f.length >= 2 && !isInteger(f[0].trim()) && !isInteger(f[1].trim())) {
                    continue; // a header line
                }
                String problem = null;
                int u = -1;
                int i = -1;
                if (f.length < 2) {
                    problem = "expected user,item but found " + f.length + " column";
                } else if (!isInteger(f[0].trim())) {
                    problem = "user " + Echo.quote(f[0].trim()) + " is not an integer";
                } else if (!isInteger(f[1].trim())) {
                    problem = "item " + Echo.quote(f[1].trim()) + " is not an integer";
                } else {
                    int rawUser = Integer.parseInt(f[0].trim());
                    int rawItem = Integer.parseInt(f[1].trim());
                    u = m.userIndex(rawUser);
                    i = m.itemIndex(rawItem);
                    if (u < 0) {
                        problem = "user " + rawUser + m.unknownIdReason(true);
                    } else if (i < 0) {
                        problem = "item " + rawItem + m.unknownIdReason(false);
                    }
                }
                if (problem != null) {
                    System.err.println(name + ":" + lineNo + ": " + problem + "; row skipped");
                    bad++;
                    continue;
                }
                users[n] = u;
                items[n] = i;
                if (++n == batch) {
                    flush(m, users, items, out, n, w);
                    good += n;
                    n = 0;
                }
            }
            flush(m, users, items, out, n, w);
            good += n;
        }
        System.err.printf(Locale.ROOT, "infer: %d predictions, %d bad rows%n", good, bad);
        return bad == 0 ? 0 : 1;
    }

    private int films() throws IOException {
        MovieRatingModel m = MovieRatingModel.load(model);
        String name = input.equals("-") ? "stdin" : input;
        MovieCsv.Counts c;
        try (InputStream in = openInput(); Writer w = openOutput()) {
            c = MovieCsv.run(m, new InputLines(in, StandardCharsets.UTF_8), name, idColumn, w, System.err);
        }
        System.err.printf(Locale.ROOT, "infer: %d predictions, %d bad rows%n", c.predictions(), c.badRows());
        return c.badRows() == 0 ? 0 : 1;
    }

    /**
     * --input's bytes; '-' is standard input. A named input must be a regular file: a directory, FIFO or device
     * ({@code /dev/zero}) is refused before the header goes out.
     */
    private InputStream openInput() throws IOException {
        if (input.equals("-")) {
            return System.in;
        }
        if (Files.isDirectory(Path.of(input))) {
            // opening a directory succeeds on Linux and only the first read fails, after the header went out
            throw new IllegalArgumentException("--input " + input + ": is a directory; name a file");
        }
        try {
            InputFiles.requireRegular(Path.of(input), "CSV file (or - for stdin)", Long.MAX_VALUE);
        } catch (NoSuchFileException e) {
            throw e; // named with its option by WinnowCli
        } catch (IOException e) {
            throw new IllegalArgumentException("--input " + e.getMessage());
        }
        return Files.newInputStream(Path.of(input));
    }

    /**
     * --output as UTF-8 text; '-' is standard output. A failed write names the output; on standard output, whose
     * PrintStream keeps its errors to itself (a full disk, a closed pipe), the error is asked for when the output is
     * flushed, so the command cannot exit 0 with its rows lost.
     */
    private Writer openOutput() throws IOException {
        if (output.equals("-")) {
            return new NamedWriter(new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8)),
                    "stdout", null, System.out);
        }
        // held until the writer is closed: a second infer into the same file is refused, not interleaved with ours
        RunLock held = RunLock.file("--output", Path.of(output));
        try {
            return new NamedWriter(Files.newBufferedWriter(Path.of(output), StandardCharsets.UTF_8), output, held,
                    null);
        } catch (IOException | RuntimeException e) {
            held.close();
            throw e;
        }
    }

    /** A writer whose I/O errors name the output ("--output out.csv: no space left on device"). */
    private static final class NamedWriter extends java.io.FilterWriter {
        private final String name;
        private final RunLock lock;
        private final java.io.PrintStream console;

        NamedWriter(Writer out, String name, RunLock lock, java.io.PrintStream console) {
            super(out);
            this.name = name;
            this.lock = lock;
            this.console = console;
        }

        private void checkConsole() throws IOException {
            if (console != null && console.checkError()) {
                throw new java.nio.file.FileSystemException(name, null, "write failed (disk full or pipe closed?)");
            }
        }

        private IOException named(IOException e) {
            if (e instanceof java.nio.file.FileSystemException) {
                return e;
            }
            java.nio.file.FileSystemException n = new java.nio.file.FileSystemException(name, null,
                    e.getMessage() == null ? "write failed" : e.getMessage());
            n.initCause(e);
            return n;
        }

        @Override
        public void write(int c) throws IOException {
            try {
                super.write(c);
            } catch (IOException e) {
                throw named(e);
            }
        }

        @Override
        public void write(char[] buf, int off, int len) throws IOException {
            try {
                super.write(buf, off, len);
            } catch (IOException e) {
                throw named(e);
            }
        }

        @Override
        public void write(String str, int off, int len) throws IOException {
            try {
                super.write(str, off, len);
            } catch (IOException e) {
                throw named(e);
            }
        }

        @Override
        public void flush() throws IOException {
            try {
                super.flush();
            } catch (IOException e) {
                throw named(e);
            }
            checkConsole();
        }

        @Override
        public void close() throws IOException {
            try {
                super.close();
                checkConsole();
            } catch (IOException e) {
                throw named(e);
            } finally {
                if (lock != null) {
                    lock.close();
                }
            }
        }
    }

    private static void flush(RecommenderModel m, int[] users, int[] items, float[] out, int n, Writer w)
            throws IOException {
        m.predictBatch(users, items, n, out);
        for (int k = 0; k < n; k++) {
            w.write(m.userId(users[k]) + "," + m.itemId(items[k]) + "," + String.format(Locale.ROOT, "%.4f", out[k])
                    + "\n");
        }
    }

    private static boolean isInteger(String s) {
        if (s.isEmpty() || s.length() > 10) {
            return false;
        }
        int start = s.charAt(0) == '-' ? 1 : 0;
        if (start == s.length()) {
            return false;
        }
        for (int k = start; k < s.length(); k++) {
            if (s.charAt(k) < '0' || s.charAt(k) > '9') {
                return false;
            }
        }
        return Long.parseLong(s) == (int) Long.parseLong(s);
    }
}
