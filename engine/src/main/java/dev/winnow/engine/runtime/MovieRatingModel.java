package dev.winnow.engine.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.winnow.engine.runtime.WnwFormat.*;

/**
 * The movie feature model (.wnw kind 2) for serving: raw field values (IMDB/TMDB column names, lists joined by '|')
 * -> feature vector (the fitted pipeline of section 3, re-implemented here with java.base only) -> MLP -> rating.
 * Immutable after load and safe to share between threads.
 *
 * <p>Allocation-free serving: fill a {@link Request} (one per caller or thread, reused) with the raw values as
 * {@link CharSequence}s (or numbers as doubles) and call {@link #predict(Request)}. Each thread gets its own scratch
 * buffers on its first request; after that a request allocates nothing: tokens are scanned and hashed in place,
 * vocabulary lookups compare characters against the stored words, and dates and numbers are read by hand. (Two
 * fallbacks allocate, both rare: a number the exact fast path cannot read, such as one with more than 15 significant
 * digits, goes through {@link Double#parseDouble}, a date not written yyyy-mm-dd through {@link java.time.LocalDate#parse}; and a
 * text whose hashed tokens would make the training side's HashMap build a tree bin is summed through a HashMap.)
 * The {@code Map} methods are conveniences over the same path.
 */
public final class MovieRatingModel {
    /** Largest vocabulary, hash dimension or per-group field count the loader accepts. */
    public static final int MAX_ENTRIES = 1 << 20;

    static final int DERIVE_NUMBER = 0;
    static final int DERIVE_LIST_COUNT = 1;
    static final int DERIVE_DAY_OF_MONTH = 2;
    static final int DERIVE_MONTH = 3;
    static final int TOKENS_ALNUM_LOWER_FNV1A = 1;

    private static final int FNV_OFFSET = 0x811C9DC5;
    private static final int FNV_PRIME = 0x01000193;

    private final int hashDim;
    private final String[] numericNames;
    private final int[] derivation;
    private final String[] sourceField;
    private final boolean[] logScaled;
    private final double[] means;
    private final double[] stds;
    private final String[] categoricalFields;
    /** Per categorical field: the vocabulary in slot order, and an open-addressing table of (slot + 1), 0 = empty. */
    private final String[][] vocab;
    private final int[][] vocabTable;
    private final String[] textFields;
    private final float[][] idf;
    private final int width;
    private final Layer[] layers;
    private final int maxWidth;
    private final float targetOffset;
    private final float minRating;
    private final float maxRating;
    private final Map<String, String> metadata;
    /** The distinct raw fields the pipeline reads, in first-use order (numeric sources, categorical, text). */
    private final String[] fields;
    private final Map<String, Integer> fieldIndex;
    private final int[] numericField;
    private final int[] categoricalField;
    private final int[] textField;
    /** Fields read only as plain numbers: a {@link Request} may carry them as doubles. */
    private final boolean[] numberOnly;
    private final ThreadLocal<Scratch> scratch;
    /** Chosen once per class loader, as in {@link RecommenderModel}. */
    private static final Kernels KERNELS = Kernels.detect();
    private final Kernels kernels = KERNELS;

