package dev.winnow.engine.prune;

/** One pruning criterion: removes a fraction {@code rate} of what is still alive and says what it removed. */
public interface Pruner {

    PruneOutcome prune(double rate);

    /** Density of what this pruner prunes (weights, or hidden units for structured pruning). */
    double density();
}
