package dev.winnow.recsys.movies;

import dev.winnow.engine.runtime.Echo;

import java.util.regex.Pattern;

/** Parsing of optional numeric CSV fields with a range check and an error that names the file, line and field. */
final class Numbers {
    /**
     * The numbers a movie CSV may hold: decimal digits with an optional sign, point and exponent. Double.parseDouble
     * alone would also take a type suffix ({@code 1000d}, {@code 2.5f}), {@code Infinity}, {@code NaN} and hex
     * ({@code 0x1p4}); the serving runtime ({@code DecimalParser.parse}) refuses those, and the two sides
     * must read every cell alike.
     */
    // possessive (++, *+): the same language as [+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?, without the
    // quadratic backtracking that form does on a long run of digits followed by a wrong character
    private static final Pattern DECIMAL =
            Pattern.compile("[+-]?+(?:[0-9]++(?:\\.[0-9]*+)?|\\.[0-9]++)(?:[eE][+-]?+[0-9]++)?");

    private Numbers() {
    }

    /** {@code raw} (already stripped) as a double; NumberFormatException unless it has the {@link #DECIMAL} form. */
    static double parse(String raw) {
        if (!DECIMAL.matcher(raw).matches()) {
            throw new NumberFormatException("not a decimal number: " + Echo.quote(raw));
        }
        return Double.parseDouble(raw);
    }

    /** The value of {@code column}, or null when the cell is empty; outside [min, max] or not a number is an error. */
    static Double optional(CsvRows.Row row, String column, double min, double max) {
        String raw = row.get(column).strip();
        if (raw.isEmpty()) {
            return null;
        }
        double v;
        try {
            v = parse(raw);
        } catch (NumberFormatException e) {
            throw row.error(column, Echo.quote(raw) + " is not a number");
        }
        if (!(v >= min && v <= max)) {
            throw row.error(column, Echo.quote(raw) + " is outside " + fmt(min) + ".." + fmt(max));
        }
        return v;
    }

    private static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
