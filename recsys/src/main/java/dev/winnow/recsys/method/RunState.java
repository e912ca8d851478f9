package dev.winnow.recsys.method;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything a method run needs to continue exactly where it stopped: the position in the schedule, the curves and
 * pruning levels so far, and every array of state (student, distiller, optimiser, rewind point, best student).
 */
public final class RunState {
    /** Last completed epoch (0 before training). */
    int epoch;
    /** Prune events so far. */
    int round;
    /** 1, or 2 for SS-SAD's distillation phase. */
    int phase = 1;
    /** Epoch after which the current phase began (SS-SAD's distillation phase). */
    int phaseStart;
    /** Optimiser steps taken so far (for rewinding to iteration k). */
    long steps;
    double cumulativeFlops;
    double cumulativeSeconds;
    double bestValMse = Double.POSITIVE_INFINITY;
    int bestEpoch = -1;
    int bestRound = -1;
    /** Best validation MSE within the current pruning level, and its epoch. */
    double levelBestValMse = Double.POSITIVE_INFINITY;
    int levelBestEpoch = -1;
    final List<CurvePoint> curve = new ArrayList<>();
    final List<RoundRecord> rounds = new ArrayList<>();
    Map<String, float[]> student = new LinkedHashMap<>();
    Map<String, float[]> distiller = new LinkedHashMap<>();
    Map<String, float[]> optimizer = new LinkedHashMap<>();
    Map<String, float[]> rewind = new LinkedHashMap<>();
    Map<String, float[]> best = new LinkedHashMap<>();

    public int epoch() {
        return epoch;
    }

    public List<CurvePoint> curve() {
        return curve;
    }

    public List<RoundRecord> rounds() {
        return rounds;
    }
}
