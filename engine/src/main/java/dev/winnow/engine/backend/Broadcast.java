package dev.winnow.engine.backend;

/** How the right operand b of a binary op over a rows x cols matrix a is laid out. */
public enum Broadcast {
    /** b is rows x cols, like a. */
    FULL,
    /** b has cols entries, repeated for every row (a bias). */
    ROW,
    /** b has rows entries, repeated for every column (a per-sample scale). */
    COLUMN,
    /** b has one entry. */
    SCALAR;

    /** Number of elements b must hold for an a of the given shape. */
    public int length(int rows, int cols) {
        switch (this) {
            case FULL: return rows * cols;
            case ROW: return cols;
            case COLUMN: return rows;
            case SCALAR: return 1;
            default: throw new AssertionError(this);
        }
    }
}