    private MovieRatingModel(int hashDim, String[] numericNames, int[] derivation, String[] sourceField,
                             boolean[] logScaled, double[] means, double[] stds, String[] categoricalFields,
                             String[][] vocab, String[] textFields, float[][] idf, int width,
                             Layer[] layers, float targetOffset, float minRating, float maxRating,
                             Map<String, String> metadata) {
        this.hashDim = hashDim;
        this.numericNames = numericNames;
        this.derivation = derivation;
        this.sourceField = sourceField;
        this.logScaled = logScaled;
        this.means = means;
        this.stds = stds;
        this.categoricalFields = categoricalFields;
        this.vocab = vocab;
        this.vocabTable = new int[vocab.length][];
        for (int j = 0; j < vocab.length; j++) {
            vocabTable[j] = table(vocab[j]);
        }
        this.textFields = textFields;
        this.idf = idf;
        this.width = width;
        this.layers = layers;
        this.targetOffset = targetOffset;
        this.minRating = minRating;
        this.maxRating = maxRating;
        this.metadata = Collections.unmodifiableMap(metadata);
        int w = width;
        for (Layer l : layers) {
            w = Math.max(w, l.out);
        }
        this.maxWidth = w;
        Map<String, Integer> index = new LinkedHashMap<>();
        this.numericField = new int[numericNames.length];
        for (int j = 0; j < numericNames.length; j++) {
            numericField[j] = slot(index, sourceField[j]);
        }
        this.categoricalField = new int[categoricalFields.length];
        for (int j = 0; j < categoricalFields.length; j++) {
            categoricalField[j] = slot(index, categoricalFields[j]);
        }
        this.textField = new int[textFields.length];
        for (int j = 0; j < textFields.length; j++) {
            textField[j] = slot(index, textFields[j]);
        }
        this.fieldIndex = Collections.unmodifiableMap(index);
        this.fields = index.keySet().toArray(new String[0]);
        this.numberOnly = new boolean[fields.length];
        java.util.Arrays.fill(numberOnly, true);
        for (int j = 0; j < numericNames.length; j++) {
            numberOnly[numericField[j]] &= derivation[j] == DERIVE_NUMBER;
        }
        for (int f : categoricalField) {
            numberOnly[f] = false;
        }
        for (int f : textField) {
            numberOnly[f] = false;
        }
        // an anonymous subclass, not withInitial(lambda), as in RecommenderModel (start-up time)
        this.scratch = new ThreadLocal<>() {
            @Override
            protected Scratch initialValue() {
                return new Scratch(MovieRatingModel.this);
            }
        };
    }

    private static int slot(Map<String, Integer> index, String field) {
        Integer f = index.get(field);
        if (f == null) {
            f = index.size();
            index.put(field, f);
        }
        return f;
    }

    /** Open addressing, linear probing, at most half full; the first of equal words keeps its slot (as indexOf). */
    private static int[] table(String[] words) {
        int size = Integer.highestOneBit(Math.max(1, words.length) * 2 - 1) << 1;
        int[] t = new int[Math.max(2, size)];
        int mask = t.length - 1;
        for (int k = 0; k < words.length; k++) {
            int p = spread(words[k].hashCode()) & mask;
            while (t[p] != 0 && !words[t[p] - 1].equals(words[k])) {
                p = (p + 1) & mask;
            }
            if (t[p] == 0) {
                t[p] = k + 1;
            }
        }
        return t;
    }

    private static int spread(int h) {
        return h ^ (h >>> 16);
    }

    public static MovieRatingModel load(Path path) throws IOException {
        byte[] bytes = WnwReader.readFile(path);
        return parse(bytes, bytes.length, path.toString());
    }

    /** Reads the stream to its end (memory grows with the bytes actually read, never with a declared length). */
    public static MovieRatingModel load(java.io.InputStream in, String sourceName) throws IOException {
        byte[] bytes = WnwReader.readStream(in, sourceName);
        return parse(bytes, bytes.length, sourceName);
    }

