package dev.winnow.recsys.method;

import dev.winnow.engine.nn.Parameter;
import dev.winnow.engine.prune.PrunableSet;
import dev.winnow.recsys.method.RegressionTask.Part;
import dev.winnow.recsys.metrics.RegressionMetrics;
import dev.winnow.recsys.report.RunResult;

import java.util.List;
import java.util.Map;

/**
 * The outcome of a finished method run: its winning ticket (the best-validation state) restored into the student and
 * measured there, with test errors, density, size, FLOPs and inference throughput in the results row.
 */
final class WinningTicket {

    private WinningTicket() {
    }

    /**
     * Restores the best-validation state of {@code state} (the student's current state when there is none) into
     * {@code student} and measures it.
     *
     * @param prunable    what the run prunes, whose density the row reports
     * @param mlpPrunable the MLP part of it, reported beside
     */
    static MethodOutcome measure(Method method, long seed, RunState state, TapModel student, TaskEvaluator evaluator,
                                 PrunableSet prunable, PrunableSet mlpPrunable) {
        Map<String, float[]> winning = state.best.isEmpty() ? ModuleState.capture(student) : state.best;
        ModuleState.restore(student, winning, "best-validation state");
        RegressionMetrics test = evaluator.evaluate(student, Part.TEST);
        RegressionMetrics val = evaluator.evaluate(student, Part.VALIDATION);
        long params = student.parameterCount();
        long nonzero = 0;
        long bytes = 0;
        for (Parameter p : student.parameters()) {
            int alive = p.aliveCount();
            nonzero += alive;
            // each weight matrix stored the smaller way: dense floats, or CSR (value + column per weight, row offsets)
            long dense = 4L * p.value().size();
            long csr = p.mask() == null ? dense : 8L * alive + 4L * (p.value().rows() + 1);
            bytes += Math.min(dense, csr);
        }
        double inferPerSecond = evaluator.samplesPerSecond(student);
        double finalVal = state.curve.isEmpty() ? val.mse() : state.curve.get(state.curve.size() - 1).valMse();
        RunResult r = RunResult.ofErrors(method.label(), seed, "", test.mae(), test.mse(), test.rmse())
                .withSize(prunable.density(), params, nonzero, bytes, TrainingFlops.forward(student))
                .withMlpDensity(mlpPrunable.density())
                .withTiming(state.cumulativeSeconds, inferPerSecond, null, state.epoch)
                .withBestRound(method.prunes() ? state.bestRound : null);
        return new MethodOutcome(method, seed, r, List.copyOf(state.curve), List.copyOf(state.rounds), winning,
                finalVal);
    }
}
