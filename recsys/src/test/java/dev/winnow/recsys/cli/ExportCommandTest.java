package dev.winnow.recsys.cli;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.backend.cpu.CpuBackend;
import dev.winnow.engine.nn.Activation;
import dev.winnow.engine.nn.Parameter;
import dev.winnow.engine.runtime.RecommenderModel;
import dev.winnow.engine.runtime.TensorInfo;
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
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExportCommandTest {

    /** Writes a checkpoint of a model whose weight tensors (embeddings included) keep their largest 30%. */
    static RatingData checkpoint(Path dir, NcfConfig cfg, long seed) throws Exception {
        RatingData data = SyntheticRatings.generate(seed, 60, 90, 800);
        try (Backend backend = new CpuBackend(1)) {
            NcfModel m = new NcfModel(backend, cfg, data.users(), data.items(), seed);
            for (Parameter p : m.parameters()) {
                if (p.name().endsWith("weight")) {
                    float[] w = p.value().toArray();
                    float[] sorted = new float[w.length];
                    for (int i = 0; i < w.length; i++) {
                        sorted[i] = Math.abs(w[i]);
                    }
                    Arrays.sort(sorted);
                    float t = sorted[(int) (0.7 * w.length)];
                    float[] mask = new float[w.length];
                    for (int i = 0; i < w.length; i++) {
                        mask[i] = Math.abs(w[i]) >= t ? 1f : 0f;
                    }
                    p.setMask(mask);
                }
            }
            CheckpointFile.write(Checkpoint.capture(m, data, seed, null, null), dir);
        }
        return data;
    }

    static final NcfConfig SMALL = new NcfConfig("small", 8, new int[] {16, 8}, Activation.RELU, 0.3);

    @Test
    void aRealDataCheckpointWithoutRawIdsExportsWithAWarningThatTheModelTakesIndices(@TempDir Path dir)
            throws Exception {
        RatingData synthetic = SyntheticRatings.generate(3, 60, 90, 800);
        int[] all = new int[synthetic.size()];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        RatingData real = synthetic.subset(all, "u1.base"); // as a checkpoint written before ids were kept
        Path old = dir.resolve("old");
        try (Backend backend = new CpuBackend(1)) {
            NcfModel m = new NcfModel(backend, SMALL, real.users(), real.items(), 3);
            CheckpointFile.write(Checkpoint.capture(m, real, 3, null, null), old);
        }
        CliRun r = CliRun.of("export", "--checkpoint", old.toString(), "--out", dir.resolve("old.wnw").toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains("keeps no raw ids") && r.err().contains("0-based user and item indices"), r.err());
        Path fresh = dir.resolve("synthetic");
        checkpoint(fresh, SMALL, 3);
        r = CliRun.of("export", "--checkpoint", fresh.toString(), "--out", dir.resolve("s.wnw").toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(!r.err().contains("raw ids"), "the synthetic set's ids are its indices: no warning; " + r.err());
    }

    @Test
    void exportedModelPredictsWhatTheEngineModelPredicts(@TempDir Path dir) throws Exception {
        RatingData data = checkpoint(dir, SMALL, 1);
        Path out = dir.resolve("m.wnw");
        CliRun r = CliRun.of("export", "--checkpoint", dir.toString(), "--out", out.toString(), "--storage", "csr");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("wrote " + out), r.out());
        RecommenderModel rt = RecommenderModel.load(out);
        float[] engine;
        try (Backend backend = new CpuBackend(1)) {
            NcfModel m = CheckpointFile.read(dir).restore(backend);
            engine = RatingTrainer.predict(m, backend, new BufferPool(backend), data, 256);
        }
        float[] runtime = new float[data.size()];
        rt.predictBatch(data.user(), data.item(), data.size(), runtime);
        for (int k = 0; k < data.size(); k++) {
            assertEquals(engine[k], runtime[k], 1e-6, "rating " + k);
        }
        Checkpoint c = CheckpointFile.read(dir);
        for (TensorInfo t : rt.tensors()) {
            if (t.name().endsWith("weight")) {
                assertEquals("csr", t.storageName());
                long alive = 0;
                for (float v : c.masks().get(t.name())) {
                    alive += v != 0f ? 1 : 0;
                }
                assertEquals(alive, t.nonzeros(), t.name() + ": the file keeps exactly the unmasked weights");
            }
        }
    }

    @Test
    void autoStorageIsWithinTheToleranceAndNoLargerThanCsr(@TempDir Path dir) throws Exception {
        checkpoint(dir, SMALL, 2);
        Path auto = dir.resolve("auto.wnw");
        Path csr = dir.resolve("csr.wnw");
        assertEquals(0, CliRun.of("export", "--checkpoint", dir.toString(), "--out", auto.toString()).exit());
        assertEquals(0, CliRun.of("export", "--checkpoint", dir.toString(), "--out", csr.toString(), "--storage",
                "csr").exit());
        assertTrue(Files.size(auto) <= Files.size(csr), Files.size(auto) + " vs " + Files.size(csr));
        RecommenderModel a = RecommenderModel.load(auto);
        RecommenderModel c = RecommenderModel.load(csr);
        for (int u = 0; u < 60; u++) {
            assertEquals(c.score(u, u % 90), a.score(u, u % 90), 1e-2);
        }
    }

    @Test
    void badOptionsAndMissingCheckpointsFailWithAMessage(@TempDir Path dir) throws Exception {
        CliRun r = CliRun.of("export", "--checkpoint", dir.toString(), "--out", dir.resolve("m.wnw").toString());
        assertEquals(2, r.exit(), "a directory without a checkpoint is a bad --checkpoint: " + r.err());
        assertTrue(r.err().startsWith("winnow export: --checkpoint " + dir + ": ")
                && r.err().contains("no checkpoint here") && !r.err().contains("Exception"), r.err());
        checkpoint(dir, SMALL, 3);
        r = CliRun.of("export", "--checkpoint", dir.toString(), "--out", dir.resolve("m.wnw").toString(),
                "--storage", "zip");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--storage: 'zip'"), r.err());
        assertTrue(Files.notExists(dir.resolve("m.wnw")));
    }

    @Test
    void exportOfACompareDcnnRunIsRefusedInOneLineSayingDcnnIsABaseline(@TempDir Path dir) throws Exception {
        CliRun c = CliRun.of("compare", "--data", "synthetic", "--features", "numerical", "--methods", "dcnn", "--set",
                "epochs=1", "--backend", "cpu", "--out", dir.toString());
        assertEquals(0, c.exit(), c.err());
        java.util.regex.Matcher seed = java.util.regex.Pattern.compile("DCNN seed (\\d+): model not saved")
                .matcher(c.out());
        assertTrue(seed.find(), c.out());
        // where compare would have put the model, and where it keeps its resume checkpoints
        java.util.List<Path> tries = new java.util.ArrayList<>(java.util.List.of(
                dir.resolve("models").resolve("DCNN-seed" + seed.group(1))));
        Path ckpts = dir.resolve("checkpoints");
        if (Files.isDirectory(ckpts)) {
            try (java.util.stream.Stream<Path> s = Files.list(ckpts)) {
                s.forEach(tries::add);
            }
        }
        for (Path p : tries) {
            CliRun r = CliRun.of("export", "--checkpoint", p.toString(), "--out", dir.resolve("d.wnw").toString());
            assertEquals(2, r.exit(), r.err());
            assertEquals("winnow export: " + p + ": " + ExportCommand.DCNN_NOT_EXPORTABLE, r.err().strip());
            assertTrue(Files.notExists(dir.resolve("d.wnw")));
        }
    }

    @Test
    void aMissingCheckpointOrAnOutputThatIsADirectoryExitsTwoNamingTheOption(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("nodir");
        CliRun r = CliRun.of("export", "--checkpoint", missing.toString(), "--out", dir.resolve("m.wnw").toString());
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().startsWith("winnow export: --checkpoint " + missing + ": no checkpoint here"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        checkpoint(dir, SMALL, 3);
        Path outDir = Files.createDirectories(dir.resolve("models"));
        r = CliRun.of("export", "--checkpoint", dir.toString(), "--out", outDir.toString());
        assertEquals(2, r.exit(), r.err());
        assertEquals("winnow export: --out " + outDir + ": is a directory", r.err().strip());
        try (var left = Files.list(dir)) {
            assertTrue(left.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temporary file left");
        }
    }
}
