package dev.winnow.recsys.train;

/** Training produced a NaN or exploding loss; the message names the run, the epoch and the values seen. */
public final class TrainingDivergedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TrainingDivergedException(String message) {
        super(message);
    }

    /**
     * How far a batch loss may grow over the first batch loss of its epoch (or over 1, when that was smaller) before
     * training counts as diverged. Rating and distillation losses stay within a few hundred; a finite loss 1e4 times
     * the epoch's start is a run that has blown up, and its model would be garbage.
     */
    public static final double GROWTH_LIMIT = 1e4;

    /** Whether {@code loss} is NaN, infinite or more than {@link #GROWTH_LIMIT} times {@code max(1, firstLoss)}. */
    public static boolean diverged(double loss, double firstLoss) {
        return !Double.isFinite(loss) || loss > GROWTH_LIMIT * Math.max(1.0, firstLoss);
    }
}
