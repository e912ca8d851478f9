package dev.winnow.recsys.cli;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.backend.cpu.CpuBackend;
import dev.winnow.engine.prune.NeuronPruner;
import dev.winnow.engine.prune.UnitNorm;
import dev.winnow.engine.runtime.RecommenderModel;
import dev.winnow.engine.tensor.BufferPool;
import dev.winnow.recsys.checkpoint.Checkpoint;
import dev.winnow.recsys.checkpoint.CheckpointFile;
import dev.winnow.recsys.data.RatingData;
import dev.winnow.recsys.data.SyntheticRatings;
import dev.winnow.recsys.model.NcfConfig;
import dev.winnow.recsys.model.NcfModel;
import dev.winnow.recsys.train.RatingTrainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A structured-pruned (SP-SAD style) model is exported with its dead hidden units physically removed. */
class ExportCompactionTest {

    @Test
    void structuredPrunedModelIsExportedCompactedAndPredictsLikeTheMaskedModel(@TempDir Path dir) throws Exception {
        RatingData data = SyntheticRatings.generate(4, 50, 60, 2000);
        try (Backend backend = new CpuBackend(1)) {
            NcfModel model = new NcfModel(backend, NcfConfig.STUDENT, data.users(), data.items(), 4);
            new NeuronPruner(model.mlp(), UnitNorm.L1, false).prune(0.5);
            Path ckpt = dir.resolve("ckpt");
            CheckpointFile.write(Checkpoint.capture(model, data, 4, null, null), ckpt);
            Path file = dir.resolve("m.wnw");
            CliRun export = CliRun.of("export", "--checkpoint", ckpt.toString(), "--out", file.toString(),
                    "--storage", "dense");
            assertEquals(0, export.exit(), export.err());
            assertTrue(export.out().contains("compacted hidden layers [128, 64] -> [64, 32]"), export.out());
            RecommenderModel runtime = RecommenderModel.load(file);
            float[] engine = RatingTrainer.predict(model, backend, new BufferPool(backend), data, 512);
            for (int k = 0; k < data.size(); k += 37) {
                assertEquals(engine[k], runtime.predict(data.user()[k], data.item()[k]), 1e-5,
                        "pair " + data.user()[k] + "," + data.item()[k]);
            }
        }
    }
}
