package dev.winnow.recsys.metrics;

/** Scores every item for one user (higher = ranked earlier); what the ranking metrics rank by. */
@FunctionalInterface
public interface ItemScorer {

    /** Writes the score of item {@code i} to {@code out[i]} for every item. */
    void scoreAll(int user, float[] out);
}
