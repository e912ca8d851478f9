package dev.winnow.engine.sparse;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.backend.cpu.CpuBackend;
import dev.winnow.engine.nn.Linear;
import dev.winnow.engine.tensor.GradientCheck;
import dev.winnow.engine.tensor.Ops;
import dev.winnow.engine.tensor.SparseOps;
import dev.winnow.engine.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** A pruned Linear gives the same output and gradients in dense, masked and CSR execution, and picks by density. */
class LinearExecutionModesTest {
    private static Backend backend;

    @BeforeAll
    static void setUp() {
        backend = new CpuBackend(2);
    }

    @AfterAll
    static void tearDown() {
        backend.close();
    }

    private static float[] randomMask(int n, double density, SplittableRandom rng) {
        float[] m = new float[n];
        for (int i = 0; i < n; i++) {
            m[i] = rng.nextDouble() < density ? 1f : 0f;
        }
        return m;
    }

    private static Tensor randomInput(int rows, int cols, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return Tensor.of(backend, rows, cols, v, true);
    }

    private record Run(float[] y, float[] dx, float[] dw, float[] db) {
    }

    private static Run run(Linear layer, ExecutionMode mode, int batch) {
        layer.setExecutionPolicy(ExecutionPolicy.always(mode));
        assertEquals(mode, layer.executionMode());
        Tensor x = randomInput(batch, layer.in(), 99);
        layer.weight().value().zeroGrad();
        layer.bias().value().zeroGrad();
        Tensor y = layer.forward(x);
        // A loss with a non-uniform upstream gradient: sum(y^2) / 2 gives dY = y.
        Tensor loss = Ops.scale(Ops.sum(Ops.square(y)), 0.5f);
        loss.backward();
        return new Run(y.toArray(), x.gradToArray(), layer.weight().value().gradToArray(),
                layer.bias().value().gradToArray());
    }

    /**
     * "Within 1e-5 relative", in the two norms that survive a change of summation order: ||got - want|| <= 1e-5 *
     * ||want|| in the 2-norm and in the max-norm. (Element by element a cancelling sum of 256 float products can
     * legitimately differ by more than 1e-5 of its own small value between two correct summation orders.)
     */
    private static void assertRelClose(String what, float[] want, float[] got, float[] mask) {
        assertEquals(want.length, got.length, what);
        double diff2 = 0;
        double norm2 = 0;
        double diffMax = 0;
        double normMax = 0;
        int worst = -1;
        for (int i = 0; i < want.length; i++) {
            if (mask != null && mask[i] == 0f) {
                continue;
            }
            double d = Math.abs((double) want[i] - got[i]);
            diff2 += d * d;
            norm2 += (double) want[i] * want[i];
            if (d > diffMax) {
                diffMax = d;
                worst = i;
            }
            normMax = Math.max(normMax, Math.abs(want[i]));
        }
        if (!(Math.sqrt(diff2) <= 1e-5 * Math.sqrt(norm2) + 1e-12) || !(diffMax <= 1e-5 * normMax + 1e-12)) {
            fail(what + ": relative difference " + Math.sqrt(diff2 / Math.max(norm2, 1e-300)) + " (2-norm), "
                    + diffMax / Math.max(normMax, 1e-300) + " (max-norm, worst element " + worst + ": "
                    + (worst < 0 ? "" : got[worst] + " vs " + want[worst]) + ")");
        }
    }

    @Test
    void denseMaskedAndCsrGiveTheSameOutputAndGradientsWithin1eMinus5() {
        for (double density : new double[] {0.0, 0.1, 0.5, 1.0}) {
            for (int batch : new int[] {1, 37, 256}) {
                SplittableRandom rng = new SplittableRandom(5);
                Linear layer = new Linear(backend, "fc", 67, 45, true, rng);
                float[] mask = randomMask(67 * 45, density, rng);
                layer.weight().setMask(mask);
                String where = "density " + density + " batch " + batch + ": ";
                Run masked = run(layer, ExecutionMode.MASKED, batch);
                Run dense = run(layer, ExecutionMode.DENSE, batch);
                Run csr = run(layer, ExecutionMode.CSR, batch);
                assertRelClose(where + "dense y", masked.y, dense.y, null);
                assertRelClose(where + "csr y", masked.y, csr.y, null);
                assertRelClose(where + "dense dX", masked.dx, dense.dx, null);
                assertRelClose(where + "csr dX", masked.dx, csr.dx, null);
                assertRelClose(where + "dense dW at survivors", masked.dw, dense.dw, mask);
                assertRelClose(where + "csr dW", masked.dw, csr.dw, null);
                assertRelClose(where + "csr dB", masked.db, csr.db, null);
                for (int i = 0; i < mask.length; i++) {
                    if (mask[i] == 0f && csr.dw[i] != 0f) {
                        fail(where + "CSR gave pruned weight " + i + " a gradient " + csr.dw[i]);
                    }
                }
            }
        }
    }

