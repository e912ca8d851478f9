package dev.winnow.engine.prune;

import dev.winnow.engine.nn.Module;
import dev.winnow.engine.nn.Parameter;
import dev.winnow.engine.nn.StateSnapshot;

import java.util.HashMap;
import java.util.Map;

/**
 * The student's parameters at iteration k (k = 0: initialisation, the paper's LTH-SAD; k > 0: late rewinding,
 * Frankle et al.). Rewinding restores every parameter (survivors, biases, norms) and buffer to the snapshot, then
 * zeroes whatever the current masks remove.
 */
public final class RewindPoint {
    private final StateSnapshot snapshot;
    private final int iteration;

    private RewindPoint(StateSnapshot snapshot, int iteration) {
        this.snapshot = snapshot;
        this.iteration = iteration;
    }

    /** Copies {@code student}'s state now, labelled with the iteration (optimizer steps taken) it was taken at. */
    public static RewindPoint capture(Module student, int iteration) {
        if (iteration < 0) {
            throw new IllegalArgumentException("rewind iteration must be >= 0, got " + iteration);
        }
        return new RewindPoint(StateSnapshot.of(student), iteration);
    }

    /**
     * A rewind point saved with {@link #asMap} (a checkpoint), for {@code student}'s parameters and buffers, taken at
     * {@code iteration}.
     */
    public static RewindPoint fromMap(Module student, Map<String, float[]> state, int iteration) {
        if (iteration < 0) {
            throw new IllegalArgumentException("rewind iteration must be >= 0, got " + iteration);
        }
        return new RewindPoint(StateSnapshot.fromMap(student, state, "rewind point"), iteration);
    }

    /** The snapshot in the flat layout a checkpoint stores ({@link StateSnapshot#asMap}). */
    public Map<String, float[]> asMap() {
        return snapshot.asMap();
    }

    /** Surviving weights and biases back to the snapshot bitwise, pruned weights to 0. Masks are kept. */
    public void rewind(Module student) {
        snapshot.restoreValues(student);
    }

    public int iteration() {
        return iteration;
    }

    public StateSnapshot snapshot() {
        return snapshot;
    }

    /**
     * The control experiment: same masks, fresh random values. {@code fresh} is the same architecture built with a
     * different seed; its values are copied by name and the masks applied.
     */
    public static void randomReinit(Module student, Module fresh) {
        Map<String, Parameter> byName = new HashMap<>();
        for (Parameter p : fresh.parameters()) {
            byName.put(p.name(), p);
        }
        for (Parameter p : student.parameters()) {
            Parameter f = byName.get(p.name());
            if (f == null || f.value().size() != p.value().size()) {
                throw new IllegalArgumentException("fresh model has no parameter " + p.name() + " of "
                        + p.value().shape() + "; build it with the same architecture");
            }
            p.value().copyFrom(f.value().toArray());
            p.applyMask();
        }
    }
}