    /** Parses and validates a whole file image (the first {@code len} bytes of {@code buf}). */
    public static MovieRatingModel parse(byte[] buf, int len, String source) throws ModelFormatException {
        WnwReader.Frame f = WnwReader.frame(buf, len, source);
        SectionReader h = f.modelHeader();
        int kind = h.u8("model kind");
        if (kind != KIND_MOVIE_MLP) {
            throw h.fail("model kind " + kind + " is not the movie feature MLP (kind 2)"
                    + (kind == KIND_NCF ? "; load an NCF model with RecommenderModel.load" : ""));
        }
        MlpSections mlp = new MlpSections(h, "a movie model");
        int width = h.count("input width", 1, RecommenderModel.MAX_WIDTH);
        float minRating = h.finiteF32("minimum rating");
        float maxRating = h.finiteF32("maximum rating");
        if (!(minRating <= maxRating)) {
            throw h.fail("rating range " + minRating + ".." + maxRating + " is empty");
        }
        float offset = h.finiteF32("target offset");
        mlp.readShapes(h, width);
        h.expectEnd();

        SectionReader p = null;
        Map<String, String> metadata = new LinkedHashMap<>();
        for (int s = 1; s < f.sections(); s++) {
            SectionReader r = f.section(s);
            switch (f.type(s)) {
                case SECTION_FEATURE_PIPELINE:
                    if (p != null) {
                        throw r.fail("a second feature pipeline");
                    }
                    p = r;
                    break;
                case SECTION_TENSOR: {
                    int role = r.u8("tensor role");
                    int storage = r.u8("storage code");
                    int layer = r.u16("layer index");
                    int rows = r.count("rows", 1, Integer.MAX_VALUE);
                    int cols = r.count("columns", 1, Integer.MAX_VALUE);
                    if (role != ROLE_WEIGHT && role != ROLE_BIAS) {
                        throw r.fail("tensor role " + role + " does not belong to a movie model (weights and biases"
                                + " only)");
                    }
                    mlp.checkLayer(r, layer);
                    String tensor = tensorName(role, layer);
                    r = r.rest("section " + s + " (tensor " + tensor + ")");
                    mlp.readTensor(r, role, storage, layer, rows, cols, tensor);
                    break;
                }
                case SECTION_METADATA:
                    r.readMetadata(metadata);
                    break;
                case SECTION_MODEL:
                    throw r.fail("a second model header");
                case SECTION_ID_MAP:
                    throw r.fail("an id map belongs to an NCF model (kind 1); films are named by the CSV's id column");
                default:
                    f.skipUnknown(r, s);
            }
        }
        SectionReader tail = f.end();
        if (p == null) {
            throw tail.fail("the feature pipeline section (type 3) is missing");
        }
        Layer[] layers = mlp.layers(tail);

        int rule = p.u8("tokenisation rule");
        if (rule != TOKENS_ALNUM_LOWER_FNV1A) {
            throw p.fail("unknown tokenisation rule " + rule + " (this runtime knows rule 1)");
        }
        int hashDim = p.count("hash dimension", 1, MAX_ENTRIES);
        int nNum = p.u16("numeric input count");
        // each numeric entry is at least 2 + 1 + 2 + 1 + 8 + 8 bytes
        p.need(22L * nNum, nNum + " numeric inputs");
        String[] numNames = new String[nNum];
        int[] derive = new int[nNum];
        String[] source2 = new String[nNum];
        boolean[] log = new boolean[nNum];
        double[] means = new double[nNum];
        double[] stds = new double[nNum];
        for (int j = 0; j < nNum; j++) {
            numNames[j] = p.string("numeric input " + j + " name");
            derive[j] = p.u8("derivation of " + numNames[j]);
            if (derive[j] > DERIVE_MONTH) {
                throw p.fail("unknown derivation " + derive[j] + " for numeric input " + numNames[j]);
            }
            source2[j] = p.string("source field of " + numNames[j]);
            int l = p.u8("log flag of " + numNames[j]);
            if (l > 1) {
                throw p.fail("log flag of " + numNames[j] + " is " + l + ", not 0 or 1");
            }
            log[j] = l == 1;
            means[j] = f64(p, "mean of " + numNames[j]);
            stds[j] = f64(p, "standard deviation of " + numNames[j]);
            if (!(stds[j] > 0)) {
                throw p.fail("standard deviation of " + numNames[j] + " is " + stds[j] + "; it must be > 0");
            }
        }
        int nCat = p.u16("categorical field count");
        p.need(6L * nCat, nCat + " categorical fields");
        String[] catFields = new String[nCat];
        String[][] vocabs = new String[nCat][];
        long w = 2L * nNum;
        for (int j = 0; j < nCat; j++) {
            catFields[j] = p.string("categorical field " + j + " name");
            int size = p.count("vocabulary size of " + catFields[j], 0, MAX_ENTRIES);
            p.need(2L * size, size + " vocabulary entries of " + catFields[j]);
            vocabs[j] = new String[size];
            for (int k = 0; k < size; k++) {
                vocabs[j][k] = p.string(catFields[j] + " vocabulary entry " + k);
            }
            w += size + 1L;
        }
        int nText = p.u16("text field count");
        p.need(nText * (2L + 4L * hashDim), nText + " text fields");
        String[] textFields = new String[nText];
        float[][] idf = new float[nText][];
        for (int j = 0; j < nText; j++) {
            textFields[j] = p.string("text field " + j + " name");
            idf[j] = new float[hashDim];
            for (int b = 0; b < hashDim; b++) {
                idf[j][b] = p.finiteF32(textFields[j] + " idf weight " + b);
            }
        }
        p.expectEnd();
        w += (long) nText * hashDim;
        if (w != width) {
            throw p.fail("the pipeline produces " + w + " features but the model header says " + width);
        }
        return new MovieRatingModel(hashDim, numNames, derive, source2, log, means, stds, catFields, vocabs,
                textFields, idf, width, layers, offset, minRating, maxRating, metadata);
    }

