package dev.winnow.recsys.model;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.nn.Activation;
import dev.winnow.engine.nn.Mlp;
import dev.winnow.engine.nn.Parameter;
import dev.winnow.engine.tensor.Tensor;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The feature MLP for movie attributes: features -> ReLU hidden layers -> one rating. Parameter names
 * {@code featmlp.<layer>.weight|bias}. Presets: the teacher is 5-10x the student's parameters for inputs of a few
 * hundred features (and more for the tiny social group, where the first layer stops dominating).
 */
public final class FeatureMlp implements FeatureRegressor {
    /** Hidden widths of the teacher preset. */
    public static final int[] TEACHER = {256, 64};
    /** Hidden widths of the student preset. */
    public static final int[] STUDENT = {48, 16};

    private final Mlp mlp;
    private final int[] hidden;

    public FeatureMlp(Backend backend, int features, int[] hidden, float dropout, long seed) {
        this.hidden = hidden.clone();
        this.mlp = Mlp.builder(features).hidden(hidden).activation(Activation.RELU).dropout(dropout)
                .build(backend, "featmlp", 1, new SplittableRandom(seed));
    }

    public static FeatureMlp teacher(Backend backend, int features, long seed) {
        return new FeatureMlp(backend, features, TEACHER, 0.2f, seed);
    }

    public static FeatureMlp student(Backend backend, int features, long seed) {
        return new FeatureMlp(backend, features, STUDENT, 0.1f, seed);
    }

    @Override
    public Tensor forward(Tensor x, List<Tensor> taps) {
        return mlp.forward(x, taps);
    }

    public Mlp mlp() {
        return mlp;
    }

    @Override
    public String describe() {
        return "featmlp" + Arrays.toString(hidden).replace(" ", "");
    }

    @Override
    public List<Parameter> parameters() {
        return mlp.parameters();
    }

    @Override
    public void train(boolean training) {
        mlp.train(training);
    }
}
