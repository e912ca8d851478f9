package dev.winnow.engine.runtime;

import dev.winnow.engine.backend.cpu.VectorEmulation;
import dev.winnow.engine.io.MovieExport;
import dev.winnow.engine.io.NcfExport;
import dev.winnow.engine.nn.Activation;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/** The allocation-free request path of {@link MovieRatingModel} against the training pipeline's own algorithm. */
class MovieRequestTest {
    private static final String[] WORDS = {"the", "a", "Love", "WAR", "space", "ÉCOLE", "école", "naïve", "東京",
        "x_y", "123", "2049", "Ça", "s3cr3t", "ﬁne", "İstanbul", "straße", "ΣΟΦΙΑ"};
    private static final String[] GENRES = {"Drama", "Comedy", "Action", "Sci-Fi", "Horror", "Romance"};

    /** Numbers, a list count, a date read twice, two categorical fields and two text fields. */
    static MovieExport export(int hashDim, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<MovieExport.Numeric> numeric = List.of(
                new MovieExport.Numeric("budget", MovieExport.DERIVE_NUMBER, "budget", true, 16.0, 2.0),
                new MovieExport.Numeric("duration", MovieExport.DERIVE_NUMBER, "duration", false, 105.0, 20.0),
                new MovieExport.Numeric("production_companies_count", MovieExport.DERIVE_LIST_COUNT,
                        "production_companies", false, 2.5, 1.5),
                new MovieExport.Numeric("release_day", MovieExport.DERIVE_DAY_OF_MONTH, "release_date", false, 15,
                        8),
                new MovieExport.Numeric("release_month", MovieExport.DERIVE_MONTH, "release_date", false, 6.5, 3));
        List<MovieExport.Categorical> cat = List.of(
                new MovieExport.Categorical("genres", List.of("Drama", "Comedy", "Action", "Sci-Fi")),
                new MovieExport.Categorical("content_rating", List.of("PG-13", "R", "PG")));
        List<MovieExport.Text> text = new ArrayList<>();
        for (String field : new String[] {"overview", "title"}) {
            float[] idf = new float[hashDim];
            for (int b = 0; b < hashDim; b++) {
                idf[b] = 1f + (float) r.nextDouble() * 3f;
            }
            text.add(new MovieExport.Text(field, idf));
        }
        int width = 2 * numeric.size() + 5 + 4 + 2 * hashDim;
        int hidden = 6;
        float[] w0 = new float[hidden * width];
        float[] b0 = new float[hidden];
        float[] w1 = new float[hidden];
        for (int i = 0; i < w0.length; i++) {
            w0[i] = (float) r.nextGaussian() * 0.5f;
        }
        for (int i = 0; i < hidden; i++) {
            b0[i] = (float) r.nextGaussian() * 0.1f;
            w1[i] = (float) r.nextGaussian();
        }
        return new MovieExport(hashDim, numeric, cat, text, List.of(new NcfExport.LayerWeights(width, hidden, w0, b0),
                new NcfExport.LayerWeights(hidden, 1, w1, new float[] {0.1f})), Activation.RELU, 6.5f, 1f, 10f,
                Map.of());
    }

    static MovieRatingModel model(MovieExport e) throws ModelFormatException {
        byte[] b = e.encode(WnwFormat.STORAGE_DENSE_F32);
        return MovieRatingModel.parse(b, b.length, "test.wnw");
    }

