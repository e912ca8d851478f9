package dev.winnow.bench;

import dev.winnow.bench.SparseGridReport.Crossover;
import dev.winnow.bench.SparseGridReport.Direction;
import dev.winnow.bench.SparseGridReport.GridRow;
import dev.winnow.bench.SparseGridReport.Kernel;
import dev.winnow.bench.SparseGridReport.Timing;
import dev.winnow.engine.backend.cpu.CpuBackend;
import dev.winnow.recsys.perf.KernelTimer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SparseGridReportTest {
    /** The header JMH 1.37 writes with -rf csv for SparseKernelBench (copied from a real run). */
    private static final String HEADER = "\"Benchmark\",\"Mode\",\"Threads\",\"Samples\",\"Score\","
            + "\"Score Error (99.9%)\",\"Unit\",\"Param: batch\",\"Param: density\",\"Param: shape\",\"Param: threads\"\n";

    private static final double EPS = 1e-9;

    private static String row(String method, double score, String unit, int batch, String density, String shape) {
        return String.format(Locale.ROOT, "\"dev.winnow.bench.SparseKernelBench.%s\",\"avgt\",1,5,%f,0.001234,\"%s\","
                + "%d,%s,%s,1%n", method, score, unit, batch, density, shape);
    }

    private static List<Timing> parse(String csv) throws IOException {
        return SparseGridReport.parse("test.csv", new StringReader(csv));
    }

    /** nnz of the tests: a fixed number per density, so the arithmetic can be done by hand. */
    private static int fakeNnz(int in, int out, double density) {
        return (int) Math.round(density * 1000);
    }

    private static GridRow only(List<GridRow> grid, double density, Direction dir) {
        List<GridRow> hits = new ArrayList<>();
        for (GridRow r : grid) {
            if (r.density() == density && r.direction() == dir) {
                hits.add(r);
            }
        }
        assertEquals(1, hits.size(), "rows at density " + density + " " + dir);
        return hits.get(0);
    }

    @Test
    void parsesJmhCsvIntoMillisecondsPerCallSkippingOtherBenchmarksAndSecondaryMetrics() throws IOException {
        String csv = HEADER
                + row("csrForward", 0.059895, "ms/op", 256, "0.1", "128x64")
                + row("ejmlDenseBackward", 1500.0, "us/op", 1024, "1", "1024x512")
                + "\"dev.winnow.bench.SparseKernelBench.csrForward:·gc.alloc.rate\",\"avgt\",1,5,0.5,0.1,\"MB/sec\","
                + "256,0.1,128x64,1\n"
                + "\"dev.winnow.bench.SparseStepBench.step\",\"avgt\",1,5,812.0,3.0,\"us/op\",256,0.1,,1\n"
                + "\n";
        List<Timing> t = parse(csv);
        assertEquals(2, t.size());
        Timing a = t.get(0);
        assertEquals(Kernel.CSR, a.kernel());
        assertEquals(Direction.FORWARD, a.direction());
        assertEquals(256, a.batch());
        assertEquals(128, a.in());
        assertEquals(64, a.out());
        assertEquals(0.1, a.density());
        assertEquals(0.059895, a.ms(), EPS);
        assertEquals("test.csv:2", a.where());
        Timing b = t.get(1);
        assertEquals(Kernel.EJML, b.kernel());
        assertEquals(Direction.BACKWARD, b.direction());
        assertEquals(1024, b.in());
        assertEquals(512, b.out());
        assertEquals(1.5, b.ms(), EPS); // 1500 us
    }

    @Test
    void quotedFieldsKeepCommasAndDoubledQuotes() {
        assertEquals(List.of("a,b", "say \"hi\"", "", "3"),
                SparseGridReport.fields("f.csv", 1, "\"a,b\",\"say \"\"hi\"\"\",,3"));
    }

    @Test
    void effectiveGflopsAndRatiosAreThoseComputedByHand() throws IOException {
        String csv = HEADER
                + row("denseForward", 2.0, "ms/op", 256, "0.5", "128x64")
                + row("denseBackward", 5.0, "ms/op", 256, "0.5", "128x64")
                + row("maskedForward", 2.5, "ms/op", 256, "0.5", "128x64")
                + row("maskedBackward", 6.0, "ms/op", 256, "0.5", "128x64")
                + row("csrForward", 0.8, "ms/op", 256, "0.5", "128x64")
                + row("csrBackward", 4.0, "ms/op", 256, "0.5", "128x64")
                + row("ejmlDenseForward", 10.0, "ms/op", 256, "0.5", "128x64")
                + row("ejmlDenseBackward", 16.0, "ms/op", 256, "0.5", "128x64");
        List<GridRow> grid = SparseGridReport.grid(parse(csv), SparseGridReportTest::fakeNnz);
        assertEquals(2, grid.size());
        GridRow f = only(grid, 0.5, Direction.FORWARD);
        assertEquals(500, f.nnz());
        assertEquals(2.5, f.maskedMs(), EPS);
        // 2 * 256 * 500 flops in 0.8 ms = 256000 / 0.8e-3 / 1e9 GFLOP/s
        assertEquals(0.32, f.csrGflops(), EPS);
        // 2 * 256 * 128 * 64 = 4194304 flops in 2 ms
        assertEquals(2.097152, f.denseGflops(), EPS);
        assertEquals(0.4194304, f.ejmlGflops(), EPS);
        assertEquals(0.4, f.csrOverDense(), EPS);
        assertEquals(0.08, f.csrOverEjml(), EPS);
        GridRow b = only(grid, 0.5, Direction.BACKWARD);
        // backward counts twice the multiply-adds: 4 * 256 * 500 in 4 ms
        assertEquals(0.128, b.csrGflops(), EPS);
        assertEquals(4 * 256 * 128 * 64 / 5e6, b.denseGflops(), EPS);
        assertEquals(0.8, b.csrOverDense(), EPS);
        assertEquals(0.25, b.csrOverEjml(), EPS);

        String lines = SparseGridReport.gridCsv(grid);
        assertTrue(lines.startsWith("batch,in,out,density,direction,nnz,dense_ms,masked_ms,csr_ms,ejml_ms,"
                + "csr_eff_gflops,dense_gflops,ejml_gflops,csr_over_dense,csr_over_ejml\n"), lines);
        assertTrue(lines.contains("\n256,128,64,0.5,forward,500,2.000000,2.500000,0.800000,10.000000,0.320,2.097,"
                + "0.419,0.4000,0.0800\n"), lines);
    }

    @Test
    void denseAndEjmlMeasuredAtDensityOneStandForEveryDensity() throws IOException {
        String csv = HEADER
                + row("denseForward", 2.0, "ms/op", 1024, "1", "256x256")
                + row("ejmlDenseForward", 20.0, "ms/op", 1024, "1", "256x256")
                + row("csrForward", 1.0, "ms/op", 1024, "0.3", "256x256")
                + row("csrForward", 0.5, "ms/op", 1024, "0.1", "256x256");
        List<GridRow> grid = SparseGridReport.grid(parse(csv), SparseGridReportTest::fakeNnz);
        // points come from the CSR results: 0.3 and 0.1, not the dense run's density 1
        assertEquals(4, grid.size());
        GridRow r = only(grid, 0.1, Direction.FORWARD);
        assertEquals(2.0, r.denseMs(), EPS);
        assertEquals(20.0, r.ejmlMs(), EPS);
        assertEquals(0.25, r.csrOverDense(), EPS);
        assertEquals(0.025, r.csrOverEjml(), EPS);
        assertEquals(0.5, only(grid, 0.3, Direction.FORWARD).csrOverDense(), EPS);
    }

    @Test
    void nnzIsTheBenchmarksOwnMaskCountAtAnyBatch() {
        int nnz = SparseGridReport.exactNnz(128, 64, 0.1);
        try (CpuBackend be = new CpuBackend(1);
             KernelTimer t = new KernelTimer(be, 256, 128, 64, 0.1, SparseKernelBench.SEED)) {
            assertEquals(t.nnz(), nnz);
        }
        assertEquals(128 * 64, SparseGridReport.exactNnz(128, 64, 1));
        assertTrue(nnz > 600 && nnz < 1050, "about 10% of 8192, got " + nnz);
    }

    /** A grid whose CSR / dense ratio at each density is given (dense 10 ms, CSR 10 * ratio ms). */
    private static List<Crossover> crossoversOf(String... densityRatio) throws IOException {
        StringBuilder csv = new StringBuilder(HEADER).append(row("denseForward", 10.0, "ms/op", 256, "1", "512x512"));
        for (int i = 0; i < densityRatio.length; i += 2) {
            csv.append(row("csrForward", 10 * Double.parseDouble(densityRatio[i + 1]), "ms/op", 256,
                    densityRatio[i], "512x512"));
        }
        List<Crossover> c = SparseGridReport.crossovers(SparseGridReport.grid(parse(csv.toString()),
                SparseGridReportTest::fakeNnz));
        assertEquals(2, c.size());
        assertEquals(Direction.FORWARD, c.get(0).direction());
        assertEquals("no data", c.get(1).crossover()); // no backward results
        return c;
    }

    @Test
    void crossoverIsInterpolatedBetweenTheGridPointsWhereCsrStartsToWin() throws IOException {
        Crossover c = crossoversOf("1", "3.0", "0.5", "1.8", "0.3", "1.2", "0.2", "0.8", "0.1", "0.4").get(0);
        assertEquals("0.2", c.largestFaster());
        // ratio 1.2 at 0.3, 0.8 at 0.2: crosses 1 halfway, at 0.25
        assertEquals("0.250", c.crossover());
        assertEquals(1, c.signChanges());

        Crossover uneven = crossoversOf("0.5", "1.5", "0.1", "0.5").get(0);
        // 1.5 at 0.5, 0.5 at 0.1: 1 is reached a quarter of the way... from 0.1: 0.1 + 0.5 * 0.4 / 1.0 = 0.3
        assertEquals("0.300", uneven.crossover());
    }

    @Test
    void crossoverSaysNoneWhenCsrNeverWinsAndAtLeastTheTopDensityWhenItAlwaysWins() throws IOException {
        Crossover never = crossoversOf("1", "5", "0.1", "1.5", "0.02", "1.0").get(0);
        assertEquals("none", never.largestFaster()); // a ratio of exactly 1 is not faster
        assertEquals("none", never.crossover());

        Crossover always = crossoversOf("1", "0.9", "0.5", "0.5", "0.02", "0.1").get(0);
        assertEquals("1", always.largestFaster());
        assertEquals(">= 1", always.crossover());
        assertEquals(0, always.signChanges());
    }

    @Test
    void noisyCrossoverUsesTheLargestWinningDensityAndCountsTheFlips() throws IOException {
        Crossover c = crossoversOf("1", "2.0", "0.5", "0.9", "0.3", "1.1", "0.1", "0.5").get(0);
        assertEquals("0.5", c.largestFaster());
        assertEquals("0.545", c.crossover()); // 0.5 + 0.1 * 0.5 / 1.1
        assertEquals(3, c.signChanges());
    }

    @Test
    void partialResultsGiveEmptyCellsNotACrash() throws IOException {
        String csv = HEADER
                + row("csrForward", 1.0, "ms/op", 4096, "0.05", "1024x1024")
                + row("maskedBackward", 9.0, "ms/op", 4096, "0.05", "1024x1024");
        List<GridRow> grid = SparseGridReport.grid(parse(csv), SparseGridReportTest::fakeNnz);
        String lines = SparseGridReport.gridCsv(grid);
        assertTrue(lines.contains("\n4096,1024,1024,0.05,forward,50,,,1.000000,,0.410,,,,\n"), lines);
        assertTrue(lines.contains("\n4096,1024,1024,0.05,backward,50,,9.000000,,,,,,,\n"), lines);
        List<Crossover> c = SparseGridReport.crossovers(grid);
        assertEquals("no data", c.get(0).crossover());
        String md = SparseGridReport.markdown(grid, c);
        assertTrue(md.contains("| 4096 | 1024x1024 |  |  | 0.4 |"), md);
    }

    @Test
    void malformedLinesNameTheFileLineAndField() {
        String badScore = HEADER + row("csrForward", 1.0, "ms/op", 256, "0.1", "128x64")
                + "\"dev.winnow.bench.SparseKernelBench.csrBackward\",\"avgt\",1,5,abc,0.1,\"ms/op\",256,0.1,128x64,1\n";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse(badScore));
        assertEquals("test.csv:3: field Score: 'abc' is not a number", e.getMessage());

        String badShape = HEADER + row("csrForward", 1.0, "ms/op", 256, "0.1", "128by64");
        e = assertThrows(IllegalArgumentException.class, () -> parse(badShape));
        assertTrue(e.getMessage().startsWith("test.csv:2: field Param: shape: '128by64'"), e.getMessage());

        String shortLine = HEADER + "\"dev.winnow.bench.SparseKernelBench.csrForward\",\"avgt\",1,5,0.5\n";
        e = assertThrows(IllegalArgumentException.class, () -> parse(shortLine));
        assertEquals("test.csv:2: 5 fields, the header has 11", e.getMessage());

        String openQuote = HEADER + "\"dev.winnow.bench.SparseKernelBench.csrForward,\"avgt\"\n";
        e = assertThrows(IllegalArgumentException.class, () -> parse(openQuote));
        assertTrue(e.getMessage().startsWith("test.csv:2: field 1:"), e.getMessage());

        String throughput = HEADER + row("csrForward", 1.0, "ops/ms", 256, "0.1", "128x64");
        e = assertThrows(IllegalArgumentException.class, () -> parse(throughput));
        assertTrue(e.getMessage().startsWith("test.csv:2: field Unit: 'ops/ms'"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> parse("\"Benchmark\",\"Mode\",\"Unit\"\n"));
        assertTrue(e.getMessage().startsWith("test.csv:1: no 'Score' column"), e.getMessage());
    }

    @Test
    void mixedThreadCountsAreRefused() throws IOException {
        String csv = HEADER + row("csrForward", 1.0, "ms/op", 256, "0.1", "128x64")
                + row("denseForward", 1.0, "ms/op", 256, "1", "128x64").replace(",1\n", ",2\n");
        List<Timing> t = parse(csv);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SparseGridReport.grid(t, SparseGridReportTest::fakeNnz));
        assertTrue(e.getMessage().contains("[1, 2]"), e.getMessage());
    }

    @Test
    void mainWritesTheThreeReportFilesFromSeveralCsvFiles(@TempDir Path dir) throws IOException {
        Path sparse = dir.resolve("sparse.csv");
        Path dense = dir.resolve("dense.csv");
        Files.writeString(sparse, HEADER + row("csrForward", 0.1, "ms/op", 256, "0.1", "128x64")
                + row("csrForward", 0.6, "ms/op", 256, "0.5", "128x64"));
        Files.writeString(dense, HEADER + row("denseForward", 0.4, "ms/op", 256, "1", "128x64"));
        Path out = dir.resolve("report");
        SparseGridReport.main(new String[] {sparse.toString(), dense.toString(), "--output", out.toString()});
        int nnz = SparseGridReport.exactNnz(128, 64, 0.1);
        String grid = Files.readString(out.resolve("grid.csv"));
        assertTrue(grid.contains(String.format(Locale.ROOT, "\n256,128,64,0.1,forward,%d,0.400000,,0.100000,,%.3f,",
                nnz, 2.0 * 256 * nnz / 0.1e6)), grid);
        assertEquals("batch,in,out,direction,largest_density_csr_faster,crossover_density,sign_changes\n"
                        + "256,128,64,forward,0.1,0.340,1\n256,128,64,backward,no data,no data,0\n",
                Files.readString(out.resolve("crossover-grid.csv")));
        String md = Files.readString(out.resolve("grid.md"));
        assertTrue(md.contains("| batch | in x out | dense | EJML | 0.5 | 0.1 |"), md);
        assertTrue(md.contains("| 256 | 128x64 | 0.1 | 0.340 | no data | no data | 1/0 |"), md);
    }
}
