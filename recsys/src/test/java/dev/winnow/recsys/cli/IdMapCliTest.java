package dev.winnow.recsys.cli;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.backend.cpu.CpuBackend;
import dev.winnow.engine.io.ModelFileSummary;
import dev.winnow.engine.runtime.RecommenderModel;
import dev.winnow.engine.runtime.WnwFormat;
import dev.winnow.engine.tensor.GradMode;
import dev.winnow.engine.tensor.IndexTensor;
import dev.winnow.recsys.checkpoint.Checkpoint;
import dev.winnow.recsys.checkpoint.CheckpointFile;
import dev.winnow.recsys.checkpoint.CheckpointFormatException;
import dev.winnow.recsys.data.DataSource;
import dev.winnow.recsys.data.LoadedRatings;
import dev.winnow.recsys.data.SharedData;
import dev.winnow.recsys.data.Splits;
import dev.winnow.recsys.method.RatingTask;
import dev.winnow.recsys.method.RegressionTask;
import dev.winnow.recsys.model.NcfConfig;
import dev.winnow.recsys.model.NcfModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A model trained on a real data set is served by the data set's raw ids: train keeps them in the checkpoint, export
 * writes them as the id map (section 4), infer and inspect use them. The data set is a tiny MovieLens-latest file with
 * non-contiguous ids, written into a temporary folder.
 */
class IdMapCliTest {

    /** Users 5, 17, 900 (indices 0, 1, 2); items 3, 7, 50, 1000 (indices 0..3): the loader indexes sorted raw ids. */
    static Path tinyMovieLens(Path dir) throws Exception {
        Path ml = Files.createDirectories(dir.resolve("ml-tiny"));
        StringBuilder sb = new StringBuilder("userId,movieId,rating,timestamp\n");
        int[] users = {900, 5, 17};
        int[] items = {1000, 3, 50, 7};
        int t = 964982703;
        for (int u : users) {
            for (int i : items) {
                for (int rep = 0; rep < 2; rep++) {
                    sb.append(u).append(',').append(i).append(',').append(((u + i + rep) % 9 + 1) * 0.5).append(',')
                            .append(t++).append('\n');
                }
            }
        }
        Files.writeString(ml.resolve("ratings.csv"), sb);
        return ml;
    }

    private static String rating(float r) {
        return String.format(Locale.ROOT, "%.4f", r);
    }

    @Test
    void aModelTrainedOnRealIdsPredictsForRawId17WhatTheEnginePredictsForItsIndex(@TempDir Path dir)
            throws Exception {
        Path data = tinyMovieLens(dir);
        Path ckpt = dir.resolve("ckpt");
        CliRun train = CliRun.of("train", "--data", data.toString(), "--epochs", "1", "--seed", "3", "--model",
                "student", "--checkpoint", ckpt.toString());
        assertEquals(0, train.exit(), train.out() + train.err());
        Checkpoint c = CheckpointFile.read(ckpt);
        assertEquals(List.of("5", "17", "900"), c.userIds());
        assertEquals(List.of("3", "7", "50", "1000"), c.itemIds());

        Path model = dir.resolve("m.wnw");
        CliRun export = CliRun.of("export", "--checkpoint", ckpt.toString(), "--out", model.toString(), "--storage",
                "dense");
        assertEquals(0, export.exit(), export.err());
        assertTrue(export.out().contains("id map: raw ids of 3 users and 4 items"), export.out());
        RecommenderModel m = RecommenderModel.load(model);
        assertTrue(m.hasIdMap());
        assertEquals(1, m.userIndex(17));
        assertEquals(2, m.itemIndex(50));
        assertEquals(-1, m.userIndex(1), "index 1 is not a raw id of this data set");

        float engine;
        try (Backend backend = new CpuBackend(1); GradMode g = GradMode.disabled()) {
            NcfModel restored = c.restore(backend);
            engine = restored.forward(IndexTensor.of(backend, new int[] {1}), IndexTensor.of(backend,
                    new int[] {2})).toArray()[0];
        }
        assertEquals(engine, m.score(m.userIndex(17), m.itemIndex(50)), 1e-6);

        Path in = dir.resolve("pairs.csv");
        Files.writeString(in, "user,item\n17,50\n944,3\n900,1000\n17,4\n1,0\n");
        Path out = dir.resolve("out.csv");
        CliRun infer = CliRun.of("infer", "--model", model.toString(), "--input", in.toString(), "--output",
                out.toString());
        assertEquals(1, infer.exit(), infer.err());
        assertTrue(infer.err().contains(in + ":3: user 944 is not in the model's id map; row skipped"), infer.err());
        assertTrue(infer.err().contains(in + ":5: item 4 is not in the model's id map; row skipped"), infer.err());
        assertTrue(infer.err().contains(in + ":6: user 1 is not in the model's id map; row skipped"), infer.err());
        float clipped = Math.max(c.minRating(), Math.min(c.maxRating(), engine));
        assertEquals(List.of("user,item,rating", "17,50," + rating(clipped), "900,1000," + rating(m.predict(2, 3))),
                Files.readAllLines(out));

        CliRun inspect = CliRun.of("inspect", model.toString());
        assertEquals(0, inspect.exit(), inspect.err());
        assertTrue(inspect.out().contains("id-map"), inspect.out());
        assertTrue(inspect.out().contains("id map: 3 user ids in 5..900, 4 item ids in 3..1000 (infer takes these"
                + " raw ids)"), inspect.out());
    }

