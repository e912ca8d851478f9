package dev.winnow.engine.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.winnow.engine.runtime.WnwFormat.*;

/**
 * The movie feature model (.wnw kind 2) for serving: raw field values (IMDB/TMDB column names, lists joined by '|')
 * -> feature vector (the fitted pipeline of section 3, re-implemented here with java.base only) -> MLP -> rating.
 * Immutable after load and safe to share between threads.
 */
public final class MovieRatingModel {
    /** Largest vocabulary, hash dimension or per-group field count the loader accepts. */
    public static final int MAX_ENTRIES = 1 << 20;

    static final int DERIVE_NUMBER = 0;
    static final int DERIVE_LIST_COUNT = 1;
    static final int DERIVE_DAY_OF_MONTH = 2;
    static final int DERIVE_MONTH = 3;
    static final int TOKENS_ALNUM_LOWER_FNV1A = 1;

    private final int hashDim;
    private final String[] numericNames;
    private final int[] derivation;
    private final String[] sourceField;
    private final boolean[] logScaled;
    private final double[] means;
    private final double[] stds;
    private final String[] categoricalFields;
    private final List<Map<String, Integer>> vocabularies;
    private final String[] textFields;
    private final float[][] idf;
    private final int width;
    private final Layer[] layers;
    private final int maxWidth;
    private final float targetOffset;
    private final float minRating;
    private final float maxRating;
    private final Map<String, String> metadata;
    /** Chosen once per class loader, as in {@link RecommenderModel}. */
    private static final Kernels KERNELS = Kernels.detect();
    private final Kernels kernels = KERNELS;

    private MovieRatingModel(int hashDim, String[] numericNames, int[] derivation, String[] sourceField,
                             boolean[] logScaled, double[] means, double[] stds, String[] categoricalFields,
                             List<Map<String, Integer>> vocabularies, String[] textFields, float[][] idf, int width,
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
        this.vocabularies = vocabularies;
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
    }

    public static MovieRatingModel load(Path path) throws IOException {
        long size = Files.size(path);
        if (size > RecommenderModel.MAX_FILE_BYTES) {
            throw new ModelFormatException(path.toString(), "file", 0, "file of " + size
                    + " bytes is larger than the " + RecommenderModel.MAX_FILE_BYTES + "-byte limit");
        }
        byte[] bytes = Files.readAllBytes(path);
        return parse(bytes, bytes.length, path.toString());
    }

