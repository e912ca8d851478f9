package dev.winnow.recsys.method;

/**
 * One pruning level: the best-validation epoch seen at this density (recorded just before the next prune), with the
 * test numbers at that same epoch. Tickets are chosen on validation only. {@code density} and {@code nonzeroWeights}
 * are over everything the run prunes (the embedding tables too with prune_embeddings), {@code mlpDensity} over the
 * MLP's prunable weights alone.
 */
public record RoundRecord(int round, double density, long nonzeroWeights, int bestEpoch, double valMse,
                          double valMae, double testMse, double testMae, double mlpDensity) {
}
