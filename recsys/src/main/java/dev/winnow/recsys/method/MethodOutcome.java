package dev.winnow.recsys.method;

import dev.winnow.recsys.report.RunResult;

import java.util.List;
import java.util.Map;

/**
 * The result of one method on one seed: the results row (test numbers of the best-validation state), the per-epoch
 * curve, the pruning levels, and the winning student's state (what export needs).
 */
public record MethodOutcome(Method method, long seed, RunResult result, List<CurvePoint> curve,
                            List<RoundRecord> rounds, Map<String, float[]> winningState, double finalValMse) {
}
