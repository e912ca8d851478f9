package dev.winnow.engine.prune;

import java.util.Map;

/**
 * What one prune event did: entries (weights or units) alive before and after, and how many each tensor lost, by
 * name.
 */
public record PruneOutcome(long aliveBefore, long aliveAfter, Map<String, Long> removedPerTensor) {
    public long removed() {
        return aliveBefore - aliveAfter;
    }
}