    @Test
    void compareSavesItsModelsWithTheDataSetsRawIds(@TempDir Path dir) throws Exception {
        LoadedRatings loaded = DataSource.load(tinyMovieLens(dir).toString(), 1, false);
        RatingTask task = new RatingTask("tiny", Splits.random(loaded.ratings(), 0.2, 0.2, 1), NcfConfig.TEACHER,
                ExportCommandTest.SMALL, loaded);
        try (Backend backend = new CpuBackend(1)) {
            task.saveModel(task.newModel(backend, RegressionTask.Role.STUDENT, 1), 1, dir.resolve("student"));
        }
        Checkpoint c = CheckpointFile.read(dir.resolve("student"));
        assertEquals(List.of("5", "17", "900"), c.userIds());
        assertEquals(List.of("3", "7", "50", "1000"), c.itemIds());
    }

    @Test
    void theSyntheticDataKeepsNoRawIdsAndItsModelHasNoIdMap(@TempDir Path dir) throws Exception {
        LoadedRatings loaded = DataSource.load("synthetic", 1, false);
        Checkpoint c;
        try (Backend backend = new CpuBackend(1)) {
            NcfModel model = new NcfModel(backend, ExportCommandTest.SMALL, loaded.ratings().users(),
                    loaded.ratings().items(), 1);
            c = Checkpoint.capture(model, loaded.ratings(), 1, loaded);
        }
        assertNull(c.userIds());
        assertNull(c.itemIds());
        CheckpointFile.write(c, dir);
        Path model = dir.resolve("m.wnw");
        CliRun export = CliRun.of("export", "--checkpoint", dir.toString(), "--out", model.toString());
        assertEquals(0, export.exit(), export.err());
        assertFalse(export.out().contains("id map"), export.out());
        assertFalse(RecommenderModel.load(model).hasIdMap());
        assertTrue(ModelFileSummary.read(model).sections().stream().noneMatch(
                s -> s.type() == WnwFormat.SECTION_ID_MAP));
        assertTrue(CliRun.of("inspect", model.toString()).out().contains(
                "id map: none (users and items are 0-based indices)"));
    }

    @Test
    void checkpointIdsThatAreNotUniqueIntegersAreRefusedAtExport() throws Exception {
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class,
                () -> Checkpoint.integerIds(List.of("5", "x7"), "user"));
        assertEquals("user id 'x7' (index 1) is not an integer; a .wnw id map holds 32-bit integer ids",
                e.getMessage());
        e = assertThrows(CheckpointFormatException.class, () -> Checkpoint.integerIds(List.of("5", "9", "5"),
                "item"));
        assertEquals("item id 5 appears twice (indices 0 and 2)", e.getMessage());
        assertNull(Checkpoint.integerIds(null, "user"));
        assertEquals(List.of(-3, 17), java.util.Arrays.stream(Checkpoint.integerIds(List.of("-3", "17"), "user"))
                .boxed().toList());
    }

    /** The bug as reported: ML-100K's user 943 and item 1682 are raw ids, and 944 is no user of it. */
    @Test
    void anMl100kModelIsServedByMovieLensIds(@TempDir Path dir) throws Exception {
        Path ml = SharedData.ml100k();
        LoadedRatings loaded = DataSource.load(ml.toString(), 1, false);
        try (Backend backend = new CpuBackend(1)) {
            NcfModel model = new NcfModel(backend, ExportCommandTest.SMALL, loaded.ratings().users(),
                    loaded.ratings().items(), 1);
            CheckpointFile.write(Checkpoint.capture(model, loaded.ratings(), 1, loaded), dir);
        }
        Path model = dir.resolve("ml.wnw");
        assertEquals(0, CliRun.of("export", "--checkpoint", dir.toString(), "--out", model.toString(), "--storage",
                "dense").exit());
        RecommenderModel m = RecommenderModel.load(model);
        assertEquals(942, m.userIndex(943));
        assertEquals(1681, m.itemIndex(1682));
        assertEquals(0, m.userIndex(1));
        assertEquals(-1, m.userIndex(0));
        Path in = dir.resolve("pairs.csv");
        Files.writeString(in, "user,item\n1,1\n943,1682\n944,1\n");
        Path out = dir.resolve("out.csv");
        CliRun infer = CliRun.of("infer", "--model", model.toString(), "--input", in.toString(), "--output",
                out.toString());
        assertEquals(1, infer.exit());
        assertTrue(infer.err().contains(in + ":4: user 944 is not in the model's id map; row skipped"), infer.err());
        assertEquals(List.of("user,item,rating", "1,1," + rating(m.predict(0, 0)),
                "943,1682," + rating(m.predict(942, 1681))), Files.readAllLines(out));
    }
}
