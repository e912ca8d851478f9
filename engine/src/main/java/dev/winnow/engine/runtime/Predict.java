package dev.winnow.engine.runtime;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The runtime jar's entry point, for a quick check on an edge machine (and for measuring start-up). The model file
 * says which kind it is:
 * <ul>
 * <li>an NCF model: {@code java -jar winnow-engine-<version>-runtime.jar model.wnw USER ITEM [K]} prints the predicted
 * rating, and with K the top-K items for the user. USER and ITEM are the data set's raw ids when the model has an id
 * map (models trained on real data), 0-based indices otherwise; top-K prints items the same way;</li>
 * <li>a movie feature model: {@code java -jar winnow-engine-<version>-runtime.jar movie.wnw FILMS.csv|- [ID-COLUMN]}
 * streams the CSV (header naming the model's raw fields) and prints {@code id,rating} rows as {@code winnow infer}
 * does ({@link MovieCsv}); bad rows go to stderr with their line numbers.</li>
 * </ul>
 * Exit code 0, 1 for a refused model, an unreadable file or bad rows, 2 for bad usage (a one-line message naming the
 * argument; never a stack trace for an input mistake).
 */
public final class Predict {
    private static final String USAGE = "usage: java -jar winnow-engine-runtime.jar MODEL.wnw USER ITEM [K]   (NCF model)"
            + "\n       java -jar winnow-engine-runtime.jar MODEL.wnw FILMS.csv|- [ID-COLUMN]   (movie model)";

    private Predict() {
    }

    public static void main(String[] args) {
        // the file's own form (no blocks built): one prediction in a cold JVM does not repay them, and with the Vector
        // API module their kernels would first run interpreted
        if (System.getProperty("winnow.layout") == null) {
            System.setProperty("winnow.layout", "stored");
        }
        System.exit(run(args, System.in, System.out, System.err));
    }

    static int run(String[] args, InputStream stdin, PrintStream out, PrintStream err) {
        if (args.length < 1) {
            err.println(USAGE);
            return 2;
        }
        String reading = args[0];
        try {
            Path file = Path.of(args[0]);
            if (!Files.isRegularFile(file)) {
                // missing, a directory, a device or a FIFO: named before a byte is read
                err.println("no model file " + file);
                return 2;
            }
            byte[] image = WnwReader.readFile(file);
            // the file's structure and checksums hold (readFile); the kind it declares picks the loader, which
            // checks the model before the arguments: a file that only claims a kind is refused, not answered with
            // the usage of that kind
            int kindAt = WnwFormat.FILE_HEADER_BYTES + WnwFormat.SECTION_HEADER_BYTES;
            if (image.length > kindAt && image[kindAt] == WnwFormat.KIND_MOVIE_MLP) {
                MovieRatingModel model = MovieRatingModel.parse(image, image.length, file.toString());
                if (args.length < 2 || args.length > 3) {
                    err.println(USAGE);
                    return 2;
                }
                reading = args[1];
                return movies(model, args, stdin, out, err);
            }
            RecommenderModel model = RecommenderModel.parse(image, file.toString());
            if (args.length < 3 || args.length > 4) {
                err.println(USAGE);
                return 2;
            }
            return pairs(model, args, out);
        } catch (ModelFormatException e) {
            err.println("refused: " + e.getMessage());
            return 1;
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            return 2;
        } catch (IOException e) {
            err.println("cannot read " + reading + ": " + e);
            return 1;
        }
    }

    private static int pairs(RecommenderModel model, String[] args, PrintStream out) {
        int user = model.userIndex(integer(args[1], "USER"));
        int item = model.itemIndex(integer(args[2], "ITEM"));
        if (user < 0 || item < 0) {
            String side = user < 0 ? "user " + args[1].strip() : "item " + args[2].strip();
            throw new IllegalArgumentException(side + model.unknownIdReason(user < 0) + (model.hasIdMap()
                    ? " (" + model.idMapDescription() + ")" : " (this model has no id map: ids are 0-based indices)"));
        }
        int k = args.length == 4 ? integer(args[3], "K") : 0;
        if (k < 0) {
            throw new IllegalArgumentException("K " + k + " is negative; it is how many top items to list");
        }
        // println, not printf: java.util.Formatter and its regex classes would double the start-up time
        out.println("user " + model.userId(user) + " item " + model.itemId(item) + " rating "
                + model.predict(user, item));
        k = Math.min(k, model.itemCount());
        int[] items = new int[k];
        float[] scores = new float[k];
        int n = model.topK(user, k, null, items, scores);
        for (int i = 0; i < n; i++) {
            out.println((i + 1) + "\t" + model.itemId(items[i]) + "\t" + scores[i]);
        }
        out.flush();
        return 0;
    }

    private static int integer(String s, String name) {
        try {
            return Integer.parseInt(s.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " '" + s + "' is not an integer (arguments: MODEL.wnw USER"
                    + " ITEM [K])");
        }
    }

    private static int movies(MovieRatingModel model, String[] args, InputStream stdin, PrintStream out,
                              PrintStream err) throws IOException {
        boolean isStdin = args[1].equals("-");
        String source = isStdin ? "stdin" : args[1];
        if (!isStdin && !Files.isRegularFile(Path.of(source))) {
            // a device or FIFO (/dev/zero) is refused here too: only '-' streams without an end
            throw new IllegalArgumentException("no input file " + source + " (FILMS.csv, or - for stdin)");
        }
        MovieCsv.Counts counts;
        // decoded line by line: a bad byte costs its row, not the run; lines are bounded (InputLines)
        try (InputStream in = isStdin ? stdin : Files.newInputStream(Path.of(source))) {
            Writer w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
            counts = MovieCsv.run(model, new InputLines(in, StandardCharsets.UTF_8), source,
                    args.length == 3 ? args[2] : null, w, err);
        }
        err.println(counts.predictions() + " predictions, " + counts.badRows() + " bad rows");
        return counts.badRows() == 0 ? 0 : 1;
    }
}
