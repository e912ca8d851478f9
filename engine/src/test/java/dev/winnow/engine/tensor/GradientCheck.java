package dev.winnow.engine.tensor;

import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Compares the gradients the tape computes with central finite differences of the same scalar function. The step is
 * relative to each input's magnitude; the tolerance is |analytic - numeric| <= atol + rtol * max(|analytic|,
 * |numeric|). Inputs must be leaf tensors that require gradients; keep them away from kinks (relu at 0, abs at 0).
 */
public final class GradientCheck {
    private final double step;
    private final double rtol;
    private final double atol;

    public GradientCheck(double step, double rtol, double atol) {
        this.step = step;
        this.rtol = rtol;
        this.atol = atol;
    }

    /** Defaults that suit float32 functions with outputs of order 1. */
    public static GradientCheck standard() {
        return new GradientCheck(1e-2, 2e-2, 2e-3);
    }

    /** The outcome: the worst element found, and whether every element passed. */
    public record Result(boolean passed, int worstInput, int worstIndex, double analytic, double numeric,
                         double error, int checked) {
        public String describe() {
            return String.format(Locale.ROOT, "%s: worst at input %d element %d: analytic %.6g vs numeric %.6g "
                    + "(error %.3g) over %d elements", passed ? "ok" : "GRADIENT MISMATCH", worstInput, worstIndex,
                    analytic, numeric, error, checked);
        }
    }

    /**
     * Checks d f / d input for every element of every input. {@code f} must be deterministic and build a fresh tape
     * on each call (it is called 2 * elements + 1 times).
     */
    public Result check(Function<List<Tensor>, Tensor> f, List<Tensor> inputs) {
        for (Tensor t : inputs) {
            if (!t.requiresGrad()) {
                throw new IllegalArgumentException("gradient check input " + t + " does not require a gradient");
            }
            t.zeroGrad();
        }
        Tensor out = f.apply(inputs);
        out.backward();
        double worstErr = -1;
        int wi = -1;
        int we = -1;
        double wa = 0;
        double wn = 0;
        boolean passed = true;
        int checked = 0;
        for (int k = 0; k < inputs.size(); k++) {
            Tensor t = inputs.get(k);
            float[] analytic = t.gradToArray();
            float[] x = t.toArray();
            for (int i = 0; i < x.length; i++) {
                float orig = x[i];
                double h = step * Math.max(1.0, Math.abs(orig));
                x[i] = (float) (orig + h);
                t.copyFrom(x);
                double plus = evaluate(f, inputs);
                x[i] = (float) (orig - h);
                t.copyFrom(x);
                double minus = evaluate(f, inputs);
                x[i] = orig;
                t.copyFrom(x);
                double hp = (double) (float) (orig + h) - orig;
                double hm = orig - (double) (float) (orig - h);
                double numeric = (plus - minus) / (hp + hm);
                double a = analytic[i];
                double err = Math.abs(a - numeric);
                double allowed = atol + rtol * Math.max(Math.abs(a), Math.abs(numeric));
                boolean ok = err <= allowed && Double.isFinite(a) && Double.isFinite(numeric);
                passed &= ok;
                double score = err / allowed;
                if (!ok || score > worstErr) {
                    if (!ok && worstErr > 1e300) {
                        // keep the first failure reported
                    } else {
                        worstErr = ok ? score : Double.MAX_VALUE;
                        wi = k;
                        we = i;
                        wa = a;
                        wn = numeric;
                    }
                }
                checked++;
            }
        }
        return new Result(passed, wi, we, wa, wn, Math.abs(wa - wn), checked);
    }

    private static double evaluate(Function<List<Tensor>, Tensor> f, List<Tensor> inputs) {
        try (GradMode g = GradMode.disabled()) {
            Tensor out = f.apply(inputs);
            if (out.size() != 1) {
                throw new IllegalArgumentException("gradient check needs a scalar function, got " + out.shape());
            }
            return out.item();
        }
    }
}