    @Test
    void sparseLinearMatchesFiniteDifferences() {
        SplittableRandom rng = new SplittableRandom(8);
        Tensor x = randomInput(5, 7, 1);
        Tensor w = randomInput(4, 7, 2);
        Tensor b = Tensor.vector(backend, new float[] {0.1f, -0.2f, 0.3f, 0f}, true);
        float[] mask = randomMask(28, 0.5, rng);
        float[] wv = w.toArray();
        for (int i = 0; i < wv.length; i++) {
            wv[i] *= mask[i];
        }
        w.copyFrom(wv);
        CsrWeight csr = CsrWeight.fromMask(backend, mask, wv, 4, 7);
        GradientCheck.Result r = GradientCheck.standard().check(
                in -> Ops.sum(Ops.square(SparseOps.linear(in.get(0), in.get(1), in.get(2), csr))), List.of(x, w, b));
        // Pruned weights do not enter the sparse op at all, so finite differences see 0 there too: every entry of
        // x, w and b can be checked.
        assertTrue(r.passed(), r.describe());
        float[] gw = w.gradToArray();
        for (int i = 0; i < mask.length; i++) {
            if (mask[i] == 0f) {
                assertEquals(0f, gw[i], 0f, "pruned weight " + i + " got a gradient");
            }
        }
    }

    @Test
    void byDensityPicksCsrAtOrBelowTheThresholdAndMaskedAbove() {
        SplittableRandom rng = new SplittableRandom(9);
        Linear layer = new Linear(backend, "fc", 40, 30, true, rng);
        assertEquals(ExecutionMode.DENSE, layer.executionMode(), "no mask");
        layer.setExecutionPolicy(ExecutionPolicy.byDensity(0.3));
        layer.weight().setMask(randomMask(1200, 0.1, rng));
        assertEquals(ExecutionMode.CSR, layer.executionMode(), "density ~0.1 <= 0.3");
        layer.weight().setMask(randomMask(1200, 0.6, rng));
        assertEquals(ExecutionMode.MASKED, layer.executionMode(), "density ~0.6 > 0.3");
        layer.setExecutionPolicy(ExecutionPolicy.byDensity(1.0));
        assertEquals(ExecutionMode.CSR, layer.executionMode(), "threshold 1 always picks CSR");
    }

    @Test
    void aLayerNobodyGaveAPolicyRunsMaskedAndMeasuresNothing() {
        // the forward path once asked a static, cache-backed crossover (a 1.5-3 s measurement and a write to
        // ~/.cache from inside a forward pass); now a layer only reads the value it was handed
        SplittableRandom rng = new SplittableRandom(11);
        Linear layer = new Linear(backend, "fc", 40, 30, true, rng);
        assertEquals(ExecutionPolicy.MASKED, layer.executionPolicy());
        layer.weight().setMask(randomMask(1200, 0.05, rng));
        assertEquals(ExecutionMode.MASKED, layer.executionMode(), "density ~0.05, no threshold handed in");
        layer.weight().setMask(new float[1200]);
        assertEquals(ExecutionMode.CSR, layer.executionMode(), "a layer with no weight left runs CSR (0 <= 0)");
        assertThrows(IllegalArgumentException.class, () -> ExecutionPolicy.byDensity(1.5));
        assertThrows(IllegalArgumentException.class, () -> ExecutionPolicy.byDensity(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> layer.setExecutionPolicy(null));
    }

    @Test
    void csrPatternFollowsANewMask() {
        SplittableRandom rng = new SplittableRandom(10);
        Linear layer = new Linear(backend, "fc", 20, 10, false, rng);
        layer.setExecutionPolicy(ExecutionPolicy.always(ExecutionMode.CSR));
        Tensor x = randomInput(3, 20, 4);
        layer.weight().setMask(randomMask(200, 0.5, rng));
        layer.forward(x);
        float[] second = randomMask(200, 0.2, rng);
        layer.weight().setMask(second);
        float[] y = layer.forward(x).toArray();
        layer.setExecutionPolicy(ExecutionPolicy.always(ExecutionMode.MASKED));
        float[] want = layer.forward(x).toArray();
        assertRelClose("after a new mask", want, y, null);
    }
}
