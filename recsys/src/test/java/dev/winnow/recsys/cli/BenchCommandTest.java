package dev.winnow.recsys.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The benchmark commands' output lines are an interface (scripts parse them): their exact form, and bad options. */
class BenchCommandTest {

    /** seconds=: scientific, 7 significant digits; eff_gflops: 2 decimals. */
    static final String SECONDS_AND_GFLOPS = " seconds=[0-9]\\.[0-9]{6}e[+-][0-9]{2} eff_gflops=[0-9]+\\.[0-9]{2}";

    @Test
    void kernelsPrintsOneLineOfTheDocumentedFormPerKernel() {
        CliRun run = CliRun.of("bench", "kernels", "--batch", "3", "--in", "17", "--out", "5", "--density", "0.5",
                "--reps", "3", "--warmup", "1", "--no-ejml");
        assertEquals(0, run.exit(), run.err());
        List<String> lines = Arrays.asList(run.out().strip().split("\n"));
        List<String> kernels = List.of("dense", "dense-backward", "masked", "masked-backward", "csr-forward",
                "csr-backward");
        assertEquals(kernels.size(), lines.size(), run.out());
        for (int k = 0; k < kernels.size(); k++) {
            assertTrue(lines.get(k).matches("kernel=" + kernels.get(k) + " batch=3 in=17 out=5 density=0.5 threads=1"
                    + SECONDS_AND_GFLOPS), "line " + k + " is not in the documented form:\n" + run.out());
        }
    }

    @Test
    void aBlockPatternTimesTheBlockFormAndTheCsrKernelOnTheSamePattern() {
        CliRun run = CliRun.of("bench", "kernels", "--batch", "9", "--in", "33", "--out", "40", "--density", "0.5",
                "--reps", "3", "--warmup", "1", "--no-ejml", "--pattern", "block16");
        assertEquals(0, run.exit(), run.err());
        List<String> lines = Arrays.asList(run.out().strip().split("\n"));
        List<String> kernels = List.of("dense", "dense-backward", "masked", "masked-backward", "block-forward",
                "csr-kernel-forward", "block-backward");
        assertEquals(kernels.size(), lines.size(), run.out());
        for (int k = 0; k < kernels.size(); k++) {
            assertTrue(lines.get(k).matches("kernel=" + kernels.get(k) + " batch=9 in=33 out=40 density=0.5 threads=1"
                    + SECONDS_AND_GFLOPS), "line " + k + " is not in the documented form:\n" + run.out());
        }
        CliRun bad = CliRun.of("bench", "step", "--pattern", "4x16");
        assertEquals(2, bad.exit(), bad.out());
        assertEquals("winnow bench step: --pattern must be unstructured or block16, got '4x16'", bad.err().strip());
    }

    @Test
    void aTinyDensityPrintsAsAPlainDecimalLikeAnyOther() {
        CliRun run = CliRun.of("bench", "kernels", "--batch", "2", "--in", "9", "--out", "4", "--density", "1e-9",
                "--reps", "1", "--warmup", "0", "--no-ejml");
        assertEquals(0, run.exit(), run.err());
        for (String line : run.out().strip().split("\n")) {
            assertTrue(line.matches("kernel=[a-z-]+ batch=2 in=9 out=4 density=0.000000001 threads=1 seconds=[0-9]\\."
                    + "[0-9]{6}e[+-][0-9]{2} eff_gflops=[0-9]+\\.[0-9]{2}"), line);
        }
    }

    @Test
    void secondsAreAlwaysScientificWithSevenSignificantDigitsAndDensityAlwaysPlain() {
        assertEquals("4.094700e-05", BenchCommand.seconds(4.0947e-05));
        assertEquals("3.086750e-04", BenchCommand.seconds(0.000308675));
        assertEquals("1.250000e+00", BenchCommand.seconds(1.25));
        assertEquals("0.000000001", BenchCommand.density(1e-9));
        assertEquals("0.1", BenchCommand.density(0.1));
        assertEquals("0.5", BenchCommand.density(0.50));
        assertEquals("1", BenchCommand.density(1.0));
        assertEquals("0", BenchCommand.density(0.0));
    }

    @Test
    void badOptionsAreReportedUnderTheWholeCommandName() {
        CliRun kernels = CliRun.of("bench", "kernels", "--density", "2");
        assertEquals(2, kernels.exit(), kernels.out());
        assertEquals("winnow bench kernels: --density must be a density in [0, 1], got 2.0", kernels.err().strip());
        CliRun step = CliRun.of("bench", "step", "--threads", "0");
        assertEquals(2, step.exit(), step.out());
        assertEquals("winnow bench step: --threads must be at least 1, got 0", step.err().strip());
        CliRun crossover = CliRun.of("bench", "crossover", "--shapes", "12", "--output", "unused");
        assertEquals(2, crossover.exit(), crossover.out());
        assertTrue(crossover.err().startsWith("winnow bench crossover: --shapes: '12' is not IN x OUT"),
                crossover.err());
    }

