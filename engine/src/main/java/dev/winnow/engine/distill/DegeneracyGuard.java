package dev.winnow.engine.distill;

import dev.winnow.engine.tensor.Tensor;

import java.util.Arrays;
import java.util.List;

/**
 * Fails loudly when the attention distillation distance is identically zero although the student's and teacher's
 * features differ (spec §2 and §6 check 9). That is the signature of the naive 1x1 adaptation of SAD to MLP vectors:
 * every 1-element value map normalises to 1, D = 0 everywhere, and SAD silently becomes "task + KD" with no gradient
 * reaching the student.
 */
public final class DegeneracyGuard {
    /**
     * "Zero" allows for float32 rounding: the naive map computes x * (1/x), which can differ from 1 by an ulp, so D is
     * ~1e-14 instead of 0. A genuine distance between distinct normalised features is many orders larger.
     */
    static final float ZERO = 1e-12f;

    /** Distances as computed for one batch (any layout), and the raw features they came from. */
    public void check(List<Tensor> distances, List<Tensor> student, List<Tensor> teacher, FeatureMatch match) {
        for (Tensor d : distances) {
            for (float v : d.toArray()) {
                if (!(v <= ZERO)) {
                    return;
                }
            }
        }
        if (allEqual(student, teacher)) {
            return;
        }
        throw new IllegalStateException("attention distillation loss is identically 0 (every distance <= 1e-12) for unequal student and "
                + "teacher features (feature match " + match + "): the value maps carry no information, so no "
                + "gradient reaches the student. With MLP vectors the official channel-mean-of-squares value map is a "
                + "1x1 map that always normalises to 1 (spec §2); use FeatureMatch.PROJECTION (recommended) or "
                + "SIMILARITY.");
    }

    private static boolean allEqual(List<Tensor> student, List<Tensor> teacher) {
        for (Tensor s : student) {
            float[] sv = s.toArray();
            for (Tensor t : teacher) {
                if (s.rows() != t.rows() || s.cols() != t.cols() || !Arrays.equals(sv, t.toArray())) {
                    return false;
                }
            }
        }
        return true;
    }
}