    /** MovieFeatures.transform's algorithm, written the way training writes it (Strings, a HashMap, LocalDate). */
    static float[] reference(MovieExport e, Map<String, String> raw) {
        float[] out = new float[e.inputWidth()];
        int o = 0;
        for (MovieExport.Numeric n : e.numeric()) {
            String v = raw.get(n.sourceField());
            double x = Double.NaN;
            if (v != null && !v.isBlank()) {
                if (n.derivation() == MovieExport.DERIVE_LIST_COUNT) {
                    int c = list(v).size();
                    x = c == 0 ? Double.NaN : c;
                } else if (n.derivation() == MovieExport.DERIVE_NUMBER) {
                    try {
                        String t = v.strip(); // Numbers.parse: the decimal form only, then parseDouble
                        x = DecimalParserTest.DECIMAL.matcher(t).matches() ? Double.parseDouble(t) : Double.NaN;
                    } catch (NumberFormatException ex) {
                        x = Double.NaN;
                    }
                } else {
                    try {
                        LocalDate d = LocalDate.parse(v.strip());
                        x = n.derivation() == MovieExport.DERIVE_MONTH ? d.getMonthValue() : d.getDayOfMonth();
                    } catch (DateTimeParseException ex) {
                        x = Double.NaN;
                    }
                }
            }
            if (Double.isNaN(x)) {
                out[o + 1] = 1f;
            } else {
                x = n.logScaled() ? Math.log1p(Math.max(0, x)) : x;
                out[o] = (float) ((x - n.mean()) / n.std());
            }
            o += 2;
        }
        for (MovieExport.Categorical c : e.categorical()) {
            for (String v : list(raw.get(c.field()))) {
                int k = c.vocabulary().indexOf(v);
                out[o + (k < 0 ? c.vocabulary().size() : k)] = 1f;
            }
            o += c.vocabulary().size() + 1;
        }
        for (MovieExport.Text t : e.text()) {
            Map<Integer, Integer> counts = new HashMap<>();
            for (String token : tokens(raw.get(t.field()))) {
                counts.merge(TokenCounts.bucket(token, e.hashDim()), 1, Integer::sum);
            }
            double norm = 0;
            for (Map.Entry<Integer, Integer> en : counts.entrySet()) {
                float v = (float) ((1 + Math.log(en.getValue())) * t.idf()[en.getKey()]);
                out[o + en.getKey()] = v;
                norm += (double) v * v;
            }
            if (norm > 0) {
                float inv = (float) (1 / Math.sqrt(norm));
                for (int b = 0; b < e.hashDim(); b++) {
                    out[o + b] *= inv;
                }
            }
            o += e.hashDim();
        }
        return out;
    }

    private static List<String> list(String value) {
        List<String> out = new ArrayList<>();
        if (value == null || value.isBlank()) {
            return out;
        }
        for (String part : value.split("\\|", -1)) {
            if (!part.trim().isEmpty()) {
                out.add(part.trim());
            }
        }
        return out;
    }

