package dev.winnow.engine.loss;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.backend.cpu.CpuBackend;
import dev.winnow.engine.tensor.GradientCheck;
import dev.winnow.engine.tensor.IndexTensor;
import dev.winnow.engine.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.winnow.engine.tensor.RandomTensors.uniform;
import static dev.winnow.engine.tensor.RandomTensors.uniformLeaf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Loss values against hand-computed numbers and loss gradients against finite differences. */
class LossTest {
    private static Backend backend;

    @BeforeAll
    static void setUp() {
        backend = new CpuBackend(1);
    }

    @AfterAll
    static void tearDown() {
        backend.close();
    }

    private static void assertGradientsMatch(String what, GradientCheck.Result r) {
        assertTrue(r.passed(), what + ": " + r.describe());
    }

    @Test
    void mseIsTheMeanSquaredDifferenceAndMatchesFiniteDifferences() {
        Tensor p = Tensor.of(backend, 2, 2, new float[] {1, 2, 3, 4}, false);
        Tensor t = Tensor.of(backend, 2, 2, new float[] {1, 0, 4, 1}, false);
        assertEquals((0 + 4 + 1 + 9) / 4.0, Loss.mse(p, t).item(), 1e-6);

        Tensor pred = uniformLeaf(backend, 5, 1, -1, 1, 1);
        Tensor target = uniformLeaf(backend, 5, 1, -1, 1, 2);
        assertGradientsMatch("mse", GradientCheck.standard().check(in -> Loss.mse(in.get(0), in.get(1)),
                List.of(pred, target)));
    }

    @Test
    void maeIsTheMeanAbsoluteDifferenceAndMatchesFiniteDifferencesAwayFromZeroError() {
        Tensor p = Tensor.of(backend, 1, 4, new float[] {1, 2, 3, 4}, false);
        Tensor t = Tensor.of(backend, 1, 4, new float[] {1, 0, 4, 1}, false);
        assertEquals((0 + 2 + 1 + 3) / 4.0, Loss.mae(p, t).item(), 1e-6);

        float[] pv = uniform(6, -1, 1, 3);
        float[] tv = new float[6];
        for (int i = 0; i < 6; i++) {
            tv[i] = pv[i] + (i % 2 == 0 ? 0.3f : -0.4f); // every error at least 0.3 from the kink
        }
        Tensor pred = Tensor.of(backend, 6, 1, pv, true);
        Tensor target = Tensor.of(backend, 6, 1, tv, true);
        assertGradientsMatch("mae", GradientCheck.standard().check(in -> Loss.mae(in.get(0), in.get(1)),
                List.of(pred, target)));
    }

    @Test
    void crossEntropyMatchesAHandComputedValue() {
        Tensor logits = Tensor.of(backend, 2, 3, new float[] {1, 2, 3, 0.5f, -1, 2}, false);
        IndexTensor labels = IndexTensor.of(backend, new int[] {2, 0});
        // row 0: log(1 + e^-1 + e^-2); row 1: -(0.5 - log(e^0.5 + e^-1 + e^2)); mean of the two
        double row0 = Math.log(1 + Math.exp(-1) + Math.exp(-2));
        double row1 = -(0.5 - Math.log(Math.exp(0.5) + Math.exp(-1) + Math.exp(2)));
        assertEquals(1.0744586305507688, (row0 + row1) / 2, 1e-12);
        assertEquals(1.0744586305507688, Loss.crossEntropy(logits, labels).item(), 1e-6);
    }

    @Test
    void crossEntropyMatchesFiniteDifferencesAndHasGradientSoftmaxMinusOneHotOverBatch() {
        Tensor logits = uniformLeaf(backend, 4, 5, -2, 2, 4);
        IndexTensor labels = IndexTensor.of(backend, new int[] {0, 4, 2, 2});
        assertGradientsMatch("crossEntropy", GradientCheck.standard().check(
                in -> Loss.crossEntropy(in.get(0), labels), List.of(logits)));

        logits.zeroGrad();
        Loss.crossEntropy(logits, labels).backward();
        float[] g = logits.gradToArray();
        float[] z = logits.toArray();
        int[] lab = {0, 4, 2, 2};
        for (int r = 0; r < 4; r++) {
            double sum = 0;
            for (int c = 0; c < 5; c++) {
                sum += Math.exp(z[r * 5 + c]);
            }
            for (int c = 0; c < 5; c++) {
                double expected = (Math.exp(z[r * 5 + c]) / sum - (c == lab[r] ? 1 : 0)) / 4;
                assertEquals(expected, g[r * 5 + c], 1e-6, "row " + r + " class " + c);
            }
        }
    }

