package dev.winnow.engine.optim;

import dev.winnow.engine.backend.cpu.CpuBackend;
import dev.winnow.engine.nn.Parameter;
import dev.winnow.engine.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class MultiStepLrTest {

    @Test
    void learningRateDecaysExactlyAtTheStartOfEachOneBasedMilestoneEpoch() {
        try (CpuBackend backend = new CpuBackend(1)) {
            Parameter p = new Parameter("w", Tensor.of(backend, 1, 1, new float[] {1f}, true), true);
            Sgd sgd = new Sgd(List.of(p), 0.5f, 0f, 0f);
            // given out of order on purpose: the schedule sorts them
            MultiStepLr schedule = new MultiStepLr(sgd, new int[] {5, 3}, 0.1f);
            float[] expected = {0.5f, 0.5f, 0.05f, 0.05f, 0.005f, 0.005f, 0.005f};
            for (int epoch = 1; epoch <= expected.length; epoch++) {
                float lr = schedule.startEpoch(epoch);
                assertEquals(expected[epoch - 1], lr, 1e-9f, "epoch " + epoch);
                assertEquals(lr, sgd.learningRate(), 0f, "the optimiser must use the scheduled rate, epoch " + epoch);
            }
            // going back (a resumed run) recomputes from the base rate rather than compounding
            assertEquals(0.5f, schedule.startEpoch(1), 0f);
            org.junit.jupiter.api.Assertions.assertArrayEquals(new int[] {3, 5}, schedule.milestones());
        }
    }
}
