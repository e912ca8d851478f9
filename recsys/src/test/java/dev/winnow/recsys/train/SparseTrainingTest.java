package dev.winnow.recsys.train;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.backend.cpu.CpuBackend;
import dev.winnow.engine.nn.Linear;
import dev.winnow.engine.nn.Parameter;
import dev.winnow.engine.sparse.ExecutionMode;
import dev.winnow.engine.sparse.ExecutionPolicy;
import dev.winnow.recsys.data.RatingData;
import dev.winnow.recsys.data.RatingSplit;
import dev.winnow.recsys.data.Splits;
import dev.winnow.recsys.data.SyntheticRatings;
import dev.winnow.recsys.model.NcfConfig;
import dev.winnow.recsys.model.NcfModel;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Three epochs of the NCF student with its MLP weights pruned to density 0.1 (a seeded random mask) train to the same
 * result whether the pruned layers run as masked dense GEMMs or in CSR form, on a reduced synthetic set.
 */
class SparseTrainingTest {
    private static final int EPOCHS = 3;

    private record Outcome(List<Double> losses, double rmse, float[] weights, float[] masks) {
    }

    private static Outcome train(ExecutionMode mode, Double autoThreshold) {
        RatingData all = SyntheticRatings.generate(3, 150, 200, 5000);
        RatingSplit split = Splits.random(all, 0.0, 0.2, 3);
        try (Backend backend = new CpuBackend(2)) {
            NcfModel model = new NcfModel(backend, NcfConfig.STUDENT, all.users(), all.items(), 3);
            SplittableRandom maskRng = new SplittableRandom(17);
            for (Linear layer : model.mlp().layers()) {
                Parameter w = layer.weight();
                float[] mask = new float[w.value().size()];
                for (int i = 0; i < mask.length; i++) {
                    mask[i] = maskRng.nextDouble() < 0.1 ? 1f : 0f;
                }
                w.setMask(mask);
                layer.setExecutionPolicy(mode != null ? ExecutionPolicy.always(mode)
                        : ExecutionPolicy.byDensity(autoThreshold));
            }
            RatingTrainer trainer = new RatingTrainer(model, backend, new TrainConfig(EPOCHS, 128, 3e-3f, 3));
            List<Double> losses = new ArrayList<>();
            EpochReport last = trainer.fit(split.train(), split.test(), r -> losses.add(r.trainLoss()));
            List<Float> ws = new ArrayList<>();
            List<Float> ms = new ArrayList<>();
            for (Linear layer : model.mlp().layers()) {
                assertEquals(mode != null ? mode : ExecutionMode.CSR, layer.executionMode(), layer.weight().name());
                for (float v : layer.weight().value().toArray()) {
                    ws.add(v);
                }
                for (float v : layer.weight().mask().toArray()) {
                    ms.add(v);
                }
            }
            float[] w = new float[ws.size()];
            float[] m = new float[ms.size()];
            for (int i = 0; i < w.length; i++) {
                w[i] = ws.get(i);
                m[i] = ms.get(i);
            }
            return new Outcome(losses, last.testRmse(), w, m);
        }
    }

    @Test
    void threeEpochsAtDensityPointOneGiveTheSameResultMaskedAndCsr() {
        Outcome masked = train(ExecutionMode.MASKED, null);
        Outcome csr = train(ExecutionMode.CSR, null);
        assertEquals(EPOCHS, csr.losses.size());
        for (int e = 0; e < EPOCHS; e++) {
            assertEquals(masked.losses.get(e), csr.losses.get(e), 1e-4 * masked.losses.get(e), "epoch " + (e + 1));
        }
        assertEquals(masked.rmse, csr.rmse, 1e-4 * masked.rmse, "test RMSE");
        assertTrue(masked.losses.get(EPOCHS - 1) < masked.losses.get(0), "the model learns: " + masked.losses);
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < masked.weights.length; i++) {
            diff += Math.pow(masked.weights[i] - csr.weights[i], 2);
            norm += Math.pow(masked.weights[i], 2);
            if (csr.masks[i] == 0f && csr.weights[i] != 0f) {
                fail("pruned weight " + i + " moved to " + csr.weights[i] + " on the CSR path");
            }
        }
        assertTrue(Math.sqrt(diff) <= 1e-3 * Math.sqrt(norm), "weights differ by " + Math.sqrt(diff / norm)
                + " relative after " + EPOCHS + " epochs");
    }

    @Test
    void autoModeBelowTheThresholdRunsCsrBitForBit() {
        Outcome forced = train(ExecutionMode.CSR, null);
        Outcome auto = train(null, 0.2);
        assertEquals(forced.losses, auto.losses);
        assertArrayEquals(forced.weights, auto.weights);
    }
}