    @Test
    void crossEntropyRejectsALabelOutsideTheClasses() {
        Tensor logits = Tensor.of(backend, 1, 3, new float[] {0, 0, 0}, true);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Loss.crossEntropy(logits, IndexTensor.of(backend, new int[] {3})));
        assertTrue(e.getMessage().contains("label 3"), e.getMessage());
    }

    @Test
    void klDivTemperedMatchesTheHandComputedValue() {
        Tensor zs = Tensor.of(backend, 1, 3, new float[] {1, 0, 0}, true);
        Tensor zt = Tensor.of(backend, 1, 3, new float[] {0, 1, 0}, false);
        // T^2 * sum pT (log pT - log pS) with pS = softmax((1,0,0)/4), pT = softmax((0,1,0)/4)
        assertEquals(0.345948, Loss.klDivTempered(zs, zt, 4f).item(), 1e-5);
    }

    @Test
    void klDivTemperedIsZeroForEqualLogitsAndNonNegativeOtherwise() {
        Tensor z = uniformLeaf(backend, 3, 6, -3, 3, 5);
        Tensor same = Tensor.of(backend, 3, 6, z.toArray(), false);
        assertEquals(0.0, Loss.klDivTempered(z, same, 2f).item(), 1e-6);
        for (long seed = 10; seed < 30; seed++) {
            Tensor s = uniformLeaf(backend, 3, 6, -3, 3, seed);
            Tensor t = uniformLeaf(backend, 3, 6, -3, 3, seed + 100);
            float kl = Loss.klDivTempered(s, t, 1f + seed % 5).item();
            assertTrue(kl >= 0f, "KL must be non-negative, got " + kl + " for seed " + seed);
            assertTrue(kl > 0f, "distinct random logits must give positive KL, seed " + seed);
        }
    }

    @Test
    void klDivTemperedGradientIsTTimesStudentMinusTeacherProbabilitiesOverBatch() {
        float temperature = 3f;
        int batch = 4;
        int classes = 5;
        Tensor zs = uniformLeaf(backend, batch, classes, -3, 3, 6);
        Tensor zt = uniformLeaf(backend, batch, classes, -3, 3, 7);
        Loss.klDivTempered(zs, zt, temperature).backward();
        float[] g = zs.gradToArray();
        float[] s = zs.toArray();
        float[] t = zt.toArray();
        for (int r = 0; r < batch; r++) {
            double[] ps = softmax(s, r, classes, temperature);
            double[] pt = softmax(t, r, classes, temperature);
            for (int c = 0; c < classes; c++) {
                double expected = temperature * (ps[c] - pt[c]) / batch;
                assertEquals(expected, g[r * classes + c], 1e-6, "row " + r + " class " + c);
            }
        }
        assertTrue(zt.requiresGrad(), "the teacher here requires a gradient, so the check below covers its path too");
        assertGradientsMatch("klDivTempered", GradientCheck.standard().check(
                in -> Loss.klDivTempered(in.get(0), in.get(1), temperature), List.of(zs, zt)));
    }

    @Test
    void klDivTemperedLeavesAFrozenTeacherWithoutGradient() {
        Tensor zs = uniformLeaf(backend, 2, 3, -1, 1, 8);
        Tensor zt = Tensor.of(backend, 2, 3, uniform(6, -1, 1, 9), false);
        Loss.klDivTempered(zs, zt, 2f).backward();
        assertEquals(null, zt.grad());
        assertTrue(zs.grad() != null);
    }

    private static double[] softmax(float[] z, int row, int cols, float temperature) {
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < cols; c++) {
            max = Math.max(max, z[row * cols + c] / temperature);
        }
        double[] p = new double[cols];
        double sum = 0;
        for (int c = 0; c < cols; c++) {
            p[c] = Math.exp(z[row * cols + c] / temperature - max);
            sum += p[c];
        }
        for (int c = 0; c < cols; c++) {
            p[c] /= sum;
        }
        return p;
    }
}
