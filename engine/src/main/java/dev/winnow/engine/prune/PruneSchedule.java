package dev.winnow.engine.prune;

/**
 * When prune events happen in the paper's single epoch loop (Algorithm 1): after every {@code pruneEvery}-th epoch
 * (epochs counted from 1), so there are floor(epochs / pruneEvery) events (8 for SP-SAD, 16 for LTH-SAD).
 */
public record PruneSchedule(int epochs, int pruneEvery) {
    public PruneSchedule {
        if (epochs < 0) {
            throw new IllegalArgumentException("epochs must be >= 0, got " + epochs);
        }
        if (pruneEvery <= 0) {
            throw new IllegalArgumentException("pruneEvery must be a positive number of epochs, got " + pruneEvery);
        }
    }

    public int events() {
        return epochs / pruneEvery;
    }

    /** Whether a prune event follows the given 1-based epoch. */
    public boolean pruneAfter(int epoch) {
        return epoch >= 1 && epoch <= epochs && epoch % pruneEvery == 0;
    }

    /** The 1-based index of the event after {@code epoch}, or 0 when none follows it. */
    public int eventIndex(int epoch) {
        return pruneAfter(epoch) ? epoch / pruneEvery : 0;
    }
}
