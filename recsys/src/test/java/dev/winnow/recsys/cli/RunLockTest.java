package dev.winnow.recsys.cli;

import dev.winnow.engine.io.RunLock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One writer at a time per run directory or output file (issue 17: two runs into one --out lost data, both exit 0). */
class RunLockTest {

    /** A compare run of a few seconds: one method, one epoch, the embedded movie data. */
    private static List<String> compare(String... more) {
        List<String> a = new ArrayList<>(List.of("compare", "--data", "synthetic", "--features", "numerical",
                "--methods", "student", "--set", "epochs=2", "--backend", "cpu"));
        a.addAll(List.of(more));
        return a;
    }

    private static CliRun cli(List<String> args) {
        return CliRun.of(args.toArray(new String[0]));
    }

    private static String heldDirectory(String command, String option, Path dir) {
        return "winnow " + command + ": " + option + " " + dir + ": another winnow run holds this directory (lock "
                + dir.resolve(".winnow.lock") + "); wait for it to end, or choose another directory";
    }

    private static String lastLine(String s) {
        List<String> lines = s.strip().lines().toList();
        return lines.get(lines.size() - 1);
    }

    /** Every regular file under {@code dir} with its bytes, the lock file left out. */
    private static Map<String, String> snapshot(Path dir) throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (Files.isRegularFile(p) && !p.getFileName().toString().equals(RunLock.DIRECTORY_LOCK)) {
                    files.put(dir.relativize(p).toString(), java.util.Base64.getEncoder().encodeToString(
                            Files.readAllBytes(p)));
                }
            }
        }
        return files;
    }

    @Test
    void aSecondCompareIntoADirectoryAnotherRunHoldsIsRefusedInOneLineAndLeavesItsRunJsonAlone(@TempDir Path tmp)
            throws IOException {
        // the first run has just started: run.json is written, no checkpoint yet
        Path d = Files.createDirectories(tmp.resolve("d"));
        Files.writeString(d.resolve("run.json"), "{\"seed\": 0}");
        Files.writeString(d.resolve("results.json"), "seed 0's results");
        Map<String, String> before = snapshot(d);
        try (RunLock first = RunLock.directory("--out", d, 1)) {
            CliRun r = cli(compare("--seed", "1", "--out", d.toString()));
            assertEquals(2, r.exit(), r.err());
            assertEquals(heldDirectory("compare", "--out", d), r.err().strip());
            assertEquals(1, r.err().strip().lines().count(), r.err());
        }
        assertEquals(before, snapshot(d), "the running run's files are untouched");
        assertEquals(0, cli(compare("--seed", "1", "--out", tmp.resolve("e").toString())).exit());
    }

    @Test
    void aSecondResumeOfARunningDirectoryIsRefusedAndTheLockIsReleasedWhenARunEnds(@TempDir Path tmp)
            throws IOException {
        Path cut = tmp.resolve("cut");
        // LTH checkpoints at every prune event, here after epoch 1
        assertNotEquals(0, CliRun.of("compare", "--data", "synthetic", "--features", "numerical", "--methods", "LTH",
                "--set", "epochs=2", "--set", "prune_every=1", "--backend", "cpu", "--out", cut.toString(),
                "--stop-after-epoch", "1").exit());
        Map<String, String> before = snapshot(cut);
        assertTrue(before.keySet().stream().anyMatch(k -> k.startsWith("checkpoints")), before.keySet().toString());
        try (RunLock running = RunLock.directory("--resume", cut, 1)) {
            CliRun r = cli(List.of("compare", "--resume", cut.toString()));
            assertEquals(2, r.exit(), r.err());
            assertEquals(heldDirectory("compare", "--resume", cut), r.err().strip());
        }
        assertEquals(before, snapshot(cut), "run.json and the checkpoints are untouched");
        CliRun resumed = cli(List.of("compare", "--resume", cut.toString()));
        assertEquals(0, resumed.exit(), resumed.err());
        assertTrue(Files.isRegularFile(cut.resolve("results.json")));
        try (RunLock next = RunLock.directory("--out", cut, 1)) {
            assertTrue(Files.isRegularFile(next.lockFile()), "the finished run let go of its lock; the file stays");
        }
    }

    @Test
    void trainEvalBenchAndInferIntoAHeldPlaceAreRefusedInOneLine(@TempDir Path tmp) throws Exception {
        Path held = Files.createDirectories(tmp.resolve("held"));
        try (RunLock first = RunLock.directory("--out", held, 1)) {
            CliRun train = CliRun.of("train", "--epochs", "1", "--checkpoint", held.toString());
            assertEquals(2, train.exit(), train.err());
            // train takes its lock once the data is loaded and the backend chosen (which may log a line first)
            assertEquals(heldDirectory("train", "--checkpoint", held), lastLine(train.err()));
            assertTrue(!train.err().contains("Exception"), train.err());
            CliRun eval = CliRun.of("eval", "--model", "mean", "--out", held.toString());
            assertEquals(2, eval.exit(), eval.err());
            assertEquals(heldDirectory("eval", "--out", held), eval.err().strip());
            CliRun bench = CliRun.of("bench", "crossover", "--shapes", "8x8", "--batches", "4", "--densities", "0.5",
                    "--reps", "1", "--output", held.toString());
            assertEquals(2, bench.exit(), bench.err());
            assertEquals(heldDirectory("bench crossover", "--output", held), bench.err().strip());
        }
        assertEquals(Map.of(), snapshot(held), "nothing was written");

        ExportCommandTest.checkpoint(tmp, ExportCommandTest.SMALL, 3);
        Path model = tmp.resolve("m.wnw");
        assertEquals(0, CliRun.of("export", "--checkpoint", tmp.toString(), "--out", model.toString()).exit());
        Path pairs = Files.writeString(tmp.resolve("pairs.csv"), "user,item\n0,1\n");
        Path predictions = Files.writeString(tmp.resolve("p.csv"), "earlier predictions\n");
        try (RunLock writing = RunLock.file("--output", predictions)) {
            CliRun r = CliRun.of("infer", "--model", model.toString(), "--input", pairs.toString(), "--output",
                    predictions.toString());
            assertEquals(2, r.exit(), r.err());
            assertEquals("winnow infer: --output " + predictions + ": another winnow run is writing this file (lock "
                    + tmp.resolve(".p.csv.lock") + "); wait for it to end, or choose another file", r.err().strip());
        }
        assertEquals("earlier predictions\n", Files.readString(predictions));
        CliRun again = CliRun.of("infer", "--model", model.toString(), "--input", pairs.toString(), "--output",
                predictions.toString());
        assertEquals(0, again.exit(), again.err());
        assertTrue(Files.readString(predictions).startsWith("user,item,rating\n0,1,"), "released after the run");
    }

    @Test
    void anExportIntoAFileAnotherRunWritesIsRefusedButAnotherFileInTheSameDirectoryIsNot(@TempDir Path tmp)
            throws Exception {
        ExportCommandTest.checkpoint(tmp, ExportCommandTest.SMALL, 3);
        Path model = tmp.resolve("m.wnw");
        assertEquals(0, CliRun.of("export", "--checkpoint", tmp.toString(), "--out", model.toString()).exit());
        byte[] before = Files.readAllBytes(model);
        try (RunLock writing = RunLock.file("--out", model)) {
            CliRun r = CliRun.of("export", "--checkpoint", tmp.toString(), "--out", model.toString(), "--storage",
                    "dense");
            assertEquals(2, r.exit(), r.err());
            assertEquals("winnow export: --out " + model + ": another winnow run is writing this file (lock "
                    + tmp.resolve(".m.wnw.lock") + "); wait for it to end, or choose another file", r.err().strip());
            assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(model)), "the file is untouched");
            CliRun other = CliRun.of("export", "--checkpoint", tmp.toString(), "--out", tmp.resolve("n.wnw")
                    .toString());
            assertEquals(0, other.exit(), "a lock per file: " + other.err());
        }
    }

    @Test
    void leftoverTemporaryFilesOfAKilledWriterAreRemovedByTheNextWriter(@TempDir Path tmp) throws Exception {
        Path d = tmp.resolve("d");
        Path[] leftovers = {d.resolve(".run.json.k3x9a.tmp"), d.resolve("checkpoints").resolve(".student-seed0.ckpt"
                + ".1f.tmp"), d.resolve("models").resolve("student-seed9").resolve(".checkpoint.wck.zz01.tmp")};
        for (Path p : leftovers) {
            Files.createDirectories(p.getParent());
            Files.writeString(p, "half a file");
        }
        Path notOurs = Files.writeString(d.resolve("notes.tmp"), "kept");
        Path outside = Files.writeString(tmp.resolve(".elsewhere.abc.tmp"), "not in the run directory");
        Path link = Files.createSymbolicLink(d.resolve(".link.abc.tmp"), outside);
        CliRun r = cli(compare("--out", d.toString()));
        assertEquals(0, r.exit(), r.err());
        for (Path p : leftovers) {
            assertTrue(Files.notExists(p), p + " removed");
        }
        assertTrue(Files.exists(notOurs), "a name that is not a temporary file's stays");
        assertTrue(Files.isSymbolicLink(link) && Files.exists(outside), "a link is neither followed nor removed");

        ExportCommandTest.checkpoint(tmp.resolve("ck"), ExportCommandTest.SMALL, 3);
        Path mine = Files.writeString(tmp.resolve(".m.wnw.q7.tmp"), "half a model");
        Path anothers = Files.writeString(tmp.resolve(".n.wnw.q7.tmp"), "another file's");
        CliRun e = CliRun.of("export", "--checkpoint", tmp.resolve("ck").toString(), "--out",
                tmp.resolve("m.wnw").toString());
        assertEquals(0, e.exit(), e.err());
        assertTrue(Files.notExists(mine) && Files.exists(anothers) && Files.exists(outside),
                "an export removes only its own file's leftovers");
    }

    @Test
    void aDirectoryHeldByAnotherProcessIsRefusedAndAKilledHolderLeavesNoStaleLock(@TempDir Path tmp)
            throws Exception {
        Path d = Files.createDirectories(tmp.resolve("d"));
        Process holder = new ProcessBuilder(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Holder.class.getName(), d.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(),
                    StandardCharsets.UTF_8));
            assertEquals("held", out.readLine());
            CliRun r = CliRun.of("eval", "--model", "mean", "--out", d.toString());
            assertEquals(2, r.exit(), r.err());
            assertEquals(heldDirectory("eval", "--out", d), r.err().strip());
            assertThrows(IllegalArgumentException.class, () -> RunLock.directory("--out", d, 1).close());
        } finally {
            holder.destroyForcibly(); // SIGKILL: no finally block of the holder runs
            assertTrue(holder.waitFor(60, TimeUnit.SECONDS));
        }
        CliRun r = CliRun.of("eval", "--model", "mean", "--out", d.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(Files.isRegularFile(d.resolve("results.json")));
    }

    /** A second process that takes the lock of the directory in args[0], says "held", and keeps it until killed. */
    static final class Holder {
        public static void main(String[] args) throws Exception {
            RunLock lock = RunLock.directory("--out", Path.of(args[0]), 1);
            System.out.println("held");
            System.out.flush();
            Thread.sleep(600_000);
            lock.close();
        }
    }
}
