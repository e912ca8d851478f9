package dev.winnow.recsys.cli;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.backend.cpu.CpuBackend;
import dev.winnow.engine.io.RunLock;
import dev.winnow.engine.nn.Linear;
import dev.winnow.recsys.perf.KernelTimer;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code winnow bench}: reproduce one benchmark point in seconds without JMH. {@code kernels} times the products of
 * one Linear shape, {@code crossover} sweeps shapes and densities and writes where CSR starts to beat dense (CSV +
 * PNG), {@code step} times one NCF student training step dense, masked and CSR, {@code gemm} the dense GEMM against
 * the fp32 multiply-add peak measured in the same rounds, {@code sad} the student's and the SAD step's training
 * samples/s (PyTorch's counterpart: {@code torch_sad.py}).
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Micro-benchmarks of the sparse and dense kernels (one point in seconds; JMH lives in bench/).",
        subcommands = {BenchCommand.Kernels.class, BenchCommand.Crossover.class, BenchStepCommand.class,
            BenchGemmCommand.class, BenchSadCommand.class})
public final class BenchCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing benchmark: choose one of "
                + spec.subcommands().keySet());
    }

    static void checkThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("--threads must be at least 1, got " + threads);
        }
    }

    /** True for the thread-CPU clock; it cannot see worker threads, so it needs --threads 1. */
    static boolean parseClock(String clock, int threads) {
        switch (clock.trim().toLowerCase(Locale.ROOT)) {
            case "wall":
                return false;
            case "cpu":
                if (threads != 1) {
                    throw new IllegalArgumentException("--clock cpu measures the calling thread only; use it with "
                            + "--threads 1 (got " + threads + ")");
                }
                return true;
            default:
                throw new IllegalArgumentException("--clock must be wall or cpu, got '" + clock + "'");
        }
    }

    /** True for whole 16x1 blocks ({@code block16}), false for single weights ({@code unstructured}). */
    static boolean parsePattern(String pattern) {
        switch (pattern.trim().toLowerCase(Locale.ROOT)) {
            case "unstructured":
                return false;
            case "block16":
                return true;
            default:
                throw new IllegalArgumentException("--pattern must be unstructured or block16, got '" + pattern + "'");
        }
    }

    static void checkDensity(String option, double d) {
        if (!(d >= 0 && d <= 1)) {
            throw new IllegalArgumentException(option + " must be a density in [0, 1], got " + d);
        }
    }

    /**
     * Refuses a Linear shape before anything is allocated when an operand would not fit one Java array (an int
     * product would wrap) or when the timer's estimated heap exceeds what this JVM may still allocate.
     */
    static void checkShapeFits(String options, int batch, int in, int out, double density) {
        long largest = KernelTimer.largestOperandElements(batch, in, out);
        if (largest > KernelTimer.MAX_OPERAND_ELEMENTS) {
            throw new IllegalArgumentException(options + ": an operand would have " + largest + " elements (X is "
                    + "batch x in, Y batch x out, W out x in); at most " + KernelTimer.MAX_OPERAND_ELEMENTS
                    + " fit in one Java array; use smaller sizes");
        }
        checkHeap(options, KernelTimer.estimatedBytes(batch, in, out, density));
    }

    /** One line naming the options, the bytes needed, the bytes left and the -Xmx that would do. */
    static void checkHeap(String options, long neededBytes) {
        Runtime rt = Runtime.getRuntime();
        long max = rt.maxMemory();
        long available = max - (rt.totalMemory() - rt.freeMemory());
        if (neededBytes > available) {
            long gib = 1L << 30;
            throw new IllegalArgumentException(String.format(Locale.ROOT, "%s: needs about %d bytes (%.1f GiB) of "
                    + "heap, %d bytes are available (-Xmx is %d bytes); use smaller sizes or give java more heap, "
                    + "e.g. java -Xmx%dg ...", options, neededBytes, neededBytes / (double) gib, available, max,
                    (neededBytes + (max - available) + gib - 1) / gib + 1));
        }
    }

    /**
     * The seconds= field: always scientific with 7 significant digits ({@code 4.094700e-05}), whatever the
     * magnitude, so that lines line up and every parser reads them the same way.
     */
    static String seconds(double s) {
        return String.format(Locale.ROOT, "%.6e", s);
    }

    /**
     * The density= field: plain decimal, never an exponent, the shortest digits that read back as the same double
     * ({@code 1e-9} prints {@code 0.000000001}, {@code 0.10} prints {@code 0.1}, {@code 1} prints {@code 1}).
     */
    static String density(double d) {
        return BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
    }

    /** One line per kernel, in exactly the documented format. */
    @Command(name = "kernels", mixinStandardHelpOptions = true,
            description = "Time dense, masked and CSR products of one Linear shape; one line per kernel: "
                    + "kernel=<name> batch=B in=I out=O density=D threads=T seconds=<median> eff_gflops=<x>, "
                    + "seconds in scientific form with 7 significant digits (4.094700e-05), density as a plain "
                    + "decimal (0.000000001), eff_gflops with 2 decimals (sparse kernels count only the "
                    + "multiply-adds at stored weights).")
    static final class Kernels implements Callable<Integer> {
        @Option(names = "--batch", defaultValue = "1024", description = "Rows of X. Default: ${DEFAULT-VALUE}.")
        int batch;
        @Option(names = "--in", defaultValue = "1024", description = "Input features. Default: ${DEFAULT-VALUE}.")
        int in;
        @Option(names = "--out", defaultValue = "1024", description = "Output features. Default: ${DEFAULT-VALUE}.")
        int out;
        @Option(names = "--density", defaultValue = "0.1", description = "Share of weights kept. Default: ${DEFAULT-VALUE}.")
        double density;
        @Option(names = "--threads", defaultValue = "1", description = "CPU threads. Default: ${DEFAULT-VALUE}.")
        int threads;
        @Option(names = "--reps", defaultValue = "11", description = "Timed calls per kernel (median). Default: ${DEFAULT-VALUE}.")
        int reps;
        @Option(names = "--warmup", defaultValue = "5", description = "Untimed calls first. Default: ${DEFAULT-VALUE}.")
        int warmup;
        @Option(names = "--seed", defaultValue = "0", description = "Seed for data and mask.")
        long seed;
        @Option(names = "--clock", defaultValue = "wall", paramLabel = "wall|cpu",
                description = "wall: elapsed time; cpu: the thread's CPU time (1 thread only; for a shared machine, "
                        + "it leaves out time spent waiting for a core). Default: ${DEFAULT-VALUE}.")
        String clock;
        @Option(names = "--no-ejml", description = "Skip the EJML dense reference (slow on big shapes).")
        boolean noEjml;
        @Option(names = "--pattern", defaultValue = "unstructured", paramLabel = "unstructured|block16",
                description = "The mask: single weights, or whole 16x1 blocks (prune_pattern=block16), which the "
                        + "sparse forward runs in block form; then csr-kernel-forward times the CSR product on the same "
                        + "pattern. Default: ${DEFAULT-VALUE}.")
        String pattern;
        @Option(names = "--updates", description = "Also time one optimiser step of the out x in weight, dense masked "
                + "sweep vs survivors only: lines update=<adam|sgd>-<masked-sweep|indexed> ... seconds=<median> "
                + "ns_per_weight=<per surviving weight>.")
        boolean updates;

        @Override
        public Integer call() {
            checkThreads(threads);
            checkDensity("--density", density);
            if (batch < 1 || in < 1 || out < 1 || reps < 1 || warmup < 0) {
                throw new IllegalArgumentException("--batch, --in, --out and --reps must be positive, --warmup >= 0");
            }
            checkShapeFits("--batch " + batch + " --in " + in + " --out " + out + " --density " + density(density),
                    batch, in, out, density);
            boolean cpu = parseClock(clock, threads);
            boolean blocks = parsePattern(pattern);
            PrintStream o = System.out;
            try (Backend be = new CpuBackend(threads);
                 KernelTimer t = new KernelTimer(be, batch, in, out, density, seed, blocks)) {
                t.useThreadCpuClock(cpu);
                // Every kernel warmed up together first (1 s; 3 s with the block kernels, whose backward C2 takes
                // seconds to compile on a busy machine): a fresh JVM times the interpreter otherwise.
                if (warmup > 0) {
                    long until = System.nanoTime() + (t.blockForm() ? 3_000_000_000L : 1_000_000_000L);
                    while (System.nanoTime() < until) {
                        t.denseForward();
                        t.denseBackward();
                        t.maskedForward();
                        t.maskedBackward();
                        t.csrForward();
                        t.csrBackward();
                        if (t.blockForm()) {
                            t.csrKernelForward();
                        }
                    }
                }
                double dense = 2.0 * batch * in * out;
                double sparse = 2.0 * batch * t.nnz();
                line(o, "dense", t.median(t::denseForward, warmup, reps), dense);
                line(o, "dense-backward", t.median(t::denseBackward, warmup, reps), 2 * dense);
                line(o, "masked", t.median(t::maskedForward, warmup, reps), dense);
                line(o, "masked-backward", t.median(t::maskedBackward, warmup, reps), 2 * dense);
                line(o, t.blockForm() ? "block-forward" : "csr-forward", t.median(t::csrForward, warmup, reps),
                        sparse);
                if (t.blockForm()) {
                    line(o, "csr-kernel-forward", t.median(t::csrKernelForward, warmup, reps), sparse);
                }
                line(o, t.blockForm() ? "block-backward" : "csr-backward", t.median(t::csrBackward, warmup, reps),
                        2 * sparse);
                if (updates) {
                    updateLine(o, "adam-masked-sweep", t.median(t::adamMaskedSweep, warmup, reps), t.survivors());
                    updateLine(o, "adam-indexed", t.median(t::adamIndexed, warmup, reps), t.survivors());
                    updateLine(o, "sgd-masked-sweep", t.median(t::sgdMaskedSweep, warmup, reps), t.survivors());
                    updateLine(o, "sgd-indexed", t.median(t::sgdIndexed, warmup, reps), t.survivors());
                }
            }
            if (noEjml) {
                return 0;
            }
            try (Backend ejml = new CpuBackend(threads, CpuBackend.GemmChoice.EJML);
                 KernelTimer t = new KernelTimer(ejml, batch, in, out, density, seed)) {
                t.useThreadCpuClock(cpu);
                int r = Math.max(1, Math.min(reps, 3));
                line(o, "ejml-dense", t.median(t::denseForward, Math.min(warmup, 1), r), 2.0 * batch * in * out);
            }
            return 0;
        }

        private void updateLine(PrintStream o, String update, double seconds, int survivors) {
            o.printf(Locale.ROOT, "update=%s in=%d out=%d density=%s threads=%d seconds=%s ns_per_weight=%.3f%n",
                    update, in, out, density(density), threads, seconds(seconds),
                    seconds * 1e9 / Math.max(1, survivors));
        }

        private void line(PrintStream o, String kernel, double seconds, double flops) {
            o.printf(Locale.ROOT, "kernel=%s batch=%d in=%d out=%d density=%s threads=%d seconds=%s eff_gflops=%.2f%n",
                    kernel, batch, in, out, density(density), threads, seconds(seconds), flops / seconds / 1e9);
        }
    }

    /** Sweep of shapes x batches x densities; the crossover per shape and batch, as CSV and a PNG bar chart. */
    @Command(name = "crossover", mixinStandardHelpOptions = true,
            description = "For each shape and batch, the density below which CSR beats dense on this machine, for the "
                    + "forward product and for a whole training step's products (forward + both gradients). Writes "
                    + "points.csv, crossover.csv and crossover.png.")
    static final class Crossover implements Callable<Integer> {
        @Option(names = "--batches", split = ",", defaultValue = "256,1024,4096", description = "Default: ${DEFAULT-VALUE}.")
        int[] batches;
        @Option(names = "--shapes", split = ",", defaultValue = "128x64,256x256,512x512,1024x1024",
                description = "in x out pairs. Default: ${DEFAULT-VALUE}.")
        String[] shapes;
        @Option(names = "--densities", split = ",", defaultValue = "1,0.5,0.3,0.2,0.1,0.05,0.02",
                description = "Default: ${DEFAULT-VALUE}.")
        double[] densities;
        @Option(names = "--threads", defaultValue = "1", description = "CPU threads. Default: ${DEFAULT-VALUE}.")
        int threads;
        @Option(names = "--reps", defaultValue = "5", description = "Timed calls per point (median). Default: ${DEFAULT-VALUE}.")
        int reps;
        @Option(names = "--output", defaultValue = "runs/crossover", description = "Output directory. Default: ${DEFAULT-VALUE}.")
        Path output;
        @Option(names = "--clock", defaultValue = "wall", paramLabel = "wall|cpu",
                description = "wall or the thread's CPU time (1 thread only). Default: ${DEFAULT-VALUE}.")
        String clock;
        @Option(names = "--pattern", defaultValue = "unstructured", paramLabel = "unstructured|block16",
                description = "Masks of single weights, or of whole 16x1 blocks, whose sparse forward runs in block "
                        + "form (points.csv's csr columns are then the block layer's). Default: ${DEFAULT-VALUE}.")
        String pattern;
        private boolean blocks;

        @Override
        public Integer call() throws IOException {
            checkThreads(threads);
            boolean cpu = parseClock(clock, threads);
            blocks = parsePattern(pattern);
            if (reps < 1) {
                throw new IllegalArgumentException("--reps must be positive, got " + reps);
            }
            double[] ds = densities.clone();
            for (double d : ds) {
                checkDensity("--densities", d);
            }
            Arrays.sort(ds);
            for (int b : batches) {
                if (b < 1) {
                    throw new IllegalArgumentException("--batches must be positive, got " + b);
                }
            }
            int[][] dims = new int[shapes.length][];
            for (int i = 0; i < shapes.length; i++) {
                dims[i] = parseShape(shapes[i]);
                // one point at a time is alive: the largest batch at the largest density is the peak of a shape
                int batch = Arrays.stream(batches).max().orElse(1);
                checkShapeFits("--batches " + batch + " --shapes " + dims[i][0] + "x" + dims[i][1] + " --densities "
                        + density(ds[ds.length - 1]), batch, dims[i][0], dims[i][1], ds[ds.length - 1]);
            }
            // one sweep into --output at a time: two would write points.csv over each other
            try (RunLock lock = RunLock.directory("--output", output, 1)) {
                return sweep(dims, ds, cpu);
            }
        }

        private int sweep(int[][] dims, double[] ds, boolean cpu) throws IOException {
            PrintStream o = System.out;
            List<String> labels = new ArrayList<>();
            List<double[]> summary = new ArrayList<>();
            try (Backend be = new CpuBackend(threads);
                 Writer points = Files.newBufferedWriter(output.resolve("points.csv"), StandardCharsets.UTF_8)) {
                points.write("batch,in,out,density,nnz,threads,dense_forward_s,csr_forward_s,dense_step_s,"
                        + "masked_step_s,csr_step_s,csr_forward_eff_gflops\n");
                // A first point timed on a cold JIT is garbage (seen: 60x too slow): warm every kernel up for 2 s.
                try (KernelTimer warm = new KernelTimer(be, 256, 256, 256, 0.3, 1)) {
                    long until = System.nanoTime() + 2_000_000_000L;
                    while (System.nanoTime() < until) {
                        warm.denseForward();
                        warm.denseBackward();
                        warm.maskedForward();
                        warm.maskedBackward();
                        warm.csrForward();
                        warm.csrBackward();
                    }
                }
                for (int[] shape : dims) {
                    for (int batch : batches) {
                        double[] fwdRatio = new double[ds.length];
                        double[] stepRatio = new double[ds.length];
                        for (int k = ds.length - 1; k >= 0; k--) {
                            try (KernelTimer t = new KernelTimer(be, batch, shape[0], shape[1], ds[k], 1, blocks)) {
                                t.useThreadCpuClock(cpu);
                                // Dense is timed again at every point, right before the sparse kernels (as in the
                                // anchors): on a shared machine only same-moment ratios mean anything.
                                double denseFwd = t.median(t::denseForward, 2, reps);
                                double csrFwd = t.median(t::csrForward, 2, reps);
                                double denseStep = t.median(() -> {
                                    t.denseForward();
                                    t.denseBackward();
                                }, 1, reps);
                                double maskedStep = t.median(() -> {
                                    t.maskedForward();
                                    t.maskedBackward();
                                }, 1, reps);
                                double csrStep = t.median(() -> {
                                    t.csrForward();
                                    t.csrBackward();
                                }, 1, reps);
                                fwdRatio[k] = csrFwd / denseFwd;
                                stepRatio[k] = csrStep / denseStep;
                                points.write(String.format(Locale.ROOT, "%d,%d,%d,%s,%d,%d,%s,%s,%s,%s,%s,%.2f%n",
                                        batch, shape[0], shape[1], density(ds[k]), t.nnz(), threads,
                                        seconds(denseFwd), seconds(csrFwd), seconds(denseStep), seconds(maskedStep),
                                        seconds(csrStep), 2.0 * batch * t.nnz() / csrFwd / 1e9));
                                points.flush();
                            }
                        }
                        double cf = crossover(ds, fwdRatio);
                        double cs = crossover(ds, stepRatio);
                        o.printf(Locale.ROOT, "crossover batch=%d in=%d out=%d threads=%d%s forward=%.3f step=%.3f%n",
                                batch, shape[0], shape[1], threads, blocks ? " pattern=block16" : "", cf, cs);
                        labels.add(shape[0] + "x" + shape[1]);
                        summary.add(new double[] {batch, shape[0], shape[1], cf, cs});
                    }
                }
            }
            try (Writer w = Files.newBufferedWriter(output.resolve("crossover.csv"), StandardCharsets.UTF_8)) {
                w.write("batch,in,out,threads,crossover_forward,crossover_step\n");
                for (double[] s : summary) {
                    w.write(String.format(Locale.ROOT, "%d,%d,%d,%d,%.4f,%.4f%n", (int) s[0], (int) s[1], (int) s[2],
                            threads, s[3], s[4]));
                }
            }
            plot(summary, output.resolve("crossover.png"));
            o.println("wrote " + output.resolve("points.csv") + ", " + output.resolve("crossover.csv") + ", "
                    + output.resolve("crossover.png"));
            return 0;
        }

        /**
         * The density below which ratio (sparse/dense time) stays under 1, interpolated linearly between the tested
         * densities around the change; the top density when sparse already wins there, 0 when it never does.
         */
        static double crossover(double[] ascendingDensities, double[] ratio) {
            int n = ascendingDensities.length;
            if (ratio[n - 1] < 1) {
                return ascendingDensities[n - 1];
            }
            for (int k = n - 2; k >= 0; k--) {
                if (ratio[k] < 1) {
                    double d0 = ascendingDensities[k];
                    double d1 = ascendingDensities[k + 1];
                    return d0 + (1 - ratio[k]) / (ratio[k + 1] - ratio[k]) * (d1 - d0);
                }
            }
            return 0;
        }

        private void plot(List<double[]> summary, Path png) throws IOException {
            System.setProperty("java.awt.headless", "true");
            CategoryChart chart = new CategoryChartBuilder().width(1000).height(560)
                    .title("Density below which CSR beats dense (" + threads + " thread" + (threads == 1 ? "" : "s") + ")")
                    .xAxisTitle("in x out").yAxisTitle("crossover density").build();
            for (int batch : batches) {
                for (int kind = 0; kind < 2; kind++) {
                    List<String> xs = new ArrayList<>();
                    List<Number> ys = new ArrayList<>();
                    for (double[] s : summary) {
                        if ((int) s[0] == batch) {
                            xs.add((int) s[1] + "x" + (int) s[2]);
                            ys.add(s[3 + kind]);
                        }
                    }
                    chart.addSeries("batch " + batch + (kind == 0 ? " forward" : " train step"), xs, ys);
                }
            }
            chart.getStyler().setYAxisMin(0.0).setYAxisMax(1.0);
            BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
        }

        private static int[] parseShape(String s) {
            String[] p = s.trim().toLowerCase(Locale.ROOT).split("x");
            try {
                if (p.length == 2) {
                    int in = Integer.parseInt(p[0]);
                    int out = Integer.parseInt(p[1]);
                    if (in > 0 && out > 0) {
                        return new int[] {in, out};
                    }
                }
            } catch (NumberFormatException ignored) {
                // reported below
            }
            throw new IllegalArgumentException("--shapes: '" + s + "' is not IN x OUT with positive sizes (e.g. 256x128)");
        }
    }
}
