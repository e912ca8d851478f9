package dev.winnow.recsys.cli;

import dev.winnow.engine.runtime.RecommenderModel;
import dev.winnow.recsys.checkpoint.CheckpointFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The whole path a user takes: train with --checkpoint, export, inspect, infer (one epoch on the synthetic data). */
class ExportAfterTrainTest {

    @Test
    void trainCheckpointExportInspectInfer(@TempDir Path dir) throws Exception {
        Path ckpt = dir.resolve("ckpt");
        CliRun train = CliRun.of("train", "--epochs", "1", "--seed", "3", "--checkpoint", ckpt.toString());
        assertEquals(0, train.exit(), train.err());
        assertTrue(Files.isRegularFile(ckpt.resolve(CheckpointFile.FILE_NAME)), train.out());
        Path model = dir.resolve("student.wnw");
        CliRun export = CliRun.of("export", "--checkpoint", ckpt.toString(), "--out", model.toString(), "--storage",
                "dense");
        assertEquals(0, export.exit(), export.err());
        RecommenderModel m = RecommenderModel.load(model);
        assertEquals(943, m.userCount());
        assertEquals(1682, m.itemCount());
        assertEquals(0, CliRun.of("inspect", model.toString()).exit());
        Path pairs = dir.resolve("pairs.csv");
        Files.writeString(pairs, "0,0\n942,1681\n");
        Path out = dir.resolve("out.csv");
        assertEquals(0, CliRun.of("infer", "--model", model.toString(), "--input", pairs.toString(), "--output",
                out.toString()).exit());
        float r = Float.parseFloat(Files.readAllLines(out).get(2).split(",")[2]);
        assertEquals(m.predict(942, 1681), r, 1e-4);
        // a trained model predicts inside the rating range and not a constant
        assertTrue(m.predict(0, 0) != m.predict(942, 1681));
    }
}
