package dev.winnow.engine.nn;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.backend.cpu.CpuBackend;
import dev.winnow.engine.loss.Loss;
import dev.winnow.engine.optim.Adam;
import dev.winnow.engine.tensor.GradientCheck;
import dev.winnow.engine.tensor.IndexTensor;
import dev.winnow.engine.tensor.Ops;
import dev.winnow.engine.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import static dev.winnow.engine.tensor.RandomTensors.uniform;
import static dev.winnow.engine.tensor.RandomTensors.weightedSum;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Linear, Embedding and Mlp: initialisation, names, taps, and the forward they promise. */
class LayersTest {
    private static Backend backend;

    @BeforeAll
    static void setUp() {
        backend = new CpuBackend(1);
    }

    @AfterAll
    static void tearDown() {
        backend.close();
    }

    @Test
    void linearInitialisesWeightsAndBiasUniformlyWithinOneOverSqrtIn() {
        int in = 200;
        int out = 150;
        Linear layer = new Linear(backend, "fc", in, out, true, new SplittableRandom(1));
        double bound = 1.0 / Math.sqrt(in);
        for (Parameter p : layer.parameters()) {
            float[] w = p.value().toArray();
            double min = Double.MAX_VALUE;
            double max = -Double.MAX_VALUE;
            double sum = 0;
            double sumSq = 0;
            for (float v : w) {
                assertTrue(Math.abs(v) <= bound, p.name() + ": " + v + " outside +-" + bound);
                min = Math.min(min, v);
                max = Math.max(max, v);
                sum += v;
                sumSq += (double) v * v;
            }
            // U(-b, b): mean 0, variance b^2/3, and the extremes close to the bounds
            double mean = sum / w.length;
            double var = sumSq / w.length - mean * mean;
            assertTrue(max > 0.95 * bound && min < -0.95 * bound, p.name() + ": range " + min + ".." + max);
            if (w.length > 1000) {
                assertEquals(0, mean, 4 * bound / Math.sqrt(3 * w.length), p.name() + " mean");
                assertEquals(bound * bound / 3, var, 0.05 * bound * bound / 3, p.name() + " variance");
            }
        }
        assertEquals(List.of("fc.weight", "fc.bias"), layer.parameters().stream().map(Parameter::name).toList());
        assertTrue(layer.weight().prunable());
        assertTrue(!layer.bias().prunable(), "biases are not pruned by default");
    }

    @Test
    void linearWithTheSameSeedIsIdenticalAndWithAnotherSeedDiffers() {
        float[] a = new Linear(backend, "a", 7, 5, true, new SplittableRandom(3)).weight().value().toArray();
        float[] b = new Linear(backend, "b", 7, 5, true, new SplittableRandom(3)).weight().value().toArray();
        float[] c = new Linear(backend, "c", 7, 5, true, new SplittableRandom(4)).weight().value().toArray();
        assertArrayEquals(a, b, 0f);
        assertTrue(!java.util.Arrays.equals(a, c));
    }

    @Test
    void linearForwardIsXTimesWeightTransposedPlusBias() {
        Linear layer = new Linear(backend, "fc", 3, 2, true, new SplittableRandom(5));
        float[] w = layer.weight().value().toArray();
        float[] b = layer.bias().value().toArray();
        float[] x = uniform(4 * 3, -1, 1, 6);
        float[] y = layer.forward(Tensor.of(backend, 4, 3, x, false)).toArray();
        for (int r = 0; r < 4; r++) {
            for (int o = 0; o < 2; o++) {
                double e = b[o];
                for (int i = 0; i < 3; i++) {
                    e += x[r * 3 + i] * w[o * 3 + i];
                }
                assertEquals(e, y[r * 2 + o], 1e-6, "row " + r + " output " + o);
            }
        }
    }

    @Test
    void embeddingInitialisesWithTheRequestedStandardDeviation() {
        Embedding e = new Embedding(backend, "user", 500, 16, 0.1, new SplittableRandom(7));
        float[] w = e.table().value().toArray();
        double s = 0;
        double ss = 0;
        for (float v : w) {
            s += v;
            ss += (double) v * v;
        }
        double mean = s / w.length;
        double std = Math.sqrt(ss / w.length - mean * mean);
        assertEquals(0, mean, 0.005);
        assertEquals(0.1, std, 0.004);
        assertEquals("user.weight", e.table().name());
    }