    @Test
    void gemmPrintsAHeaderAndOneLinePerShapeAndProduct() {
        CliRun run = CliRun.of("bench", "gemm", "--shapes", "7x5x3,13x9x20", "--rounds", "1", "--sample-ms", "1");
        assertEquals(0, run.exit(), run.err());
        List<String> lines = Arrays.asList(run.out().strip().split("\n"));
        assertEquals(7, lines.size(), run.out());
        assertTrue(lines.get(0).matches("# backend=\\S+.* peak=(\\d+-bit fma, 12 chains|n/a) clock=cpu rounds=1 "
                + "sample_ms=1"), run.out());
        boolean peak = !lines.get(0).contains("peak=n/a");
        String pct = peak ? "[0-9]+\\.[0-9]" : "n/a";
        String[] shapes = {"batch=7 in=5 out=3", "batch=13 in=9 out=20"};
        String[] products = {"forward", "dx", "dw"};
        for (int s = 0; s < 2; s++) {
            for (int p = 0; p < 3; p++) {
                String line = lines.get(1 + 3 * s + p);
                assertTrue(line.matches("gemm=" + products[p] + " " + shapes[s] + " threads=1 seconds=[0-9]\\.[0-9]{6}"
                        + "e[+-][0-9]{2} gflops=[0-9]+\\.[0-9] peak_gflops=" + pct + " pct_of_peak=" + pct),
                        "not in the documented form: " + line);
            }
        }
    }

    @Test
    void gemmRefusesBadShapesAndProductsInOneLine() {
        CliRun shape = CliRun.of("bench", "gemm", "--shapes", "12x3");
        assertEquals(2, shape.exit(), shape.out());
        assertEquals("winnow bench gemm: --shapes: '12x3' is not BATCHxINxOUT (e.g. 256x128x64)", shape.err().strip());
        CliRun huge = CliRun.of("bench", "gemm", "--shapes", "100000x100000x1");
        assertEquals(2, huge.exit(), huge.out());
        assertTrue(huge.err().strip().startsWith("winnow bench gemm: --shapes: '100000x100000x1': an operand would "
                + "have 10000000000 elements"), huge.err());
        CliRun product = CliRun.of("bench", "gemm", "--shapes", "8x8x8", "--products", "forward,dz");
        assertEquals(2, product.exit(), product.out());
        assertEquals("winnow bench gemm: --products: 'dz' is not forward, dx or dw", product.err().strip());
    }

    @Test
    void anOperandLargerThanAJavaArrayIsRefusedBeforeAllocatingInOneLine() {
        CliRun wraps = CliRun.of("bench", "kernels", "--batch", "65536", "--in", "65536", "--out", "1");
        assertEquals(2, wraps.exit(), wraps.out());
        String err = wraps.err().strip();
        assertFalse(err.contains("\n"), err);
        assertTrue(err.startsWith("winnow bench kernels: --batch 65536 --in 65536 --out 1 --density 0.1: an operand "
                + "would have 4294967296 elements"), err);

        CliRun huge = CliRun.of("bench", "kernels", "--batch", "100000", "--in", "100000", "--out", "100000");
        assertEquals(2, huge.exit(), huge.out());
        assertTrue(huge.err().contains("10000000000 elements"), huge.err());

        CliRun sweep = CliRun.of("bench", "crossover", "--batches", "8,70000", "--shapes", "70000x4", "--output",
                "unused");
        assertEquals(2, sweep.exit(), sweep.out());
        assertTrue(sweep.err().startsWith("winnow bench crossover: --batches 70000 --shapes 70000x4"), sweep.err());

        CliRun step = CliRun.of("bench", "step", "--batch", "2000000000");
        assertEquals(2, step.exit(), step.out());
        assertTrue(step.err().startsWith("winnow bench step: --batch 2000000000 --model student: an activation would"
                + " have 256000000000 elements"), step.err()); // 2e9 x the widest layer, 128
    }

    @Test
    void aShapeNeedingMoreHeapThanTheJvmHasIsRefusedNamingBytesAndXmx() {
        long needed = dev.winnow.recsys.perf.KernelTimer.estimatedBytes(1, 46340, 46340, 1.0);
        assumeTrue(needed > Runtime.getRuntime().maxMemory(), "this JVM's heap could hold " + needed + " bytes");
        CliRun run = CliRun.of("bench", "kernels", "--batch", "1", "--in", "46340", "--out", "46340", "--density", "1");
        assertEquals(2, run.exit(), run.out());
        String err = run.err().strip();
        assertFalse(err.contains("\n"), err);
        assertTrue(err.startsWith("winnow bench kernels: --batch 1 --in 46340 --out 46340 --density 1: needs about "
                + needed + " bytes"), err);
        assertTrue(err.contains("-Xmx"), err);
    }

