package dev.winnow.recsys.data;

import dev.winnow.engine.runtime.CsvReader;
import dev.winnow.engine.runtime.Echo;
import dev.winnow.engine.runtime.InputLines;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads the three MovieLens rating formats and detects which one a directory holds:
 * <ul>
 *   <li>100K: {@code u.data}, tab-separated {@code user item rating timestamp}, with the item catalogue {@code u.item}
 *   ({@code |}-separated, ISO-8859-1) and the user list {@code u.user} when present;</li>
 *   <li>1M: {@code ratings.dat}, {@code UserID::MovieID::Rating::Timestamp};</li>
 *   <li>latest: {@code ratings.csv}, a CSV with the header {@code userId,movieId,rating,timestamp}, half stars.</li>
 * </ul>
 * A malformed line stops the load with {@code file:line: what is wrong} unless bad lines are skipped; blank lines are
 * not data and are passed over; a leading UTF-8 byte-order mark is dropped ({@link DataFileReader}).
 */
public final class MovieLensReader {
    public static final String ML100K_RATINGS = "u.data";
    public static final String ML1M_RATINGS = "ratings.dat";
    public static final String LATEST_RATINGS = "ratings.csv";
    private static final int ML100K_GENRES = 19;

    private MovieLensReader() {
    }

    /** Whether {@code dir} (or the file it names) holds one of the MovieLens rating files. */
    public static boolean isMovieLens(Path dir) {
        return ratingsFile(dir) != null;
    }

    /** Loads whichever MovieLens format {@code path} holds; {@code path} may be the directory or the ratings file. */
    public static LoadedRatings read(Path path, boolean skipBadLines) {
        if (!Files.exists(path)) {
            throw new DataFormatException(path + ": no such file or directory; --data expects 'synthetic' or a "
                    + "directory holding u.data (MovieLens 100K), ratings.dat (MovieLens 1M) or ratings.csv "
                    + "(MovieLens latest)");
        }
        Path file = ratingsFile(path);
        if (file == null) {
            throw new DataFormatException(path + ": no ratings file found; expected " + ML100K_RATINGS
                    + " (MovieLens 100K), " + ML1M_RATINGS + " (MovieLens 1M) or " + LATEST_RATINGS
                    + " (MovieLens latest)");
        }
        String name = file.getFileName().toString();
        switch (name) {
            case ML100K_RATINGS: return readMl100k(file, skipBadLines);
            case ML1M_RATINGS: return readMl1m(file, skipBadLines);
            default: return readLatest(file, skipBadLines);
        }
    }

    private static Path ratingsFile(Path path) {
        if (Files.isRegularFile(path)) {
            String n = path.getFileName().toString();
            return n.equals(ML100K_RATINGS) || n.equals(ML1M_RATINGS) || n.equals(LATEST_RATINGS) ? path : null;
        }
        for (String n : new String[] {ML100K_RATINGS, ML1M_RATINGS, LATEST_RATINGS}) {
            Path f = path.resolve(n);
            if (Files.isRegularFile(f)) {
                return f;
            }
        }
        return null;
    }

    // ---- MovieLens 100K --------------------------------------------------------------------------------------------

    /** u.data, with u.item / u.user beside it (when present) fixing the item and user id spaces. */
    public static LoadedRatings readMl100k(Path uData, boolean skipBadLines) {
        Path dir = uData.toAbsolutePath().getParent();
        Path uItem = dir.resolve("u.item");
        Path uUser = dir.resolve("u.user");
        ItemCatalogue items = Files.isRegularFile(uItem) ? readUItem(uItem) : null;
        IdIndex users = Files.isRegularFile(uUser) ? readUUser(uUser) : null;
        BadLines bad = new BadLines(uData.getFileName().toString(), skipBadLines);
        RawRatings raw = new RawRatings();
        forEachLine(uData, StandardCharsets.ISO_8859_1, bad, (lineNo, line) -> {
            String[] f = line.strip().split("\\s+", -1);
            if (f.length != 4) {
                bad.report(lineNo, "expected 4 tab-separated fields (user item rating timestamp), found " + f.length);
                return;
            }
            addRating(raw, bad, lineNo, f, RatingScale.WHOLE_STARS, users, "u.user",
                    items == null ? null : items.ids, "u.item");
        });
        return build("ml-100k", uData, raw, bad, RatingScale.WHOLE_STARS, users, items == null ? null : items.ids,
                items == null ? null : items.titles);
    }

