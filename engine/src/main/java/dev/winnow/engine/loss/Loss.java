package dev.winnow.engine.loss;

import dev.winnow.engine.tensor.IndexTensor;
import dev.winnow.engine.tensor.Ops;
import dev.winnow.engine.tensor.Tensor;

/** Training objectives, composed from engine ops (so their gradients come from the ops' own backward). */
public final class Loss {
    private Loss() {
    }

    /** Mean squared error over every element. */
    public static Tensor mse(Tensor prediction, Tensor target) {
        checkSameShape(prediction, target, "mse");
        return Ops.mean(Ops.square(Ops.sub(prediction, target)));
    }

    /** Mean absolute error over every element. */
    public static Tensor mae(Tensor prediction, Tensor target) {
        checkSameShape(prediction, target, "mae");
        return Ops.mean(Ops.abs(Ops.sub(prediction, target)));
    }

    /** Cross-entropy of row-wise logits against class labels, averaged over the batch. */
    public static Tensor crossEntropy(Tensor logits, IndexTensor labels) {
        int batch = logits.rows();
        int classes = logits.cols();
        if (labels.length() != batch) {
            throw new IllegalArgumentException("crossEntropy: " + labels.length() + " labels for a batch of " + batch);
        }
        float[] oneHot = new float[batch * classes];
        for (int b = 0; b < batch; b++) {
            int c = labels.get(b);
            if (c < 0 || c >= classes) {
                throw new IllegalArgumentException("crossEntropy: label " + c + " at row " + b + " is outside 0.."
                        + (classes - 1));
            }
            oneHot[b * classes + c] = 1f;
        }
        Tensor target = Tensor.of(logits.backend(), batch, classes, oneHot, false);
        return Ops.scale(Ops.sum(Ops.mul(Ops.logSoftmax(logits), target)), -1f / batch);
    }

    /**
     * Hinton's distillation term: T^2/B * sum_b KL(softmax(teacher/T) || softmax(student/T)). The teacher's logits
     * get no gradient when they do not require one (a frozen teacher).
     */
    public static Tensor klDivTempered(Tensor studentLogits, Tensor teacherLogits, float temperature) {
        checkSameShape(studentLogits, teacherLogits, "klDivTempered");
        if (!(temperature > 0f)) {
            throw new IllegalArgumentException("temperature must be positive, got " + temperature);
        }
        int batch = studentLogits.rows();
        Tensor logPs = Ops.logSoftmax(Ops.scale(studentLogits, 1f / temperature));
        Tensor logPt = Ops.logSoftmax(Ops.scale(teacherLogits, 1f / temperature));
        Tensor pt = Ops.exp(logPt);
        Tensor kl = Ops.sum(Ops.mul(pt, Ops.sub(logPt, logPs)));
        return Ops.scale(kl, temperature * temperature / batch);
    }

    private static void checkSameShape(Tensor a, Tensor b, String what) {
        if (a.rows() != b.rows() || a.cols() != b.cols()) {
            throw new IllegalArgumentException(what + ": shapes differ: " + a.shape() + " vs " + b.shape());
        }
    }
}
