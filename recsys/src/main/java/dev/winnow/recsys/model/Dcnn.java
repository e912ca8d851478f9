package dev.winnow.recsys.model;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.nn.Conv1d;
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
 * are unknown, so this is the placeholder of sad_lth_spec.md section 5.6. The feature vector is read as a sequence of
 * F positions with one channel; Conv1d(c1, k=3, ReLU) -> Conv1d(c2, k=3, ReLU) -> global average pool over positions
 * -> Dense(d, ReLU) -> Dense(1). The convolutions pad by one so that groups with few features (social has 10 inputs)
 * keep their length. Taps: the pooled [batch x c2] features and the dense [batch x d] layer, both post-activation.
 */
public final class Dcnn implements FeatureRegressor {
    /** Channels and dense width of the placeholder of section 5.6 (the student of the movie task). */
    public static final int[] PLACEHOLDER = {32, 64, 64};
    /** A wider teacher, about 9x the placeholder's parameters. */
    public static final int[] TEACHER = {96, 192, 192};

    private final int features;
    private final int[] widths;
    private final Conv1d conv1;
    private final Conv1d conv2;
    private final Linear dense;
    private final Linear out;

    /** @param widths {conv1 channels, conv2 channels, dense width} */
    public Dcnn(Backend backend, int features, int[] widths, long seed) {
        if (widths.length != 3) {
            throw new IllegalArgumentException("Dcnn widths are {conv1, conv2, dense}, got " + widths.length
                    + " numbers");
        }
        SplittableRandom rng = new SplittableRandom(seed);
        this.features = features;
        this.widths = widths.clone();
        this.conv1 = new Conv1d(backend, "dcnn.conv1", 1, widths[0], 3, 1, rng);
        this.conv2 = new Conv1d(backend, "dcnn.conv2", widths[0], widths[1], 3, 1, rng);
        this.dense = new Linear(backend, "dcnn.dense", widths[1], widths[2], true, rng);
        this.out = new Linear(backend, "dcnn.out", widths[2], 1, true, rng);
    }

    public static Dcnn placeholder(Backend backend, int features, long seed) {
        return new Dcnn(backend, features, PLACEHOLDER, seed);
    }

    public static Dcnn teacher(Backend backend, int features, long seed) {
        return new Dcnn(backend, features, TEACHER, seed);
    }

    @Override
    public Tensor forward(Tensor x, List<Tensor> taps) {
        if (x.cols() != features) {
            throw new IllegalArgumentException("dcnn: expected " + features + " features, got " + x.shape());
        }
        Tensor h1 = Ops.relu(conv1.forward(x, features));
        int l1 = conv1.outputLength(features);
        Tensor h2 = Ops.relu(conv2.forward(h1, l1));
        Tensor pooled = ConvOps.meanOverPositions(h2, conv2.outputLength(l1), widths[1]);
        Tensor d = Ops.relu(dense.forward(pooled));
        if (taps != null) {
            taps.add(pooled);
            taps.add(d);
        }
        return out.forward(d);
    }

    @Override
    public String describe() {
        return "dcnn[conv" + widths[0] + ",conv" + widths[1] + ",dense" + widths[2] + "]";
    }

    @Override
    public List<Parameter> parameters() {
        List<Parameter> ps = new ArrayList<>();
        ps.addAll(conv1.parameters());
        ps.addAll(conv2.parameters());
        ps.addAll(dense.parameters());
        ps.addAll(out.parameters());
        return ps;
    }
}
