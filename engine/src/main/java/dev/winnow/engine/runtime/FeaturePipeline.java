package dev.winnow.engine.runtime;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The movie model's fitted feature pipeline (section 3 of a kind-2 file), re-implemented with java.base only: one
 * film's raw field values -> the MLP's input, as the training side's MovieFeatures.transform computes it, bit for
 * bit. Numeric inputs (a number, a list's length, a date's month or day) are optionally log1p-scaled and standardised,
 * each followed by a missing flag; categorical fields are multi-hot over their vocabulary plus an "other" slot; text
 * fields are hashed token counts, TF-IDF weighted and L2-normalised. Immutable; the per-thread state is the caller's
 * {@link TokenCounts}.
 */
final class FeaturePipeline {
    static final int DERIVE_NUMBER = 0;
    static final int DERIVE_LIST_COUNT = 1;
    static final int DERIVE_DAY_OF_MONTH = 2;
    static final int DERIVE_MONTH = 3;
    static final int TOKENS_ALNUM_LOWER_FNV1A = 1;

    final int hashDim;
    final String[] numericNames;
    private final int[] derivation;
    private final String[] sourceField;
    private final boolean[] logScaled;
    private final double[] means;
    private final double[] stds;
    final String[] categoricalFields;
    /** Per categorical field: the vocabulary in slot order, and an open-addressing table of (slot + 1), 0 = empty. */
    private final String[][] vocab;
    private final int[][] vocabTable;
    final String[] textFields;
    private final float[][] idf;
    /** Features produced: the model's input width. */
    final int width;
    /** The distinct raw fields the pipeline reads, in first-use order (numeric sources, categorical, text). */
    final String[] fields;
    final Map<String, Integer> fieldIndex;
    private final int[] numericField;
    private final int[] categoricalField;
    private final int[] textField;
    /** Fields read only as plain numbers: a request may carry them as doubles. */
    final boolean[] numberOnly;

    /** Reads the pipeline section, which must produce {@code width} features (the model header's input width). */
    FeaturePipeline(SectionReader p, int width) throws ModelFormatException {
        int rule = p.u8("tokenisation rule");
        if (rule != TOKENS_ALNUM_LOWER_FNV1A) {
            throw p.fail("unknown tokenisation rule " + rule + " (this runtime knows rule 1)");
        }
        hashDim = p.count("hash dimension", 1, MovieRatingModel.MAX_ENTRIES);
        int nNum = p.u16("numeric input count");
        // each numeric entry is at least 2 + 1 + 2 + 1 + 8 + 8 bytes
        p.need(22L * nNum, nNum + " numeric inputs");
        numericNames = new String[nNum];
        derivation = new int[nNum];
        sourceField = new String[nNum];
        logScaled = new boolean[nNum];
        means = new double[nNum];
        stds = new double[nNum];
        for (int j = 0; j < nNum; j++) {
            readNumeric(p, j);
        }
        int nCat = p.u16("categorical field count");
        p.need(6L * nCat, nCat + " categorical fields");
        categoricalFields = new String[nCat];
        vocab = new String[nCat][];
        vocabTable = new int[nCat][];
        long w = 2L * nNum;
        for (int j = 0; j < nCat; j++) {
            w += readVocabulary(p, j) + 1L;
        }
        int nText = p.u16("text field count");
        p.need(nText * (2L + 4L * hashDim), nText + " text fields");
        textFields = new String[nText];
        idf = new float[nText][];
        for (int j = 0; j < nText; j++) {
            readIdf(p, j);
        }
        p.expectEnd();
        w += (long) nText * hashDim;
        if (w != width) {
            throw p.fail("the pipeline produces " + w + " features but the model header says " + width);
        }
        this.width = width;
        Map<String, Integer> index = new LinkedHashMap<>();
        numericField = slots(index, sourceField);
        categoricalField = slots(index, categoricalFields);
        textField = slots(index, textFields);
        fieldIndex = Collections.unmodifiableMap(index);
        fields = index.keySet().toArray(new String[0]);
        numberOnly = numberOnly();
    }

    private void readNumeric(SectionReader p, int j) throws ModelFormatException {
        String name = p.string("numeric input " + j + " name");
        numericNames[j] = name;
        derivation[j] = p.u8("derivation of " + name);
        if (derivation[j] > DERIVE_MONTH) {
            throw p.fail("unknown derivation " + derivation[j] + " for numeric input " + name);
        }
        sourceField[j] = p.string("source field of " + name);
        int log = p.u8("log flag of " + name);
        if (log > 1) {
            throw p.fail("log flag of " + name + " is " + log + ", not 0 or 1");
        }
        logScaled[j] = log == 1;
        means[j] = p.finiteF64("mean of " + name);
        stds[j] = p.finiteF64("standard deviation of " + name);
        if (!(stds[j] > 0)) {
            throw p.fail("standard deviation of " + name + " is " + stds[j] + "; it must be > 0");
        }
    }

