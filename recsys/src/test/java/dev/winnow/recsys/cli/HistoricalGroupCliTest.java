package dev.winnow.recsys.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The historical feature group through the CLI: compare trains on it, export refuses its model in one line. */
class HistoricalGroupCliTest {

    @Test
    void compareTrainsOnNumericalPlusHistoricalAndExportRefusesTheModelInOneLine(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("runs");
        CliRun c = CliRun.of("compare", "--data", "synthetic", "--features", "numerical+historical", "--methods",
                "student,DCNN", "--set", "epochs=2", "--backend", "cpu", "--threads", "1", "--out", out.toString());
        assertEquals(0, c.exit(), c.err());
        JsonNode root = new ObjectMapper().readTree(out.resolve("results.json").toFile());
        assertEquals("numerical+historical", root.get("dataset").get("features").asText());
        assertEquals(2, root.get("runs").size());
        for (JsonNode r : root.get("runs")) {
            assertTrue(Double.isFinite(r.get("mse").asDouble()), r.toString());
        }

        Path model = out.resolve("models").resolve("student-seed0");
        assertTrue(Files.isDirectory(model), "compare saved the student's checkpoint");
        Path wnw = dir.resolve("student.wnw");
        CliRun e = CliRun.of("export", "--checkpoint", model.toString(), "--out", wnw.toString());
        assertEquals(2, e.exit(), e.err());
        String err = e.err().strip();
        assertEquals(1, err.lines().count(), "one line: " + err);
        assertTrue(err.startsWith("winnow export: ") && err.contains("historical feature group")
                && err.contains("train without historical"), err);
        assertFalse(err.contains("Exception") || err.contains("\tat "), err);
        assertFalse(Files.exists(wnw), "nothing is written");
    }

    @Test
    void anUnknownGroupInACombinationIsNamed(@TempDir Path dir) {
        CliRun e = CliRun.of("eval", "--data", "synthetic", "--model", "ridge", "--features", "numerical+visual",
                "--split", "temporal", "--out", dir.resolve("ev").toString());
        assertEquals(2, e.exit(), e.err());
        assertTrue(e.err().contains("'visual'") && e.err().contains("historical"), e.err());
        assertEquals(1, e.err().strip().lines().count(), e.err());
    }
}
