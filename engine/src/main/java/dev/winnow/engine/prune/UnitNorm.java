package dev.winnow.engine.prune;

/** How a hidden unit is scored from its incoming weights: L1 (Li et al. 2017, the default) or L2. */
public enum UnitNorm {
    L1, L2
}
