package dev.winnow.recsys.data;

import java.nio.file.Path;

/**
 * Resolves the {@code --data} option: {@code synthetic} (the embedded default) or a directory (or ratings file) of
 * MovieLens data, whose format is detected from the file name: {@code u.data} (100K), {@code ratings.dat} (1M) or
 * {@code ratings.csv} (latest).
 */
public final class DataSource {
    private DataSource() {
    }

    public static RatingData ratings(String spec, long seed) {
        return load(spec, seed, false).ratings();
    }

    /** Loads the data {@code spec} names; bad lines stop the load unless {@code skipBadLines}. */
    public static LoadedRatings load(String spec, long seed, boolean skipBadLines) {
        if (isSynthetic(spec)) {
            RatingData d = SyntheticRatings.generate(seed);
            int[] lines = new int[d.size()];
            for (int k = 0; k < lines.length; k++) {
                lines[k] = k + 1;
            }
            return new LoadedRatings("synthetic", null, d, RatingScale.WHOLE_STARS, lines,
                    IdIndex.of(range(d.users())), IdIndex.of(range(d.items())), null, 0, null);
        }
        return MovieLensReader.read(Path.of(spec), skipBadLines);
    }

    public static boolean isSynthetic(String spec) {
        return spec == null || spec.isBlank() || spec.equals("synthetic");
    }

    private static int[] range(int n) {
        int[] r = new int[n];
        for (int k = 0; k < n; k++) {
            r[k] = k;
        }
        return r;
    }
}
