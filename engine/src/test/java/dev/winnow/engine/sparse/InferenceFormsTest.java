package dev.winnow.engine.sparse;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.backend.cpu.CpuBackend;
import dev.winnow.engine.nn.Linear;
import dev.winnow.engine.optim.Adam;
import dev.winnow.engine.tensor.GradMode;
import dev.winnow.engine.tensor.Ops;
import dev.winnow.engine.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * A pruned layer keeps the forms it derives from its weight (W ⊙ M for masked inference, the CSR and block values)
 * across forwards, and rebuilds them whenever the weight or the mask changed: after an optimiser step, a rewind
 * through copyFrom, a new mask, a write into the mask tensor. Each check compares the kept form's output, bit for
 * bit, with a layer built fresh from the same values, and first makes sure the change moved the output (so a stale
 * form would fail). And the policy's small-batch rule: an unstructured CSR layer above
 * {@link ExecutionPolicy#SMALL_BATCH_CSR_AT_OR_BELOW} runs masked in a forward of a few rows without gradients.
 */
class InferenceFormsTest {
    private static Backend backend;

    @BeforeAll
    static void setUp() {
        backend = new CpuBackend(1);
    }

    @AfterAll
    static void tearDown() {
        backend.close();
    }

    private static float[] random(int n, SplittableRandom r) {
        float[] v = new float[n];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return v;
    }

    /** A 16x1-block mask (whole groups of 16 outputs of one input), so the CSR mode runs in block form. */
    private static float[] blockMask(int out, int in, double density, SplittableRandom r) {
        float[] m = new float[out * in];
        for (int g = 0; g < out; g += 16) {
            for (int j = 0; j < in; j++) {
                if (r.nextDouble() < density) {
                    for (int o = g; o < Math.min(out, g + 16); o++) {
                        m[o * in + j] = 1f;
                    }
                }
            }
        }
        return m;
    }

    private static float[] infer(Linear layer, Tensor x) {
        try (GradMode g = GradMode.disabled()) {
            return layer.forward(x).toArray();
        }
    }

    /** What a layer built now from {@code layer}'s current weight, bias and mask computes in the same mode. */
    private static float[] fresh(Linear layer, ExecutionMode mode, Tensor x) {
        Linear copy = Linear.of(backend, "copy", layer.in(), layer.out(), layer.weight().value().toArray(),
                layer.bias().value().toArray(), true);
        copy.weight().setMask(layer.weight().mask().toArray());
        copy.setExecutionPolicy(ExecutionPolicy.always(mode));
        return infer(copy, x);
    }

    private static void assertKeptFormFollows(String what, Linear layer, ExecutionMode mode, Tensor x,
                                              float[] before) {
        float[] now = infer(layer, x);
        float[] want = fresh(layer, mode, x);
        assertFalse(java.util.Arrays.equals(before, want), what + ": the change should move the output");
        assertArrayEquals(want, now, what);
    }

    @ParameterizedTest
    @EnumSource(value = ExecutionMode.class, names = {"MASKED", "CSR"})
    void keptFormsFollowEveryChangeOfWeightOrMask(ExecutionMode mode) {
        SplittableRandom r = new SplittableRandom(5);
        int in = 37;
        int out = 40;
        Linear layer = Linear.of(backend, "fc", in, out, random(in * out, r), random(out, r), true);
        layer.weight().setMask(blockMask(out, in, 0.3, r));
        layer.setExecutionPolicy(ExecutionPolicy.always(mode));
        Tensor x = Tensor.of(backend, 5, in, random(5 * in, r), false);

        float[] first = infer(layer, x);
        assertArrayEquals(fresh(layer, mode, x), first, "first inference");
        // The no-grad form gives the training forward's bits.
        assertArrayEquals(layer.forward(x).toArray(), first, "inference against the training forward");
        assertArrayEquals(first, infer(layer, x), "second inference, nothing changed");

        // An optimiser step (writes through the backend, not through the tensor).
        Adam adam = new Adam(layer.parameters(), 0.05f);
        Tensor loss = Ops.sum(Ops.square(layer.forward(x)));
        loss.backward();
        adam.step();
        adam.zeroGrad();
        assertKeptFormFollows("after an optimiser step", layer, mode, x, first);

        // A rewind: new values through copyFrom.
        float[] before = infer(layer, x);
        layer.weight().value().copyFrom(random(in * out, r));
        layer.weight().applyMask();
        assertKeptFormFollows("after copyFrom", layer, mode, x, before);

        // A new mask of the same pattern kind.
        before = infer(layer, x);
        layer.weight().setMask(blockMask(out, in, 0.2, r));
        assertKeptFormFollows("after setMask", layer, mode, x, before);

        if (mode == ExecutionMode.MASKED) {
            // Values written into the mask tensor itself (what a careless caller may do): the masked product follows.
            before = infer(layer, x);
            float[] m = layer.weight().mask().toArray();
            for (int i = 0; i < m.length; i += 3) {
                m[i] = 0f;
            }
            layer.weight().mask().copyFrom(m);
            assertKeptFormFollows("after a write into the mask", layer, mode, x, before);
        }
    }

    @Test
    void smallBatchInferenceRunsDenseDenseEnoughUnstructuredLayers() {
        ExecutionPolicy p = ExecutionPolicy.byDensity(0.5);
        int small = ExecutionPolicy.SMALL_BATCH_ROWS;
        double above = ExecutionPolicy.SMALL_BATCH_CSR_AT_OR_BELOW + 0.05;
        assertEquals(ExecutionMode.MASKED, p.modeFor(true, above, 1, true, false));
        assertEquals(ExecutionMode.MASKED, p.modeFor(true, above, small, true, false));
        assertEquals(ExecutionMode.CSR, p.modeFor(true, above, small + 1, true, false), "a large batch");
        assertEquals(ExecutionMode.CSR, p.modeFor(true, above, 1, false, false), "a training forward");
        assertEquals(ExecutionMode.CSR, p.modeFor(true, above, 1, true, true), "16x1 block form");
        assertEquals(ExecutionMode.CSR,
                p.modeFor(true, ExecutionPolicy.SMALL_BATCH_CSR_AT_OR_BELOW, 1, true, false), "at the threshold");
        assertEquals(ExecutionMode.MASKED, p.modeFor(true, 0.6, 1, true, false), "above the policy's threshold");
        assertEquals(ExecutionMode.CSR,
                ExecutionPolicy.always(ExecutionMode.CSR).modeFor(true, above, 1, true, false), "a forced mode");
    }

    @Test
    void aLayerFollowsTheSmallBatchRuleWithTheBitsOfTheModeItPicks() {
        SplittableRandom r = new SplittableRandom(8);
        int in = 50;
        int out = 30;
        Linear layer = Linear.of(backend, "fc", in, out, random(in * out, r), random(out, r), true);
        float[] mask = new float[in * out];
        for (int i = 0; i < mask.length; i++) {
            mask[i] = r.nextDouble() < 0.3 ? 1f : 0f; // unstructured, well above the small-batch threshold
        }
        layer.weight().setMask(mask);
        layer.setExecutionPolicy(ExecutionPolicy.byDensity(0.5));
        assertEquals(ExecutionMode.CSR, layer.executionMode());
        for (int rows : new int[] {1, ExecutionPolicy.SMALL_BATCH_ROWS, ExecutionPolicy.SMALL_BATCH_ROWS + 3}) {
            Tensor x = Tensor.of(backend, rows, in, random(rows * in, r), false);
            float[] got = infer(layer, x);
            boolean small = rows <= ExecutionPolicy.SMALL_BATCH_ROWS;
            if (small) {
                // (from 6 rows on, the tiled GEMM sums each output in k order, as CSR does: the same bits)
                assertFalse(java.util.Arrays.equals(fresh(layer, ExecutionMode.MASKED, x),
                        fresh(layer, ExecutionMode.CSR, x)), rows + " rows: the modes' bits differ, so this can fail");
            }
            ExecutionMode want = small ? ExecutionMode.MASKED : ExecutionMode.CSR;
            assertArrayEquals(fresh(layer, want, x), got, rows + " rows");
            layer.setExecutionPolicy(ExecutionPolicy.byDensity(0.5));
        }
    }
}
