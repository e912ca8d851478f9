package dev.winnow.engine.runtime;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.winnow.engine.runtime.WnwFormat.*;

/**
 * The movie feature model (.wnw kind 2) for serving: raw field values (IMDB/TMDB column names, lists joined by '|')
 * -> feature vector ({@link FeaturePipeline}, the fitted pipeline of section 3) -> MLP -> rating.
 * Immutable after load and safe to share between threads.
 *
 * <p>Allocation-free serving: fill a {@link Request} (one per caller or thread, reused) with the raw values as
 * {@link CharSequence}s (or numbers as doubles) and call {@link #predict(Request)}. Each thread gets its own scratch
 * buffers on its first request; after that a request allocates nothing: tokens are scanned and hashed in place,
 * vocabulary lookups compare characters against the stored words, and dates and numbers are read by hand. (Two
 * fallbacks allocate, both rare: a number the exact fast path cannot read, such as one with more than 15 significant
 * digits, goes through {@link Double#parseDouble}, a date not written yyyy-mm-dd through
 * {@link java.time.LocalDate#parse}; and a text whose hashed tokens would make the training side's HashMap build a
 * tree bin is summed through a HashMap.) The {@code Map} methods are conveniences over the same path.
 *
 * <p>The parts: {@link FeaturePipeline} (with {@link TokenCounts}, {@link DecimalParser} and {@link IsoDateParser})
 * makes the features, {@link Layer}s the MLP; this class loads both and serves.
 */
public final class MovieRatingModel {
    /** Largest vocabulary, hash dimension or per-group field count the loader accepts. */
    public static final int MAX_ENTRIES = 1 << 20;
    /** Chosen once per class loader, as in {@link RecommenderModel}. */
    private static final Kernels KERNELS = Kernels.detect();

    private final FeaturePipeline pipeline;
    private final Layer[] layers;
    private final int maxWidth;
    private final float targetOffset;
    private final float minRating;
    private final float maxRating;
    private final Map<String, String> metadata;
    private final ThreadLocal<Scratch> scratch;
    private final Kernels kernels = KERNELS;

    private MovieRatingModel(FeaturePipeline pipeline, Layer[] layers, float targetOffset, float minRating,
                             float maxRating, Map<String, String> metadata) {
        this.pipeline = pipeline;
        this.layers = layers;
        this.targetOffset = targetOffset;
        this.minRating = minRating;
        this.maxRating = maxRating;
        this.metadata = Collections.unmodifiableMap(metadata);
        this.maxWidth = Layer.scratchWidth(pipeline.width, layers);
        this.scratch = new ThreadLocal<>();
    }

