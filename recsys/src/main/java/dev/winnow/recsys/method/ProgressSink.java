package dev.winnow.recsys.method;

/** Receives one line of progress per epoch of a long run, and the odd note when a run changes course. */
@FunctionalInterface
public interface ProgressSink {
    void epoch(String method, long seed, CurvePoint point, int epochs, double etaSeconds);

    /** Something the reader should know that no curve shows (e.g. SS-SAD's phase 1 ended by early stopping). */
    default void note(String method, long seed, String message) {
    }

    /**
     * The training part of one epoch alone: {@code samples} training rows stepped through in {@code seconds} of wall
     * time (no evaluation, checkpoint or prune event inside); what {@code bench sad} reads.
     */
    default void epochTrained(String method, long seed, int epoch, int samples, double seconds) {
    }

    ProgressSink NONE = (m, s, p, e, eta) -> { };
}
