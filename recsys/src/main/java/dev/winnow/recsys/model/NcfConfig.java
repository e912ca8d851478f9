package dev.winnow.recsys.model;

import dev.winnow.engine.nn.Activation;

import java.util.Arrays;

/** Shape of an NCF-MLP rating model: embedding size per side, hidden widths, activation. */
public record NcfConfig(String name, int embeddingDim, int[] hidden, Activation activation, double embeddingStd) {

    /** The student of the paper's set-up on ratings: 32 + 32 -> 128 -> 64 -> 1 (~100k parameters on ML-100K). */
    public static final NcfConfig STUDENT = new NcfConfig("student", 32, new int[] {128, 64}, Activation.RELU, 0.1);

    /**
     * The teacher: embeddings of 176 per side through the student's MLP widths, 352 -> 128 -> 64 -> 1 (~516k
     * parameters on ML-100K, 5.1x the student). Its extra parameters sit in the embeddings, which cost a gather rather
     * than a GEMM, so it trains in minutes on a CPU; with weight decay it beats biased MF on ML-100K (docs/data.md).
     */
    public static final NcfConfig TEACHER = new NcfConfig("teacher", 176, new int[] {128, 64}, Activation.RELU, 0.1);

    public NcfConfig {
        if (embeddingDim <= 0) {
            throw new IllegalArgumentException("embedding size must be positive, got " + embeddingDim);
        }
        hidden = hidden.clone();
    }

    public static NcfConfig preset(String name) {
        switch (name) {
            case "student": return STUDENT;
            case "teacher": return TEACHER;
            default:
                throw new IllegalArgumentException("unknown model preset '" + name + "' (expected student or teacher)");
        }
    }

    @Override
    public String toString() {
        return name + "(emb " + embeddingDim + ", hidden " + Arrays.toString(hidden) + ", "
                + activation.name().toLowerCase(java.util.Locale.ROOT) + ")";
    }
}
