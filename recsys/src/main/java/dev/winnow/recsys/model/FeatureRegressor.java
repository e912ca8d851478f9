package dev.winnow.recsys.model;

import dev.winnow.engine.nn.Module;
import dev.winnow.engine.tensor.Tensor;

import java.util.List;

/**
 * A model from a feature vector [batch x features] to one predicted value [batch x 1] (the movie rating task). The
 * post-activation hidden outputs [batch x width] are appended to {@code taps} when it is not null: what attention
 * distillation reads.
 */
public interface FeatureRegressor extends Module {

    Tensor forward(Tensor x, List<Tensor> taps);

    default Tensor forward(Tensor x) {
        return forward(x, null);
    }

    /** A short name for reports ("featmlp[256,64]", "dcnn[32,64|64]"). */
    String describe();
}
