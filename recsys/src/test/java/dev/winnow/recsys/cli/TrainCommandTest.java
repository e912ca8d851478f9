package dev.winnow.recsys.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code winnow train} from the command line: exit codes, one-line errors naming the option, a real short run. */
class TrainCommandTest {

    /** What one CLI run returned and printed. */
    private record Run(int exitCode, String out, String err) {
        /** The CLI's own first line: the once-per-JVM log lines of the backend (which test logs them depends on the
         * test order) are not part of it. */
        String firstErrLine() {
            return err.lines().filter(l -> !l.startsWith("INFO: ") && !l.matches("^[A-Z][a-z]{2} \\d.*"))
                    .findFirst().orElse("");
        }
    }

    private static synchronized Run run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = WinnowCli.run(args);
            System.out.flush();
            System.err.flush();
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    /** The error is the first line; after it only the synopsis and a pointer to --help, not the whole help page. */
    private static void assertShortUsageError(Run r, String... mustName) {
        assertEquals(2, r.exitCode(), r.err());
        String line = r.firstErrLine();
        assertTrue(line.startsWith("winnow train: "), "first line of stderr: " + line);
        for (String s : mustName) {
            assertTrue(line.contains(s), "the first line must name " + s + ": " + line);
        }
        assertTrue(r.err().contains("Usage: winnow train"), "the synopsis follows: " + r.err());
        assertTrue(r.err().contains("Try 'winnow train --help' for more information."), r.err());
        assertTrue(!r.err().contains("Show this help message"), "no full help page after an error: " + r.err());
        assertTrue(r.out().isEmpty(), "nothing on stdout: " + r.out());
    }

    @Test
    void aMalformedOptionValueExitsWithTwoAndAOneLineErrorNamingTheOption() {
        Run r = run("train", "--epochs", "x");
        assertShortUsageError(r, "--epochs", "'x'");
    }

    @Test
    void anUnknownOptionExitsWithTwoAndAOneLineErrorNamingTheOption() {
        Run r = run("train", "--epoch", "3");
        assertShortUsageError(r, "--epoch");
        assertTrue(r.err().contains("--epochs"), "the near miss is suggested: " + r.err());
    }

    @Test
    void anOutOfRangeValueExitsWithTwoAndNamesTheOption() {
        Run r = run("train", "--epochs", "0");
        assertEquals(2, r.exitCode(), r.err());
        assertTrue(r.firstErrLine().contains("--epochs"), r.err());
    }

    @Test
    void anUnknownModelPresetExitsWithTwoAndNamesTheChoices() {
        Run r = run("train", "--model", "huge", "--epochs", "1");
        assertEquals(2, r.exitCode(), r.err());
        assertTrue(r.firstErrLine().contains("huge") && r.firstErrLine().contains("student"), r.err());
    }

    @Test
    void noSubcommandExitsWithTwo() {
        Run r = run();
        assertEquals(2, r.exitCode(), r.err());
        assertTrue(r.firstErrLine().contains("train"), r.err());
    }

    @Test
    void helpExitsWithZeroAndListsTheOptions() {
        Run r = run("train", "--help");
        assertEquals(0, r.exitCode());
        assertTrue(r.out().contains("--epochs") && r.out().contains("--seed"), r.out());
    }

