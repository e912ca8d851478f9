package dev.winnow.engine.prune;

import dev.winnow.engine.nn.Parameter;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * The rules every mask update obeys: masks only ever lose entries, and a prune at rate p removes exactly
 * ceil(p * alive) entries.
 */
public final class PruningMask {
    private PruningMask() {
    }

    /** The current mask of {@code p} as a float array (all ones when it has none). */
    public static float[] current(Parameter p) {
        if (p.mask() != null) {
            return p.mask().toArray();
        }
        float[] m = new float[p.value().size()];
        java.util.Arrays.fill(m, 1f);
        return m;
    }

    /**
     * Installs {@code next} on {@code p} after checking that it only removes entries: a pruned weight must never
     * come back. Zeroes the weights it removes.
     */
    public static void tighten(Parameter p, float[] next) {
        float[] old = current(p);
        if (next.length != old.length) {
            throw new IllegalArgumentException(p.name() + ": new mask has " + next.length + " entries, the parameter "
                    + old.length);
        }
        for (int i = 0; i < old.length; i++) {
            if (next[i] > old[i]) {
                throw new IllegalStateException(p.name() + ": mask entry " + i + " would come back to life (0 -> "
                        + next[i] + "); masks may only lose entries");
            }
        }
        p.setMask(next);
    }

    /**
     * ceil(rate * alive), computed in decimal so that a rate such as 0.05 times 1000 is 50 and not 51 (binary 0.05 is
     * slightly above 0.05).
     */
    public static long countToRemove(double rate, long alive) {
        if (!(rate >= 0.0 && rate <= 1.0)) {
            throw new IllegalArgumentException("pruning rate must be a fraction in [0, 1] of the weights still alive, "
                    + "got " + rate);
        }
        return BigDecimal.valueOf(rate).multiply(BigDecimal.valueOf(alive)).setScale(0, RoundingMode.CEILING)
                .longValueExact();
    }
}
