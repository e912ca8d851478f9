package dev.winnow.engine.prune;

/** What happens to the student's values after a prune event. */
public enum Rewind {
    /** Keep the trained values times the new mask (SP-SAD). */
    NONE,
    /** Restore survivors and biases to the rewind point (LTH-SAD, iteration 0 or k). */
    REWIND,
    /** Same mask, fresh random values: the control experiment for a lottery ticket. */
    RANDOM_REINIT
}