    private record ItemCatalogue(IdIndex ids, String[] titles) {
    }

    private static ItemCatalogue readUItem(Path uItem) {
        List<String[]> rows = readPipeSeparated(uItem, StandardCharsets.ISO_8859_1, 5 + ML100K_GENRES,
                "movie id|title|release date|video release date|IMDb URL|19 genre flags");
        int[] ids = new int[rows.size()];
        for (int k = 0; k < rows.size(); k++) {
            ids[k] = parseId(rows.get(k)[0], "movie id", "u.item", k + 1);
        }
        IdIndex index = IdIndex.ofCatalogue(ids);
        if (index.size() != ids.length) {
            throw new DataFormatException("u.item: movie ids repeat (" + ids.length + " lines, " + index.size()
                    + " distinct ids)");
        }
        String[] titles = new String[ids.length];
        for (String[] row : rows) {
            titles[index.indexOf(Integer.parseInt(row[0].strip()))] = row[1];
        }
        return new ItemCatalogue(index, titles);
    }

    private static IdIndex readUUser(Path uUser) {
        List<String[]> rows = readPipeSeparated(uUser, StandardCharsets.ISO_8859_1, 5,
                "user id|age|gender|occupation|zip code");
        int[] ids = new int[rows.size()];
        for (int k = 0; k < rows.size(); k++) {
            ids[k] = parseId(rows.get(k)[0], "user id", "u.user", k + 1);
        }
        IdIndex index = IdIndex.ofCatalogue(ids);
        if (index.size() != ids.length) {
            throw new DataFormatException("u.user: user ids repeat (" + ids.length + " lines, " + index.size()
                    + " distinct ids)");
        }
        return index;
    }

