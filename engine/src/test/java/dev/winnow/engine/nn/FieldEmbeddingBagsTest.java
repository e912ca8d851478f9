package dev.winnow.engine.nn;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.backend.cpu.CpuBackend;
import dev.winnow.engine.tensor.ConvOps;
import dev.winnow.engine.tensor.GradientCheck;
import dev.winnow.engine.tensor.Ops;
import dev.winnow.engine.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FieldEmbeddingBagsTest {
    private static Backend backend;

    @BeforeAll
    static void setUp() {
        backend = new CpuBackend(1);
    }

    @AfterAll
    static void tearDown() {
        backend.close();
    }

    /** A [rows x cols] input of hashed-token-like weights: most buckets empty, a few positive. */
    private static Tensor sparseWeights(int rows, int cols, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextInt(3) == 0 ? (float) (0.2 + r.nextDouble()) : 0f;
        }
        return Tensor.of(backend, rows, cols, v, true);
    }

    @Test
    void eachFieldIsItsBlockWeightedSumOfItsOwnBucketEmbeddings() {
        // 2 leading scalar columns, then 3 fields of 5 buckets; dim 4
        FieldEmbeddingBags bags = new FieldEmbeddingBags(backend, "bags", 3, 5, 4, 1.0, new SplittableRandom(7));
        Tensor x = sparseWeights(2, 2 + 15, 3);
        float[] y = bags.forward(x, 2).toArray();
        float[] in = x.toArray();
        assertEquals(2 * 3 * 4, y.length);
        for (int b = 0; b < 2; b++) {
            for (int f = 0; f < 3; f++) {
                float[] table = bags.parameters().get(f).value().toArray();
                for (int d = 0; d < 4; d++) {
                    double s = 0;
                    for (int k = 0; k < 5; k++) {
                        s += (double) in[b * 17 + 2 + f * 5 + k] * table[k * 4 + d];
                    }
                    assertEquals(s, y[b * 12 + f * 4 + d], 1e-5, "sample " + b + " field " + f + " channel " + d);
                }
            }
        }
    }

    @Test
    void gradientsOfInputAndTablesThroughAConvolutionMatchFiniteDifferences() {
        FieldEmbeddingBags bags = new FieldEmbeddingBags(backend, "bags", 3, 4, 2, 1.0, new SplittableRandom(5));
        Conv1d conv = new Conv1d(backend, "c", 2, 3, 3, 1, new SplittableRandom(6));
        Tensor x = sparseWeights(2, 1 + 12 + 1, 9);
        List<Tensor> inputs = new ArrayList<>();
        inputs.add(x);
        for (Parameter p : bags.parameters()) {
            inputs.add(p.value());
        }
        GradientCheck.Result r = GradientCheck.standard().check(in -> {
            Tensor seq = bags.forward(in.get(0), 1);
            Tensor pooled = ConvOps.meanOverPositions(Ops.tanh(conv.forward(seq, 3)), 3, 3);
            return Ops.sum(Ops.square(pooled));
        }, inputs);
        assertTrue(r.passed(), r.describe());
    }

    @Test
    void tablesAreNotPrunableAndABlockPastTheInputIsRejected() {
        FieldEmbeddingBags bags = new FieldEmbeddingBags(backend, "bags", 2, 8, 3, 1.0, new SplittableRandom(1));
        assertEquals(2, bags.parameters().size());
        assertFalse(bags.parameters().get(0).prunable());
        assertEquals(2 * 8 * 3, bags.parameterCount());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> bags.forward(Tensor.zeros(backend, 1, 20, false), 5));
        assertTrue(e.getMessage().contains("do not fit"), e.getMessage());
    }
}
