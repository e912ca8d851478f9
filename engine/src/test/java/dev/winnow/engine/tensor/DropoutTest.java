package dev.winnow.engine.tensor;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.backend.cpu.CpuBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static dev.winnow.engine.tensor.RandomTensors.uniformLeaf;
import static dev.winnow.engine.tensor.RandomTensors.weightedSum;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Inverted dropout: seeded, identity at p = 0, expectation preserved, gradient through the same mask. */
class DropoutTest {
    private static Backend backend;

    @BeforeAll
    static void setUp() {
        backend = new CpuBackend(1);
    }

    @AfterAll
    static void tearDown() {
        backend.close();
    }

    private static Tensor ones(int rows, int cols) {
        float[] v = new float[rows * cols];
        Arrays.fill(v, 1f);
        return Tensor.of(backend, rows, cols, v, false);
    }

    @Test
    void sameSeedGivesTheSameMaskAndAnotherSeedADifferentOne() {
        Tensor x = ones(20, 30);
        float[] a = Ops.dropout(x, 0.4f, new SplittableRandom(7)).toArray();
        float[] b = Ops.dropout(x, 0.4f, new SplittableRandom(7)).toArray();
        float[] c = Ops.dropout(x, 0.4f, new SplittableRandom(8)).toArray();
        assertArrayEquals(a, b);
        assertFalse(Arrays.equals(a, c), "a different seed must give a different mask");
    }

    @Test
    void zeroProbabilityIsTheIdentity() {
        Tensor x = uniformLeaf(backend, 3, 4, -1, 1, 1);
        assertSame(x, Ops.dropout(x, 0f, new SplittableRandom(1)));
    }

    @Test
    void survivorsAreScaledSoTheExpectationIsPreserved() {
        float p = 0.3f;
        Tensor x = ones(200, 500);
        float[] y = Ops.dropout(x, p, new SplittableRandom(3)).toArray();
        double sum = 0;
        int zeros = 0;
        for (float v : y) {
            if (v == 0f) {
                zeros++;
            } else {
                assertEquals(1f / (1f - p), v, 0f, "a survivor is scaled by exactly 1/(1-p)");
            }
            sum += v;
        }
        // 100,000 draws: the standard error of the mean is 0.002 and of the zero fraction 0.0015
        assertEquals(1.0, sum / y.length, 0.01, "mean of dropout(1)");
        assertEquals(p, zeros / (double) y.length, 0.008, "fraction dropped");
    }

    @Test
    void gradientPassesThroughTheSameMask() {
        Tensor x = uniformLeaf(backend, 4, 5, -1, 1, 4);
        GradientCheck.Result r = GradientCheck.standard().check(
                in -> weightedSum(Ops.dropout(in.get(0), 0.5f, new SplittableRandom(11)), 5), List.of(x));
        assertTrue(r.passed(), r.describe());
        x.zeroGrad();
        Tensor y = Ops.dropout(x, 0.5f, new SplittableRandom(11));
        Ops.sum(y).backward();
        float[] yv = y.toArray();
        float[] g = x.gradToArray();
        for (int i = 0; i < g.length; i++) {
            assertEquals(yv[i] == 0f ? 0f : 2f, g[i], 0f, "element " + i);
        }
    }

    @Test
    void probabilityOutsideZeroToOneIsRejected() {
        Tensor x = ones(1, 1);
        assertThrows(IllegalArgumentException.class, () -> Ops.dropout(x, 1f, new SplittableRandom(1)));
        assertThrows(IllegalArgumentException.class, () -> Ops.dropout(x, -0.1f, new SplittableRandom(1)));
    }
}
