package dev.winnow.recsys.movies;

import dev.winnow.recsys.model.Dcnn;

import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The fitted state of the movie feature pipeline: everything {@link #transform} needs to turn a film's raw fields
 * into a model input, and nothing else (plain arrays and lists, so it can be written into a model file). Fitted on
 * the training films only ({@link #fit}); validation and test films are transformed with the training statistics.
 *
 * <p>Layout of the vector: for each numeric input its z-score (log1p first where {@code logScaled}; a missing value
 * gives 0) and a 0/1 missing flag; for each categorical field a multi-hot block over its vocabulary plus a final
 * "other" slot for values seen fewer than {@code minCount} times in training (or never); for each text field a block
 * of {@code hashDim} hashed TF-IDF weights (token -> FNV-1a 32-bit hash mod hashDim; tf = 1 + ln(count); idf =
 * ln((1 + N) / (1 + df)) + 1 with N training films; the block is L2-normalised); last, with the historical group,
 * the {@link FilmHistory} columns. {@code history} is null without that group, and in a pipeline read back from a
 * checkpoint (which keeps no rating history: such a model cannot be exported).
 */
public record MovieFeatures(
        List<String> groups,
        List<String> numericNames,
        boolean[] logScaled,
        double[] means,
        double[] stds,
        List<String> categoricalFields,
        List<List<String>> vocabularies,
        List<String> textFields,
        int hashDim,
        List<float[]> idf,
        double targetMean,
        FilmHistory history) {

    /** A pipeline without the historical group (what a checkpoint holds). */
    public MovieFeatures(List<String> groups, List<String> numericNames, boolean[] logScaled, double[] means,
                         double[] stds, List<String> categoricalFields, List<List<String>> vocabularies,
                         List<String> textFields, int hashDim, List<float[]> idf, double targetMean) {
        this(groups, numericNames, logScaled, means, stds, categoricalFields, vocabularies, textFields, hashDim, idf,
                targetMean, null);
    }

    /** Heavy-tailed inputs (money, likes) are standardised on the log scale. */
    private static final Set<String> LOG_SCALED = Set.of("budget", MovieFields.ACTOR_1_LIKES,
            MovieFields.ACTOR_2_LIKES, MovieFields.ACTOR_3_LIKES, MovieFields.DIRECTOR_LIKES, MovieFields.CAST_LIKES);

    public static final int DEFAULT_HASH_DIM = 64;
    public static final int DEFAULT_MIN_COUNT = 5;

    /** Fits statistics, vocabularies and idf weights on {@code train} (and the target mean on its ratings). */
    public static MovieFeatures fit(List<Movie> train, Set<FeatureGroup> groups, int hashDim, int minCount) {
        if (train.isEmpty()) {
            throw new IllegalArgumentException("cannot fit movie features on an empty training set");
        }
        if (hashDim <= 0) {
            throw new IllegalArgumentException("hash dimension must be positive, got " + hashDim);
        }
        List<String> groupNames = new ArrayList<>();
        List<String> numeric = new ArrayList<>();
        List<String> categorical = new ArrayList<>();
        List<String> text = new ArrayList<>();
        for (FeatureGroup g : FeatureGroup.values()) {
            if (groups.contains(g)) {
                groupNames.add(g.name().toLowerCase(java.util.Locale.ROOT));
                numeric.addAll(g.numeric());
                categorical.addAll(g.categorical());
                text.addAll(g.text());
            }
        }
        int n = train.size();
        boolean[] log = new boolean[numeric.size()];
        double[] means = new double[numeric.size()];
        double[] stds = new double[numeric.size()];
        for (int j = 0; j < numeric.size(); j++) {
            log[j] = LOG_SCALED.contains(numeric.get(j));
            double sum = 0;
            double sq = 0;
            int count = 0;
            for (Movie m : train) {
                double v = numericValue(numeric.get(j), m.fields());
                if (!Double.isNaN(v)) {
                    v = log[j] ? Math.log1p(Math.max(0, v)) : v;
                    sum += v;
                    sq += v * v;
                    count++;
                }
            }
            means[j] = count == 0 ? 0 : sum / count;
            double var = count == 0 ? 0 : sq / count - means[j] * means[j];
            stds[j] = var > 1e-12 ? Math.sqrt(var) : 1;
        }
        List<List<String>> vocabs = new ArrayList<>();
        for (String field : categorical) {
            Map<String, Integer> counts = new HashMap<>();
            for (Movie m : train) {
                for (String v : new HashSet<>(MovieFields.list(m.fields().get(field)))) {
                    counts.merge(v, 1, Integer::sum);
                }
            }
            List<String> vocab = new ArrayList<>();
            counts.forEach((k, c) -> {
                if (c >= minCount) {
                    vocab.add(k);
                }
            });
            vocab.sort(Comparator.<String>comparingInt(counts::get).reversed().thenComparing(Comparator.naturalOrder()));
            vocabs.add(List.copyOf(vocab));
        }
        List<float[]> idf = new ArrayList<>();
        for (String field : text) {
            int[] df = new int[hashDim];
            for (Movie m : train) {
                Set<Integer> seen = new HashSet<>();
                for (String token : tokens(m.fields().get(field))) {
                    seen.add(bucket(token, hashDim));
                }
                for (int b : seen) {
                    df[b]++;
                }
            }
            float[] w = new float[hashDim];
            for (int b = 0; b < hashDim; b++) {
                w[b] = (float) (Math.log((1.0 + n) / (1.0 + df[b])) + 1.0);
            }
            idf.add(w);
        }
        double targetSum = 0;
        for (Movie m : train) {
            targetSum += m.rating();
        }
        return new MovieFeatures(List.copyOf(groupNames), List.copyOf(numeric), log, means, stds,
                List.copyOf(categorical), List.copyOf(vocabs), List.copyOf(text), hashDim,
                Collections.unmodifiableList(idf), targetSum / n,
                groups.contains(FeatureGroup.HISTORICAL) ? FilmHistory.fit(train) : null);
    }

    /** Length of the vectors {@link #transform} returns. */
    public int width() {
        return textStart() + textFields.size() * hashDim + (history == null ? 0 : history.width());
    }

    /** Offset of the first text block: the numeric pairs and the categorical blocks come before it. */
    public int textStart() {
        int w = 2 * numericNames.size();
        for (List<String> v : vocabularies) {
            w += v.size() + 1;
        }
        return w;
    }

    /** Where the text fields' hashed blocks sit in the vector: what the DCNN's embedding-bag front end reads. */
    public Dcnn.TextBlocks textBlocks() {
        return textFields.isEmpty() ? Dcnn.TextBlocks.NONE : new Dcnn.TextBlocks(textStart(), textFields.size(),
                hashDim);
    }

    /** One film's feature vector from its raw fields (names of {@link MovieFields}; absent = missing). */
    public float[] transform(Map<String, String> raw) {
        float[] out = new float[width()];
        int o = 0;
        for (int j = 0; j < numericNames.size(); j++) {
            double v = numericValue(numericNames.get(j), raw);
            if (Double.isNaN(v)) {
                out[o + 1] = 1f;
            } else {
                v = logScaled[j] ? Math.log1p(Math.max(0, v)) : v;
                out[o] = (float) ((v - means[j]) / stds[j]);
            }
            o += 2;
        }
        for (int j = 0; j < categoricalFields.size(); j++) {
            List<String> vocab = vocabularies.get(j);
            for (String v : MovieFields.list(raw.get(categoricalFields.get(j)))) {
                int k = vocab.indexOf(v);
                out[o + (k < 0 ? vocab.size() : k)] = 1f;
            }
            o += vocab.size() + 1;
        }
        for (int j = 0; j < textFields.size(); j++) {
            Map<Integer, Integer> counts = new HashMap<>();
            for (String token : tokens(raw.get(textFields.get(j)))) {
                counts.merge(bucket(token, hashDim), 1, Integer::sum);
            }
            float[] w = idf.get(j);
            double norm = 0;
            for (Map.Entry<Integer, Integer> e : counts.entrySet()) {
                float v = (float) ((1 + Math.log(e.getValue())) * w[e.getKey()]);
                out[o + e.getKey()] = v;
                norm += (double) v * v;
            }
            if (norm > 0) {
                float inv = (float) (1 / Math.sqrt(norm));
                for (int b = 0; b < hashDim; b++) {
                    out[o + b] *= inv;
                }
            }
            o += hashDim;
        }
        if (history != null) {
            history.transform(raw, out, o);
        }
        return out;
    }

    /** Row-major [films x width] matrix of {@link #transform} over {@code movies}. */
    public float[] transformAll(List<Movie> movies) {
        int w = width();
        float[] x = new float[movies.size() * w];
        for (int i = 0; i < movies.size(); i++) {
            System.arraycopy(transform(movies.get(i).fields()), 0, x, i * w, w);
        }
        return x;
    }

    /** A numeric input derived from the raw fields, NaN when missing or unreadable. */
    static double numericValue(String name, Map<String, String> raw) {
        switch (name) {
            case "production_companies_count":
                return countOrNaN(raw.get(MovieFields.PRODUCTION_COMPANIES));
            case "spoken_languages_count":
                return countOrNaN(raw.get(MovieFields.SPOKEN_LANGUAGES));
            case "release_day":
            case "release_month": {
                String d = raw.get(MovieFields.RELEASE_DATE);
                if (d == null || d.isBlank()) {
                    return Double.NaN;
                }
                try {
                    LocalDate date = LocalDate.parse(d.strip());
                    return name.equals("release_day") ? date.getDayOfMonth() : date.getMonthValue();
                } catch (DateTimeParseException e) {
                    return Double.NaN;
                }
            }
            default: {
                String v = raw.get(name);
                if (v == null || v.isBlank()) {
                    return Double.NaN;
                }
                try {
                    return Numbers.parse(v.strip());
                } catch (NumberFormatException e) {
                    return Double.NaN;
                }
            }
        }
    }

    private static double countOrNaN(String list) {
        List<String> items = MovieFields.list(list);
        return items.isEmpty() ? Double.NaN : items.size();
    }

    /** Lower-case runs of letters and digits. */
    static List<String> tokens(String text) {
        List<String> out = new ArrayList<>();
        if (text == null) {
            return out;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i <= text.length(); i++) {
            char c = i < text.length() ? text.charAt(i) : ' ';
            if (Character.isLetterOrDigit(c)) {
                sb.append(Character.toLowerCase(c));
            } else if (sb.length() > 0) {
                out.add(sb.toString());
                sb.setLength(0);
            }
        }
        return out;
    }

    /** FNV-1a (32-bit) of the token's UTF-8 bytes, reduced mod {@code dim}: stable across JVMs and languages. */
    static int bucket(String token, int dim) {
        int h = 0x811C9DC5;
        for (byte b : token.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xFF;
            h *= 0x01000193;
        }
        return Integer.remainderUnsigned(h, dim);
    }
}
