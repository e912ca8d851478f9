package dev.winnow.recsys.cli;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.backend.cpu.CpuBackend;
import dev.winnow.engine.nn.Parameter;
import dev.winnow.engine.prune.LatentDimensionPruner;
import dev.winnow.engine.prune.MagnitudePruner;
import dev.winnow.engine.prune.NeuronPruner;
import dev.winnow.engine.prune.PrunableSet;
import dev.winnow.engine.prune.Pruner;
import dev.winnow.engine.prune.Ranking;
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

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A structured-pruned (SP-SAD style) model is exported with its dead hidden units and latent dimensions physically
 * removed; a model whose tables were magnitude-pruned (prune_embeddings) stores them sparsely. Both predict through the
 * runtime what the engine's masked model does.
 */
class ExportCompactionTest {

    @Test
    void structuredPrunedModelIsExportedCompactedAndPredictsLikeTheMaskedModel(@TempDir Path dir) throws Exception {
        RatingData data = SyntheticRatings.generate(4, 50, 60, 2000);
        try (Backend backend = new CpuBackend(1)) {
            NcfModel model = new NcfModel(backend, NcfConfig.STUDENT, data.users(), data.items(), 4);
            new NeuronPruner(model.mlp(), UnitNorm.L1, false).prune(0.5);
            Path file = dir.resolve("m.wnw");
            CliRun export = export(checkpoint(model, data, dir), file, "dense");
            assertTrue(export.out().contains("compacted hidden layers [128, 64] -> [64, 32]"), export.out());
            assertSamePredictions(model, backend, data, RecommenderModel.load(file), 1e-5);
        }
    }

    private static void assertSamePredictions(NcfModel model, Backend backend, RatingData data,
                                              RecommenderModel runtime, double tolerance) {
        float[] engine = RatingTrainer.predict(model, backend, new BufferPool(backend), data, 512);
        for (int k = 0; k < data.size(); k += 37) {
            assertEquals(engine[k], runtime.predict(data.user()[k], data.item()[k]), tolerance,
                    "pair " + data.user()[k] + "," + data.item()[k]);
        }
    }

    private static Path checkpoint(NcfModel model, RatingData data, Path dir) throws Exception {
        Path ckpt = dir.resolve("ckpt");
        CheckpointFile.write(Checkpoint.capture(model, data, 4, null, null), ckpt);
        return ckpt;
    }

    private static CliRun export(Path ckpt, Path file, String storage) {
        CliRun run = CliRun.of("export", "--checkpoint", ckpt.toString(), "--out", file.toString(), "--storage",
                storage);
        assertEquals(0, run.exit(), run.err());
        return run;
    }

    @Test
    void structuredPrunedTablesAreExportedWithTheSmallerEmbeddingSize(@TempDir Path dir) throws Exception {
        RatingData data = SyntheticRatings.generate(4, 50, 60, 2000);
        try (Backend backend = new CpuBackend(1)) {
            NcfModel model = new NcfModel(backend, NcfConfig.STUDENT, data.users(), data.items(), 4);
            Path denseFile = dir.resolve("dense.wnw");
            export(checkpoint(model, data, dir.resolve("a")), denseFile, "dense");
            // SP-SAD with prune_embeddings: hidden units and whole latent dimensions at the same rate
            Pruner.both(new NeuronPruner(model.mlp(), UnitNorm.L1, false),
                    new LatentDimensionPruner(model.embeddingTables())).prune(0.5);
            Path file = dir.resolve("m.wnw");
            CliRun run = export(checkpoint(model, data, dir.resolve("b")), file, "dense");
            assertTrue(run.out().contains("compacted hidden layers [128, 64] -> [64, 32]"), run.out());
            assertTrue(run.out().contains("compacted embedding size 32 -> 16"), run.out());
            RecommenderModel runtime = RecommenderModel.load(file);
            assertEquals(16, runtime.embeddingSize());
            long before = Files.size(denseFile);
            long after = Files.size(file);
            assertTrue(after < 0.55 * before, "dense fp32 file " + after + " bytes, unpruned " + before);
            assertSamePredictions(model, backend, data, runtime, 1e-5);
        }
    }

    @Test
    void magnitudePrunedTablesAreStoredSparselyAndPredictLikeTheMaskedModel(@TempDir Path dir) throws Exception {
        RatingData data = SyntheticRatings.generate(4, 50, 60, 2000);
        try (Backend backend = new CpuBackend(1)) {
            NcfModel model = new NcfModel(backend, NcfConfig.STUDENT, data.users(), data.items(), 4);
            // LTH with prune_embeddings: one global ranking over the hidden weights and both tables
            List<Parameter> ranked = new ArrayList<>(PrunableSet.forMlp(model.mlp(), false).parameters());
            ranked.addAll(model.embeddingTables());
            new MagnitudePruner(PrunableSet.explicit(ranked), Ranking.GLOBAL).prune(0.7);
            Path ckpt = checkpoint(model, data, dir);
            Path dense = dir.resolve("dense.wnw");
            Path csr = dir.resolve("csr.wnw");
            Path auto = dir.resolve("auto.wnw");
            export(ckpt, dense, "dense");
            export(ckpt, csr, "csr");
            export(ckpt, auto, "auto");
            RecommenderModel sparse = RecommenderModel.load(csr);
            for (int t = 0; t < 2; t++) {
                assertEquals("csr", sparse.tensors().get(t).storageName(), sparse.tensors().get(t).name());
                assertTrue(sparse.tensors().get(t).density() < 0.5, sparse.tensors().get(t).name() + " density "
                        + sparse.tensors().get(t).density());
            }
            assertTrue(Files.size(csr) < 0.5 * Files.size(dense), Files.size(csr) + " vs " + Files.size(dense));
            assertTrue(Files.size(auto) <= Files.size(csr), Files.size(auto) + " vs " + Files.size(csr));
            assertSamePredictions(model, backend, data, sparse, 1e-5);
            // auto may quantise: its contract is the default tolerance on the raw score, which clipping keeps
            assertSamePredictions(model, backend, data, RecommenderModel.load(auto), 1e-2);
        }
    }
}
