package dev.winnow.recsys.data;

/** Resolves the {@code --data} option: {@code synthetic} (the embedded default) or a directory of real data. */
public final class DataSource {
    private DataSource() {
    }

    public static RatingData ratings(String spec, long seed) {
        if (spec == null || spec.isBlank() || spec.equals("synthetic")) {
            return SyntheticRatings.generate(seed);
        }
        throw new IllegalArgumentException("--data: '" + spec + "' is not supported yet; use --data synthetic");
    }
}
