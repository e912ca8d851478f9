package dev.winnow.engine.nn;

import java.util.List;

/** Something with named parameters and a train/eval mode. */
public interface Module {

    /** Every parameter, in a fixed order, with names unique within this module. */
    List<Parameter> parameters();

    /** Switches training behaviour (batch statistics, dropout) on or off. */
    default void train(boolean training) {
    }

    /** Non-trainable state that belongs in a snapshot (running statistics), by name. */
    default List<Buffer> buffers() {
        return List.of();
    }

    /** Total number of scalar parameters. */
    default long parameterCount() {
        long n = 0;
        for (Parameter p : parameters()) {
            n += p.value().size();
        }
        return n;
    }

    /** A named non-trainable array (BatchNorm running mean and variance). */
    record Buffer(String name, float[] values) {
    }
}
