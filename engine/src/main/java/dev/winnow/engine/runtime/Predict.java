package dev.winnow.engine.runtime;

import java.nio.file.Path;

/**
 * The runtime jar's entry point, for a quick check on an edge machine (and for measuring start-up):
 * {@code java -jar winnow-engine-<version>-runtime.jar model.wnw USER ITEM [K]} prints the predicted rating, and with
 * K the top-K items for the user.
 */
public final class Predict {
    private Predict() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3 || args.length > 4) {
            System.err.println("usage: java -jar winnow-engine-runtime.jar MODEL.wnw USER ITEM [K]");
            System.exit(2);
        }
        RecommenderModel model;
        try {
            model = RecommenderModel.load(Path.of(args[0]));
        } catch (ModelFormatException e) {
            System.err.println("refused: " + e.getMessage());
            System.exit(1);
            return;
        }
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
    }
}
