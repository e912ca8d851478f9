package dev.winnow.engine.prune;

/** Where magnitudes are compared: across every prunable tensor (open_lth sparse_global) or inside each one. */
public enum Ranking {
    GLOBAL, LAYER_WISE
}
