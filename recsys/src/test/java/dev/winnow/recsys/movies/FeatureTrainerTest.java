package dev.winnow.recsys.movies;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.backend.cpu.CpuBackend;
import dev.winnow.recsys.model.FeatureMlp;
import dev.winnow.recsys.train.TrainingDivergedException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The movie feature models' trainer: early stopping with the best weights restored, and loud divergence. */
class FeatureTrainerTest {
    private static final int WIDTH = 6;
    private static final int ROWS = 240;
    private static Backend backend;
    private static float[] x;
    private static float[] y;
    private static float[] xVal;
    private static float[] yVal;

    @BeforeAll
    static void setUp() {
        backend = new CpuBackend(1);
        SplittableRandom rng = new SplittableRandom(11);
        x = new float[ROWS * WIDTH];
        y = new float[ROWS];
        for (int r = 0; r < ROWS; r++) {
            double score = 6;
            for (int c = 0; c < WIDTH; c++) {
                float v = (float) rng.nextGaussian();
                x[r * WIDTH + c] = v;
                score += (c - 2.5) * 0.4 * v;
            }
            y[r] = (float) Math.max(1, Math.min(10, score + rng.nextGaussian()));
        }
        int val = ROWS / 4;
        xVal = Arrays.copyOfRange(x, 0, val * WIDTH);
        yVal = Arrays.copyOfRange(y, 0, val);
        x = Arrays.copyOfRange(x, val * WIDTH, ROWS * WIDTH);
        y = Arrays.copyOfRange(y, val, ROWS);
    }

    @AfterAll
    static void tearDown() {
        backend.close();
    }

    private static double mean(float[] v) {
        double s = 0;
        for (float f : v) {
            s += f;
        }
        return s / v.length;
    }

    private static FeatureTrainer trainer(FeatureMlp model, int batch, float lr, int maxEpochs, int patience) {
        return new FeatureTrainer(model, backend, new FeatureTrainer.Config(batch, lr, maxEpochs, patience, 3),
                mean(y));
    }

    @Test
    void trainingStopsPatienceEpochsAfterTheBestAndKeepsTheBestEpochsWeights() {
        FeatureMlp model = FeatureMlp.student(backend, WIDTH, 5);
        FeatureTrainer.Outcome o = trainer(model, 16, 0.05f, 60, 3).fit(x, y, xVal, yVal, WIDTH);
        assertTrue(o.bestEpoch() >= 1, "training improved on the mean predictor: " + o);
        assertEquals(Math.min(60, o.bestEpoch() + 3), o.epochsRun(), "stops after patience epochs without gain");
        // the same training cut at the best epoch ends with the weights that were restored
        FeatureMlp again = FeatureMlp.student(backend, WIDTH, 5);
        FeatureTrainer.Outcome cut = trainer(again, 16, 0.05f, o.bestEpoch(), 3).fit(x, y, xVal, yVal, WIDTH);
        assertEquals(o.bestEpoch(), cut.bestEpoch());
        assertArrayEquals(trainer(again, 16, 0.05f, 1, 1).predict(xVal, WIDTH),
                trainer(model, 16, 0.05f, 1, 1).predict(xVal, WIDTH), "the restored weights are the best epoch's");
    }

    @Test
    void anAbsurdLearningRateStopsTrainingWithAMessageNamingModelAndEpoch() {
        FeatureMlp model = FeatureMlp.student(backend, WIDTH, 5);
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                () -> trainer(model, 16, 1e30f, 5, 5).fit(x, y, xVal, yVal, WIDTH));
        String m = e.getMessage();
        assertTrue(m.startsWith(model.describe() + ": loss became ") && m.contains("at epoch 1"), m);
    }

    @Test
    void aMeanLossFarAboveTheFirstEpochsStopsWithTheEpochLevelMessage() {
        // one batch per epoch: no batch has an earlier one in its epoch to be compared with, only the epochs do
        FeatureMlp model = FeatureMlp.student(backend, WIDTH, 5);
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                () -> trainer(model, ROWS, 100f, 20, 20).fit(x, y, xVal, yVal, WIDTH));
        String m = e.getMessage();
        assertTrue(m.startsWith(model.describe() + ": mean loss became "), m);
        assertTrue(m.contains("in the first epoch") && !m.contains("at epoch 1,"), m);
        assertFalse(m.contains("NaN") || m.contains("Infinity"), "a finite loss 1e4 times the first: " + m);
    }
}
