package dev.winnow.engine.runtime;

import java.io.BufferedWriter;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The runtime jar's entry point, for a quick check on an edge machine (and for measuring start-up). The model file
 * says which kind it is:
 * <ul>
 * <li>an NCF model: {@code java -jar winnow-engine-<version>-runtime.jar model.wnw USER ITEM [K]} prints the predicted
 * rating, and with K the top-K items for the user;</li>
 * <li>a movie feature model: {@code java -jar winnow-engine-<version>-runtime.jar movie.wnw FILMS.csv|- [ID-COLUMN]}
 * streams the CSV (header naming the model's raw fields) and prints {@code id,rating} rows as {@code winnow infer}
 * does ({@link MovieCsv}); bad rows go to stderr with their line numbers.</li>
 * </ul>
 * Exit code 0, 1 for a refused model or bad rows, 2 for bad usage.
 */
public final class Predict {
    private static final String USAGE = "usage: java -jar winnow-engine-runtime.jar MODEL.wnw USER ITEM [K]   (NCF model)"
            + "\n       java -jar winnow-engine-runtime.jar MODEL.wnw FILMS.csv|- [ID-COLUMN]   (movie model)";

    private Predict() {
    }

    public static void main(String[] args) throws Exception {
        System.exit(run(args));
    }

    static int run(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println(USAGE);
            return 2;
        }
        Path file = Path.of(args[0]);
        if (!Files.isRegularFile(file)) {
            System.err.println("no model file " + file);
            return 2;
        }
        try {
            if (WnwFormat.declaredKind(file) == WnwFormat.KIND_MOVIE_MLP) {
                return movies(file, args);
            }
            return pairs(file, args);
        } catch (ModelFormatException e) {
            System.err.println("refused: " + e.getMessage());
            return 1;
        }
    }

    private static int pairs(Path file, String[] args) throws Exception {
        if (args.length < 3 || args.length > 4) {
            System.err.println(USAGE);
            return 2;
        }
        RecommenderModel model = RecommenderModel.load(file);
        int user = Integer.parseInt(args[1]);
        int item = Integer.parseInt(args[2]);
        // println, not printf: java.util.Formatter and its regex classes would double the start-up time
        System.out.println("user " + user + " item " + item + " rating " + model.predict(user, item));
        if (args.length == 4) {
            int k = Integer.parseInt(args[3]);
            int[] items = new int[k];
            float[] scores = new float[k];
            int n = model.topK(user, k, null, items, scores);
            for (int i = 0; i < n; i++) {
                System.out.println((i + 1) + "\t" + items[i] + "\t" + scores[i]);
            }
        }
        return 0;
    }

    private static int movies(Path file, String[] args) throws Exception {
        if (args.length < 2 || args.length > 3) {
            System.err.println(USAGE);
            return 2;
        }
        MovieRatingModel model = MovieRatingModel.load(file);
        boolean stdin = args[1].equals("-");
        String source = stdin ? "stdin" : args[1];
        MovieCsv.Counts counts;
        try (Reader in = stdin ? new InputStreamReader(System.in, StandardCharsets.UTF_8)
                : Files.newBufferedReader(Path.of(args[1]), StandardCharsets.UTF_8)) {
            Writer out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), 1 << 16);
            counts = MovieCsv.run(model, in, source, args.length == 3 ? args[2] : null, out, System.err);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            return 2;
        }
        System.err.println(counts.predictions() + " predictions, " + counts.badRows() + " bad rows");
        return counts.badRows() == 0 ? 0 : 1;
    }
}
