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

    /** The mode for a layer with or without a mask whose kept share of weights is {@code density}. */
    public ExecutionMode modeFor(boolean hasMask, double density) {
        return forced != null ? forced : ExecutionMode.choose(hasMask, density, csrAtOrBelow);
    }
}
