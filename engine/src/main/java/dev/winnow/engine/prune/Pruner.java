package dev.winnow.engine.prune;

import java.util.LinkedHashMap;
import java.util.Map;

/** One pruning criterion: removes a fraction {@code rate} of what is still alive and says what it removed. */
public interface Pruner {

    PruneOutcome prune(double rate);

    /** Density of what this pruner prunes (weights, or hidden units for structured pruning). */
    double density();

    /**
     * Both criteria at every event, each at the same rate over what it prunes (e.g. hidden units and embedding
     * dimensions); the counts and per-tensor removals add up, and the density is {@code first}'s (what a schedule
     * that depends on the density reads).
     */
    static Pruner both(Pruner first, Pruner second) {
        return new Pruner() {
            @Override
            public PruneOutcome prune(double rate) {
                PruneOutcome a = first.prune(rate);
                PruneOutcome b = second.prune(rate);
                Map<String, Long> removed = new LinkedHashMap<>(a.removedPerTensor());
                removed.putAll(b.removedPerTensor());
                return new PruneOutcome(a.aliveBefore() + b.aliveBefore(), a.aliveAfter() + b.aliveAfter(), removed);
            }

            @Override
            public double density() {
                return first.density();
            }
        };
    }
}