    private static List<String> tokens(String text) {
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

    static Map<String, String> randomFilm(SplittableRandom r) {
        Map<String, String> f = new HashMap<>();
        String[] numbers = {"150000000", "2.5e7", " 42 ", "-5", "0.1", "1e-3", "007", "n/a", "", "  ", "1,000", "NaN",
            "12345678901234567890", "0x10p0", "3.", ".5", "1e400", "+7", "-0", "4.9406564584124654e-324", "1d"};
        f.put("budget", numbers[r.nextInt(numbers.length)]);
        f.put("duration", r.nextBoolean() ? Integer.toString(r.nextInt(60, 200)) : numbers[r.nextInt(numbers.length)]);
        String[] dates = {"2011-09-11", "2000-02-29", "1900-02-29", "2023-04-31", "2011-13-01", "2011-00-10",
            " 1999-12-31\t", "+12011-01-01", "2011-9-11", "not a date", "", "2024-02-29", "0000-01-01", "20110911"};
        f.put("release_date", r.nextInt(3) == 0 ? dates[r.nextInt(dates.length)]
                : String.format("%04d-%02d-%02d", r.nextInt(1900, 2030), r.nextInt(1, 13), r.nextInt(1, 29)));
        StringBuilder g = new StringBuilder();
        int n = r.nextInt(5);
        for (int i = 0; i < n; i++) {
            g.append(i == 0 ? "" : r.nextBoolean() ? "|" : " | ").append(GENRES[r.nextInt(GENRES.length)]);
        }
        if (r.nextInt(6) == 0) {
            g.append("||\u2003|");
        }
        f.put("genres", g.toString());
        f.put("content_rating", new String[] {"PG-13", " R", "NC-17", "", "PG|PG"}[r.nextInt(5)]);
        f.put("production_companies", r.nextInt(4) == 0 ? " | " : "Pixar|Disney|  Lucasfilm ".substring(0,
                r.nextInt(1, 25)));
        f.put("overview", text(r, r.nextInt(0, 120)));
        if (r.nextInt(4) != 0) {
            f.put("title", text(r, r.nextInt(1, 6)));
        }
        return f;
    }

    static String text(SplittableRandom r, int words) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < words; i++) {
            sb.append(r.nextInt(5) == 0 ? WORDS[r.nextInt(WORDS.length)] : "w" + r.nextInt(300));
            sb.append(new String[] {" ", ", ", "! ", "-", "\n", "'s "}[r.nextInt(6)]);
        }
        return sb.toString();
    }

    @Test
    void emulatedTokenCountMapIteratesExactlyLikeARealHashMap() {
        SplittableRandom r = new SplittableRandom(11);
        int emulated = 0;
        int trials = 20_000;
        for (int trial = 0; trial < trials; trial++) {
            int dim = new int[] {8, 16, 64, 100, 1000, 70_000, 1 << 20}[r.nextInt(7)];
            TokenCounts s = new TokenCounts(dim);
            Map<Integer, Integer> real = new HashMap<>();
            int n = r.nextInt(1, 200);
            int mode = r.nextInt(3);
            boolean ok = true;
            for (int i = 0; i < n; i++) {
                // uniform keys, keys crowding a few bins of a 64-table, keys crowding one bin of a 16-table
                int key = mode == 0 ? r.nextInt(dim) : mode == 1 ? (r.nextInt(Math.max(1, dim / 64)) * 64
                        + r.nextInt(2)) % dim : (r.nextInt(12) * 16) % dim;
                real.merge(key, 1, Integer::sum);
                ok &= ok && s.merge(key);
            }
            if (!ok) {
                continue; // a tree bin: the model falls back to a HashMap (tested below through features)
            }
            emulated++;
            s.iterationOrder();
            int i = 0;
            for (Map.Entry<Integer, Integer> e : real.entrySet()) {
                assertEquals(e.getKey(), s.order[i], "trial " + trial + " entry " + i);
                assertEquals(e.getValue(), s.counts[e.getKey()], "trial " + trial + " count of " + e.getKey());
                i++;
            }
            assertEquals(real.size(), s.distinct);
        }
        assertTrue(emulated > trials * 8 / 10, "only " + emulated + " of " + trials + " emulated");
    }

    @Test
    void requestFeaturesEqualTheTrainingAlgorithmBitForBit() throws Exception {
        SplittableRandom r = new SplittableRandom(3);
        for (int dim : new int[] {8, 64, 1000, 6000}) {
            MovieExport e = export(dim, dim);
            MovieRatingModel m = model(e);
            MovieRatingModel.Request req = m.newRequest();
            StringBuilder[] buffers = new StringBuilder[m.fields().size()];
            for (int k = 0; k < buffers.length; k++) {
                buffers[k] = new StringBuilder();
            }
            float[] x = new float[m.inputWidth()];
            for (int film = 0; film < 400; film++) {
                Map<String, String> raw = randomFilm(r);
                float[] expected = reference(e, raw);
                assertArrayEquals(expected, m.features(raw), 0f, "dim " + dim + " film " + raw);
                // the same film through a reused request holding reused StringBuilders
                req.clear();
                for (int k = 0; k < buffers.length; k++) {
                    String v = raw.get(m.fields().get(k));
                    if (v != null) {
                        buffers[k].setLength(0);
                        buffers[k].append(v);
                        req.set(k, buffers[k]);
                    }
                }
                m.features(req, x);
                assertArrayEquals(expected, x, 0f, "request path, dim " + dim + " film " + raw);
                assertEquals(m.score(raw), req.score());
            }
        }
    }

    @Test
    void aTextThatWouldMakeTrainingBuildATreeBinStillMatchesBitForBit() throws Exception {
        int dim = 4096;
        // ten distinct tokens whose buckets share one bin of a 16-, 32- and 64-slot table: the real map resizes twice
        // and then turns that bin into a tree, whose order the emulation does not model
        List<String> tokens = new ArrayList<>();
        java.util.Set<Integer> buckets = new java.util.HashSet<>();
        for (int i = 0; tokens.size() < 10; i++) {
            String t = "tok" + i;
            int b = TokenCounts.bucket(t, dim);
            if ((b & 63) == 5 && buckets.add(b)) {
                tokens.add(t);
            }
        }
        TokenCounts s = new TokenCounts(dim);
        boolean emulated = true;
        for (String t : tokens) {
            emulated &= s.merge(TokenCounts.bucket(t, dim));
        }
        assertFalse(emulated, "the crafted text must reach the tree case");
        MovieExport e = export(dim, 5);
        MovieRatingModel m = model(e);
        SplittableRandom r = new SplittableRandom(8);
        for (int k = 0; k < 50; k++) {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < 40; i++) {
                text.append(r.nextBoolean() ? tokens.get(r.nextInt(tokens.size())) : "w" + r.nextInt(50)).append(' ');
            }
            Map<String, String> raw = Map.of("overview", text.toString(), "title", "A tree");
            assertArrayEquals(reference(e, raw), m.features(raw), 0f, text.toString());
        }
    }

    @Test
    void requestsAllocateNothingAfterWarmUp() throws Exception {
        assumeFalse(VectorEmulation.active(), VectorEmulation.SKIPPED);
        MovieRatingModel m = model(export(64, 2));
        SplittableRandom r = new SplittableRandom(9);
        int films = 64;
        MovieRatingModel.Request[] requests = new MovieRatingModel.Request[films];
        List<Map<String, String>> maps = new ArrayList<>();
        for (int i = 0; i < films; i++) {
            Map<String, String> raw = randomFilm(r);
            // the fallbacks (odd numbers and dates) allocate by design; serving-shaped values do not
            raw.put("budget", Integer.toString(r.nextInt(1_000_000, 300_000_000)));
            raw.put("duration", r.nextInt(4) == 0 ? "" : r.nextInt(60, 200) + ".5");
            raw.put("release_date", String.format("%04d-%02d-%02d", r.nextInt(1950, 2030), r.nextInt(1, 13),
                    r.nextInt(1, 29)));
            maps.add(raw);
            requests[i] = m.newRequest();
            for (Map.Entry<String, String> e : raw.entrySet()) {
                int f = m.fieldIndex(e.getKey());
                if (f >= 0) {
                    requests[i].set(f, new StringBuilder(e.getValue()));
                }
            }
        }
        int budget = m.fieldIndex("budget");
        MovieRatingModel.Request numeric = m.newRequest().set("genres", "Drama|Comedy").set("overview",
                "A quiet film about a loud family.");
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().getId();
        float sink = 0;
        // as in RecommenderModelTest: rounds repeat until the JIT has compiled the request path, up to a limit
        long allocated = Long.MAX_VALUE;
        // at least 30 rounds, and on a loaded machine (the JIT compiles late there) as many as 60 s allow
        long deadline = System.nanoTime() + 60_000_000_000L;
        for (int round = 0; (round < 30 || System.nanoTime() < deadline) && allocated >= 1024; round++) {
            long before = mx.getThreadAllocatedBytes(tid);
            for (int rep = 0; rep < 2000; rep++) {
                sink += m.predict(requests[rep & (films - 1)]);
                if (rep % 10 == 0) {
                    sink += m.predict(maps.get(rep & (films - 1)));
                    sink += numeric.set(budget, 1e6 + rep).predict();
                }
            }
            allocated = mx.getThreadAllocatedBytes(tid) - before;
        }
        assertTrue(allocated < 1024, "still allocating " + allocated + " bytes per 2000 requests after 30 rounds (sink "
                + sink + ")");
    }

    @Test
    void requestsNameTheirFieldsTakeNumbersAsDoublesAndReportUnreadableValues() throws Exception {
        MovieExport e = export(16, 4);
        MovieRatingModel m = model(e);
        assertEquals(List.of("budget", "duration", "production_companies", "release_date", "genres",
                "content_rating", "overview", "title"), m.fields());
        assertEquals(-1, m.fieldIndex("gross"));
        assertTrue(m.isNumberField(m.fieldIndex("budget")));
        assertFalse(m.isNumberField(m.fieldIndex("release_date")));
        MovieRatingModel.Request req = m.newRequest();
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> req.set("gross", "1"));
        assertTrue(ex.getMessage().contains("'gross'") && ex.getMessage().contains("budget"), ex.getMessage());
        ex = assertThrows(IllegalArgumentException.class, () -> req.set("release_date", 2011.0));
        assertTrue(ex.getMessage().contains("release_date"), ex.getMessage());

        Map<String, String> raw = Map.of("budget", "2.5e7", "duration", "117", "release_date", "2011-09-11",
                "genres", "Drama|Sci-Fi", "overview", "Love in space.");
        req.clear().set("budget", 2.5e7).set("duration", 117).set("release_date", "2011-09-11")
                .set("genres", "Drama|Sci-Fi").set("overview", "Love in space.");
        assertEquals(m.predict(raw), req.predict());
        assertEquals(-1, req.badField());
        assertNull(req.badFieldName());

        req.set("duration", "two hours");
        float withBadNumber = req.predict();
        assertEquals("duration", req.badFieldName());
        req.set("duration", Double.NaN); // missing, not bad: what training does with an unreadable value
        assertEquals(withBadNumber, req.predict());
        assertEquals(-1, req.badField());
        req.set("release_date", "2011-02-30");
        req.predict();
        assertEquals("release_date", req.badFieldName());
        req.set("release_date", " ").set("budget", Double.POSITIVE_INFINITY);
        req.predict();
        assertEquals("budget", req.badFieldName());
        MovieRatingModel other = MovieRatingModel.load(new java.io.ByteArrayInputStream(export(16, 5).encode(
                WnwFormat.STORAGE_CSR_F32)), "stream");
        assertThrows(IllegalArgumentException.class, () -> other.predict(req));
        assertEquals(model(export(16, 5)).predict(raw), other.predict(raw), 1e-6f, "loaded from a stream");
    }

    @Test
    void threadsSharingOneModelGetTheSinglethreadedPredictions() throws Exception {
        MovieRatingModel m = model(export(64, 6));
        SplittableRandom r = new SplittableRandom(10);
        List<Map<String, String>> films = new ArrayList<>();
        float[] expected = new float[300];
        for (int i = 0; i < expected.length; i++) {
            films.add(randomFilm(r));
            expected[i] = m.score(films.get(i));
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int shift = t;
                futures.add(pool.submit(() -> {
                    MovieRatingModel.Request req = m.newRequest();
                    for (int rep = 0; rep < 3; rep++) {
                        for (int i = 0; i < films.size(); i++) {
                            int k = (i + shift * 37) % films.size();
                            req.clear();
                            for (Map.Entry<String, String> e : films.get(k).entrySet()) {
                                req.set(e.getKey(), e.getValue());
                            }
                            if (Float.floatToIntBits(req.score()) != Float.floatToIntBits(expected[k])) {
                                return false;
                            }
                        }
                    }
                    return true;
                }));
            }
            for (Future<Boolean> f : futures) {
                assertTrue(f.get());
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
