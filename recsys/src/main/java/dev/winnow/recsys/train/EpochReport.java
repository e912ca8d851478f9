package dev.winnow.recsys.train;

/** What one epoch of training produced. */
public record EpochReport(int epoch, int epochs, double trainLoss, double testRmse, double testMae, double seconds) {
}