    // ---- loading ------------------------------------------------------------------------------------------------

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
        Map<String, String> metadata = new LinkedHashMap<>();
        SectionReader pipeline = readSections(f, mlp, metadata);
        Layer[] layers = mlp.layers(f.end(), KERNELS);
        return new MovieRatingModel(new FeaturePipeline(pipeline, width), layers, offset, minRating, maxRating,
                metadata);
    }

    /** Reads the tensor and metadata sections; returns the feature pipeline section, which must be there once. */
    private static SectionReader readSections(WnwReader.Frame f, MlpSections mlp, Map<String, String> metadata)
            throws ModelFormatException {
        SectionReader pipeline = null;
        for (int s = 1; s < f.sections(); s++) {
            SectionReader r = f.section(s);
            switch (f.type(s)) {
                case SECTION_FEATURE_PIPELINE:
                    if (pipeline != null) {
                        throw r.fail("a second feature pipeline");
                    }
                    pipeline = r;
                    break;
                case SECTION_TENSOR:
                    readTensor(r, s, mlp);
                    break;
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
        if (pipeline == null) {
            throw f.end().fail("the feature pipeline section (type 3) is missing");
        }
        return pipeline;
    }

    /** A weight or bias tensor (a movie model has no others). */
    private static void readTensor(SectionReader r, int s, MlpSections mlp) throws ModelFormatException {
        int role = r.u8("tensor role");
        int storage = r.u8("storage code");
        int layer = r.u16("layer index");
        int rows = r.count("rows", 1, Integer.MAX_VALUE);
        int cols = r.count("columns", 1, Integer.MAX_VALUE);
        if (role != ROLE_WEIGHT && role != ROLE_BIAS) {
            throw r.fail("tensor role " + role + " does not belong to a movie model (weights and biases only)");
        }
        mlp.checkLayer(r, layer);
        String tensor = tensorName(role, layer);
        mlp.readTensor(r.rest("section " + s + " (tensor " + tensor + ")"), role, storage, layer, rows, cols, tensor);
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
            int n = model.pipeline.fields.length;
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
            model.pipeline.checkField(field);
            text[field] = value;
            isNumber[field] = false;
            return this;
        }

        public Request set(String field, CharSequence value) {
            return set(model.pipeline.requireField(field), value);
        }

        /** Sets a plain-number field without formatting it (NaN = missing); other fields need their characters. */
        public Request set(int field, double value) {
            model.pipeline.checkField(field);
            if (!model.pipeline.numberOnly[field]) {
                throw new IllegalArgumentException("field '" + model.pipeline.fields[field] + "' is read as a list, date"
                        + " or text, not as a number: set its characters instead");
            }
            number[field] = value;
            isNumber[field] = true;
            text[field] = null;
            return this;
        }

        public Request set(String field, double value) {
            return set(model.pipeline.requireField(field), value);
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
            return badField < 0 ? null : model.pipeline.fields[badField];
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
        return List.of(pipeline.fields);
    }

    /** The index of a raw field in {@link #fields()}, or -1 when the model does not read it. */
    public int fieldIndex(String field) {
        return pipeline.fieldIndex(field);
    }

    /** Whether field {@code field} is read only as a plain number (a request may carry it as a double). */
    public boolean isNumberField(int field) {
        pipeline.checkField(field);
        return pipeline.numberOnly[field];
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
        Scratch s = scratch();
        float[] x = s.a;
        float[] y = s.b;
        pipeline.features(r, s.tokens, x);
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
        if (out.length < pipeline.width) {
            throw new IllegalArgumentException("output of " + out.length + " floats for " + pipeline.width
                    + " features");
        }
        pipeline.features(r, scratch().tokens, out);
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
        float[] out = new float[pipeline.width];
        Request r = fill(raw);
        try {
            features(r, out);
        } finally {
            r.clear();
        }
        return out;
    }

    private Request fill(Map<String, String> raw) {
        Scratch s = scratch();
        if (s.mapRequest == null) {
            s.mapRequest = new Request(this);
        }
        Request r = s.mapRequest.clear();
        String[] fields = pipeline.fields;
        for (int f = 0; f < fields.length; f++) {
            r.text[f] = raw.get(fields[f]);
        }
        return r;
    }

    /** This thread's buffers, made on its first request (as in {@link RecommenderModel}). */
    private Scratch scratch() {
        Scratch s = scratch.get();
        if (s == null) {
            s = new Scratch(maxWidth, pipeline);
            scratch.set(s);
        }
        return s;
    }

    /** Per-thread buffers: two activation vectors, the text fields' token counts, the request the Map methods fill. */
    private static final class Scratch {
        final float[] a;
        final float[] b;
        /** Null when the model reads no text. */
        final TokenCounts tokens;
        Request mapRequest;

        Scratch(int maxWidth, FeaturePipeline pipeline) {
            a = new float[maxWidth];
            b = new float[maxWidth];
            tokens = pipeline.textFields.length > 0 ? new TokenCounts(pipeline.hashDim) : null;
        }
    }

    // ---- description ----------------------------------------------------------------------------------------------

    public int inputWidth() {
        return pipeline.width;
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
        return pipeline.hashDim;
    }

    public List<String> numericInputs() {
        return List.of(pipeline.numericNames);
    }

    public List<String> categoricalFields() {
        return List.of(pipeline.categoricalFields);
    }

    public List<String> textFields() {
        return List.of(pipeline.textFields);
    }

    public int[] layerWidths() {
        int[] w = new int[layers.length + 1];
        w[0] = pipeline.width;
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
        return "movie feature MLP " + java.util.Arrays.toString(layerWidths()) + " over " + pipeline.numericNames.length
                + " numeric, " + pipeline.categoricalFields.length + " categorical and " + pipeline.textFields.length
                + " text fields (hash dim " + pipeline.hashDim + "), rating = output + " + targetOffset + ", layouts "
                + Layer.layouts(layers);
    }
}