    /** Parses and validates a whole file image (the first {@code len} bytes of {@code buf}). */
    public static MovieRatingModel parse(byte[] buf, int len, String source) throws ModelFormatException {
        RecommenderModel.Frame f = RecommenderModel.frame(buf, len, source);
        if (f.type.length == 0 || f.type[0] != SECTION_MODEL) {
            throw new ModelFormatException(source, "section 0", FILE_HEADER_BYTES,
                    "the first section must be the model header");
        }
        SectionReader h = new SectionReader(buf, f.start[0], f.end[0], source, "section 0 (model)");
        int kind = h.u8("model kind");
        if (kind != KIND_MOVIE_MLP) {
            throw h.fail("model kind " + kind + " is not the movie feature MLP (kind 2)"
                    + (kind == KIND_NCF ? "; load an NCF model with RecommenderModel.load" : ""));
        }
        int act = h.u8("activation");
        if (act > ACT_TANH) {
            throw h.fail("unknown activation code " + act);
        }
        float actParam = h.finiteF32("activation parameter");
        int layerCount = h.u16("layer count");
        if (layerCount < 1) {
            throw h.fail("a movie model needs at least one MLP layer");
        }
        int width = h.count("input width", 1, RecommenderModel.MAX_WIDTH);
        float minRating = h.finiteF32("minimum rating");
        float maxRating = h.finiteF32("maximum rating");
        if (!(minRating <= maxRating)) {
            throw h.fail("rating range " + minRating + ".." + maxRating + " is empty");
        }
        float offset = h.finiteF32("target offset");
        h.need(8L * layerCount, layerCount + " layer shapes");
        int[] in = new int[layerCount];
        int[] out = new int[layerCount];
        for (int i = 0; i < layerCount; i++) {
            in[i] = h.count("layer " + i + " input width", 1, RecommenderModel.MAX_WIDTH);
            out[i] = h.count("layer " + i + " output width", 1, RecommenderModel.MAX_WIDTH);
            int expected = i == 0 ? width : out[i - 1];
            if (in[i] != expected) {
                throw h.fail("layer " + i + " takes " + in[i] + " inputs but receives " + expected);
            }
        }
        if (out[layerCount - 1] != 1) {
            throw h.fail("the last layer must have 1 output (a rating), not " + out[layerCount - 1]);
        }
        h.expectEnd();

        SectionReader p = null;
        StoredTensor[] weights = new StoredTensor[layerCount];
        float[][] biases = new float[layerCount][];
        Map<String, String> metadata = new LinkedHashMap<>();
        for (int s = 1; s < f.type.length; s++) {
            String name = "section " + s + " (" + sectionName(f.type[s]) + ")";
            SectionReader r = new SectionReader(buf, f.start[s], f.end[s], source, name);
            switch (f.type[s]) {
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
                    if (layer >= layerCount) {
                        throw r.fail("layer index " + layer + " but the model has " + layerCount + " layers");
                    }
                    String tensor = tensorName(role, layer);
                    r = new SectionReader(buf, r.position(), f.end[s], source, "section " + s + " (tensor " + tensor
                            + ")");
                    int expRows = role == ROLE_WEIGHT ? out[layer] : 1;
                    int expCols = role == ROLE_WEIGHT ? in[layer] : out[layer];
                    if (rows != expRows || cols != expCols) {
                        throw r.fail("shape " + rows + "x" + cols + " but the model header implies " + expRows + "x"
                                + expCols);
                    }
                    if (role == ROLE_BIAS && storage != STORAGE_DENSE_F32) {
                        throw r.fail("biases must be stored dense fp32, found " + storageName(storage));
                    }
                    if (role == ROLE_WEIGHT ? weights[layer] != null : biases[layer] != null) {
                        throw r.fail("tensor " + tensor + " appears twice");
                    }
                    StoredTensor t = StoredTensor.read(r, storage, rows, cols);
                    r.expectEnd();
                    if (role == ROLE_WEIGHT) {
                        weights[layer] = t;
                    } else {
                        biases[layer] = t.denseValues();
                    }
                    break;
                }
                case SECTION_METADATA:
                    r.readMetadata(metadata);
                    break;
                case SECTION_MODEL:
                    throw r.fail("a second model header");
                default:
                    r.skipUnknown(f.type[s], f.flags[s], FLAG_REQUIRED);
            }
        }
        SectionReader tail = new SectionReader(buf, len - CRC_BYTES, len, source, "file");
        if (p == null) {
            throw tail.fail("the feature pipeline section (type 3) is missing");
        }
        Layer[] layers = new Layer[layerCount];
        for (int i = 0; i < layerCount; i++) {
            if (weights[i] == null || biases[i] == null) {
                throw tail.fail("tensor mlp." + i + (weights[i] == null ? ".weight" : ".bias") + " is missing");
            }
            layers[i] = new Layer(weights[i], biases[i], i == layerCount - 1 ? ACT_NONE : act, actParam);
        }

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
        List<Map<String, Integer>> vocabs = new ArrayList<>(nCat);
        long w = 2L * nNum;
        for (int j = 0; j < nCat; j++) {
            catFields[j] = p.string("categorical field " + j + " name");
            int size = p.count("vocabulary size of " + catFields[j], 0, MAX_ENTRIES);
            p.need(2L * size, size + " vocabulary entries of " + catFields[j]);
            Map<String, Integer> vocab = new HashMap<>(Math.max(16, size * 2));
            for (int k = 0; k < size; k++) {
                vocab.putIfAbsent(p.string(catFields[j] + " vocabulary entry " + k), k);
            }
            vocabs.add(vocab);
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

    /** The predicted rating from raw field values (absent or blank = missing), clipped to the training range. */
    public float predict(Map<String, String> rawFields) {
        return Math.min(maxRating, Math.max(minRating, score(rawFields)));
    }

    /** The unclipped rating: MLP output + the training target mean (allocates two small vectors per call). */
    public float score(Map<String, String> rawFields) {
        float[] x = new float[maxWidth];
        float[] y = new float[maxWidth];
        features(rawFields, x);
        for (Layer l : layers) {
            l.forwardOne(x, y, kernels);
            float[] t = x;
            x = y;
            y = t;
        }
        return x[0] + targetOffset;
    }

    /** The model input for one film (what the training pipeline's transform gives). */
    public float[] features(Map<String, String> raw) {
        float[] out = new float[width];
        features(raw, out);
        return out;
    }

    private void features(Map<String, String> raw, float[] out) {
        java.util.Arrays.fill(out, 0, width, 0f);
        int o = 0;
        for (int j = 0; j < numericNames.length; j++) {
            double v = numericValue(derivation[j], raw.get(sourceField[j]));
            if (Double.isNaN(v)) {
                out[o + 1] = 1f;
            } else {
                v = logScaled[j] ? Math.log1p(Math.max(0, v)) : v;
                out[o] = (float) ((v - means[j]) / stds[j]);
            }
            o += 2;
        }
        for (int j = 0; j < categoricalFields.length; j++) {
            Map<String, Integer> vocab = vocabularies.get(j);
            String value = raw.get(categoricalFields[j]);
            if (value != null && !value.isBlank()) {
                int start = 0;
                for (int i = 0; i <= value.length(); i++) {
                    if (i == value.length() || value.charAt(i) == '|') {
                        String part = value.substring(start, i).trim();
                        if (!part.isEmpty()) {
                            Integer k = vocab.get(part);
                            out[o + (k == null ? vocab.size() : k)] = 1f;
                        }
                        start = i + 1;
                    }
                }
            }
            o += vocab.size() + 1;
        }
        for (int j = 0; j < textFields.length; j++) {
            // a HashMap, as in training, so the L2 norm is summed in the same order (bit-identical results)
            Map<Integer, Integer> counts = new HashMap<>();
            String text = raw.get(textFields[j]);
            if (text != null) {
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i <= text.length(); i++) {
                    char c = i < text.length() ? text.charAt(i) : ' ';
                    if (Character.isLetterOrDigit(c)) {
                        sb.append(Character.toLowerCase(c));
                    } else if (sb.length() > 0) {
                        counts.merge(bucket(sb.toString(), hashDim), 1, Integer::sum);
                        sb.setLength(0);
                    }
                }
            }
            float[] w = idf[j];
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
    }

    private static double numericValue(int derivation, String v) {
        if (v == null || v.isBlank()) {
            return Double.NaN;
        }
        switch (derivation) {
            case DERIVE_LIST_COUNT: {
                int n = 0;
                int start = 0;
                for (int i = 0; i <= v.length(); i++) {
                    if (i == v.length() || v.charAt(i) == '|') {
                        if (!v.substring(start, i).trim().isEmpty()) {
                            n++;
                        }
                        start = i + 1;
                    }
                }
                return n == 0 ? Double.NaN : n;
            }
            case DERIVE_DAY_OF_MONTH:
            case DERIVE_MONTH:
                try {
                    LocalDate date = LocalDate.parse(v.strip());
                    return derivation == DERIVE_DAY_OF_MONTH ? date.getDayOfMonth() : date.getMonthValue();
                } catch (DateTimeParseException e) {
                    return Double.NaN;
                }
            default:
                try {
                    return Double.parseDouble(v.strip());
                } catch (NumberFormatException e) {
                    return Double.NaN;
                }
        }
    }

    /** FNV-1a (32-bit) of the token's UTF-8 bytes, reduced mod {@code dim}. */
    static int bucket(String token, int dim) {
        int h = 0x811C9DC5;
        for (byte b : token.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xFF;
            h *= 0x01000193;
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
