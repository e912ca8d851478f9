package dev.winnow.recsys.method;

/**
 * The state after one epoch: what curves.csv holds. {@code event} is "prune", "rewind", "prune+rewind" when a prune
 * event happened at the end of this epoch, else empty. Compute is cumulative over the run; {@code learningRate}
 * is the rate the epoch trained with. {@code density} is over everything the run prunes (with prune_embeddings the
 * embedding tables too), {@code mlpDensity} over the MLP's prunable weights alone (equal without prune_embeddings).
 */
public record CurvePoint(String method, long seed, int epoch, int round, double density, double trainLoss,
                         double valMae, double valMse, double testMae, double testMse, String event,
                         double cumulativeFlops, double cumulativeSeconds, double learningRate, double mlpDensity) {

    public double valRmse() {
        return Math.sqrt(valMse);
    }

    public double testRmse() {
        return Math.sqrt(testMse);
    }
}
