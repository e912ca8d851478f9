package dev.winnow.recsys.method;

import dev.winnow.engine.distill.AttentionDistiller;
import dev.winnow.engine.nn.Linear;
import dev.winnow.engine.nn.Parameter;

/** FLOPs of a student's MLP at its current masks: per forward pass, and per training sample (with distillation). */
final class TrainingFlops {

    private TrainingFlops() {
    }

    /** Forward multiply-adds x2 of the model's Linear layers at the current masks; NaN for a model without an MLP. */
    static double forward(TapModel model) {
        double flops = 0;
        if (model.mlp() == null) {
            return Double.NaN; // not an MLP: per-sample FLOPs are reported by the model's own accounting
        }
        for (Linear l : model.mlp().layers()) {
            Parameter w = l.weight();
            flops += 2.0 * w.aliveCount() + l.out();
        }
        return flops;
    }

    /**
     * One training sample: the student's forward and backward (3 forwards), and when {@code distils} the teacher's
     * forward and the distiller's forward and backward.
     */
    static double perTrainSample(TapModel student, boolean distils, TapModel teacher, AttentionDistiller distiller) {
        double f = 3 * forward(student);
        if (distils) {
            f += forward(teacher);
            if (distiller != null) {
                f += 3 * 2.0 * distiller.parameterCount();
            }
        }
        return f;
    }
}