    private static double f64(SectionReader r, String what) throws ModelFormatException {
        r.need(8, what);
        long lo = SectionReader.readU32(r.buffer(), r.position());
        long hi = SectionReader.readU32(r.buffer(), r.position() + 4);
        r.skip(8, what);
        double v = Double.longBitsToDouble(lo | hi << 32);
        if (!Double.isFinite(v)) {
            throw r.fail(what + " is " + v + "; it must be finite");
        }
        return v;
    }

    // ---- serving ------------------------------------------------------------------------------------------------

    /**
     * One film's raw field values, reused from request to request by one caller (not thread-safe itself; the model
     * is). Values are referenced, not copied: keep a {@link CharSequence} unchanged until the prediction returns. An
     * unset field, null or a blank value is missing, as in training.
     */
    public static final class Request {
        private final MovieRatingModel model;
        final CharSequence[] text;
        final double[] number;
        final boolean[] isNumber;
        int badField = -1;

        Request(MovieRatingModel model) {
            this.model = model;
            int n = model.fields.length;
            text = new CharSequence[n];
            number = new double[n];
            isNumber = new boolean[n];
        }

        /** Every field missing again. */
        public Request clear() {
            java.util.Arrays.fill(text, null);
            java.util.Arrays.fill(isNumber, false);
            badField = -1;
            return this;
        }

        /** Sets field {@code field} (an index of {@link #fields()}) to characters: a number, list, date or text. */
        public Request set(int field, CharSequence value) {
            model.checkField(field);
            text[field] = value;
            isNumber[field] = false;
            return this;
        }

        public Request set(String field, CharSequence value) {
            return set(model.requireField(field), value);
        }

        /** Sets a plain-number field without formatting it (NaN = missing); other fields need their characters. */
        public Request set(int field, double value) {
            model.checkField(field);
            if (!model.numberOnly[field]) {
                throw new IllegalArgumentException("field '" + model.fields[field] + "' is read as a list, date or"
                        + " text, not as a number: set its characters instead");
            }
            number[field] = value;
            isNumber[field] = true;
            text[field] = null;
            return this;
        }

        public Request set(String field, double value) {
            return set(model.requireField(field), value);
        }

        /**
         * After a prediction: the first field whose non-blank value could not be read as the number or date
         * (yyyy-mm-dd) the pipeline needs, or whose number is not finite; -1 when every value was readable. The
         * prediction itself treats such a value as missing, exactly as training did.
         */
        public int badField() {
            return badField;
        }

        /** The name of {@link #badField()}, or null. */
        public String badFieldName() {
            return badField < 0 ? null : model.fields[badField];
        }

