package dev.winnow.engine.distill;

import dev.winnow.engine.loss.Loss;
import dev.winnow.engine.tensor.Tensor;

/**
 * Output distillation terms against a frozen teacher (its prediction is detached, so it never gets a gradient):
 * Hinton's tempered KL for classification heads and, for a scalar rating head where a temperature means nothing,
 * the squared error to the teacher's prediction (spec §5 [ours]).
 */
public final class KdLoss {
    private KdLoss() {
    }

    /** T^2/B * sum_b KL(softmax(z_T/T) || softmax(z_S/T)); gradient w.r.t. z_S is T (p_S - p_T) / B. */
    public static Tensor hinton(Tensor studentLogits, Tensor teacherLogits, float temperature) {
        return Loss.klDivTempered(studentLogits, AttentionDistiller.detach(teacherLogits), temperature);
    }

    /** mean over the batch of (z_S - z_T)^2: regression distillation for rating heads. */
    public static Tensor regression(Tensor studentPrediction, Tensor teacherPrediction) {
        return Loss.mse(studentPrediction, AttentionDistiller.detach(teacherPrediction));
    }
}
