package dev.winnow.recsys.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CompareOptionsTest {

    /** Byte for byte what the hand-written saveOptions of 5f0d04b wrote for a fully specified run. */
    private static final String WRITTEN_BY_5F0D04B = """
            {
              "data" : "synthetic",
              "preset" : "quick",
              "seeds" : 2,
              "seed" : 7,
              "threads" : 2,
              "fold" : 3,
              "backend" : "cpu",
              "skip_bad_lines" : true,
              "features" : "numerical",
              "train_from" : 2000,
              "methods" : "student,LTH",
              "run_file" : "/runs/r.yaml",
              "set" : "epochs=4\\nprune_every=2",
              "rewind_iteration" : 5,
              "sparse_threshold" : 0.25
            }""";

    /** The first run.json (b2c0412): no backend, fold, skip_bad_lines or sparse_threshold yet. */
    private static final String WRITTEN_BY_B2C0412 = """
            {
              "data" : "synthetic",
              "preset" : "paper",
              "seeds" : 3,
              "seed" : 0,
              "threads" : 1,
              "methods" : "SAD,LTH-SAD",
              "set" : ""
            }""";

    @Test
    void runJsonIsWrittenInTheFormatEarlierVersionsWroteAndRead(@TempDir Path dir) throws IOException {
        CompareOptions o = new CompareOptions("synthetic", "quick", 2, 7, 2, 3, "cpu", true, "numerical", 2000,
                "student,LTH", "/runs/r.yaml", "epochs=4\nprune_every=2", 5, 0.25);
        o.write(dir);
        assertEquals(WRITTEN_BY_5F0D04B, Files.readString(dir.resolve("run.json")));
        assertEquals(o, CompareOptions.read(dir));
        assertEquals(List.of("student", "LTH"), o.methodNames());
        assertEquals(List.of("epochs=4", "prune_every=2"), o.settings());
    }

    @Test
    void optionsLeftOutAreNotWrittenAndAFalseSkipBadLinesIsLeftOut(@TempDir Path dir) throws IOException {
        new CompareOptions("synthetic", "paper", 3, 0, 1, null, null, false, null, null, "SAD,LTH-SAD", null, "",
                null, null).write(dir);
        assertEquals(WRITTEN_BY_B2C0412.replace("\"threads\" : 1,", "\"threads\" : 1,\n  \"backend\" : \"auto\","),
                Files.readString(dir.resolve("run.json")));
    }

    @Test
    void theFirstRunJsonFormatStillReads(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("run.json"), WRITTEN_BY_B2C0412);
        CompareOptions o = CompareOptions.read(dir);
        assertEquals("auto", o.backend(), "a run from before --backend chose as auto does");
        assertNull(o.sparseThreshold(), "a run from before --sparse-threshold goes on with this machine's crossover");
        assertEquals(List.of("SAD", "LTH-SAD"), o.methodNames());
        assertEquals(List.of(), o.settings());
        assertEquals(3, o.seeds());
        assertTrue(!o.skipBadLines());
    }

    @Test
    void aWholeNumberSparseThresholdReadsAsADensity(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("run.json"), WRITTEN_BY_5F0D04B.replace("0.25", "1"));
        assertEquals(1.0, CompareOptions.read(dir).sparseThreshold());
    }

    @Test
    void unknownMissingMistypedNullAndRepeatedFieldsAreRefusedInOneLineNamingRunJsonAndTheField(@TempDir Path dir)
            throws IOException {
        String[][] cases = {
            {"\"seed\" : 7,", "\"seed\" : 7, \"epochs\" : 3,", "it has an unknown field \"epochs\""},
            {"\"preset\" : \"quick\",", "", "it lacks \"preset\""},
            {"\"set\" : \"epochs=4\\nprune_every=2\",", "", "it lacks \"set\""},
            {"\"threads\" : 2,", "", "it lacks \"threads\""},
            {"\"seeds\" : 2", "\"seeds\" : \"two\"", "\"seeds\" is not a whole number"},
            {"\"seeds\" : 2", "\"seeds\" : 2.5", "\"seeds\" is not a whole number"},
            {"\"fold\" : 3", "\"fold\" : true", "\"fold\" is not a whole number"},
            {"\"data\" : \"synthetic\"", "\"data\" : 5", "\"data\" is not a string"},
            {"\"methods\" : \"student,LTH\"", "\"methods\" : [\"student\"]", "\"methods\" is not a string"},
            {"\"skip_bad_lines\" : true", "\"skip_bad_lines\" : 1", "\"skip_bad_lines\" is not true or false"},
            {"\"skip_bad_lines\" : true", "\"skip_bad_lines\" : \"yes\"", "\"skip_bad_lines\" is not true or false"},
            {"\"sparse_threshold\" : 0.25", "\"sparse_threshold\" : \"0.25\"", "\"sparse_threshold\" is not a number"},
            {"\"seeds\" : 2", "\"seeds\" : 99999999999",
                "\"seeds\" is not valid: Numeric value (99999999999) out of range of int"},
            {"\"train_from\" : 2000", "\"train_from\" : null", "\"train_from\" is null"},
            {"\"seed\" : 7,", "\"seed\" : 7, \"seed\" : 8,", "Duplicate field 'seed'"}};
        for (String[] c : cases) {
            String text = WRITTEN_BY_5F0D04B.replace(c[0], c[1]);
            assertTrue(!text.equals(WRITTEN_BY_5F0D04B), c[0]);
            Files.writeString(dir.resolve("run.json"), text);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CompareOptions.read(dir),
                    c[2]);
            assertEquals(1, e.getMessage().lines().count(), e.getMessage());
            assertTrue(e.getMessage().startsWith("--resume " + dir + ": " + dir.resolve("run.json") + " is damaged (")
                    && e.getMessage().contains(c[2]) && e.getMessage().endsWith("start a new run with --out"),
                    e.getMessage());
        }
    }
}