        public float predict() {
            return model.predict(this);
        }

        public float score() {
            return model.score(this);
        }
    }

    /** A new request for this model, every field missing. Keep it and reuse it: serving then allocates nothing. */
    public Request newRequest() {
        return new Request(this);
    }

    /** The raw field names this model reads (the columns of its input), in {@link Request} index order. */
    public List<String> fields() {
        return List.of(fields);
    }

    /** The index of a raw field in {@link #fields()}, or -1 when the model does not read it. */
    public int fieldIndex(String field) {
        Integer f = fieldIndex.get(field);
        return f == null ? -1 : f;
    }

    /** Whether field {@code field} is read only as a plain number (a request may carry it as a double). */
    public boolean isNumberField(int field) {
        checkField(field);
        return numberOnly[field];
    }

    private int requireField(String field) {
        int f = fieldIndex(field);
        if (f < 0) {
            throw new IllegalArgumentException("this model reads no field '" + field + "'; it reads "
                    + fieldIndex.keySet());
        }
        return f;
    }

    private void checkField(int field) {
        if (field < 0 || field >= fields.length) {
            throw new IllegalArgumentException("field index " + field + " is outside 0.." + (fields.length - 1));
        }
    }

    /** The predicted rating, clipped to the training range; allocation-free after the thread's first request. */
    public float predict(Request r) {
        return Math.min(maxRating, Math.max(minRating, score(r)));
    }

    /** The unclipped rating: MLP output + the training target mean. */
    public float score(Request r) {
        if (r.model != this) {
            throw new IllegalArgumentException("the request was made by another model (newRequest of this one)");
        }
        Scratch s = scratch.get();
        float[] x = s.a;
        float[] y = s.b;
        features(r, s, x);
        for (Layer l : layers) {
            l.forwardOne(x, y, kernels);
            float[] t = x;
            x = y;
            y = t;
        }
        return x[0] + targetOffset;
    }

    /** The model input for one film into {@code out[0, inputWidth())}. */
    public void features(Request r, float[] out) {
        if (r.model != this) {
            throw new IllegalArgumentException("the request was made by another model (newRequest of this one)");
        }
        if (out.length < width) {
            throw new IllegalArgumentException("output of " + out.length + " floats for " + width + " features");
        }
        features(r, scratch.get(), out);
    }

    /** The predicted rating from raw field values (absent or blank = missing), clipped to the training range. */
    public float predict(Map<String, String> rawFields) {
        return Math.min(maxRating, Math.max(minRating, score(rawFields)));
    }

    /** The unclipped rating through this thread's own request (allocation-free after warm-up too). */
    public float score(Map<String, String> rawFields) {
        Request r = fill(rawFields);
        try {
            return score(r);
        } finally {
            r.clear();
        }
    }

    /** The model input for one film (what the training pipeline's transform gives); allocates the result. */
    public float[] features(Map<String, String> raw) {
        float[] out = new float[width];
        Request r = fill(raw);
        try {
            features(r, out);
        } finally {
            r.clear();
        }
        return out;
    }

    private Request fill(Map<String, String> raw) {
        Scratch s = scratch.get();
        if (s.mapRequest == null) {
            s.mapRequest = new Request(this);
        }
        Request r = s.mapRequest.clear();
        for (int f = 0; f < fields.length; f++) {
            r.text[f] = raw.get(fields[f]);
        }
        return r;
    }

    /** Per-thread buffers: two activation vectors, the token counts of one text field and the HashMap emulation. */
    static final class Scratch {
        final float[] a;
        final float[] b;
        /** Occurrences per hash bucket of the text field being read (all zero between fields). */
        final int[] counts;
        /** Distinct buckets in first-occurrence order, then the same in the training side's iteration order. */
        final int[] keys;
        final int[] order;
        /** Entries per bin of the emulated table, and bin starts for the counting sort: grown on demand. */
        int[] occupancy = new int[64];
        int[] binStart = new int[65];
        int capacity;
        int threshold;
        int distinct;
        Request mapRequest;

