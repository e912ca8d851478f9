package dev.winnow.engine.prune;

/**
 * One iterative-pruning set-up. The defaults follow the paper where it is explicit and the spec's [ours] choices
 * elsewhere: output layer not pruned, rewind to iteration 0, one global loop with optimiser state zeroed at pruned
 * positions (a fresh optimiser per round is the option), global unstructured ranking.
 *
 * @param rate               fraction of the alive weights removed per event (fixed-rate schedule)
 * @param pruneEvery         epochs between events
 * @param ranking            global or layer-wise magnitude ranking
 * @param rewind             what the values do after a prune
 * @param rewindIteration    k for rewinding (0 = initialisation)
 * @param includeOutputLayer whether the output layer's weight is prunable
 * @param freshOptimizer     reset all optimiser state at each event (per-round restart) instead of zeroing it only
 *                           at the pruned positions
 */
public record LthConfig(double rate, int pruneEvery, Ranking ranking, Rewind rewind, int rewindIteration,
                        boolean includeOutputLayer, boolean freshOptimizer) {
    public LthConfig {
        if (!(rate >= 0 && rate <= 1)) {
            throw new IllegalArgumentException("rate must be a fraction in [0, 1] of the alive weights, got " + rate);
        }
        if (pruneEvery <= 0) {
            throw new IllegalArgumentException("pruneEvery must be positive, got " + pruneEvery);
        }
        if (rewindIteration < 0) {
            throw new IllegalArgumentException("rewindIteration must be >= 0, got " + rewindIteration);
        }
    }

    /**
     * LTH-SAD of Table 2: 5% per event every 75 epochs, rewind to initialisation, and (spec §5.3 [ours]) the whole
     * momentum reset at each rewind, since stale momentum belongs to weights that no longer exist.
     */
    public static LthConfig lthSad() {
        return new LthConfig(0.05, 75, Ranking.GLOBAL, Rewind.REWIND, 0, false, true);
    }

    /** SP-SAD's weight-count view: 10% every 20 epochs, no rewind. */
    public static LthConfig spSad() {
        return new LthConfig(0.10, 20, Ranking.GLOBAL, Rewind.NONE, 0, false, false);
    }

    public LthConfig withRewind(Rewind r) {
        return new LthConfig(rate, pruneEvery, ranking, r, rewindIteration, includeOutputLayer, freshOptimizer);
    }

    public LthConfig withFreshOptimizer(boolean fresh) {
        return new LthConfig(rate, pruneEvery, ranking, rewind, rewindIteration, includeOutputLayer, fresh);
    }

    public LthConfig withRanking(Ranking r) {
        return new LthConfig(rate, pruneEvery, r, rewind, rewindIteration, includeOutputLayer, freshOptimizer);
    }
}
