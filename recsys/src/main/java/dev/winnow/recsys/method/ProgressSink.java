package dev.winnow.recsys.method;

/** Receives one line of progress per epoch of a long run, and the odd note when a run changes course. */
@FunctionalInterface
public interface ProgressSink {
    void epoch(String method, long seed, CurvePoint point, int epochs, double etaSeconds);

    /** Something the reader should know that no curve shows (e.g. SS-SAD's phase 1 ended by early stopping). */
    default void note(String method, long seed, String message) {
    }

    ProgressSink NONE = (m, s, p, e, eta) -> { };
}