        Scratch(MovieRatingModel m) {
            this(m.maxWidth, m.hashDim, m.textFields.length > 0);
        }

        Scratch(int maxWidth, int hashDim, boolean text) {
            a = new float[maxWidth];
            b = new float[maxWidth];
            counts = new int[hashDim];
            keys = new int[text ? hashDim : 0];
            order = new int[keys.length];
        }

        /**
         * {@code HashMap<Integer,Integer>.merge(key, 1, Integer::sum)} on a new map, as MovieFeatures counts tokens,
         * reduced to what fixes the map's iteration order: its capacity (resized at the start of a merge once the size
         * passed the threshold, and when a bin of a table smaller than 64 reaches 8 entries) and, within a bin, newest
         * key first (merge inserts at the bin's head; resizing keeps relative order). Returns false where the real map
         * would turn a bin into a tree, whose order this does not model.
         */
        boolean merge(int key) {
            if (capacity == 0) {
                resize(16, 12);
            } else if (distinct > threshold) {
                resize(capacity << 1, threshold << 1);
            }
            if (counts[key] > 0) {
                counts[key]++;
                return true;
            }
            int bin = spread(key) & (capacity - 1);
            int before = occupancy[bin]++;
            counts[key] = 1;
            keys[distinct++] = key;
            if (before >= 7) {
                if (capacity >= 64) {
                    return false;
                }
                resize(capacity << 1, threshold << 1);
            }
            return true;
        }

        private void resize(int cap, int thr) {
            if (occupancy.length < cap) {
                occupancy = new int[cap];
            }
            java.util.Arrays.fill(occupancy, 0, cap, 0);
            for (int i = 0; i < distinct; i++) {
                occupancy[spread(keys[i]) & (cap - 1)]++;
            }
            capacity = cap;
            threshold = thr;
        }

        /** Fills {@code order[0, distinct)}: ascending bin, newest key first within a bin (a stable counting sort). */
        void iterationOrder() {
            if (binStart.length < capacity + 1) {
                binStart = new int[capacity + 1];
            }
            java.util.Arrays.fill(binStart, 0, capacity + 1, 0);
            int mask = capacity - 1;
            for (int i = 0; i < distinct; i++) {
                binStart[(spread(keys[i]) & mask) + 1]++;
            }
            for (int b = 0; b < capacity; b++) {
                binStart[b + 1] += binStart[b];
            }
            for (int i = distinct - 1; i >= 0; i--) {
                order[binStart[spread(keys[i]) & mask]++] = keys[i];
            }
        }

        /** Zeroes the counts this field touched and forgets the emulated map. */
        void resetMap() {
            for (int i = 0; i < distinct; i++) {
                counts[keys[i]] = 0;
            }
            distinct = 0;
            capacity = 0;
            threshold = 0;
        }
    }

