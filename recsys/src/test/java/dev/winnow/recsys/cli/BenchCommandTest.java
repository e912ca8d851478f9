package dev.winnow.recsys.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The benchmark commands' output lines are an interface (scripts parse them): their exact form, and bad options. */
class BenchCommandTest {

    @Test
    void kernelsPrintsOneLineOfTheDocumentedFormPerKernel() {
        CliRun run = CliRun.of("bench", "kernels", "--batch", "3", "--in", "17", "--out", "5", "--density", "0.5",
                "--reps", "3", "--warmup", "1", "--no-ejml");
        assertEquals(0, run.exit(), run.err());
        List<String> lines = Arrays.asList(run.out().strip().split("\n"));
        for (String kernel : new String[] {"dense", "csr-forward", "csr-backward"}) {
            assertTrue(lines.stream().anyMatch(l -> l.matches("kernel=" + kernel + " batch=3 in=17 out=5 density=0.5 "
                            + "threads=1 seconds=[0-9.eE+-]+ eff_gflops=[0-9.]+")),
                    "no line for " + kernel + " in:\n" + run.out());
        }
    }

    @Test
    void stepTimesOnlyTheModesAskedForAndNamesAnUnknownOne() {
        CliRun run = CliRun.of("bench", "step", "--modes", "csr", "--steps", "3", "--batch", "8");
        assertEquals(0, run.exit(), run.err());
        String out = run.out().strip();
        assertTrue(out.matches("step=csr model=student batch=8 density=0.1 threads=1 seconds=[0-9.eE+-]+"), out);

        CliRun bad = CliRun.of("bench", "step", "--modes", "csr,sparse");
        assertEquals(2, bad.exit(), bad.out());
        assertTrue(bad.err().contains("'sparse' is not one of dense, masked, csr"), bad.err());
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
