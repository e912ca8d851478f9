package dev.winnow.engine.nn;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.backend.cpu.CpuBackend;
import dev.winnow.engine.tensor.GradMode;
import dev.winnow.engine.tensor.GradientCheck;
import dev.winnow.engine.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.winnow.engine.tensor.RandomTensors.uniform;
import static dev.winnow.engine.tensor.RandomTensors.uniformLeaf;
import static dev.winnow.engine.tensor.RandomTensors.weightedSum;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** BatchNorm1d against PyTorch's definitions: batch statistics in training, running statistics in evaluation. */
class BatchNorm1dTest {
    private static final int BATCH = 6;
    private static final int FEATURES = 4;
    private static Backend backend;

    @BeforeAll
    static void setUp() {
        backend = new CpuBackend(1);
    }

    @AfterAll
    static void tearDown() {
        backend.close();
    }

    private static BatchNorm1d withRandomAffine(long seed) {
        BatchNorm1d bn = new BatchNorm1d(backend, "bn", FEATURES);
        bn.gamma().value().copyFrom(uniform(FEATURES, 0.5, 1.5, seed));
        bn.beta().value().copyFrom(uniform(FEATURES, -0.5, 0.5, seed + 1));
        return bn;
    }

    @Test
    void trainingModeGradientFlowsThroughTheBatchStatistics() {
        BatchNorm1d bn = withRandomAffine(1);
        Tensor x = uniformLeaf(backend, BATCH, FEATURES, -2, 2, 3);
        GradientCheck.Result r = GradientCheck.standard().check(in -> weightedSum(bn.forward(in.get(0)), 4),
                List.of(x, bn.gamma().value(), bn.beta().value()));
        assertTrue(r.passed(), r.describe());
    }

    @Test
    void evalModeGradientUsesTheRunningStatistics() {
        BatchNorm1d bn = withRandomAffine(5);
        bn.forward(Tensor.of(backend, BATCH, FEATURES, uniform(BATCH * FEATURES, -2, 3, 6), false));
        bn.train(false);
        Tensor x = uniformLeaf(backend, 3, FEATURES, -2, 2, 7);
        GradientCheck.Result r = GradientCheck.standard().check(in -> weightedSum(bn.forward(in.get(0)), 8),
                List.of(x, bn.gamma().value(), bn.beta().value()));
        assertTrue(r.passed(), r.describe());
    }

    @Test
    void trainingModeNormalisesWithTheBiasedBatchVariance() {
        BatchNorm1d bn = withRandomAffine(9);
        float[] xv = uniform(BATCH * FEATURES, -2, 3, 10);
        float[] y = bn.forward(Tensor.of(backend, BATCH, FEATURES, xv, false)).toArray();
        float[] g = bn.gamma().value().toArray();
        float[] b = bn.beta().value().toArray();
        for (int j = 0; j < FEATURES; j++) {
            double mean = columnMean(xv, j);
            double var = columnSquaredDeviation(xv, j, mean) / BATCH;
            for (int i = 0; i < BATCH; i++) {
                double expected = (xv[i * FEATURES + j] - mean) / Math.sqrt(var + 1e-5) * g[j] + b[j];
                assertEquals(expected, y[i * FEATURES + j], 1e-5, "row " + i + " feature " + j);
            }
        }
    }

    @Test
    void runningStatisticsFollowPyTorchMomentumWithTheUnbiasedVariance() {
        BatchNorm1d bn = new BatchNorm1d(backend, "bn", FEATURES);
        double[] rm = new double[FEATURES];
        double[] rv = {1, 1, 1, 1};
        for (int step = 0; step < 3; step++) {
            float[] xv = uniform(BATCH * FEATURES, -2 + step, 3 + step, 20 + step);
            try (GradMode g = GradMode.disabled()) {
                bn.forward(Tensor.of(backend, BATCH, FEATURES, xv, false));
            }
            for (int j = 0; j < FEATURES; j++) {
                double mean = columnMean(xv, j);
                double unbiased = columnSquaredDeviation(xv, j, mean) / (BATCH - 1);
                rm[j] = 0.9 * rm[j] + 0.1 * mean;
                rv[j] = 0.9 * rv[j] + 0.1 * unbiased;
                assertEquals(rm[j], bn.runningMean()[j], 1e-5, "running mean, step " + step + " feature " + j);
                assertEquals(rv[j], bn.runningVar()[j], 1e-5, "running var, step " + step + " feature " + j);
            }
        }
        bn.train(false);
        float[] xv = uniform(2 * FEATURES, -1, 1, 30);
        float[] y = bn.forward(Tensor.of(backend, 2, FEATURES, xv, false)).toArray();
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < FEATURES; j++) {
                double expected = (xv[i * FEATURES + j] - rm[j]) / Math.sqrt(rv[j] + 1e-5);
                assertEquals(expected, y[i * FEATURES + j], 1e-5, "eval output row " + i + " feature " + j);
            }
        }
        float[] before = bn.runningMean().clone();
        bn.forward(Tensor.of(backend, 2, FEATURES, xv, false));
        org.junit.jupiter.api.Assertions.assertArrayEquals(before, bn.runningMean(), "eval must not update statistics");
    }

    @Test
    void trainingModeRefusesABatchOfOne() {
        BatchNorm1d bn = new BatchNorm1d(backend, "bn", FEATURES);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> bn.forward(Tensor.of(backend, 1, FEATURES, new float[FEATURES], false)));
        assertTrue(e.getMessage().contains("at least 2 rows"), e.getMessage());
    }

    private static double columnMean(float[] x, int j) {
        double s = 0;
        for (int i = 0; i < BATCH; i++) {
            s += x[i * FEATURES + j];
        }
        return s / BATCH;
    }

    private static double columnSquaredDeviation(float[] x, int j, double mean) {
        double s = 0;
        for (int i = 0; i < BATCH; i++) {
            double d = x[i * FEATURES + j] - mean;
            s += d * d;
        }
        return s;
    }
}
