package dev.winnow.recsys.cli;

import dev.winnow.engine.runtime.RecommenderModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InferCommandTest {

    @Test
    void predictsEveryGoodRowAndReportsBadRowsByLineNumber(@TempDir Path dir) throws Exception {
        ExportCommandTest.checkpoint(dir, ExportCommandTest.SMALL, 6);
        Path model = dir.resolve("m.wnw");
        assertEquals(0, CliRun.of("export", "--checkpoint", dir.toString(), "--out", model.toString()).exit());
        Path in = dir.resolve("pairs.csv");
        Files.writeString(in, "user,item\n0,1\n59,89\nabc,3\n\n60,1\n5\n7,-1\n3,4,extra\n");
        Path out = dir.resolve("out.csv");
        CliRun r = CliRun.of("infer", "--model", model.toString(), "--input", in.toString(), "--output",
                out.toString(), "--batch", "2");
        assertEquals(1, r.exit(), "bad rows make the exit code 1");
        assertTrue(r.err().contains(in + ":4: user 'abc' is not an integer"), r.err());
        assertTrue(r.err().contains(in + ":6: user 60 is outside 0..59"), r.err());
        assertTrue(r.err().contains(in + ":7: expected user,item"), r.err());
        assertTrue(r.err().contains(in + ":8: item -1 is outside 0..89"), r.err());
        assertTrue(r.err().contains("3 predictions, 4 bad rows"), r.err());
        RecommenderModel m = RecommenderModel.load(model);
        List<String> lines = Files.readAllLines(out);
        assertEquals(List.of("user,item,rating",
                "0,1," + String.format(java.util.Locale.ROOT, "%.4f", m.predict(0, 1)),
                "59,89," + String.format(java.util.Locale.ROOT, "%.4f", m.predict(59, 89)),
                "3,4," + String.format(java.util.Locale.ROOT, "%.4f", m.predict(3, 4))), lines);
    }

    @Test
    void aCleanFileExitsZeroAndARefusedModelExitsOne(@TempDir Path dir) throws Exception {
        ExportCommandTest.checkpoint(dir, ExportCommandTest.SMALL, 7);
        Path model = dir.resolve("m.wnw");
        assertEquals(0, CliRun.of("export", "--checkpoint", dir.toString(), "--out", model.toString()).exit());
        Path in = dir.resolve("pairs.csv");
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < 1000; k++) {
            sb.append(k % 60).append(',').append(k % 90).append('\n');
        }
        Files.writeString(in, sb);
        Path out = dir.resolve("out.csv");
        CliRun r = CliRun.of("infer", "--model", model.toString(), "--input", in.toString(), "--output",
                out.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals(1001, Files.readAllLines(out).size());
        Files.write(model, new byte[] {1, 2, 3});
        r = CliRun.of("infer", "--model", model.toString(), "--input", in.toString(), "--output", out.toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("ModelFormatException") && r.err().contains("truncated"), r.err());
    }
}