    @Test
    void mlpTapsReturnOnePostActivationTensorPerHiddenLayer() {
        Mlp mlp = Mlp.builder(6).hidden(9, 5, 4).activation(Activation.RELU).build(backend, "mlp", 2,
                new SplittableRandom(8));
        Tensor x = Tensor.of(backend, 3, 6, uniform(18, -1, 1, 9), false);
        List<Tensor> taps = new ArrayList<>();
        Tensor y = mlp.forward(x, taps);
        assertEquals(3, taps.size(), "one tap per hidden layer");
        int[] widths = {9, 5, 4};
        Tensor h = x;
        for (int i = 0; i < 3; i++) {
            assertEquals(3, taps.get(i).rows());
            assertEquals(widths[i], taps.get(i).cols());
            // the tap is the activation's output, not the pre-activation
            h = Ops.relu(mlp.layers().get(i).forward(h));
            assertArrayEquals(h.toArray(), taps.get(i).toArray(), 0f, "tap " + i);
            for (float v : taps.get(i).toArray()) {
                assertTrue(v >= 0f, "a ReLU tap holds no negative value");
            }
        }
        assertArrayEquals(mlp.layers().get(3).forward(h).toArray(), y.toArray(), 0f, "output");
        assertEquals(2, y.cols());
        assertArrayEquals(new int[] {9, 5, 4}, mlp.hiddenWidths());
        assertArrayEquals(y.toArray(), mlp.forward(x).toArray(), 0f, "forward without taps is the same");
    }

    @Test
    void mlpTapsCarryGradientToTheLayersBelow() {
        Mlp mlp = Mlp.builder(4).hidden(6, 5).activation(Activation.TANH).build(backend, "mlp", 1,
                new SplittableRandom(10));
        Tensor x = Tensor.of(backend, 3, 4, uniform(12, -1, 1, 11), false);
        List<Tensor> inputs = new ArrayList<>();
        for (Parameter p : mlp.parameters()) {
            inputs.add(p.value());
        }
        // a loss on a hidden tap only (what attention distillation does) must reach the first layer
        GradientCheck.Result r = GradientCheck.standard().check(in -> {
            List<Tensor> taps = new ArrayList<>();
            mlp.forward(x, taps);
            return weightedSum(taps.get(1), 12);
        }, inputs);
        assertTrue(r.passed(), r.describe());
        assertNotNull(mlp.layers().get(0).weight().value().grad());
    }

    @Test
    void mlpParameterNamesAreUniqueAndOrdered() {
        Mlp mlp = Mlp.builder(4).hidden(8, 8).batchNorm(true).build(backend, "m", 1, new SplittableRandom(13));
        List<String> names = mlp.parameters().stream().map(Parameter::name).toList();
        assertEquals(List.of("m.0.weight", "m.0.bias", "m.bn0.weight", "m.bn0.bias", "m.1.weight", "m.1.bias",
                "m.bn1.weight", "m.bn1.bias", "m.2.weight", "m.2.bias"), names);
        Set<String> buffers = new HashSet<>();
        for (Module.Buffer b : mlp.buffers()) {
            buffers.add(b.name());
        }
        assertEquals(Set.of("m.bn0.running_mean", "m.bn0.running_var", "m.bn1.running_mean", "m.bn1.running_var"),
                buffers);
    }

    @Test
    void mlpDropoutActsOnlyInTrainingMode() {
        Mlp mlp = Mlp.builder(4).hidden(32).dropout(0.5f).build(backend, "m", 1, new SplittableRandom(14));
        Tensor x = Tensor.of(backend, 2, 4, uniform(8, -1, 1, 15), false);
        mlp.train(false);
        float[] a = mlp.forward(x).toArray();
        float[] b = mlp.forward(x).toArray();
        assertArrayEquals(a, b, 0f, "evaluation is deterministic");
        mlp.train(true);
        float[] c = mlp.forward(x).toArray();
        assertTrue(!java.util.Arrays.equals(a, c), "training mode drops units");
    }

