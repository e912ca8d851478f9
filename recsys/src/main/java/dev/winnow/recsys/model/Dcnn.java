package dev.winnow.recsys.model;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.nn.Conv1d;
import dev.winnow.engine.nn.FieldEmbeddingBags;
import dev.winnow.engine.nn.Linear;
import dev.winnow.engine.nn.Parameter;
import dev.winnow.engine.tensor.ConvOps;
import dev.winnow.engine.tensor.Ops;
import dev.winnow.engine.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The DCNN baseline (Abarja and Wibowo 2020) as a RE-IMPLEMENTATION WITH AN ASSUMED ARCHITECTURE: the paper's layers
 * are not public (its abstract gives the inputs, not the network), so this is the placeholder of sad_lth_spec.md
 * section 5.6. Scalar inputs (numeric, categorical, historical columns) are read as a sequence of positions with one
 * channel: Conv1d(c1, k=3, ReLU) -> Conv1d(c2, k=3, ReLU) -> global average pool over positions. Text fields, whose
 * hashed tf-idf blocks are bags and not sequences, go through a front end instead: one weighted embedding bag per field
 * ({@link FieldEmbeddingBags}, c1 channels) gives a sequence of field vectors, then Conv1d(c1, k=3, ReLU) ->
 * Conv1d(c2, k=3, ReLU) -> global average pool. The pooled branches are concatenated -> Dense(d, ReLU) -> Dense(1).
 * The convolutions pad by one so that short sequences (social has 10 inputs, textual 4 fields) keep their length.
 * Without text fields the model is exactly the earlier placeholder. Taps: the pooled features and the dense layer,
 * both post-activation.
 */
public final class Dcnn implements FeatureRegressor {
    /** Channels and dense width of the placeholder of section 5.6 (the student of the movie task). */
    public static final int[] PLACEHOLDER = {32, 64, 64};
    /** A wider teacher, about 9x the placeholder's parameters. */
    public static final int[] TEACHER = {96, 192, 192};

    /**
     * Where the text blocks sit in the feature vector: {@code fields} blocks of {@code buckets} columns from column
     * {@code start}.
     */
    public record TextBlocks(int start, int fields, int buckets) {
        public static final TextBlocks NONE = new TextBlocks(0, 0, 0);

        int end() {
            return start + fields * buckets;
        }
    }

    private final int features;
    private final int[] widths;
    private final TextBlocks text;
    private final int scalars;
    private final Conv1d conv1;
    private final Conv1d conv2;
    private final FieldEmbeddingBags bags;
    private final Conv1d textConv1;
    private final Conv1d textConv2;
    private final Linear dense;
    private final Linear out;

    /** @param widths {conv1 channels, conv2 channels, dense width} */
    public Dcnn(Backend backend, int features, int[] widths, long seed) {
        this(backend, features, TextBlocks.NONE, widths, seed);
    }

    /** @param text where the text fields' blocks are ({@link TextBlocks#NONE}: every column is a scalar) */
    public Dcnn(Backend backend, int features, TextBlocks text, int[] widths, long seed) {
        if (widths.length != 3) {
            throw new IllegalArgumentException("Dcnn widths are {conv1, conv2, dense}, got " + widths.length
                    + " numbers");
        }
        if (text.fields() > 0 && (text.start() < 0 || text.end() > features)) {
            throw new IllegalArgumentException("dcnn: " + text + " does not fit " + features + " features");
        }
        SplittableRandom rng = new SplittableRandom(seed);
        this.features = features;
        this.widths = widths.clone();
        this.text = text;
        this.scalars = features - text.fields() * text.buckets();
        boolean hasScalars = scalars > 0 || text.fields() == 0;
        this.conv1 = hasScalars ? new Conv1d(backend, "dcnn.conv1", 1, widths[0], 3, 1, rng) : null;
        this.conv2 = hasScalars ? new Conv1d(backend, "dcnn.conv2", widths[0], widths[1], 3, 1, rng) : null;
        if (text.fields() > 0) {
            // N(0, 1) like PyTorch's EmbeddingBag; a field's block is L2-normalised, so a bag has unit-scale entries
            this.bags = new FieldEmbeddingBags(backend, "dcnn.text_bags", text.fields(), text.buckets(), widths[0],
                    1.0, rng);
            this.textConv1 = new Conv1d(backend, "dcnn.text_conv1", widths[0], widths[0], 3, 1, rng);
            this.textConv2 = new Conv1d(backend, "dcnn.text_conv2", widths[0], widths[1], 3, 1, rng);
        } else {
            this.bags = null;
            this.textConv1 = null;
            this.textConv2 = null;
        }
        int branches = (conv1 != null ? 1 : 0) + (bags != null ? 1 : 0);
        this.dense = new Linear(backend, "dcnn.dense", branches * widths[1], widths[2], true, rng);
        this.out = new Linear(backend, "dcnn.out", widths[2], 1, true, rng);
    }