    @Test
    void stepTimesOnlyTheModesAskedForAndNamesAnUnknownOne() {
        CliRun run = CliRun.of("bench", "step", "--modes", "csr", "--steps", "3", "--batch", "8");
        assertEquals(0, run.exit(), run.err());
        String out = run.out().strip();
        assertTrue(out.matches("step=csr model=student batch=8 density=0.1 threads=1 optimizer=adam"
                + " seconds=[0-9]\\.[0-9]{6}e[+-][0-9]{2}"), out);

        CliRun bad = CliRun.of("bench", "step", "--modes", "csr,sparse");
        assertEquals(2, bad.exit(), bad.out());
        assertTrue(bad.err().contains("'sparse' is not one of dense, masked, csr"), bad.err());
    }

    @Test
    void stepTimesBothOptimisersInOneJvmAndComparesLazyAdamToAdam() {
        CliRun run = CliRun.of("bench", "step", "--modes", "dense,csr", "--optimizer", "adam,lazy-adam", "--steps", "3",
                "--batch", "8");
        assertEquals(0, run.exit(), run.err());
        String[] lines = run.out().strip().split("\\R");
        assertEquals(4, lines.length, run.out());
        assertTrue(lines[0].startsWith("step=dense ") && lines[0].contains(" optimizer=adam "), lines[0]);
        assertTrue(lines[1].startsWith("step=dense ") && lines[1].contains(" optimizer=lazy-adam ")
                && lines[1].contains(" speedup_vs_adam="), lines[1]);
        assertTrue(lines[3].startsWith("step=csr ") && lines[3].contains(" optimizer=lazy-adam ")
                && lines[3].contains(" speedup_vs_dense=") && lines[3].contains(" speedup_vs_adam="), lines[3]);

        CliRun bad = CliRun.of("bench", "step", "--optimizer", "adagrad");
        assertEquals(2, bad.exit(), bad.out());
        assertTrue(bad.err().contains("'adagrad' is not adam or lazy-adam"), bad.err());

        CliRun tiny = CliRun.of("bench", "step", "--users", "10", "--items", "10");
        assertEquals(2, tiny.exit(), tiny.out());
        assertTrue(tiny.err().contains("users x items >= 100000") && tiny.err().contains("10 x 10"), tiny.err());
    }

    @Test
    void sadPrintsOneLinePerModeWithItsEpochsSamplesPerSecond() {
        CliRun run = CliRun.of("bench", "sad", "--epochs", "2", "--train", "1000", "--batch", "64", "--qk-dim", "8");
        assertEquals(0, run.exit(), run.err());
        String[] lines = run.out().strip().split("\\R");
        assertEquals(2, lines.length, run.out());
        String[] modes = {"student", "sad"};
        for (int k = 0; k < 2; k++) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("bench=sad mode=" + modes[k] + " batch=64 "
                    + "qk_dim=8 threads=1 train=1000 epochs=2 samples_per_s=([0-9]+) min=([0-9]+) max=([0-9]+)")
                    .matcher(lines[k]);
            assertTrue(m.matches(), lines[k]);
            long median = Long.parseLong(m.group(1));
            long min = Long.parseLong(m.group(2));
            long max = Long.parseLong(m.group(3));
            assertTrue(min > 0 && min <= median && median <= max, lines[k]);
            // progress on stderr: the warm-up epoch and the two timed ones
            for (int e = 1; e <= 3; e++) {
                assertTrue(run.err().contains("# " + modes[k] + ": epoch " + e + "/3"), run.err());
            }
        }

        CliRun mode = CliRun.of("bench", "sad", "--modes", "kd");
        assertEquals(2, mode.exit(), mode.out());
        assertEquals("winnow bench sad: --modes: 'kd' is not student or sad", mode.err().strip());
        CliRun none = CliRun.of("bench", "sad", "--modes", ",");
        assertEquals(2, none.exit(), none.out());
        assertEquals("winnow bench sad: --modes: name student, sad or both (student,sad)", none.err().strip());
        CliRun wide = CliRun.of("bench", "sad", "--qk-dim", "4096");
        assertEquals(2, wide.exit(), wide.out());
        assertEquals("winnow bench sad: --qk-dim must be in 1..512, got 4096", wide.err().strip());
        CliRun epochs = CliRun.of("bench", "sad", "--epochs", "0");
        assertEquals(2, epochs.exit(), epochs.out());
        assertEquals("winnow bench sad: --epochs must be in 1..100, got 0", epochs.err().strip());
        CliRun train = CliRun.of("bench", "sad", "--train", "99999999");
        assertEquals(2, train.exit(), train.out());
        assertTrue(train.err().strip().startsWith("winnow bench sad: --train must be between --batch (256) and "),
                train.err());
        CliRun batch = CliRun.of("bench", "sad", "--batch", "1");
        assertEquals(2, batch.exit(), batch.out());
        assertTrue(batch.err().contains("--batch must be at least 2"), batch.err());
    }

    @Test
    void crossoverOutputThatIsAFileExitsTwoNamingTheOption(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("crossover"), "a file");
        CliRun run = CliRun.of("bench", "crossover", "--output", file.toString(), "--batches", "8", "--shapes", "8x8",
                "--densities", "1,0.5", "--reps", "1");
        assertEquals(2, run.exit(), run.err());
        assertEquals("winnow bench crossover: --output " + file + ": already exists and is not a directory",
                run.err().strip());
    }
}
