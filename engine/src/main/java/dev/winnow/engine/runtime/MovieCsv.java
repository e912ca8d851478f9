package dev.winnow.engine.runtime;

import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;

/**
 * Streams films from a CSV through a {@link MovieRatingModel}: what {@code winnow infer} and the runtime jar's main do
 * with a movie model. The header names the columns; the model's raw fields ({@link MovieRatingModel#fields()}) must
 * all be there (an empty value means missing), other columns are ignored. Writes {@code ID,rating} per film, where ID
 * is the value of the id column (default {@code id}, when the header has one) or else the film's 1-based row number
 * among the data rows, and the rating has 4 decimals. A row that cannot be read (wrong field count, a number or date
 * field whose value is not one, a broken quote, bytes that are not UTF-8) is reported as {@code SOURCE:LINE: problem;
 * row skipped} and the rest go on; a line or record too long to hold ends the run with one such message.
 */
public final class MovieCsv {
    private MovieCsv() {
    }

    /** What a run did. A class, not a record: a record's generated methods cost the runtime jar 0.3 KB. */
    public static final class Counts {
        private final long predictions;
        private final long badRows;

        public Counts(long predictions, long badRows) {
            this.predictions = predictions;
            this.badRows = badRows;
        }

        public long predictions() {
            return predictions;
        }

        public long badRows() {
            return badRows;
        }
    }

    /**
     * @param idColumn the column whose values name the films in the output; null: {@code id} if the header has it,
     *                 else row numbers
     * @throws IllegalArgumentException when the input is empty, or the header lacks a field the model reads or the
     *                                  named id column (one message naming every missing column), or has a field the
     *                                  model reads more than once
     */
    public static Counts run(MovieRatingModel model, InputLines input, String source, String idColumn, Writer out,
                             PrintStream err) throws IOException {
        CsvReader csv = new CsvReader(input);
        if (!csv.next()) {
            throw new IllegalArgumentException(source + ": empty file; expected a header naming the columns "
                    + String.join(",", model.fields()));
        }
        if (csv.problem() != null) {
            throw new IllegalArgumentException(source + ":" + csv.line() + ": header: " + csv.problem());
        }
        int columns = csv.size();
        String[] header = new String[columns];
        for (int c = 0; c < columns; c++) {
            header[c] = csv.field(c).toString().strip();
        }
        int[] column = new int[model.fields().size()];
        StringBuilder missing = new StringBuilder();
        for (int f = 0; f < column.length; f++) {
            column[f] = indexOf(header, model.fields().get(f));
            if (column[f] < 0) {
                missing.append(missing.length() == 0 ? "'" : ", '").append(model.fields().get(f)).append('\'');
            }
            for (int c = column[f] + 1; column[f] >= 0 && c < columns; c++) {
                if (header[c].equals(header[column[f]])) {
                    throw new IllegalArgumentException(source + ":" + csv.line() + ": the header has the column '"
                            + header[c] + "' more than once (columns " + (column[f] + 1) + " and " + (c + 1)
                            + "); the model reads it, so keep one");
                }
            }
        }
        int id = indexOf(header, idColumn == null ? "id" : idColumn);
        if (id < 0 && idColumn != null) {
            missing.append(missing.length() == 0 ? "'" : ", '").append(idColumn).append("' (--id-column)");
        }
        if (missing.length() > 0) {
            throw new IllegalArgumentException(source + ":" + csv.line() + ": the header has no column " + missing
                    + "; the model reads " + String.join(",", model.fields())
                    + " (add the column: an empty value means missing)");
        }
        out.write(id < 0 ? "row" : quoted(header[id]));
        out.write(",rating\n");
        MovieRatingModel.Request request = model.newRequest();
        StringBuilder row = new StringBuilder(64);
        long rows = 0;
        long good = 0;
        long bad = 0;
        while (csv.next()) {
            if (csv.size() == 1 && csv.problem() == null && csv.field(0).toString().isBlank()) {
                continue;
            }
            rows++;
            String problem = csv.problem();
            if (problem == null && csv.size() != columns) {
                problem = "expected " + columns + " fields as in the header, found " + csv.size();
            }
            float rating = 0;
            if (problem == null) {
                for (int f = 0; f < column.length; f++) {
                    request.set(f, csv.field(column[f]));
                }
                rating = request.predict();
                int b = request.badField();
                if (b >= 0) {
                    problem = "column '" + model.fields().get(b) + "': " + Echo.quote(csv.field(column[b])) + " is not "
                            + (model.isNumberField(b) ? "a finite number" : "a date (yyyy-mm-dd)");
                }
            }
            if (problem != null) {
                err.println(source + ":" + csv.line() + ": " + problem + (csv.stopped() ? "" : "; row skipped"));
                bad++;
                continue;
            }
            row.setLength(0);
            if (id < 0) {
                row.append(rows);
            } else {
                row.append(quoted(csv.field(id).toString()));
            }
            row.append(',');
            appendRating(rating, row);
            row.append('\n');
            out.append(row);
            good++;
        }
        request.clear();
        out.flush();
        return new Counts(good, bad);
    }

    private static int indexOf(String[] header, String name) {
        for (int c = 0; c < header.length; c++) {
            if (header[c].equals(name)) {
                return c;
            }
        }
        return -1;
    }

    /** RFC 4180 quoting where the value needs it. */
    static String quoted(String v) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == ',' || c == '"' || c == '\n' || c == '\r') {
                return '"' + v.replace("\"", "\"\"") + '"';
            }
        }
        return v;
    }

    /**
     * {@code String.format("%.4f", v)} without java.util.Formatter (whose start-up cost the runtime jar avoids): a
     * float times 10^4 is exact in a double, so rounding it half-up is the formatter's HALF_UP rounding.
     */
    static void appendRating(float v, StringBuilder sb) {
        if (!Float.isFinite(v) || Math.abs(v) >= 1e9f) {
            sb.append(Float.isFinite(v) ? new java.math.BigDecimal(v).setScale(4, java.math.RoundingMode.HALF_UP)
                    .toPlainString() : Float.toString(v));
            return;
        }
        if (Float.floatToRawIntBits(v) < 0) {
            sb.append('-');
        }
        long r = (long) Math.floor(Math.abs((double) v) * 10_000 + 0.5);
        sb.append(r / 10_000).append('.');
        long frac = r % 10_000;
        for (long p = 1000; p > frac && p > 1; p /= 10) {
            sb.append('0');
        }
        sb.append(frac);
    }
}
