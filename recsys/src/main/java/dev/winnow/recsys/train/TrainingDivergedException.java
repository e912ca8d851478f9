package dev.winnow.recsys.train;

/** Training produced a NaN or exploding loss; the message names the run, the epoch and the values seen. */
public final class TrainingDivergedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TrainingDivergedException(String message) {
        super(message);
    }
}
