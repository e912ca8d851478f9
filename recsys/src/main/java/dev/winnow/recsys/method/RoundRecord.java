package dev.winnow.recsys.method;

/**
 * One pruning level: the best-validation epoch seen at this density (recorded just before the next prune), with the
 * test numbers at that same epoch. Tickets are chosen on validation only.
 */
public record RoundRecord(int round, double density, long nonzeroWeights, int bestEpoch, double valMse,
                          double valMae, double testMse, double testMae) {
}
