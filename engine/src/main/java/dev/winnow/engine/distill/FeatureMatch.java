package dev.winnow.engine.distill;

/** What the attention-weighted distance compares (spec §1.3 step 6 and §2). */
public enum FeatureMatch {
    /**
     * [ours, recommended for MLPs] v_s = normalise(P_{s,w} h_s) through a learned projection per student layer and
     * distinct teacher width, v_t = normalise(h_t), D = ||v_s - v_t||^2 / C_t.
     */
    PROJECTION,
    /**
     * The spec's optional variant of PROJECTION that mimics the energy maps: v_s = normalise((P h_s)^2),
     * v_t = normalise(h_t^2). Not recommended (it throws away the sign a projection keeps); available for ablations.
     */
    PROJECTION_SQUARED,
    /**
     * Projection-free, width- and permutation-invariant: G = row-normalise(H H^T) per layer, D[t,s] =
     * ||G_t - G_s||_F^2 / B^2 per batch, weighted by the batch-mean attention (similarity-preserving KD).
     */
    SIMILARITY,
    /**
     * The official value map (channel mean of squares, L2-normalised) applied to MLP vectors as 1x1 maps. Every such
     * map normalises to 1, so D is identically 0: kept only to show that the degeneracy guard catches it.
     */
    NAIVE_VALUE_MAP;

    /** Whether the distiller learns a projection P_{s,w} per student layer and distinct teacher width. */
    public boolean usesProjection() {
        return this == PROJECTION || this == PROJECTION_SQUARED;
    }
}
