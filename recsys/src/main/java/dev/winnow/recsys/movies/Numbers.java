package dev.winnow.recsys.movies;

/** Parsing of optional numeric CSV fields with a range check and an error that names the file, line and field. */
final class Numbers {
    private Numbers() {
    }

    /** The value of {@code column}, or null when the cell is empty; outside [min, max] or not a number is an error. */
    static Double optional(CsvRows.Row row, String column, double min, double max) {
        String raw = row.get(column).strip();
        if (raw.isEmpty()) {
            return null;
        }
        double v;
        try {
            v = Double.parseDouble(raw);
        } catch (NumberFormatException e) {
            throw row.error(column, "'" + raw + "' is not a number");
        }
        if (!(v >= min && v <= max)) {
            throw row.error(column, raw + " is outside " + fmt(min) + ".." + fmt(max));
        }
        return v;
    }

    private static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