    /** Reads categorical field {@code j} and its vocabulary; returns the vocabulary size. */
    private int readVocabulary(SectionReader p, int j) throws ModelFormatException {
        String name = p.string("categorical field " + j + " name");
        categoricalFields[j] = name;
        int size = p.count("vocabulary size of " + name, 0, MovieRatingModel.MAX_ENTRIES);
        p.need(2L * size, size + " vocabulary entries of " + name);
        String[] words = new String[size];
        for (int k = 0; k < size; k++) {
            words[k] = p.string(name + " vocabulary entry " + k);
        }
        vocab[j] = words;
        vocabTable[j] = table(words);
        return size;
    }

    private void readIdf(SectionReader p, int j) throws ModelFormatException {
        String name = p.string("text field " + j + " name");
        textFields[j] = name;
        float[] weights = new float[hashDim];
        for (int b = 0; b < hashDim; b++) {
            weights[b] = p.finiteF32(name + " idf weight " + b);
        }
        idf[j] = weights;
    }

    /** The raw field each name stands for, numbered in {@code index} in first-use order. */
    private static int[] slots(Map<String, Integer> index, String[] names) {
        int[] slots = new int[names.length];
        for (int j = 0; j < names.length; j++) {
            Integer f = index.get(names[j]);
            if (f == null) {
                f = index.size();
                index.put(names[j], f);
            }
            slots[j] = f;
        }
        return slots;
    }

    private boolean[] numberOnly() {
        boolean[] only = new boolean[fields.length];
        java.util.Arrays.fill(only, true);
        for (int j = 0; j < numericNames.length; j++) {
            only[numericField[j]] &= derivation[j] == DERIVE_NUMBER;
        }
        for (int f : categoricalField) {
            only[f] = false;
        }
        for (int f : textField) {
            only[f] = false;
        }
        return only;
    }

    /** The index of a raw field in {@link #fields}, or -1 when the pipeline does not read it. */
    int fieldIndex(String field) {
        Integer f = fieldIndex.get(field);
        return f == null ? -1 : f;
    }

    int requireField(String field) {
        int f = fieldIndex(field);
        if (f < 0) {
            throw new IllegalArgumentException("this model reads no field '" + field + "'; it reads "
                    + fieldIndex.keySet());
        }
        return f;
    }

    void checkField(int field) {
        if (field < 0 || field >= fields.length) {
            throw new IllegalArgumentException("field index " + field + " is outside 0.." + (fields.length - 1));
        }
    }

    /**
     * The model input for one film's raw values into {@code out[0, width)}; records in {@code r} the first field whose
     * value could not be read. {@code tokens} counts the text fields (null when there are none).
     */
    void features(MovieRatingModel.Request r, TokenCounts tokens, float[] out) {
        java.util.Arrays.fill(out, 0, width, 0f);
        r.badField = -1;
        int o = numericFeatures(r, out);
        o = categoricalFeatures(r, out, o);
        textFeatures(r, tokens, out, o);
    }

    /** Per numeric input: its standardised value, then a missing flag; returns the offset after them. */
    private int numericFeatures(MovieRatingModel.Request r, float[] out) {
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
        return o;
    }

    /** Per categorical field, from offset {@code o}: multi-hot over its vocabulary, then the "other" slot. */
    private int categoricalFeatures(MovieRatingModel.Request r, float[] out, int o) {
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
        return o;
    }

    /** Per text field, from offset {@code o}: the TF-IDF weights of its hashed tokens, L2-normalised. */
    private void textFeatures(MovieRatingModel.Request r, TokenCounts tokens, float[] out, int o) {
        for (int j = 0; j < textFields.length; j++) {
            CharSequence text = r.text[textField[j]];
            float[] w = idf[j];
            double norm = 0;
            if (text != null) {
                boolean emulated = tokens.count(text, hashDim);
                if (emulated) {
                    // the training side sums the L2 norm over a HashMap's entries: the same order, so the same bits
                    tokens.iterationOrder();
                    for (int i = 0; i < tokens.distinct; i++) {
                        int key = tokens.order[i];
                        float v = (float) ((1 + Math.log(tokens.counts[key])) * w[key]);
                        out[o + key] = v;
                        norm += (double) v * v;
                    }
                }
                tokens.resetMap();
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
        TokenCounts.count(text, hashDim, counts);
        double norm = 0;
        for (Map.Entry<Integer, Integer> e : counts.entrySet()) {
            float v = (float) ((1 + Math.log(e.getValue())) * w[e.getKey()]);
            out[o + e.getKey()] = v;
            norm += (double) v * v;
        }
        return norm;
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
    private double numericValue(int j, MovieRatingModel.Request r) {
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

    private static void bad(MovieRatingModel.Request r, int field) {
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
}
