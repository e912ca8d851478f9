package dev.winnow.engine.distill;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The distiller's architecture: one LBN(C_t, d) query per teacher layer, one LBN(C_s, d)+ReLU key per student layer,
 * the shared bilinear LBN(d, T*d), positional encodings p_T [T x d] and p_S [S x d], and (projection matches only) a Linear
 * P_{s,w}: C_s -> w for every student layer and distinct teacher width. {@link AttentionDistiller} builds its layers
 * from {@link #layers()}, and {@link #parameterCount()} counts the same list, so the two cannot drift apart.
 *
 * @param teacherWidths   C_t of each distilled teacher layer, in order
 * @param studentWidths   C_s of each distilled student layer, in order
 * @param qkDim           d
 * @param match           what the distance compares
 * @param projectionBias  whether the projections P_{s,w} have a bias
 */
public record SadLayout(int[] teacherWidths, int[] studentWidths, int qkDim, FeatureMatch match,
                        boolean projectionBias) {

    public SadLayout {
        if (teacherWidths.length == 0 || studentWidths.length == 0) {
            throw new IllegalArgumentException("attention distillation needs at least one teacher and one student "
                    + "layer, got " + teacherWidths.length + " and " + studentWidths.length);
        }
        for (int w : teacherWidths) {
            if (w <= 0) {
                throw new IllegalArgumentException("teacher layer width must be positive, got " + w);
            }
        }
        for (int w : studentWidths) {
            if (w <= 0) {
                throw new IllegalArgumentException("student layer width must be positive, got " + w);
            }
        }
        if (qkDim <= 0) {
            throw new IllegalArgumentException("qk_dim must be positive, got " + qkDim);
        }
        teacherWidths = teacherWidths.clone();
        studentWidths = studentWidths.clone();
    }

    @Override
    public int[] teacherWidths() {
        return teacherWidths.clone();
    }

    @Override
    public int[] studentWidths() {
        return studentWidths.clone();
    }

    /** The recommended MLP adaptation with d = 128 and biased projections. */
    public static SadLayout forMlp(int[] teacherWidths, int[] studentWidths, int qkDim) {
        return new SadLayout(teacherWidths, studentWidths, qkDim, FeatureMatch.PROJECTION, true);
    }

    /** The same layout with another feature match (projections appear or disappear with it). */
    public SadLayout withMatch(FeatureMatch m) {
        return new SadLayout(teacherWidths, studentWidths, qkDim, m, projectionBias);
    }

    /** What a layer is for. */
    public enum Role { QUERY, KEY, BILINEAR, PROJECTION }

    /**
     * One Linear layer (with BatchNorm1d(out) after it when {@code batchNorm}). {@code index} is the teacher layer of
     * a query, the student layer of a key or projection; {@code target} is the distinct-width index of a projection.
     */
    public record LayerSpec(Role role, int index, int target, int in, int out, boolean bias, boolean batchNorm) {
        public long parameterCount() {
            return (long) in * out + (bias ? out : 0) + (batchNorm ? 2L * out : 0);
        }
    }

    public int teachers() {
        return teacherWidths.length;
    }

    public int students() {
        return studentWidths.length;
    }

    /** Distinct teacher widths in order of first appearance (the analogue of distinct teacher resolutions). */
    public int[] distinctTeacherWidths() {
        List<Integer> seen = new ArrayList<>();
        for (int w : teacherWidths) {
            if (!seen.contains(w)) {
                seen.add(w);
            }
        }
        return seen.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Index into {@link #distinctTeacherWidths()} of teacher layer t's width. */
    public int widthIndex(int t) {
        int[] distinct = distinctTeacherWidths();
        for (int i = 0; i < distinct.length; i++) {
            if (distinct[i] == teacherWidths[t]) {
                return i;
            }
        }
        throw new AssertionError();
    }

    public List<LayerSpec> layers() {
        List<LayerSpec> specs = new ArrayList<>();
        for (int t = 0; t < teacherWidths.length; t++) {
            specs.add(new LayerSpec(Role.QUERY, t, -1, teacherWidths[t], qkDim, true, true));
        }
        for (int s = 0; s < studentWidths.length; s++) {
            specs.add(new LayerSpec(Role.KEY, s, -1, studentWidths[s], qkDim, true, true));
        }
        specs.add(new LayerSpec(Role.BILINEAR, 0, -1, qkDim, teachers() * qkDim, true, true));
        if (match.usesProjection()) {
            int[] distinct = distinctTeacherWidths();
            for (int s = 0; s < studentWidths.length; s++) {
                for (int w = 0; w < distinct.length; w++) {
                    specs.add(new LayerSpec(Role.PROJECTION, s, w, studentWidths[s], distinct[w], projectionBias,
                            false));
                }
            }
        }
        return Collections.unmodifiableList(specs);
    }

    /** Learnable scalars of the distiller (BN running statistics not counted), from the same specs it is built from. */
    public long parameterCount() {
        long n = (long) (teachers() + students()) * qkDim;
        for (LayerSpec s : layers()) {
            n += s.parameterCount();
        }
        return n;
    }
}
