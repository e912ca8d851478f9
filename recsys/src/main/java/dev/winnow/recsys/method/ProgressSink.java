package dev.winnow.recsys.method;

/** Receives one line of progress per epoch of a long run. */
@FunctionalInterface
public interface ProgressSink {
    void epoch(String method, long seed, CurvePoint point, int epochs, double etaSeconds);

    ProgressSink NONE = (m, s, p, e, eta) -> { };
}
