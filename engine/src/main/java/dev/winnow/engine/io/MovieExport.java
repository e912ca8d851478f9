package dev.winnow.engine.io;

import dev.winnow.engine.nn.Activation;
import dev.winnow.engine.nn.Linear;
import dev.winnow.engine.nn.Mlp;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

import static dev.winnow.engine.runtime.WnwFormat.*;

/**
 * What the movie feature model exports (model kind 2): the fitted feature pipeline as plain numbers and strings
 * (section 3, layout in docs/format.md), the MLP's layers, the hidden activation, the training target
 * mean the model's output is added to, and the rating range predictions are clipped to.
 *
 * @param numeric        one entry per numeric input, in vector order
 * @param categorical    one multi-hot block per field, vocabulary in slot order ("other" slot implied last)
 * @param text           one hashed TF-IDF block of {@code hashDim} per field
 * @param targetOffset   added to the MLP output to give a rating (the models are trained on centred targets)
 */
public record MovieExport(int hashDim, List<Numeric> numeric, List<Categorical> categorical, List<Text> text,
                          List<NcfExport.LayerWeights> layers, Activation activation, float targetOffset,
                          float minRating, float maxRating, Map<String, String> metadata) {

    /** How a numeric input is read from the raw fields. */
    public static final int DERIVE_NUMBER = 0;
    public static final int DERIVE_LIST_COUNT = 1;
    public static final int DERIVE_DAY_OF_MONTH = 2;
    public static final int DERIVE_MONTH = 3;
    /** Tokens are maximal runs of Character.isLetterOrDigit chars, lower-cased per char, FNV-1a 32 of UTF-8 mod dim. */
    public static final int TOKENS_ALNUM_LOWER_FNV1A = 1;

    /** A numeric input: z-score of (log1p(max(0, v)) if logScaled else v), plus a missing flag. */
    public record Numeric(String name, int derivation, String sourceField, boolean logScaled, double mean,
                          double std) {
    }

    public record Categorical(String field, List<String> vocabulary) {
        public Categorical {
            vocabulary = List.copyOf(vocabulary);
        }
    }

    public record Text(String field, float[] idf) {
    }

    public MovieExport {
        numeric = List.copyOf(numeric);
        categorical = List.copyOf(categorical);
        text = List.copyOf(text);
        layers = List.copyOf(layers);
        metadata = new LinkedHashMap<>(metadata);
        for (Text t : text) {
            if (t.idf().length != hashDim) {
                throw new IllegalArgumentException("text field " + t.field() + " has " + t.idf().length
                        + " idf weights for a hash dimension of " + hashDim);
            }
        }
        int expected = width(hashDim, numeric, categorical, text);
        for (int i = 0; i < layers.size(); i++) {
            if (layers.get(i).in() != expected) {
                throw new IllegalArgumentException("layer " + i + " takes " + layers.get(i).in() + " inputs, expected "
                        + expected);
            }
            expected = layers.get(i).out();
        }
        if (layers.isEmpty() || expected != 1) {
            throw new IllegalArgumentException("the last layer must have one output, not " + expected);
        }
    }

    private static int width(int hashDim, List<Numeric> numeric, List<Categorical> categorical, List<Text> text) {
        int w = 2 * numeric.size() + hashDim * text.size();
        for (Categorical c : categorical) {
            w += c.vocabulary().size() + 1;
        }
        return w;
    }

    /** Length of the feature vector the pipeline produces (the first layer's input width). */
    public int inputWidth() {
        return width(hashDim, numeric, categorical, text);
    }

    /** The layers of an engine MLP (current, masked values). */
    public static List<NcfExport.LayerWeights> layersOf(Mlp mlp) {
        List<NcfExport.LayerWeights> out = new ArrayList<>();
        for (Linear l : mlp.layers()) {
            if (l.bias() == null) {
                throw new IllegalArgumentException(l.weight().name() + ": layers without a bias are not exportable");
            }
            out.add(new NcfExport.LayerWeights(l.in(), l.out(), l.weight().value().toArray(),
                    l.bias().value().toArray()));
        }
        return out;
    }

    public int activationCode() {
        switch (activation) {
            case NONE: return ACT_NONE;
            case RELU: return ACT_RELU;
            case LEAKY_RELU: return ACT_LEAKY_RELU;
            case SIGMOID: return ACT_SIGMOID;
            case TANH: return ACT_TANH;
            default: throw new AssertionError(activation);
        }
    }

    /** The .wnw file image with every weight tensor in {@code storage} (biases are always dense fp32). */
    public byte[] encode(int storage) {
        WnwWriter.Bytes file = new WnwWriter.Bytes(1024);
        file.raw(MAGIC);
        file.u16(VERSION_MAJOR);
        file.u16(VERSION_MINOR);
        file.u32(2 + (metadata.isEmpty() ? 0 : 1) + 2 * layers.size());

        WnwWriter.Bytes model = new WnwWriter.Bytes(64);
        model.u8(KIND_MOVIE_MLP);
        model.u8(activationCode());
        model.f32(Activation.LEAKY_SLOPE);
        model.u16(layers.size());
        model.u32(inputWidth());
        model.f32(minRating);
        model.f32(maxRating);
        model.f32(targetOffset);
        for (NcfExport.LayerWeights l : layers) {
            model.u32(l.in());
            model.u32(l.out());
        }
        WnwWriter.section(file, SECTION_MODEL, FLAG_REQUIRED, model);

        WnwWriter.Bytes p = new WnwWriter.Bytes(4096);
        p.u8(TOKENS_ALNUM_LOWER_FNV1A);
        p.u32(hashDim);
        p.u16(numeric.size());
        for (Numeric n : numeric) {
            p.string(n.name());
            p.u8(n.derivation());
            p.string(n.sourceField());
            p.u8(n.logScaled() ? 1 : 0);
            p.f64(n.mean());
            p.f64(n.std());
        }
        p.u16(categorical.size());
        for (Categorical c : categorical) {
            p.string(c.field());
            p.u32(c.vocabulary().size());
            for (String v : c.vocabulary()) {
                p.string(v);
            }
        }
        p.u16(text.size());
        for (Text t : text) {
            p.string(t.field());
            for (float w : t.idf()) {
                p.f32(w);
            }
        }
        WnwWriter.section(file, SECTION_FEATURE_PIPELINE, FLAG_REQUIRED, p);

        if (!metadata.isEmpty()) {
            WnwWriter.Bytes meta = new WnwWriter.Bytes(256);
            meta.u16(metadata.size());
            for (Map.Entry<String, String> e : metadata.entrySet()) {
                meta.string(e.getKey());
                meta.string(e.getValue());
            }
            WnwWriter.section(file, SECTION_METADATA, 0, meta);
        }
        for (int i = 0; i < layers.size(); i++) {
            NcfExport.LayerWeights l = layers.get(i);
            WnwWriter.section(file, SECTION_TENSOR, FLAG_REQUIRED, WnwWriter.tensor(ROLE_WEIGHT, i, storage, l.out(),
                    l.in(), l.weight(), "mlp." + i + ".weight"));
        }
        for (int i = 0; i < layers.size(); i++) {
            float[] b = layers.get(i).bias();
            WnwWriter.section(file, SECTION_TENSOR, FLAG_REQUIRED, WnwWriter.tensor(ROLE_BIAS, i, STORAGE_DENSE_F32, 1,
                    b.length, b, "mlp." + i + ".bias"));
        }
        CRC32C crc = new CRC32C();
        crc.update(file.buf, 0, file.len);
        file.u32((int) crc.getValue());
        return file.toArray();
    }
}