    /** A side file with '|' between fields and no quoting (titles contain quotes and commas, never '|'). */
    private static List<String[]> readPipeSeparated(Path file, Charset cs, int fields, String layout) {
        List<String[]> rows = new ArrayList<>();
        String name = file.getFileName().toString();
        try (InputLines in = DataFileReader.lines(file, cs)) {
            while (in.next()) {
                String line = lineOf(in, name);
                if (line.isBlank()) {
                    continue;
                }
                String[] row = line.split("\\|", -1);
                if (row.length != fields) {
                    throw new DataFormatException(name + ":" + in.number() + ": expected " + fields + " '|'-separated"
                            + " fields (" + layout + "), found " + row.length);
                }
                rows.add(row);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(name + ": cannot read: " + e.getMessage(), e);
        }
        if (rows.isEmpty()) {
            throw new DataFormatException(name + ": the file is empty; expected one line per entry (" + layout + ")");
        }
        return rows;
    }

    /** The current line's text; a line with bad bytes or too long to hold stops the read with FILE:LINE. */
    private static String lineOf(InputLines in, String name) {
        if (in.tooLong()) {
            throw new DataFormatException(name + ":" + in.number() + ": " + DataFileReader.tooLong());
        }
        if (in.malformed()) {
            throw new DataFormatException(name + ":" + in.number() + ": bytes not valid in the file's encoding");
        }
        return DataFileReader.text(in);
    }

    // ---- MovieLens 1M ----------------------------------------------------------------------------------------------

    public static LoadedRatings readMl1m(Path ratingsDat, boolean skipBadLines) {
        BadLines bad = new BadLines(ratingsDat.getFileName().toString(), skipBadLines);
        RawRatings raw = new RawRatings();
        forEachLine(ratingsDat, StandardCharsets.ISO_8859_1, bad, (lineNo, line) -> {
            String[] f = splitDoubleColon(line.strip());
            if (f.length != 4) {
                bad.report(lineNo, "expected 4 '::'-separated fields (UserID::MovieID::Rating::Timestamp), found "
                        + f.length);
                return;
            }
            addRating(raw, bad, lineNo, f, RatingScale.WHOLE_STARS, null, null, null, null);
        });
        return build("ml-1m", ratingsDat, raw, bad, RatingScale.WHOLE_STARS, null, null, null);
    }

    private static String[] splitDoubleColon(String line) {
        List<String> out = new ArrayList<>(4);
        int from = 0;
        while (true) {
            int k = line.indexOf("::", from);
            if (k < 0) {
                out.add(line.substring(from));
                return out.toArray(new String[0]);
            }
            out.add(line.substring(from, k));
            from = k + 2;
        }
    }

    // ---- MovieLens latest ------------------------------------------------------------------------------------------

    public static LoadedRatings readLatest(Path ratingsCsv, boolean skipBadLines) {
        String name = ratingsCsv.getFileName().toString();
        BadLines bad = new BadLines(name, skipBadLines);
        RawRatings raw = new RawRatings();
        try (InputLines lines = DataFileReader.lines(ratingsCsv, StandardCharsets.UTF_8)) {
            CsvReader csv = new CsvReader(lines);
            int[] column = null;
            int width = 0;
            List<String> row = new ArrayList<>(8);
            while (csv.next()) {
                long line = csv.line();
                if (csv.stopped() || (column == null && csv.problem() != null)) {
                    // a line or record too long to hold ends the read; a broken header leaves no columns to go by
                    throw new DataFormatException(name + ":" + line + ": " + csv.problem());
                }
                row.clear();
                for (int k = 0; k < csv.size(); k++) {
                    row.add(csv.field(k).toString().strip());
                }
                if (row.size() == 1 && row.get(0).isEmpty() && csv.problem() == null) {
                    continue; // a blank line
                }
                if (column == null) {
                    column = headerColumns(name, row);
                    width = row.size();
                    continue;
                }
                if (csv.problem() != null) {
                    bad.report(line, csv.problem());
                    continue;
                }
                if (row.size() != width) {
                    bad.report(line, "expected " + width + " comma-separated fields like the header, found "
                            + row.size());
                    continue;
                }
                String[] f = {row.get(column[0]), row.get(column[1]), row.get(column[2]),
                    column[3] < 0 ? "0" : row.get(column[3])};
                addRating(raw, bad, line, f, RatingScale.HALF_STARS, null, null, null, null);
            }
            if (column == null) {
                throw new DataFormatException(name + ": empty file; expected a header "
                        + "userId,movieId,rating,timestamp and one rating per line");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(name + ": cannot read: " + e.getMessage(), e);
        }
        return build("ml-latest", ratingsCsv, raw, bad, RatingScale.HALF_STARS, null, null, null);
    }

    /** Positions of userId, movieId, rating, timestamp (-1 when absent: it is optional) in the header. */
    private static int[] headerColumns(String name, List<String> header) {
        String[] wanted = {"userId", "movieId", "rating", "timestamp"};
        int[] col = {-1, -1, -1, -1};
        for (int i = 0; i < header.size(); i++) {
            String h = header.get(i).strip();
            for (int w = 0; w < wanted.length; w++) {
                if (h.equalsIgnoreCase(wanted[w])) {
                    col[w] = i;
                }
            }
        }
        for (int w = 0; w < 3; w++) {
            if (col[w] < 0) {
                throw new DataFormatException(name + ":1: header has no '" + wanted[w] + "' column; expected "
                        + "userId,movieId,rating,timestamp, found " + Echo.quote(String.join(",", header)));
            }
        }
        return col;
    }

    // ---- shared ----------------------------------------------------------------------------------------------------

    @FunctionalInterface
    private interface LineHandler {
        void accept(long lineNo, String line);
    }

    /**
     * Hands each non-blank line to {@code handler}. A line whose bytes are not valid in {@code cs} goes to
     * {@code bad} like any malformed line; one too long to hold ends the read whatever the policy.
     */
    private static void forEachLine(Path file, Charset cs, BadLines bad, LineHandler handler) {
        try (InputLines in = DataFileReader.lines(file, cs)) {
            while (in.next()) {
                long lineNo = in.number();
                if (in.tooLong()) {
                    throw new DataFormatException(bad.file() + ":" + lineNo + ": " + DataFileReader.tooLong());
                }
                if (in.malformed()) {
                    bad.report(lineNo, "invalid " + cs.name());
                    continue;
                }
                String line = DataFileReader.text(in);
                if (!line.isBlank()) {
                    handler.accept(lineNo, line);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(file.getFileName() + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** Parses the four fields user, item, rating, timestamp of one line and adds them, or reports the line. */
    private static void addRating(RawRatings raw, BadLines bad, long lineNo, String[] f, RatingScale scale,
                                  IdIndex users, String userFile, IdIndex items, String itemFile) {
        Integer u = positiveInt(f[0], "user id", bad, lineNo);
        if (u == null) {
            return;
        }
        Integer i = positiveInt(f[1], "item id", bad, lineNo);
        if (i == null) {
            return;
        }
        double r;
        try {
            r = Double.parseDouble(f[2].strip());
        } catch (NumberFormatException e) {
            bad.report(lineNo, "rating " + Echo.quote(f[2]) + " is not a number; expected " + scale);
            return;
        }
        if (!Double.isFinite(r)) {
            bad.report(lineNo, "rating " + Echo.quote(f[2].strip()) + " is not a finite number; expected " + scale);
            return;
        }
        String problem = scale.problem(r);
        if (problem != null) {
            bad.report(lineNo, problem);
            return;
        }
        long t;
        try {
            t = Long.parseLong(f[3].strip());
        } catch (NumberFormatException e) {
            bad.report(lineNo, "timestamp " + Echo.quote(f[3]) + " is not a whole number of seconds");
            return;
        }
        if (t < 0) {
            bad.report(lineNo, "timestamp " + t + " is negative; expected seconds since 1970");
            return;
        }
        if (users != null && users.indexOf(u) < 0) {
            bad.report(lineNo, "user id " + u + " is not in " + userFile + " (" + users.size() + " users, ids "
                    + users.rawId(0) + ".." + users.rawId(users.size() - 1) + ")");
            return;
        }
        if (items != null && items.indexOf(i) < 0) {
            bad.report(lineNo, "item id " + i + " is not in " + itemFile + " (" + items.size() + " items, ids "
                    + items.rawId(0) + ".." + items.rawId(items.size() - 1) + ")");
            return;
        }
        raw.add(u, i, (float) r, t, lineNo);
    }

    private static Integer positiveInt(String s, String field, BadLines bad, long lineNo) {
        try {
            int v = Integer.parseInt(s.strip());
            if (v < 0) {
                bad.report(lineNo, field + " " + v + " is negative; expected 0.." + Integer.MAX_VALUE);
                return null;
            }
            return v;
        } catch (NumberFormatException e) {
            bad.report(lineNo, field + " " + Echo.quote(s) + " " + notAnInt(s));
            return null;
        }
    }

    private static int parseId(String s, String field, String file, long line) {
        try {
            return Integer.parseInt(s.strip());
        } catch (NumberFormatException e) {
            throw new DataFormatException(file + ":" + line + ": " + field + " " + Echo.quote(s) + " " + notAnInt(s));
        }
    }

    /** Why Integer.parseInt refused {@code s}: a whole number out of int range, or not a whole number at all. */
    private static String notAnInt(String s) {
        return s.strip().matches("[+-]?[0-9]+") ? "is outside 0.." + Integer.MAX_VALUE
                : "is not a whole number";
    }

    private static LoadedRatings build(String format, Path file, RawRatings raw, BadLines bad, RatingScale scale,
                                       IdIndex users, IdIndex items, String[] titles) {
        String name = file.getFileName().toString();
        if (raw.size() == 0) {
            if (bad.skipped() > 0) {
                throw new DataFormatException(name + ": no ratings left: all " + bad.skipped()
                        + " lines were bad and skipped (first: " + bad.firstMessage() + ")");
            }
            throw new DataFormatException(name + ": the data set is empty: no ratings found");
        }
        int[] ru = raw.users();
        int[] ri = raw.items();
        IdIndex userIds = users != null ? users : IdIndex.of(ru);
        IdIndex itemIds = items != null ? items : IdIndex.of(ri);
        int n = raw.size();
        int[] u = new int[n];
        int[] it = new int[n];
        for (int k = 0; k < n; k++) {
            u[k] = userIds.indexOf(ru[k]);
            it[k] = itemIds.indexOf(ri[k]);
        }
        RatingData data = new RatingData(format, userIds.size(), itemIds.size(), u, it, raw.ratings(), raw.times(),
                scale.min(), scale.max());
        return new LoadedRatings(format, file, data, scale, raw.lines(), userIds, itemIds, titles, bad.skipped(),
                bad.firstMessage());
    }

    /** One line summarising the load, for the command's log. */
    public static String describe(LoadedRatings d) {
        String s = String.format(Locale.ROOT, "%s (%s): %d ratings, %d users, %d items, ratings %s", d.format(),
                d.ratingsFile(), d.ratings().size(), d.ratings().users(), d.ratings().items(), d.scale());
        if (d.skippedLines() > 0) {
            s += String.format(Locale.ROOT, "; skipped %d bad lines (first: %s)", d.skippedLines(), d.firstSkipped());
        }
        return s;
    }
}