    private void features(Request r, Scratch s, float[] out) {
        java.util.Arrays.fill(out, 0, width, 0f);
        r.badField = -1;
        int o = 0;
        for (int j = 0; j < numericNames.length; j++) {
            double v = numericValue(j, r);
            if (Double.isNaN(v)) {
                out[o + 1] = 1f;
            } else {
                v = logScaled[j] ? Math.log1p(Math.max(0, v)) : v;
                out[o] = (float) ((v - means[j]) / stds[j]);
            }
            o += 2;
        }
        for (int j = 0; j < categoricalFields.length; j++) {
            String[] words = vocab[j];
            CharSequence value = r.text[categoricalField[j]];
            if (value != null && !isBlank(value, 0, value.length())) {
                int start = 0;
                int n = value.length();
                for (int i = 0; i <= n; i++) {
                    if (i == n || value.charAt(i) == '|') {
                        // String.trim: chars <= ' ' off both ends
                        int a = start;
                        int b = i;
                        while (a < b && value.charAt(a) <= ' ') {
                            a++;
                        }
                        while (b > a && value.charAt(b - 1) <= ' ') {
                            b--;
                        }
                        if (a < b) {
                            int k = lookup(j, value, a, b);
                            out[o + (k < 0 ? words.length : k)] = 1f;
                        }
                        start = i + 1;
                    }
                }
            }
            o += words.length + 1;
        }
        for (int j = 0; j < textFields.length; j++) {
            CharSequence text = r.text[textField[j]];
            float[] w = idf[j];
            double norm = 0;
            if (text != null) {
                boolean emulated = tokens(text, s, null);
                if (emulated) {
                    // the training side sums the L2 norm over a HashMap's entries: the same order, so the same bits
                    s.iterationOrder();
                    for (int i = 0; i < s.distinct; i++) {
                        int key = s.order[i];
                        float v = (float) ((1 + Math.log(s.counts[key])) * w[key]);
                        out[o + key] = v;
                        norm += (double) v * v;
                    }
                }
                s.resetMap();
                if (!emulated) {
                    norm = viaHashMap(text, w, out, o);
                }
            }
            if (norm > 0) {
                float inv = (float) (1 / Math.sqrt(norm));
                for (int b = 0; b < hashDim; b++) {
                    out[o + b] *= inv;
                }
            }
            o += hashDim;
        }
    }

    /** The rare tree-bin case: the training side's own HashMap, so its iteration order is the real one. */
    private double viaHashMap(CharSequence text, float[] w, float[] out, int o) {
        Map<Integer, Integer> counts = new java.util.HashMap<>();
        tokens(text, null, counts);
        double norm = 0;
        for (Map.Entry<Integer, Integer> e : counts.entrySet()) {
            float v = (float) ((1 + Math.log(e.getValue())) * w[e.getKey()]);
            out[o + e.getKey()] = v;
            norm += (double) v * v;
        }
        return norm;
    }

    /**
     * Tokens are maximal runs of {@link Character#isLetterOrDigit} chars, lower-cased per char; each is hashed with
     * FNV-1a over its UTF-8 bytes while it is scanned (a letter or digit is never a surrogate, so each char encodes
     * alone) and counted by bucket: into the emulated map of {@code s}, or into {@code map}. Returns false when the
     * emulation gave up (see {@link Scratch#merge}).
     */
    private boolean tokens(CharSequence text, Scratch s, Map<Integer, Integer> map) {
        int n = text.length();
        int h = FNV_OFFSET;
        boolean inToken = false;
        for (int i = 0; i <= n; i++) {
            char c = i < n ? text.charAt(i) : ' ';
            if (Character.isLetterOrDigit(c)) {
                char l = Character.toLowerCase(c);
                if (l < 0x80) {
                    h = (h ^ l) * FNV_PRIME;
                } else if (l < 0x800) {
                    h = (h ^ (0xC0 | l >>> 6)) * FNV_PRIME;
                    h = (h ^ (0x80 | l & 0x3F)) * FNV_PRIME;
                } else {
                    h = (h ^ (0xE0 | l >>> 12)) * FNV_PRIME;
                    h = (h ^ (0x80 | l >>> 6 & 0x3F)) * FNV_PRIME;
                    h = (h ^ (0x80 | l & 0x3F)) * FNV_PRIME;
                }
                inToken = true;
            } else if (inToken) {
                int key = Integer.remainderUnsigned(h, hashDim);
                if (map != null) {
                    map.merge(key, 1, Integer::sum);
                } else if (!s.merge(key)) {
                    return false;
                }
                h = FNV_OFFSET;
                inToken = false;
            }
        }
        return true;
    }