    @Test
    void stateSnapshotRestoresBitwiseIdenticalValuesMasksAndBuffers() {
        Mlp mlp = Mlp.builder(4).hidden(8, 6).batchNorm(true).build(backend, "m", 1, new SplittableRandom(16));
        Parameter w0 = mlp.layers().get(0).weight();
        float[] mask = new float[w0.value().size()];
        for (int i = 0; i < mask.length; i++) {
            mask[i] = i % 4 == 0 ? 0f : 1f;
        }
        w0.setMask(mask);
        StateSnapshot snap = StateSnapshot.of(mlp);
        List<float[]> values = new ArrayList<>();
        for (Parameter p : mlp.parameters()) {
            values.add(p.value().toArray());
        }
        List<float[]> buffers = new ArrayList<>();
        for (Module.Buffer b : mlp.buffers()) {
            buffers.add(b.values().clone());
        }

        // train a few steps: values and running statistics move; then prune harder
        Adam adam = new Adam(mlp.parameters(), 0.05f);
        Tensor x = Tensor.of(backend, 8, 4, uniform(32, -1, 1, 17), false);
        Tensor t = Tensor.of(backend, 8, 1, uniform(8, -1, 1, 18), false);
        for (int s = 0; s < 3; s++) {
            adam.zeroGrad();
            Loss.mse(mlp.forward(x), t).backward();
            adam.step();
        }
        float[] harder = mask.clone();
        harder[1] = 0f;
        w0.setMask(harder);
        assertTrue(!java.util.Arrays.equals(values.get(2), mlp.parameters().get(2).value().toArray()),
                "training must have changed the parameters");
        assertTrue(!java.util.Arrays.equals(buffers.get(0), mlp.buffers().get(0).values()),
                "training must have changed the running mean");

        snap.restoreAll(mlp);
        for (int i = 0; i < values.size(); i++) {
            assertBitwiseEqual(values.get(i), mlp.parameters().get(i).value().toArray(),
                    mlp.parameters().get(i).name());
        }
        for (int i = 0; i < buffers.size(); i++) {
            assertBitwiseEqual(buffers.get(i), mlp.buffers().get(i).values(), mlp.buffers().get(i).name());
        }
        assertBitwiseEqual(mask, w0.mask().toArray(), "mask");
    }

    @Test
    void restoreValuesKeepsTheCurrentMaskAndZeroesWhatItRemoves() {
        Linear layer = new Linear(backend, "fc", 4, 3, true, new SplittableRandom(19));
        StateSnapshot init = StateSnapshot.of(layer);
        float[] w = layer.weight().value().toArray();
        float[] mask = new float[12];
        for (int i = 0; i < 12; i++) {
            mask[i] = i < 6 ? 1f : 0f;
        }
        layer.weight().setMask(mask);
        layer.weight().value().copyFrom(uniform(12, -1, 1, 20));
        init.restoreValues(layer);
        float[] restored = layer.weight().value().toArray();
        for (int i = 0; i < 12; i++) {
            assertEquals(i < 6 ? w[i] : 0f, restored[i], 0f, "rewound weight " + i);
        }
        assertBitwiseEqual(mask, layer.weight().mask().toArray(), "the mask survives a rewind");
    }

    @Test
    void embeddingForwardGathersAndTrainsOnlyTheRowsUsed() {
        Embedding e = new Embedding(backend, "item", 5, 3, 0.1, new SplittableRandom(21));
        IndexTensor idx = IndexTensor.of(backend, new int[] {2, 2, 4});
        Ops.sum(e.forward(idx)).backward();
        float[] g = e.table().value().gradToArray();
        float[] expected = {0, 0, 0, 0, 0, 0, 2, 2, 2, 0, 0, 0, 1, 1, 1};
        assertArrayEquals(expected, g, 0f);
    }

    private static void assertBitwiseEqual(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]),
                    what + " element " + i);
        }
    }
}
