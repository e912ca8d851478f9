package dev.winnow.engine.sparse;

import java.util.Locale;

/** How a Linear layer executes its product. */
public enum ExecutionMode {
    /** Dense GEMM on the weight as stored (pruned weights are exactly 0 there); the weight gradient is dense. */
    DENSE,
    /** Dense GEMM on W ⊙ mask; the weight gradient is multiplied by the mask. */
    MASKED,
    /** CSR x dense on the surviving weights; the weight gradient is computed only at them (SDDMM). */
    CSR;

    public static ExecutionMode parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown execution mode '" + s + "' (expected dense, masked or csr)");
        }
    }

    /**
     * The mode for a layer: no mask runs dense; a mask at density <= threshold runs CSR, above it masked. A threshold
     * of 0 therefore never picks CSR (except for an all-pruned layer), 1 always does.
     */
    public static ExecutionMode choose(boolean hasMask, double density, double threshold) {
        if (!hasMask) {
            return DENSE;
        }
        return density <= threshold ? CSR : MASKED;
    }
}
