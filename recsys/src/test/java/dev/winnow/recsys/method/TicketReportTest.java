package dev.winnow.recsys.method;

import dev.winnow.recsys.report.RunResult;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TicketReportTest {

    private static CurvePoint point(Method m, long seed, int epoch, double density, double valMse) {
        return new CurvePoint(m.label(), seed, epoch, 0, density, 1.0, 0.7, valMse, 0.7, valMse + 0.05, "",
                1e9 * epoch, epoch, 1e-3, density);
    }

    /** A dense run whose best validation MSE is {@code best}. */
    private static MethodOutcome dense(Method m, long seed, double best) {
        List<CurvePoint> curve = List.of(point(m, seed, 1, 1, best + 0.01), point(m, seed, 2, 1, best));
        return new MethodOutcome(m, seed, RunResult.ofErrors(m.label(), seed, null, 0.7, best, Math.sqrt(best)),
                curve, List.of(), Map.of(), best);
    }

    /** A pruning run with one level per (density, validation MSE) pair. */
    private static MethodOutcome pruned(long seed, double[] density, double[] valMse) {
        List<CurvePoint> curve = new ArrayList<>();
        List<RoundRecord> rounds = new ArrayList<>();
        for (int k = 0; k < density.length; k++) {
            curve.add(point(Method.LTH_SAD, seed, k + 1, density[k], valMse[k]));
            rounds.add(new RoundRecord(k, density[k], 100, k + 1, valMse[k], 0.7, valMse[k] + 0.05, 0.7, density[k]));
        }
        RunResult r = RunResult.ofErrors("LTH-SAD", seed, null, 0.7, valMse[0], 1).withSize(density[0], 10, 10, 40, 1)
                .withBestRound(0);
        return new MethodOutcome(Method.LTH_SAD, seed, r, curve, rounds, Map.of(), valMse[valMse.length - 1]);
    }

    @Test
    void sparsestLevelIsTheSparsestAtOrBelowReferencePlusTolerance() {
        MethodOutcome o = pruned(0, new double[] {1, 0.64, 0.41, 0.26}, new double[] {0.90, 0.88, 0.905, 0.95});
        assertEquals(0.64, TicketReport.sparsestWithin(o, 0.89, 0).density(), 0);
        assertEquals(0.41, TicketReport.sparsestWithin(o, 0.89, 0.02).density(), 0);
        assertNull(TicketReport.sparsestWithin(o, 0.85, 0.01));
    }

    @Test
    void toleranceIsTheSadStudentsSpreadOverSeedsNotTheGapToThePlainStudent() {
        List<MethodOutcome> outcomes = new ArrayList<>();
        // SAD over three seeds: best validation MSE 0.88, 0.89, 0.90 -> mean 0.89, sd 0.01
        outcomes.add(dense(Method.SAD, 0, 0.88));
        outcomes.add(dense(Method.SAD, 1, 0.89));
        outcomes.add(dense(Method.SAD, 2, 0.90));
        // a much worse plain student must not widen the tolerance
        outcomes.add(dense(Method.STUDENT, 0, 1.20));
        outcomes.add(pruned(0, new double[] {1, 0.5, 0.25}, new double[] {0.89, 0.899, 0.93}));
        String log = print(outcomes);
        assertTrue(log.contains("dense reference (SAD) best validation MSE 0.8900, sd 0.0100 over 3 seed(s)"), log);
        assertTrue(log.contains("sparsest level within 1 sd: density 0.500"), log);
    }

    @Test
    void oneSeedMeansAtOrBelowTheReferenceAndSaysSo() {
        List<MethodOutcome> outcomes = List.of(dense(Method.SAD, 0, 0.89),
                pruned(0, new double[] {1, 0.5, 0.25}, new double[] {0.889, 0.8901, 0.88}));
        String log = print(outcomes);
        assertTrue(log.contains("over 1 seed(s) (one seed: no spread known"), log);
        assertTrue(log.contains("sparsest level within 1 sd: density 0.250"), log);
    }

    private static String print(List<MethodOutcome> outcomes) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        TicketReport.print(outcomes, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
