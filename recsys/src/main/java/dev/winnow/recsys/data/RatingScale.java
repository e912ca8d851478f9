package dev.winnow.recsys.data;

import java.util.Locale;

/** The ratings a data set allows: a closed range and a step (1 for whole stars, 0.5 for half stars). */
public record RatingScale(float min, float max, float step) {

    public static final RatingScale WHOLE_STARS = new RatingScale(1f, 5f, 1f);
    public static final RatingScale HALF_STARS = new RatingScale(0.5f, 5f, 0.5f);

    public RatingScale {
        if (!(min < max) || !(step > 0f)) {
            throw new IllegalArgumentException("rating scale needs min < max and step > 0, got " + min + ".." + max
                    + " step " + step);
        }
    }

    /** Null when {@code r} is allowed, otherwise the reason it is not. */
    public String problem(double r) {
        if (!Double.isFinite(r) || r < min || r > max) {
            return String.format(Locale.ROOT, "rating %s is outside %s..%s", format(r), format(min), format(max));
        }
        double k = (r - min) / step;
        if (Math.abs(k - Math.rint(k)) > 1e-6) {
            return String.format(Locale.ROOT, "rating %s is not a multiple of %s stars", format(r), format(step));
        }
        return null;
    }

    private static String format(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    @Override
    public String toString() {
        return format(min) + ".." + format(max) + " step " + format(step);
    }
}
