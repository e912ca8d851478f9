package dev.winnow.recsys.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.winnow.recsys.perf.DensityCrossover;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CompareCommandTest {

    private static final String[] TINY = {"compare", "--data", "synthetic", "--features", "numerical", "--methods",
        "student,LTH,SAD", "--set", "epochs=4", "--set", "prune_every=2", "--set", "qk_dim=8", "--backend", "cpu"};

    private static int run(List<String> args, ByteArrayOutputStream captured) {
        PrintStream old = System.out;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            return WinnowCli.run(args.toArray(new String[0]));
        } finally {
            System.setOut(old);
        }
    }

    private static List<String> args(Path out, String... extra) {
        List<String> a = new java.util.ArrayList<>(List.of(TINY));
        a.add("--out");
        a.add(out.toString());
        a.addAll(List.of(extra));
        return a;
    }

    @Test
    void writesResultsCurvesAndPlotsWithTheDocumentedFields(@TempDir Path dir) throws IOException {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        assertEquals(0, run(args(dir), log), log.toString(StandardCharsets.UTF_8));
        JsonNode root = new ObjectMapper().readTree(dir.resolve("results.json").toFile());
        for (String k : List.of("name", "train_rows", "test_rows", "features")) {
            assertTrue(root.get("dataset").has(k), "dataset." + k);
        }
        assertEquals("numerical", root.get("dataset").get("features").asText());
        assertTrue(root.get("backend").asText().startsWith("cpu"), root.get("backend").asText());
        assertEquals("quick", root.get("preset").asText());
        assertEquals(1, root.get("seeds").asInt());
        double threshold = root.get("sparse_threshold").asDouble(-1);
        assertTrue(threshold >= 0 && threshold <= 1, "LTH prunes, so the CSR threshold used is recorded: " + threshold);
        JsonNode runs = root.get("runs");
        assertEquals(3, runs.size(), "student, LTH and SAD (the teacher is trained but not listed)");
        for (JsonNode r : runs) {
            for (String k : List.of("method", "seed", "mae", "mse", "rmse", "density", "params", "nonzero_params",
                    "model_bytes", "train_seconds", "flops_per_sample", "infer_samples_per_second", "energy_joules",
                    "best_round", "epochs")) {
                assertTrue(r.has(k), "run field " + k);
            }
            assertTrue(r.get("mse").asDouble() > 0);
        }
        assertEquals("LTH", runs.get(1).get("method").asText());
        List<String> curves = Files.readAllLines(dir.resolve("curves.csv"));
        assertTrue(curves.get(0).startsWith("method,seed,epoch,round,density,train_loss"));
        assertTrue(curves.stream().anyMatch(l -> l.contains("prune+rewind")), "LTH rewinds are marked");
        for (String png : List.of("test_mae.png", "test_mse.png", "error_vs_density.png")) {
            byte[] b = Files.readAllBytes(dir.resolve(png));
            assertTrue(b.length > 1000 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G', png + " is a PNG");
        }
        String text = log.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("method") && text.contains("LTH") && text.contains("sparsest level within 1 sd"),
                text);
    }

    @Test
    void interruptedComparisonResumesToTheSameResults(@TempDir Path dir) throws IOException {
        Path whole = dir.resolve("whole");
        Path cut = dir.resolve("cut");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        assertEquals(0, run(args(whole), log));
        assertNotEquals(0, run(args(cut, "--stop-after-epoch", "3"), new ByteArrayOutputStream()),
                "the run was stopped mid-way");
        assertTrue(Files.notExists(cut.resolve("results.json")));
        ByteArrayOutputStream resumedLog = new ByteArrayOutputStream();
        assertEquals(0, run(List.of("compare", "--resume", cut.toString()), resumedLog),
                resumedLog.toString(StandardCharsets.UTF_8));
        JsonNode a = new ObjectMapper().readTree(whole.resolve("results.json").toFile()).get("runs");
        JsonNode b = new ObjectMapper().readTree(cut.resolve("results.json").toFile()).get("runs");
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            for (String k : List.of("method", "mae", "mse", "rmse", "density", "nonzero_params", "best_round",
                    "density_mlp")) {
                assertEquals(a.get(i).get(k), b.get(i).get(k), "run " + i + " field " + k);
            }
        }
        List<String> ca = Files.readAllLines(whole.resolve("curves.csv"));
        List<String> cb = Files.readAllLines(cut.resolve("curves.csv"));
        assertEquals(ca.size(), cb.size());
        int clock = List.of(ca.get(0).split(",")).indexOf("cumulative_seconds");
        for (int i = 0; i < ca.size(); i++) {
            // everything but the wall-clock column must match
            assertEquals(withoutColumn(ca.get(i), clock), withoutColumn(cb.get(i), clock), "curves.csv line " + i);
        }
    }

    private static List<String> withoutColumn(String line, int column) {
        List<String> cells = new java.util.ArrayList<>(List.of(line.split(",", -1)));
        cells.remove(column);
        return cells;
    }

    @Test
    void aRunJsonWrittenByAnEarlierVersionStillResumesToTheSameResults(@TempDir Path dir) throws IOException {
        Path whole = dir.resolve("whole");
        Path cut = dir.resolve("cut");
        assertEquals(0, run(args(whole), new ByteArrayOutputStream()));
        assertNotEquals(0, run(args(cut, "--stop-after-epoch", "3"), new ByteArrayOutputStream()));
        // as the hand-written saveOptions of 8043526 wrote it for TINY: no sparse_threshold yet, so the resumed run
        // takes this machine's crossover, as the whole run did
        Files.writeString(cut.resolve("run.json"), """
                {
                  "data" : "synthetic",
                  "preset" : "quick",
                  "seeds" : 1,
                  "seed" : 0,
                  "threads" : 1,
                  "backend" : "cpu",
                  "features" : "numerical",
                  "methods" : "student,LTH,SAD",
                  "set" : "epochs=4\\nprune_every=2\\nqk_dim=8"
                }""");
        ByteArrayOutputStream resumedLog = new ByteArrayOutputStream();
        assertEquals(0, run(List.of("compare", "--resume", cut.toString()), resumedLog),
                resumedLog.toString(StandardCharsets.UTF_8));
        assertEquals(mses(whole), mses(cut));
    }

    @Test
    void aResumedRunKeepsTheSparseThresholdItStartedWith(@TempDir Path dir) throws IOException {
        Path csr = dir.resolve("csr");
        Path masked = dir.resolve("masked");
        Path cut = dir.resolve("cut");
        assertEquals(0, run(args(csr, "--sparse-threshold", "1"), new ByteArrayOutputStream()));
        assertEquals(0, run(args(masked, "--sparse-threshold", "0"), new ByteArrayOutputStream()));
        assertNotEquals(mses(csr), mses(masked), "all-CSR and all-masked runs differ in the last bits, or this test "
                + "could not tell which one a resumed run used");
        assertNotEquals(0, run(args(cut, "--sparse-threshold", "1", "--stop-after-epoch", "3"),
                new ByteArrayOutputStream()));
        assertEquals(1.0, new ObjectMapper().readTree(cut.resolve("run.json").toFile()).get("sparse_threshold")
                .asDouble());
        // the machine's crossover has changed since the run began: its cache now says 0 (never CSR)
        Path changedCache = dir.resolve("changed-crossover.properties");
        try (dev.winnow.engine.backend.Backend be = new dev.winnow.engine.backend.cpu.CpuBackend(1)) {
            Files.writeString(changedCache, DensityCrossover.machineKey(be) + "=0\n");
        }
        String buildCache = System.getProperty(DensityCrossover.CACHE_PROPERTY);
        System.setProperty(DensityCrossover.CACHE_PROPERTY, changedCache.toString());
        ByteArrayOutputStream resumedLog = new ByteArrayOutputStream();
        try {
            assertEquals(0, run(List.of("compare", "--resume", cut.toString()), resumedLog),
                    resumedLog.toString(StandardCharsets.UTF_8));
            try (dev.winnow.engine.backend.Backend be = new dev.winnow.engine.backend.cpu.CpuBackend(1)) {
                assertEquals(0.0, DensityCrossover.threshold(be), "the changed cache is what this machine says now");
            }
        } finally {
            if (buildCache == null) {
                System.clearProperty(DensityCrossover.CACHE_PROPERTY);
            } else {
                System.setProperty(DensityCrossover.CACHE_PROPERTY, buildCache);
            }
        }
        assertTrue(resumedLog.toString(StandardCharsets.UTF_8).contains("pruned layers as CSR at density <= 1.0000"),
                resumedLog.toString(StandardCharsets.UTF_8));
        assertEquals(mses(csr), mses(cut));
        assertEquals(1.0, new ObjectMapper().readTree(cut.resolve("results.json").toFile()).get("sparse_threshold")
                .asDouble());
    }

    @Test
    void aStudentThatPredictsOneValueForEveryRowIsNamedInTheLog(@TempDir Path dir) {
        // SGD with momentum at 0.3 kills every hidden unit of the synthetic student in its first epoch: no divergence
        // (the loss stays flat near the variance), but one prediction for every row
        CliRun dead = CliRun.of("compare", "--data", "synthetic", "--methods", "student", "--backend", "cpu",
                "--set", "optimizer=sgd", "--set", "momentum=0.9", "--set", "lr=0.3", "--set", "epochs=1",
                "--out", dir.resolve("dead").toString());
        assertEquals(0, dead.exit(), dead.err());
        String deadLog = dead.out();
        assertTrue(deadLog.contains("[student seed 0] epoch 1: the student outputs ")
                && deadLog.contains(" for every one of the 10000 validation rows (before clipping to the target "
                + "range), a constant"), deadLog);
        CliRun alive = CliRun.of("compare", "--data", "synthetic", "--methods", "student", "--backend", "cpu",
                "--set", "optimizer=sgd", "--set", "momentum=0.9", "--set", "lr=0.001", "--set", "epochs=1",
                "--out", dir.resolve("alive").toString());
        assertEquals(0, alive.exit(), alive.err());
        assertTrue(alive.out().contains("[student seed 0] epoch 1/1"), alive.out());
        assertFalse(alive.out().contains("a constant"), alive.out());
    }

    @Test
    void withoutAPruningMethodNoThresholdIsRecorded(@TempDir Path dir) throws IOException {
        assertEquals(0, run(List.of("compare", "--data", "synthetic", "--features", "numerical", "--methods",
                "student", "--set", "epochs=1", "--backend", "cpu", "--sparse-threshold", "0.5", "--out",
                dir.toString()), new ByteArrayOutputStream()));
        assertTrue(new ObjectMapper().readTree(dir.resolve("results.json").toFile()).get("sparse_threshold")
                .isNull(), "no layer is masked, so results.json says null as README documents");
        assertTrue(new ObjectMapper().readTree(dir.resolve("run.json").toFile()).get("sparse_threshold") == null);
    }

    @Test
    void runJsonKeepsTheDataDirectoryAbsoluteSoResumeWorksFromAnywhere(@TempDir Path dir) throws Exception {
        Path data = IdMapCliTest.tinyMovieLens(dir);
        String relative = Path.of("").toAbsolutePath().relativize(data).toString();
        Path out = dir.resolve("run");
        assertNotEquals(0, run(List.of("compare", "--data", relative, "--methods", "student", "--set", "epochs=2",
                "--backend", "cpu", "--stop-after-epoch", "1", "--out", out.toString()), new ByteArrayOutputStream()));
        assertEquals(data.toAbsolutePath().normalize().toString(),
                new ObjectMapper().readTree(out.resolve("run.json").toFile()).get("data").asText());
    }

    private static List<String> mses(Path dir) throws IOException {
        List<String> out = new java.util.ArrayList<>();
        for (JsonNode r : new ObjectMapper().readTree(dir.resolve("results.json").toFile()).get("runs")) {
            out.add(r.get("method").asText() + "=" + r.get("mse").asText());
        }
        return out;
    }

    @Test
    void refusesToOverwriteAnEarlierRunAndNamesBadOptions(@TempDir Path dir) {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        assertEquals(0, run(args(dir), log));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream old = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            assertEquals(2, WinnowCli.run(args(dir).toArray(new String[0])));
            assertTrue(err.toString(StandardCharsets.UTF_8).contains("--resume"), err.toString());
            err.reset();
            assertEquals(2, WinnowCli.run("compare", "--out", dir.resolve("x").toString(), "--methods", "LTH-KD"));
            assertTrue(err.toString(StandardCharsets.UTF_8).contains("LTH-KD"), err.toString());
            err.reset();
            assertEquals(2, WinnowCli.run("compare", "--out", dir.resolve("y").toString(), "--set", "epoch=3"));
            assertTrue(err.toString(StandardCharsets.UTF_8).contains("epoch"), err.toString());
            err.reset();
            assertEquals(2, WinnowCli.run("compare", "--out", dir.resolve("z").toString(), "--sparse-threshold",
                    "1.5"));
            assertTrue(err.toString(StandardCharsets.UTF_8).contains("--sparse-threshold"), err.toString());
            assertTrue(Files.notExists(dir.resolve("z").resolve("run.json")), "nothing is started");
        } finally {
            System.setErr(old);
        }
    }

    @Test
    void settingsOutsideTheirRangeIncludingNanAreRefusedInOneLineNamingTheSetting(@TempDir Path dir) {
        Path out = dir.resolve("never");
        for (String[] bad : new String[][] {{"--set", "target_density=0"}, {"--set", "target_density=2"},
            {"--set", "target_density=NaN"}, {"--set", "momentum=-1"}, {"--set", "momentum=NaN"},
            {"--set", "lr=Infinity"}, {"--set", "lr=NaN"}, {"--set", "weight_decay=-0.1"},
            {"--set", "lr_decay=NaN"}, {"--set", "prune_rate=NaN"}, {"--set", "beta=NaN"}, {"--set", "alpha=-1"},
            {"--set", "qk_dim=0"}, {"--set", "kd_lr=NaN"}, {"--set", "patience=-1"},
            {"--set", "milestones=[0]"}, {"--set", "rewind_iteration=-2"}, {"--rewind-iteration", "-5"}}) {
            CliRun r = CliRun.of("compare", "--out", out.toString(), bad[0], bad[1]);
            String setting = bad[0].equals("--set") ? bad[1].substring(0, bad[1].indexOf('=')) : bad[0];
            assertEquals(2, r.exit(), String.join(" ", bad) + ": " + r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertTrue(r.err().startsWith("winnow compare: ") && r.err().contains(setting + " must be"), r.err());
            assertTrue(Files.notExists(out), "nothing is started for " + String.join(" ", bad));
        }
    }

    @Test
    void ssSadThatCouldNeverReachItsTargetDensityIsRefused(@TempDir Path dir) {
        CliRun r = CliRun.of("compare", "--out", dir.resolve("o").toString(), "--methods", "SS-SAD", "--set",
                "prune_rate=0");
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("SS-SAD") && r.err().contains("prune_rate"), r.err());
    }

    @Test
    void block16RunsLthEndToEndAndTheExportedWinnerIsMadeOfWhole16x1Blocks(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("b");
        CliRun r = CliRun.of("compare", "--data", "synthetic", "--methods", "LTH", "--seeds", "1", "--threads", "1",
                "--backend", "cpu", "--set", "epochs=4", "--set", "prune_every=1", "--set", "prune_pattern=block16",
                "--out", out.toString());
        assertEquals(0, r.exit(), r.err());
        JsonNode results = new ObjectMapper().readTree(out.resolve("results.json").toFile());
        assertTrue(results.toString().contains("\"LTH\""), "results.json has the LTH run");
        dev.winnow.recsys.checkpoint.Checkpoint c = dev.winnow.recsys.checkpoint.CheckpointFile.read(
                out.resolve("models").resolve("LTH-seed0"));
        try (dev.winnow.engine.backend.Backend cpu = new dev.winnow.engine.backend.cpu.CpuBackend(1)) {
            List<dev.winnow.engine.nn.Linear> layers = c.restore(cpu).mlp().layers();
            int masked = 0;
            for (int i = 0; i < layers.size() - 1; i++) { // the output layer is never pruned
                dev.winnow.engine.nn.Parameter w = layers.get(i).weight();
                assertTrue(w.mask() != null, w.name() + " of the winner (its round must be a pruned one) has a mask");
                float[] m = w.mask().toArray();
                assertTrue(dev.winnow.engine.prune.BlockPattern.isBlocked(m, w.value().rows(), w.value().cols()),
                        w.name());
                for (float v : m) {
                    masked += v == 0f ? 1 : 0;
                }
            }
            assertTrue(masked > 0, "the winning ticket has pruned blocks");
        }
    }

    @Test
    void block16WithSpSadsStructuredPresetIsRefusedInOneLine(@TempDir Path dir) {
        CliRun r = CliRun.of("compare", "--out", dir.resolve("o").toString(), "--methods", "SP-SAD", "--set",
                "prune_pattern=block16");
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("SP-SAD: prune_pattern block16") && r.err().contains("structured: true"),
                r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }

    @Test
    void anEmptyMethodListIsRefusedNotTakenForAllMethods(@TempDir Path dir) {
        for (String bad : new String[] {",", "SAD,,LTH", " ", ""}) {
            CliRun r = CliRun.of("compare", "--out", dir.resolve("o").toString(), "--methods", bad);
            assertEquals(2, r.exit(), "--methods '" + bad + "': " + r.err());
            assertTrue(r.err().contains("--methods names an empty method"), r.err());
            assertTrue(Files.notExists(dir.resolve("o").resolve("results.json")), "nothing may run");
        }
    }

    @Test
    void aMethodNamedTwiceIsRefused(@TempDir Path dir) throws IOException {
        CliRun r = CliRun.of("compare", "--out", dir.resolve("o").toString(), "--methods", "student,SAD,Student");
        assertEquals(2, r.exit(), r.err());
        assertEquals("winnow compare: --methods names student twice; name each method once", r.err().strip());
        Path yaml = Files.writeString(dir.resolve("run.yaml"), "methods: [SAD, sad]\n");
        r = CliRun.of("compare", "--out", dir.resolve("o").toString(), "--run-file", yaml.toString());
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("SAD twice"), r.err());
    }

    @Test
    void aDamagedRunJsonIsRefusedInOneLineNamingIt(@TempDir Path dir) throws IOException {
        Path cut = Files.createDirectories(dir.resolve("cut"));
        Files.writeString(cut.resolve("run.json"), "{\"data\": 5");
        CliRun r = CliRun.of("compare", "--resume", cut.toString());
        assertEquals(2, r.exit(), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains(cut.resolve("run.json") + " is damaged (not valid JSON at line"), r.err());
        assertTrue(!r.err().contains("Exception"), r.err());
        Files.writeString(cut.resolve("run.json"), "{}");
        r = CliRun.of("compare", "--resume", cut.toString());
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("run.json is damaged (it lacks \"data\")"), r.err());
        Files.writeString(cut.resolve("run.json"), "{\"data\": \"synthetic\", \"preset\": \"quick\", \"seeds\": "
                + "\"one\", \"seed\": 0, \"threads\": 1, \"set\": \"\"}");
        r = CliRun.of("compare", "--resume", cut.toString());
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("\"seeds\" is not a whole number"), r.err());
    }

    @Test
    void resumeRefusesOtherOptionsInsteadOfIgnoringThem(@TempDir Path dir) throws IOException {
        Path cut = Files.createDirectories(dir.resolve("cut"));
        Files.writeString(cut.resolve("run.json"), "{}");
        CliRun r = CliRun.of("compare", "--resume", cut.toString(), "--out", dir.resolve("x").toString(), "--set",
                "epochs=2", "--sparse-threshold", "0.5", "--stop-after-epoch", "1");
        assertEquals(2, r.exit(), r.err());
        assertEquals("winnow compare: --resume continues with the options saved in " + cut + "/run.json; drop --out, "
                + "--set, --sparse-threshold (or start a new run with --out)", r.err().strip());
    }

    @Test
    void outputThatIsAFileIsRefusedBeforeTheDataIsLoaded(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("c"), "a file");
        CliRun r = CliRun.of("compare", "--out", file.toString(), "--data", dir.resolve("no-such-data").toString());
        assertEquals(2, r.exit(), r.err());
        assertEquals("winnow compare: --out " + file + ": exists and is not a directory; name a new or an existing "
                + "directory", r.err().strip());
    }

    @Test
    void foldOnDataThatIsNotMovieLens100kSaysWhatCompareCanDoInstead(@TempDir Path dir) {
        CliRun r = CliRun.of("compare", "--out", dir.resolve("c").toString(), "--fold", "3");
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("--fold") && r.err().contains("drop --fold"), r.err());
        assertTrue(!r.err().contains("--split"), "compare has no --split option: " + r.err());
        assertTrue(Files.notExists(dir.resolve("c").resolve("run.json")));
    }

    @Test
    void skipBadLinesIsAcceptedAndKeptForResume(@TempDir Path dir) throws IOException {
        Path data = TrainCommandTest.ratingsWithABadLine(dir.resolve("ml"));
        Path cut = dir.resolve("cut");
        List<String> a = List.of("compare", "--data", data.toString(), "--methods", "student", "--set", "epochs=2",
                "--set", "batch_size=64", "--backend", "cpu", "--out", cut.toString());
        CliRun stopped = CliRun.of(a.toArray(new String[0]));
        assertEquals(2, stopped.exit(), stopped.err());
        assertTrue(stopped.err().contains("u.data:3") && stopped.err().contains("--skip-bad-lines"), stopped.err());
        List<String> skipping = new java.util.ArrayList<>(a);
        skipping.addAll(List.of("--skip-bad-lines", "--stop-after-epoch", "1"));
        CliRun first = CliRun.of(skipping.toArray(new String[0]));
        assertNotEquals(0, first.exit(), "stopped after epoch 1: " + first.err());
        assertTrue(first.out().contains("skipped 1 bad lines"), first.out());
        assertTrue(new ObjectMapper().readTree(cut.resolve("run.json").toFile()).get("skip_bad_lines").asBoolean());
        // the resumed run reads the same data again: without the saved option it would stop at u.data:3
        CliRun resumed = CliRun.of("compare", "--resume", cut.toString());
        assertEquals(0, resumed.exit(), resumed.err());
        assertTrue(Files.exists(cut.resolve("results.json")));
    }

    @Test
    void absurdSizesAreRefusedInOneLineAndAHugeBatchIsTheWholeSet(@TempDir Path dir) throws IOException {
        for (String[] bad : new String[][] {{"--set", "epochs=1000000"}, {"--set", "kd_epochs=1000000"},
            {"--set", "qk_dim=2147483647"}, {"--seeds", "2147483647"}}) {
            List<String> a = args(dir.resolve("refused"), bad);
            CliRun r = CliRun.of(a.toArray(new String[0]));
            assertEquals(2, r.exit(), String.join(" ", bad) + ": " + r.err());
            assertEquals(1, r.err().lines().count(), "one line: " + r.err());
            assertTrue(r.err().contains("1000000") || r.err().contains("2147483647"), r.err());
        }
        assertTrue(Files.notExists(dir.resolve("refused").resolve("run.json")));
        // 2^31 - 1 allocated a float[2^31 - 1] batch: an OutOfMemoryError stack trace (issue 17)
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        List<String> a = List.of("compare", "--data", "synthetic", "--methods", "student", "--set", "epochs=1",
                "--set", "batch_size=2147483647", "--backend", "cpu", "--out", dir.resolve("huge").toString());
        assertEquals(0, run(a, log), log.toString(StandardCharsets.UTF_8));
        assertTrue(Files.exists(dir.resolve("huge").resolve("results.json")));
    }

    @Test
    void anExplicitDeviceBackendThatCannotRunIsRefusedBeforeAnyWork(@TempDir Path dir) {
        org.junit.jupiter.api.Assumptions.assumeFalse(dev.winnow.kernels.cuda.CudaProbe.result().available(),
                "skipped: a CUDA device answers here, so --backend cuda runs instead of being"
                + " refused; runs on a machine without CUDA (as CI)");
        CliRun r = CliRun.of("compare", "--data", "synthetic", "--methods", "student", "--backend", "cuda", "--out",
                dir.resolve("c").toString());
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().startsWith("winnow compare: --backend cuda: CUDA unavailable")
                && r.err().contains("--allow-fallback"), r.err());
        assertTrue(Files.notExists(dir.resolve("c")), "nothing written");
    }
}