    public static Dcnn placeholder(Backend backend, int features, long seed) {
        return new Dcnn(backend, features, PLACEHOLDER, seed);
    }

    public static Dcnn placeholder(Backend backend, int features, TextBlocks text, long seed) {
        return new Dcnn(backend, features, text, PLACEHOLDER, seed);
    }

    public static Dcnn teacher(Backend backend, int features, long seed) {
        return new Dcnn(backend, features, TEACHER, seed);
    }

    public static Dcnn teacher(Backend backend, int features, TextBlocks text, long seed) {
        return new Dcnn(backend, features, text, TEACHER, seed);
    }

    @Override
    public Tensor forward(Tensor x, List<Tensor> taps) {
        if (x.cols() != features) {
            throw new IllegalArgumentException("dcnn: expected " + features + " features, got " + x.shape());
        }
        Tensor pooled = null;
        if (conv1 != null) {
            Tensor s = scalarColumns(x);
            int len = s.cols();
            Tensor h1 = Ops.relu(conv1.forward(s, len));
            int l1 = conv1.outputLength(len);
            Tensor h2 = Ops.relu(conv2.forward(h1, l1));
            pooled = ConvOps.meanOverPositions(h2, conv2.outputLength(l1), widths[1]);
        }
        if (bags != null) {
            Tensor seq = bags.forward(x, text.start());
            int len = text.fields();
            Tensor h1 = Ops.relu(textConv1.forward(seq, len));
            int l1 = textConv1.outputLength(len);
            Tensor h2 = Ops.relu(textConv2.forward(h1, l1));
            Tensor t = ConvOps.meanOverPositions(h2, textConv2.outputLength(l1), widths[1]);
            pooled = pooled == null ? t : Ops.concatCols(pooled, t);
        }
        Tensor d = Ops.relu(dense.forward(pooled));
        if (taps != null) {
            taps.add(pooled);
            taps.add(d);
        }
        return out.forward(d);
    }

    /** The columns outside the text blocks, in order (x itself when there are no text blocks). */
    private Tensor scalarColumns(Tensor x) {
        if (text.fields() == 0) {
            return x;
        }
        List<Tensor> parts = new ArrayList<>();
        if (text.start() > 0) {
            parts.add(Ops.sliceCols(x, 0, text.start()));
        }
        if (text.end() < features) {
            parts.add(Ops.sliceCols(x, text.end(), features));
        }
        return parts.size() == 1 ? parts.get(0) : Ops.concatCols(parts.toArray(new Tensor[0]));
    }

    @Override
    public String describe() {
        return "dcnn[" + (bags != null ? "bags" + text.fields() + "x" + widths[0] + "," : "") + "conv" + widths[0]
                + ",conv" + widths[1] + ",dense" + widths[2] + "]";
    }

    @Override
    public List<Parameter> parameters() {
        List<Parameter> ps = new ArrayList<>();
        if (conv1 != null) {
            ps.addAll(conv1.parameters());
            ps.addAll(conv2.parameters());
        }
        if (bags != null) {
            ps.addAll(bags.parameters());
            ps.addAll(textConv1.parameters());
            ps.addAll(textConv2.parameters());
        }
        ps.addAll(dense.parameters());
        ps.addAll(out.parameters());
        return ps;
    }
}
