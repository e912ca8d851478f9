package dev.winnow.recsys.train;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.backend.cpu.CpuBackend;
import dev.winnow.engine.nn.Activation;
import dev.winnow.kernels.opencl.OpenClBackend;
import dev.winnow.kernels.opencl.OpenClProbe;
import dev.winnow.recsys.data.RatingData;
import dev.winnow.recsys.data.RatingSplit;
import dev.winnow.recsys.data.Splits;
import dev.winnow.recsys.data.SyntheticRatings;
import dev.winnow.recsys.model.NcfConfig;
import dev.winnow.recsys.model.NcfModel;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The whole training path (embedding gather, GEMMs, bias add, ReLU, MSE, backward, scatter-add, Adam) on OpenCL
 * follows the CPU run: same seed, same data, three epochs, per-epoch loss and RMSE and the final predictions within
 * float tolerance. Reduced synthetic data keeps it to seconds on PoCL.
 */
class OpenClTrainingTest {
    private static final NcfConfig SMALL = new NcfConfig("small", 16, new int[] {32, 16}, Activation.RELU, 0.1);

    private record Run(List<EpochReport> epochs, float[] predictions) {
    }

    private static Run train(Backend backend, RatingSplit split, RatingData all) {
        NcfModel model = new NcfModel(backend, SMALL, all.users(), all.items(), 11);
        RatingTrainer trainer = new RatingTrainer(model, backend, new TrainConfig(3, 128, 0.003f, 11));
        List<EpochReport> reports = new ArrayList<>();
        trainer.fit(split.train(), split.test(), reports::add);
        return new Run(reports, trainer.predict(split.test()));
    }

    @Test
    void threeEpochsOfNcfOnOpenClMatchTheCpuRun() {
        OpenClProbe.Result probe = OpenClProbe.result();
        assumeTrue(probe.available(), () -> "skipped: no OpenCL device (" + probe.description()
                + "); install pocl-opencl-icd as .ci/run does");
        RatingData all = SyntheticRatings.generate(5, 150, 200, 5000);
        RatingSplit split = Splits.random(all, 0.0, 0.2, 5);
        Run cpu;
        try (CpuBackend b = new CpuBackend(1)) {
            cpu = train(b, split, all);
        }
        Run ocl;
        try (OpenClBackend b = new OpenClBackend()) {
            ocl = train(b, split, all);
        }
        assertTrue(cpu.epochs().get(2).trainLoss() < 0.8 * cpu.epochs().get(0).trainLoss(),
                "the reference run should learn: losses " + cpu.epochs());
        for (int e = 0; e < 3; e++) {
            EpochReport c = cpu.epochs().get(e);
            EpochReport o = ocl.epochs().get(e);
            assertEquals(c.trainLoss(), o.trainLoss(), 1e-3 * c.trainLoss(), "train loss, epoch " + (e + 1));
            assertEquals(c.testRmse(), o.testRmse(), 1e-3 * c.testRmse(), "test RMSE, epoch " + (e + 1));
        }
        double worst = 0;
        for (int i = 0; i < cpu.predictions().length; i++) {
            worst = Math.max(worst, Math.abs(cpu.predictions()[i] - ocl.predictions()[i]));
        }
        System.out.printf("NCF 3 epochs, CPU vs OpenCL: losses %s vs %s; largest prediction difference %.2e%n",
                cpu.epochs().stream().map(r -> String.format("%.6f", r.trainLoss())).toList(),
                ocl.epochs().stream().map(r -> String.format("%.6f", r.trainLoss())).toList(), worst);
        assertTrue(worst < 5e-3, "largest prediction difference after 3 epochs: " + worst);
    }
}
