package dev.winnow.engine.distill;

import dev.winnow.engine.loss.Loss;
import dev.winnow.engine.tensor.Tensor;

/**
 * Output distillation against a frozen teacher (its prediction is detached, so it never gets a gradient). Every head
 * here predicts a scalar rating, where Hinton's tempered KL means nothing, so the term is the squared error to the
 * teacher's prediction (spec §5 [ours]); the tempered KL stays an engine loss ({@link Loss#klDivTempered}).
 */
public final class KdLoss {
    private KdLoss() {
    }

    /** mean over the batch of (z_S - z_T)^2: regression distillation for rating heads. */
    public static Tensor regression(Tensor studentPrediction, Tensor teacherPrediction) {
        return Loss.mse(studentPrediction, AttentionDistiller.detach(teacherPrediction));
    }
}
