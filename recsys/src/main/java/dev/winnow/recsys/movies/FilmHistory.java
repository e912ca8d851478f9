package dev.winnow.recsys.movies;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The historical feature group: for each relation between films (same director, each of the three billed actors,
 * a shared genre, the same content rating, a shared production company), statistics of the ratings of the TRAINING
 * films that share it and were released strictly before the film described. This is what Abarja and Wibowo (2020)
 * call a film's "historical values"; the layers of their CNN are not public, their features' relations are.
 *
 * <p>No leakage by construction: the index holds the training films only (never the validation carve or the test
 * films), and a film only sees films released strictly before it (by release date where both films have one, else
 * by year), so its own rating never enters its own features, nor does a later film's. Training films are described
 * the same way as every other film.
 *
 * <p>Per relation, {@link #STATS} columns: {@code count} (log1p of the number of related earlier films), {@code mean},
 * {@code min}, {@code max} and {@code last} (the rating of the latest of them) and a 0/1 {@code missing} flag (no
 * related earlier film: the four rating statistics are then 0). Every statistic but the flag is standardised with
 * the mean and standard deviation over the training films (over those that have one, for the rating statistics).
 * Columns are named {@code hist_<relation>_<stat>}; {@link #names()} lists them in vector order.
 *
 * @param keys       per key space ({@link #SPACES}), key -> the training films (indices into the arrays) carrying it
 * @param days       per training film, its release date as an epoch day, or {@link #NO_DAY}
 * @param years      per training film, its release year (from the date, else the year field), 0 when unknown
 * @param ratings    per training film, its rating
 * @param means      per column, the training mean subtracted
 * @param stds       per column, the training standard deviation divided by (1 for the flags)
 */
public record FilmHistory(List<Map<String, int[]>> keys, int[] days, int[] years, float[] ratings, double[] means,
                          double[] stds) {

    /** The relations, in vector order, each with the key space it looks films up in and the field it reads. */
    public static final List<String> RELATIONS = List.of("director", "actor_1", "actor_2", "actor_3", "genres",
            "content_rating", "production_companies");
    /** The key spaces: an actor is looked up among the films where they hold any of the three billed slots. */
    static final List<String> SPACES = List.of("director", "actor", "genre", "content_rating", "company");
    private static final int[] SPACE_OF = {0, 1, 1, 1, 2, 3, 4};
    public static final List<String> STATS = List.of("count", "mean", "min", "max", "last", "missing");
    public static final int NO_DAY = Integer.MIN_VALUE;

    /** Indexes {@code train} and fits the standardisation on the training films' own (raw) history features. */
    public static FilmHistory fit(List<Movie> train) {
        int n = train.size();
        List<Map<String, int[]>> index = new ArrayList<>();
        List<Map<String, List<Integer>>> building = new ArrayList<>();
        for (int s = 0; s < SPACES.size(); s++) {
            building.add(new HashMap<>());
        }
        int[] days = new int[n];
        int[] years = new int[n];
        float[] ratings = new float[n];
        for (int i = 0; i < n; i++) {
            Map<String, String> raw = train.get(i).fields();
            days[i] = day(raw);
            years[i] = year(raw, days[i]);
            ratings[i] = train.get(i).rating();
            for (int s = 0; s < SPACES.size(); s++) {
                for (String k : filmKeys(s, raw)) {
                    List<Integer> films = building.get(s).computeIfAbsent(k, x -> new ArrayList<>());
                    if (films.isEmpty() || films.get(films.size() - 1) != i) {
                        films.add(i);
                    }
                }
            }
        }
        for (Map<String, List<Integer>> m : building) {
            Map<String, int[]> frozen = new HashMap<>();
            m.forEach((k, v) -> frozen.put(k, v.stream().mapToInt(Integer::intValue).toArray()));
            index.add(frozen);
        }
        int width = RELATIONS.size() * STATS.size();
        double[] ones = new double[width];
        java.util.Arrays.fill(ones, 1);
        FilmHistory unscaled = new FilmHistory(index, days, years, ratings, new double[width], ones);
        double[] sum = new double[width];
        double[] sq = new double[width];
        int[] count = new int[width];
        for (Movie m : train) {
            double[] r = unscaled.raw(m.fields());
            for (int c = 0; c < width; c++) {
                if (!isFlag(c) && !(isRatingStat(c) && missing(r, c))) {
                    sum[c] += r[c];
                    sq[c] += r[c] * r[c];
                    count[c]++;
                }
            }
        }
        double[] means = new double[width];
        double[] stds = new double[width];
        for (int c = 0; c < width; c++) {
            means[c] = count[c] == 0 ? 0 : sum[c] / count[c];
            double var = count[c] == 0 ? 0 : sq[c] / count[c] - means[c] * means[c];
            stds[c] = var > 1e-12 ? Math.sqrt(var) : 1;
            if (isFlag(c)) {
                means[c] = 0;
                stds[c] = 1;
            }
        }
        return new FilmHistory(index, days, years, ratings, means, stds);
    }

    /** Number of columns: relations x statistics. */
    public int width() {
        return RELATIONS.size() * STATS.size();
    }

    /** Column names in vector order: {@code hist_director_count, hist_director_mean, ...}. */
    public static List<String> names() {
        List<String> out = new ArrayList<>();
        for (String r : RELATIONS) {
            for (String s : STATS) {
                out.add("hist_" + r + "_" + s);
            }
        }
        return out;
    }

    /** The standardised history features of a film with these raw fields, written into {@code out} at {@code o}. */
    public void transform(Map<String, String> raw, float[] out, int o) {
        double[] r = raw(raw);
        for (int c = 0; c < r.length; c++) {
            out[o + c] = isFlag(c) ? (float) r[c]
                    : isRatingStat(c) && missing(r, c) ? 0f : (float) ((r[c] - means[c]) / stds[c]);
        }
    }

    private static boolean isFlag(int column) {
        return column % STATS.size() == STATS.size() - 1;
    }

    /** mean, min, max, last: undefined when the relation has no earlier film. */
    private static boolean isRatingStat(int column) {
        return column % STATS.size() != 0 && !isFlag(column);
    }

    /** Whether the relation of {@code column} has no earlier film, in a vector of {@link #raw} statistics. */
    private static boolean missing(double[] raw, int column) {
        return raw[column - column % STATS.size() + STATS.size() - 1] == 1;
    }

    /** Unstandardised statistics per relation: log1p(count), mean, min, max, last, missing flag. */
    double[] raw(Map<String, String> raw) {
        int qDay = day(raw);
        int qYear = year(raw, qDay);
        double[] out = new double[width()];
        int[] stamp = new int[ratings.length];
        for (int r = 0; r < RELATIONS.size(); r++) {
            int space = SPACE_OF[r];
            Map<String, int[]> films = keys.get(space);
            int n = 0;
            double sum = 0;
            double min = Double.POSITIVE_INFINITY;
            double max = Double.NEGATIVE_INFINITY;
            double last = 0;
            long lastTime = Long.MIN_VALUE;
            for (String k : relationKeys(r, raw)) {
                for (int i : films.getOrDefault(k, new int[0])) {
                    if (stamp[i] == r + 1 || !before(days[i], years[i], qDay, qYear)) {
                        continue;
                    }
                    stamp[i] = r + 1;
                    double v = ratings[i];
                    n++;
                    sum += v;
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                    long t = time(days[i], years[i]);
                    if (t > lastTime) {
                        lastTime = t;
                        last = v;
                    }
                }
            }
            int o = r * STATS.size();
            out[o] = Math.log1p(n);
            if (n == 0) {
                out[o + 5] = 1;
            } else {
                out[o + 1] = sum / n;
                out[o + 2] = min;
                out[o + 3] = max;
                out[o + 4] = last;
            }
        }
        return out;
    }

    /** Whether a film released at (day, year) came out strictly before one released at (qDay, qYear). */
    static boolean before(int day, int year, int qDay, int qYear) {
        if (day != NO_DAY && qDay != NO_DAY) {
            return day < qDay;
        }
        return year != 0 && qYear != 0 && year < qYear;
    }

    /** An order for "latest": the date, else the first day of the year. */
    private static long time(int day, int year) {
        return day != NO_DAY ? day : LocalDate.of(year, 1, 1).toEpochDay();
    }

    /** The keys a film of the index carries in key space {@code s}. */
    private static List<String> filmKeys(int s, Map<String, String> raw) {
        switch (SPACES.get(s)) {
            case "director": return single(raw.get(MovieFields.DIRECTOR_NAME));
            case "actor": {
                List<String> out = new ArrayList<>();
                out.addAll(single(raw.get(MovieFields.ACTOR_1_NAME)));
                out.addAll(single(raw.get(MovieFields.ACTOR_2_NAME)));
                out.addAll(single(raw.get(MovieFields.ACTOR_3_NAME)));
                return out;
            }
            case "genre": return MovieFields.list(raw.get(MovieFields.GENRES));
            case "content_rating": return single(raw.get(MovieFields.CONTENT_RATING));
            case "company": return MovieFields.list(raw.get(MovieFields.PRODUCTION_COMPANIES));
            default: throw new AssertionError(s);
        }
    }

    /** The keys relation {@code r} of the described film looks up. */
    private static List<String> relationKeys(int r, Map<String, String> raw) {
        switch (RELATIONS.get(r)) {
            case "actor_1": return single(raw.get(MovieFields.ACTOR_1_NAME));
            case "actor_2": return single(raw.get(MovieFields.ACTOR_2_NAME));
            case "actor_3": return single(raw.get(MovieFields.ACTOR_3_NAME));
            default: return filmKeys(SPACE_OF[r], raw);
        }
    }

    private static List<String> single(String v) {
        return v == null || v.isBlank() ? List.of() : List.of(v.strip());
    }

    /** The release date as an epoch day, or {@link #NO_DAY} when absent or unreadable. */
    static int day(Map<String, String> raw) {
        String d = raw.get(MovieFields.RELEASE_DATE);
        if (d == null || d.isBlank()) {
            return NO_DAY;
        }
        try {
            return (int) LocalDate.parse(d.strip()).toEpochDay();
        } catch (DateTimeParseException e) {
            return NO_DAY;
        }
    }

    private static int year(Map<String, String> raw, int day) {
        if (day != NO_DAY) {
            return LocalDate.ofEpochDay(day).getYear();
        }
        double y = MovieFeatures.numericValue(MovieFields.YEAR, raw);
        return Double.isNaN(y) ? 0 : (int) y;
    }
}
