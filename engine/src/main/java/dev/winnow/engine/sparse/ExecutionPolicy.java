package dev.winnow.engine.sparse;

/**
 * How a pruned Linear layer runs its product, handed to the layer (or to a whole {@code Mlp}) by whoever builds the
 * model: always one {@link ExecutionMode}, or by density — CSR at or below a threshold, masked dense above it. A layer
 * without a mask runs dense whatever the policy, unless a mode is forced.
 *
 * <p>The threshold is a value, not a measurement: which density pays for CSR on this machine is measured by the CLI
 * and the benchmarks, never inside a forward pass. A model nobody gave a policy runs {@link #MASKED}.
 *
 * @param forced the mode every forward uses, or null to choose by density
 * @param csrAtOrBelow with {@code forced} null, the density at or below which a masked layer runs as CSR
 */
public record ExecutionPolicy(ExecutionMode forced, double csrAtOrBelow) {

    /** Rows up to which a forward without gradients is small-batch inference (the CSR kernels' direct path). */
    public static final int SMALL_BATCH_ROWS = 4;

    /**
     * In small-batch inference, the density at or below which an unstructured CSR layer stays CSR; above it the
     * layer runs its (kept) W ⊙ M dense, which is as fast as a dense layer. A batch of one gathers the input once per
     * stored weight, so CSR pays off only at low density: on the development VM (Zen 3, AVX2) the student's and the
     * teacher's CSR layers at batch 1 cost what dense ones do at density 0.14-0.15 (NcfInferBench at 0.1 and 0.2,
     * bench/RESULTS.md), hence 0.125 with a margin. Layers in 16x1 block form stay sparse: at batch 1 they beat
     * dense up to density 0.5 there.
     */
    public static final double SMALL_BATCH_CSR_AT_OR_BELOW = 0.125;

    /** Masked dense GEMMs for pruned layers (CSR only for a layer with no weight left), dense for the rest. */
    public static final ExecutionPolicy MASKED = byDensity(0);

    public ExecutionPolicy {
        if (!(csrAtOrBelow >= 0 && csrAtOrBelow <= 1)) {
            throw new IllegalArgumentException("sparse threshold must be a density in [0, 1], got " + csrAtOrBelow);
        }
    }

    /** CSR for a masked layer at or below {@code threshold} density, masked dense above it; dense without a mask. */
    public static ExecutionPolicy byDensity(double threshold) {
        return new ExecutionPolicy(null, threshold);
    }

    /** Every forward in {@code mode}; DENSE with a mask gives pruned weights a dense gradient. */
    public static ExecutionPolicy always(ExecutionMode mode) {
        if (mode == null) {
            throw new IllegalArgumentException("always(null): name a mode, or use byDensity");
        }
        return new ExecutionPolicy(mode, 0);
    }

    /**
     * The mode for one forward of {@code rows} rows: {@link #modeFor(boolean, double)}, except that a forward without
     * gradients ({@code inference}) of at most {@link #SMALL_BATCH_ROWS} rows on an unstructured CSR layer
     * ({@code blockForm} false) above {@link #SMALL_BATCH_CSR_AT_OR_BELOW} runs masked. A forced mode is kept.
     */
    public ExecutionMode modeFor(boolean hasMask, double density, int rows, boolean inference, boolean blockForm) {
        ExecutionMode mode = modeFor(hasMask, density);
        if (forced == null && mode == ExecutionMode.CSR && inference && rows <= SMALL_BATCH_ROWS && !blockForm
                && density > SMALL_BATCH_CSR_AT_OR_BELOW) {
            return ExecutionMode.MASKED;
        }
        return mode;
    }

    /** The mode for a layer with or without a mask whose kept share of weights is {@code density}. */
    public ExecutionMode modeFor(boolean hasMask, double density) {
        return forced != null ? forced : ExecutionMode.choose(hasMask, density, csrAtOrBelow);
    }
}
