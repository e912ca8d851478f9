package dev.winnow.engine.backend.cpu;

import dev.winnow.engine.backend.AdamHyper;
import dev.winnow.engine.backend.host.HostUpdates;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Adam's shortcut for first moments stuck among the smallest subnormals ({@link HostUpdates#adamStuckMoment}) gives
 * the bits of the plain arithmetic: checked against the formula itself, written out here, on every combination of
 * stuck and non-stuck moments, zero gradients of both signs, signed-zero weights, several betas, step sizes large
 * enough to turn the shortcut off, weight decay of both kinds and eps 0; and the vectorised dense update (which has no
 * shortcut) against the plain-Java one on the same inputs.
 */
class AdamStuckMomentTest {
    private static final float[] M1 = moments();
    private static final float[] G = {0f, -0f, 1e-3f, -2.5e-4f, 2 * Float.MIN_VALUE, -5e-39f};
    private static final float[] M2 = {0f, 1e-7f, 3 * Float.MIN_VALUE, 2e-39f};
    private static final float[] W = {0f, -0f, 0.5f, -1e-30f};

    private static float[] moments() {
        List<Float> m = new ArrayList<>();
        for (int k = 1; k <= 12; k++) {
            m.add(k * Float.MIN_VALUE);
            m.add(-k * Float.MIN_VALUE);
        }
        for (float v : new float[] {0f, -0f, 1e-40f, -7e-39f, 1e-4f, -3e-5f}) {
            m.add(v);
        }
        float[] out = new float[m.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = m.get(i);
        }
        return out;
    }

    /** The update as written before the shortcut: the reference. */
    private static void plain(float[] w, float[] g, float[] m1, float[] m2, int i, float lr, float stepSize,
                              float bc2Sqrt, AdamHyper h) {
        float d = g[i];
        if (h.weightDecay() != 0f) {
            if (h.decoupled()) {
                w[i] -= lr * h.weightDecay() * w[i];
            } else {
                d += h.weightDecay() * w[i];
            }
        }
        float a = h.beta1() * m1[i] + (1f - h.beta1()) * d;
        float b = h.beta2() * m2[i] + (1f - h.beta2()) * d * d;
        m1[i] = a;
        m2[i] = b;
        w[i] -= stepSize * a / ((float) Math.sqrt(b) / bc2Sqrt + h.eps());
    }

    private static List<AdamHyper> hypers() {
        return List.of(AdamHyper.DEFAULTS, new AdamHyper(0.5f, 0.999f, 1e-8f, 0f, false),
                new AdamHyper(0.875f, 0.99f, 1e-8f, 0f, false), new AdamHyper(0.99f, 0.999f, 0f, 0f, false),
                new AdamHyper(0.9f, 0.999f, 1e-8f, 1e-2f, false),
                new AdamHyper(0.9f, 0.999f, 1e-8f, 1e-2f, true));
    }

    @Test
    void theStuckBoundIsExactAndOnForTheDefaults() {
        assertEquals(4, HostUpdates.adamStuckMoment(0.9f, 1e-3f)); // 4 x 0.1 < 1/2 <= 5 x 0.1
        assertEquals(3, HostUpdates.adamStuckMoment(0.875f, 1e-3f)); // 4 x 0.125 is a tie: left to the arithmetic
        assertEquals(50, HostUpdates.adamStuckMoment(0.99f, 1e-3f)); // 1 - 0.99f is 0.0099999905
        assertEquals(2, HostUpdates.adamStuckMoment(0.9f, 0.2f)); // the step size bounds it: 3 x 0.2 >= 1/2
        assertEquals(0, HostUpdates.adamStuckMoment(0.9f, 0.6f));
        assertEquals(0, HostUpdates.adamStuckMoment(0.5f, 1e-3f));
        assertEquals(0, HostUpdates.adamStuckMoment(0.9f, -1e-3f));
        assertEquals(0, HostUpdates.adamStuckMoment(Float.NaN, 1e-3f));
    }

    @Test
    void everyUpdateHasThePlainArithmeticsBits() {
        int n = M1.length * G.length * M2.length * W.length;
        for (AdamHyper h : hypers()) {
            for (float lr : new float[] {1e-3f, 0.1f, 10f}) {
                for (int step : new int[] {1, 7, 1000}) {
                    float stepSize = HostUpdates.adamStepSize(lr, h.beta1(), step);
                    float bc2Sqrt = HostUpdates.adamBc2Sqrt(h.beta2(), step);
                    float[][] in = grid(n);
                    float[][] want = copy(in);
                    float[][] got = copy(in);
                    float[][] vec = copy(in);
                    for (int i = 0; i < n; i++) {
                        plain(want[0], want[1], want[2], want[3], i, lr, stepSize, bc2Sqrt, h);
                    }
                    int[] idx = new int[n];
                    for (int i = 0; i < n; i++) {
                        idx[i] = i;
                    }
                    HostUpdates.adamIndexed(got[0], got[1], got[2], got[3], idx, 0, n, lr, step, h);
                    String where = h + " lr " + lr + " step " + step;
                    same(want, got, in, where + ", indexed");
                    if (CpuBackend.GemmChoice.vectorModulePresent()) {
                        new ElementwiseKernels.Vectorized().adamRange(vec[0], vec[1], vec[2], vec[3], 0, n, lr,
                                stepSize, bc2Sqrt, h);
                        same(want, vec, in, where + ", vectorised dense");
                    }
                }
            }
        }
    }

    private static float[][] grid(int n) {
        float[] w = new float[n], g = new float[n], m1 = new float[n], m2 = new float[n];
        int i = 0;
        for (float mv : M1) {
            for (float gv : G) {
                for (float m2v : M2) {
                    for (float wv : W) {
                        w[i] = wv;
                        g[i] = gv;
                        m1[i] = mv;
                        m2[i] = m2v;
                        i++;
                    }
                }
            }
        }
        return new float[][] {w, g, m1, m2};
    }

    private static float[][] copy(float[][] a) {
        float[][] c = new float[a.length][];
        for (int i = 0; i < a.length; i++) {
            c[i] = a[i].clone();
        }
        return c;
    }

    private static void same(float[][] want, float[][] got, float[][] in, String where) {
        String[] names = {"w", "g", "m1", "m2"};
        for (int a = 0; a < want.length; a++) {
            for (int i = 0; i < want[a].length; i++) {
                if (Float.floatToRawIntBits(want[a][i]) != Float.floatToRawIntBits(got[a][i])) {
                    fail(where + ": " + names[a] + "[" + i + "] = " + got[a][i] + ", the plain arithmetic gives "
                            + want[a][i] + " (w " + in[0][i] + ", g " + in[1][i] + ", m1 " + in[2][i] + ", m2 "
                            + in[3][i] + ")");
                }
            }
        }
    }
}