    @Test
    void aOneEpochRunOnTheSyntheticDataPrintsTheFinalTestRmse() {
        Run r = run("train", "--epochs", "1", "--seed", "3");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("epoch 1/1"), r.out());
        String last = r.out().lines().filter(l -> l.startsWith("final test RMSE")).findFirst().orElse("");
        assertTrue(!last.isEmpty(), r.out());
        double rmse = Double.parseDouble(last.split("\\s+")[3]);
        // ratings are 1..5 with noise sigma 0.6: one epoch must already beat predicting garbage, and cannot beat noise
        assertTrue(rmse > 0.5 && rmse < 1.5, "final test RMSE " + rmse);
    }

    @Test
    void nanAndInfinitiesFailTheRangeChecksLikeAnyOutOfRangeValue() {
        for (String[] bad : new String[][] {{"--test-fraction", "NaN"}, {"--test-fraction", "1.5"},
            {"--lr", "NaN"}, {"--lr", "Infinity"}, {"--lr", "0"}, {"--lr", "-1"}, {"--batch-size", "0"}}) {
            Run r = run("train", "--epochs", "1", bad[0], bad[1]);
            assertEquals(2, r.exitCode(), String.join(" ", bad) + ": " + r.err());
            assertTrue(r.firstErrLine().startsWith("winnow train: " + bad[0] + " must be"), r.err());
            assertTrue(r.out().isEmpty(), "refused before anything ran: " + r.out());
        }
    }

    @Test
    void aLossThatExplodesButStaysFiniteStopsTrainingToo() {
        // lr 100 took the loss to ~1.8e21 in the first epoch and ended with exit 0 and a garbage model
        Run r = run("train", "--epochs", "1", "--lr", "100", "--backend", "cpu");
        assertEquals(1, r.exitCode(), r.err());
        assertTrue(r.firstErrLine().contains("in the epoch's first batch") && r.firstErrLine().contains(
                "lower the learning rate"), r.err());
    }

    @Test
    void aDivergingRunExitsOneWithItsMessageAndNoJavaClassName() {
        Run r = run("train", "--epochs", "1", "--lr", "1e30", "--backend", "cpu");
        assertEquals(1, r.exitCode(), r.err());
        assertTrue(r.firstErrLine().startsWith("winnow train: ") && r.firstErrLine().contains("lower the learning rate")
                && !r.err().contains("Exception"), r.err());
    }

    @Test
    void aCheckpointPathThatIsAFileIsRefusedBeforeTraining(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("w"), "not a directory");
        Run r = run("train", "--epochs", "1", "--checkpoint", file.toString());
        assertEquals(2, r.exitCode(), r.err());
        assertEquals("winnow train: --checkpoint " + file + ": exists and is not a directory; name a new or an "
                + "existing directory", r.err().strip());
        assertTrue(r.out().isEmpty(), "nothing was trained: " + r.out());
        Run under = run("train", "--epochs", "1", "--checkpoint", file.resolve("sub").toString());
        assertEquals(2, under.exitCode(), under.err());
        assertTrue(under.firstErrLine().contains("--checkpoint") && under.firstErrLine().contains("is a file, not a "
                + "directory"), under.err());
    }

    /** A small u.data with one malformed line (a rating of 9) on line 3. */
    static Path ratingsWithABadLine(Path dir) throws IOException {
        StringBuilder sb = new StringBuilder();
        int line = 0;
        for (int u = 1; u <= 30; u++) {
            for (int i = 1; i <= 20; i++) {
                if ((u * 7 + i * 3) % 4 == 0) {
                    continue;
                }
                line++;
                int rating = line == 3 ? 9 : 1 + (u + i) % 5;
                sb.append(u).append('\t').append(i).append('\t').append(rating).append('\t').append(880000000 + line)
                        .append('\n');
            }
        }
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("u.data"), sb);
        return dir;
    }

    @Test
    void skipBadLinesWorksOnTrainAsTheDataErrorSays(@TempDir Path dir) throws IOException {
        Path data = ratingsWithABadLine(dir.resolve("ml"));
        Run stopped = run("train", "--data", data.toString(), "--epochs", "1", "--backend", "cpu");
        assertEquals(2, stopped.exitCode(), stopped.err());
        assertTrue(stopped.firstErrLine().contains("u.data:3") && stopped.firstErrLine().contains("--skip-bad-lines"),
                stopped.err());
        Run skipped = run("train", "--data", data.toString(), "--epochs", "1", "--backend", "cpu", "--skip-bad-lines");
        assertEquals(0, skipped.exitCode(), skipped.err());
        assertTrue(skipped.out().contains("skipped 1 bad lines (first: u.data:3"), skipped.out());
        assertTrue(skipped.out().contains("final test RMSE"), skipped.out());
    }

    @Test
    void aBatchLargerThanTheTrainingSetIsOneWholeBatchNotAnOutOfMemoryError() {
        // 2^31 - 1 allocated two int[2^31 - 1] and a float[2^31 - 1]: OutOfMemoryError and a stack trace (issue 17)
        Run huge = run("train", "--epochs", "1", "--batch-size", "2147483647", "--backend", "cpu");
        assertEquals(0, huge.exitCode(), huge.err());
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+) train / ").matcher(huge.out());
        assertTrue(m.find(), huge.out());
        Run whole = run("train", "--epochs", "1", "--batch-size", m.group(1), "--backend", "cpu");
        assertEquals(0, whole.exitCode(), whole.err());
        assertEquals(finalLine(whole.out()), finalLine(huge.out()), "a batch beyond the set is the whole set");
    }

    private static String finalLine(String out) {
        return out.lines().filter(l -> l.startsWith("final test RMSE")).findFirst().orElse("missing: " + out);
    }

    @Test
    void anAbsurdEpochCountIsRefusedNamingTheLimit() {
        Run r = run("train", "--epochs", "1000000");
        assertEquals(2, r.exitCode(), r.err());
        assertEquals("winnow train: --epochs must be 1..10000, got 1000000", r.err().strip());
        assertTrue(r.out().isEmpty(), "refused before any work: " + r.out());
    }

    @Test
    void anExplicitDeviceBackendThatCannotRunIsRefusedUnlessFallbackIsAllowed() {
        org.junit.jupiter.api.Assumptions.assumeFalse(dev.winnow.kernels.cuda.CudaProbe.result().available(),
                "skipped: a CUDA device answers here, so --backend cuda runs instead of being"
                + " refused; runs on a machine without CUDA (as CI)");
        Run r = run("train", "--epochs", "1", "--backend", "cuda");
        assertEquals(2, r.exitCode(), r.err());
        assertEquals(1, r.err().lines().count(), "one line: " + r.err());
        assertTrue(r.firstErrLine().startsWith("winnow train: --backend cuda: CUDA unavailable (")
                && r.firstErrLine().endsWith("or add --allow-fallback to run on the CPU anyway"), r.err());
        assertTrue(r.out().isEmpty(), "refused before any work: " + r.out());

        Run allowed = run("train", "--epochs", "1", "--backend", "cuda", "--allow-fallback");
        assertEquals(0, allowed.exitCode(), allowed.err());
        assertTrue(allowed.out().contains("[requested cuda: CUDA unavailable") && allowed.out().contains(
                "-> CPU fallback]"), allowed.out());
    }
}