    /** The vocabulary slot of {@code value[a, b)} in categorical field {@code j}, or -1 (no allocation). */
    private int lookup(int j, CharSequence value, int a, int b) {
        int h = 0;
        for (int i = a; i < b; i++) {
            h = 31 * h + value.charAt(i);
        }
        int[] t = vocabTable[j];
        String[] words = vocab[j];
        int mask = t.length - 1;
        for (int p = spread(h) & mask; ; p = (p + 1) & mask) {
            int e = t[p];
            if (e == 0) {
                return -1;
            }
            String word = words[e - 1];
            if (word.hashCode() == h && word.length() == b - a) {
                int i = 0;
                while (i < b - a && word.charAt(i) == value.charAt(a + i)) {
                    i++;
                }
                if (i == b - a) {
                    return e - 1;
                }
            }
        }
    }

    /** Numeric input {@code j}: NaN when missing or unreadable (and then, if it was not blank, a bad field). */
    private double numericValue(int j, Request r) {
        int f = numericField[j];
        if (r.isNumber[f]) {
            double v = r.number[f];
            if (Double.isInfinite(v)) {
                bad(r, f);
            }
            return v;
        }
        CharSequence v = r.text[f];
        if (v == null) {
            return Double.NaN;
        }
        // String.strip / isBlank: Character.isWhitespace off both ends
        int a = 0;
        int b = v.length();
        while (a < b && Character.isWhitespace(v.charAt(a))) {
            a++;
        }
        while (b > a && Character.isWhitespace(v.charAt(b - 1))) {
            b--;
        }
        if (a == b) {
            return Double.NaN;
        }
        double x;
        switch (derivation[j]) {
            case DERIVE_LIST_COUNT: {
                int count = 0;
                int start = 0;
                int n = v.length();
                for (int i = 0; i <= n; i++) {
                    if (i == n || v.charAt(i) == '|') {
                        int p = start;
                        int q = i;
                        while (p < q && v.charAt(p) <= ' ') {
                            p++;
                        }
                        while (q > p && v.charAt(q - 1) <= ' ') {
                            q--;
                        }
                        if (p < q) {
                            count++;
                        }
                        start = i + 1;
                    }
                }
                return count == 0 ? Double.NaN : count;
            }
            case DERIVE_DAY_OF_MONTH:
            case DERIVE_MONTH:
                x = IsoDateParser.monthOrDay(v, a, b, derivation[j] == DERIVE_MONTH);
                break;
            default:
                x = DecimalParser.parse(v, a, b);
        }
        if (!Double.isFinite(x)) {
            bad(r, f);
        }
        return x;
    }

    private static void bad(Request r, int field) {
        if (r.badField < 0) {
            r.badField = field;
        }
    }

    private static boolean isBlank(CharSequence v, int a, int b) {
        for (int i = a; i < b; i++) {
            if (!Character.isWhitespace(v.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** FNV-1a (32-bit) of the token's UTF-8 bytes, reduced mod {@code dim}. */
    static int bucket(String token, int dim) {
        int h = FNV_OFFSET;
        for (byte b : token.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xFF;
            h *= FNV_PRIME;
        }
        return Integer.remainderUnsigned(h, dim);
    }

    // ---- description ----------------------------------------------------------------------------------------------

    public int inputWidth() {
        return width;
    }

    public float targetOffset() {
        return targetOffset;
    }

    public float minRating() {
        return minRating;
    }

    public float maxRating() {
        return maxRating;
    }

    public int hashDim() {
        return hashDim;
    }

    public List<String> numericInputs() {
        return List.of(numericNames);
    }

    public List<String> categoricalFields() {
        return List.of(categoricalFields);
    }

    public List<String> textFields() {
        return List.of(textFields);
    }

    public int[] layerWidths() {
        int[] w = new int[layers.length + 1];
        w[0] = width;
        for (int i = 0; i < layers.length; i++) {
            w[i + 1] = layers[i].out;
        }
        return w;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    @Override
    public String toString() {
        return "movie feature MLP " + java.util.Arrays.toString(layerWidths()) + " over " + numericNames.length
                + " numeric, " + categoricalFields.length + " categorical and " + textFields.length
                + " text fields (hash dim " + hashDim + "), rating = output + " + targetOffset;
    }
}
