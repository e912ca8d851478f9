package dev.winnow.recsys.method;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The two views of a pruning run the paper's claims need: the best-validation level (the winning ticket) and the
 * sparsest level whose validation error is within one standard deviation (over seeds) of the dense SAD student's
 * best validation error; plus the compute
 * LTH-SAD needs to reach SAD's final validation error. Everything is chosen on validation, never on test.
 */
public final class TicketReport {
    private TicketReport() {
    }

    /** The sparsest level of one run within {@code tolerance} of {@code denseValMse}, or null. */
    public static RoundRecord sparsestWithin(MethodOutcome o, double denseValMse, double tolerance) {
        RoundRecord best = null;
        for (RoundRecord r : o.rounds()) {
            if (r.valMse() <= denseValMse + tolerance && (best == null || r.density() < best.density())) {
                best = r;
            }
        }
        return best;
    }

    /** Cumulative training FLOPs and seconds at the first epoch whose validation MSE reaches {@code target}. */
    public static CurvePoint firstReaching(MethodOutcome o, double target) {
        for (CurvePoint p : o.curve()) {
            if (p.valMse() <= target) {
                return p;
            }
        }
        return null;
    }

    static void print(List<MethodOutcome> outcomes, PrintStream log) {
        // the dense reference is the SAD student (the student when SAD was not run); its spread is over seeds
        Method reference = outcomes.stream().anyMatch(o -> o.method() == Method.SAD) ? Method.SAD : Method.STUDENT;
        List<Double> denseVal = new ArrayList<>();
        for (MethodOutcome o : outcomes) {
            if (o.method() == reference) {
                denseVal.add(bestVal(o));
            }
        }
        if (!denseVal.isEmpty()) {
            double mean = denseVal.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
            double sd = 0;
            if (denseVal.size() > 1) {
                for (double v : denseVal) {
                    sd += (v - mean) * (v - mean);
                }
                sd = Math.sqrt(sd / (denseVal.size() - 1));
            }
            log.printf(Locale.ROOT, "%ndense reference (%s) best validation MSE %.4f, sd %.4f over %d seed(s)%s%n",
                    reference.label(), mean, sd, denseVal.size(),
                    denseVal.size() > 1 ? "" : " (one seed: no spread known, so 'within 1 sd' means at or below it)");
            for (MethodOutcome o : outcomes) {
                if (!o.method().prunes()) {
                    continue;
                }
                RoundRecord r = sparsestWithin(o, mean, sd);
                log.printf(Locale.ROOT, "%-8s seed %d: best-validation level %s; sparsest level within 1 sd: %s%n",
                        o.method().label(), o.seed(), describeBest(o),
                        r == null ? "none" : String.format(Locale.ROOT, "density %.3f%s (test MSE %.4f, MAE %.4f)",
                                r.density(), mlpDensity(r.density(), r.mlpDensity()), r.testMse(), r.testMae()));
            }
        }
        for (MethodOutcome sad : outcomes) {
            if (sad.method() != Method.SAD) {
                continue;
            }
            for (MethodOutcome lth : outcomes) {
                if (lth.method() != Method.LTH_SAD || lth.seed() != sad.seed() || sad.curve().isEmpty()) {
                    continue;
                }
                CurvePoint sadEnd = sad.curve().get(sad.curve().size() - 1);
                CurvePoint reach = firstReaching(lth, sadEnd.valMse());
                log.printf(Locale.ROOT, "seed %d: SAD final validation MSE %.4f after %.3g FLOPs / %.1f s; LTH-SAD "
                                + "%s%n", sad.seed(), sadEnd.valMse(), sadEnd.cumulativeFlops(),
                        sadEnd.cumulativeSeconds(), reach == null ? "never reaches it"
                                : String.format(Locale.ROOT, "reaches it at epoch %d after %.3g FLOPs (%.0f%%) / "
                                        + "%.1f s (%.0f%%)", reach.epoch(), reach.cumulativeFlops(),
                                100 * reach.cumulativeFlops() / sadEnd.cumulativeFlops(), reach.cumulativeSeconds(),
                                100 * reach.cumulativeSeconds() / sadEnd.cumulativeSeconds()));
            }
        }
    }

    private static double bestVal(MethodOutcome o) {
        double best = Double.POSITIVE_INFINITY;
        for (CurvePoint p : o.curve()) {
            best = Math.min(best, p.valMse());
        }
        return best;
    }

    private static String describeBest(MethodOutcome o) {
        Integer round = o.result().bestRound();
        Double mlp = o.result().densityMlp();
        return String.format(Locale.ROOT, "round %s at density %.3f%s (test MSE %.4f)", round == null ? "-" : round,
                o.result().density(), mlp == null ? "" : mlpDensity(o.result().density(), mlp), o.result().mse());
    }

    /** " (MLP 0.412)" when the run pruned more than the MLP (prune_embeddings), else nothing. */
    private static String mlpDensity(double all, double mlp) {
        return mlp == all ? "" : String.format(Locale.ROOT, " (MLP %.3f)", mlp);
    }
}
