package dev.winnow.recsys.cli;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.backend.Storage;
import dev.winnow.engine.backend.cpu.CpuBackend;
import dev.winnow.recsys.perf.DensityCrossover;
import dev.winnow.recsys.perf.KernelTimer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

import static dev.winnow.recsys.cli.BenchCommand.checkHeap;
import static dev.winnow.recsys.cli.BenchCommand.checkThreads;
import static dev.winnow.recsys.cli.BenchCommand.parseClock;
import static dev.winnow.recsys.cli.BenchCommand.seconds;

/**
 * The CPU backend's dense GEMM on a Linear layer's three products, each against this core's fp32 multiply-add peak
 * measured beside it: rounds alternate a peak sample ({@link CpuBackend#fmaPeak}) and a GEMM sample of about the same
 * length, and the share of the peak is the median of the rounds' ratios, so a clock that drifts between rounds cancels
 * out.
 */
@Command(name = "gemm", mixinStandardHelpOptions = true,
        description = "Dense GEMM throughput and share of the fp32 FMA peak measured in the same rounds. One line per "
                + "shape and product: gemm=<forward|dx|dw> batch=B in=I out=O threads=T seconds=<median per call> "
                + "gflops=<median> peak_gflops=<median> pct_of_peak=<median of per-round ratios> (peak is one "
                + "core's times --threads; n/a without the Vector API).")
final class BenchGemmCommand implements Callable<Integer> {
    /** perf_anchors.md section 3: batch x in x out. */
    static final String DEFAULT_SHAPES = "256x128x64,256x256x256,256x512x512,256x1024x1024,1024x128x64,"
            + "1024x256x256,1024x512x512,1024x1024x1024,4096x128x64,4096x256x256,4096x512x512,4096x1024x1024";

    @Option(names = "--shapes", defaultValue = DEFAULT_SHAPES, split = ",", paramLabel = "BxIxO",
            description = "Linear shapes, batch x in x out. Default: the 12 MLP shapes of perf_anchors.md section 3.")
    List<String> shapes;
    @Option(names = "--products", defaultValue = "forward,dx,dw", split = ",", paramLabel = "forward|dx|dw",
            description = "forward: Y = X W^T; dx: dX = dY W; dw: dW = dY^T X. Default: ${DEFAULT-VALUE}.")
    List<String> products;
    @Option(names = "--rounds", defaultValue = "9", description = "Peak/GEMM sample pairs per product (median). "
            + "Default: ${DEFAULT-VALUE}.")
    int rounds;
    @Option(names = "--sample-ms", defaultValue = "40",
            description = "Length of each sample. Default: ${DEFAULT-VALUE}.")
    int sampleMs;
    @Option(names = "--threads", defaultValue = "1", description = "Default: ${DEFAULT-VALUE}.")
    int threads;
    @Option(names = "--clock", defaultValue = "cpu", paramLabel = "wall|cpu",
            description = "wall or the thread's CPU time (1 thread only). Default: ${DEFAULT-VALUE}.")
    String clock;

    /** Where the peak loop's result goes, so that the JIT cannot drop the loop (a field write always stays). */
    private final float[] sink = new float[1];

    private record Shape(int batch, int in, int out) {
    }

    static int[] parseShape(String s) {
        String[] p = s.trim().toLowerCase(Locale.ROOT).split("x");
        if (p.length != 3) {
            throw new IllegalArgumentException("--shapes: '" + s + "' is not BATCHxINxOUT (e.g. 256x128x64)");
        }
        int[] v = new int[3];
        for (int i = 0; i < 3; i++) {
            try {
                v[i] = Integer.parseInt(p[i].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--shapes: '" + s + "' is not BATCHxINxOUT (e.g. 256x128x64)");
            }
            if (v[i] < 1) {
                throw new IllegalArgumentException("--shapes: '" + s + "': every size must be at least 1");
            }
        }
        long largest = KernelTimer.largestOperandElements(v[0], v[1], v[2]);
        if (largest > KernelTimer.MAX_OPERAND_ELEMENTS) {
            throw new IllegalArgumentException("--shapes: '" + s + "': an operand would have " + largest
                    + " elements; at most " + KernelTimer.MAX_OPERAND_ELEMENTS + " fit in one Java array");
        }
        return v;
    }

    @Override
    public Integer call() {
        checkThreads(threads);
        boolean cpu = parseClock(clock, threads);
        if (rounds < 1 || sampleMs < 1 || sampleMs > 10_000) {
            throw new IllegalArgumentException("--rounds must be >= 1 and --sample-ms in 1..10000");
        }
        List<Shape> list = new ArrayList<>();
        long largest = 0;
        for (String s : shapes) {
            int[] v = parseShape(s);
            Shape sh = new Shape(v[0], v[1], v[2]);
            list.add(sh);
            long bytes = 4L * ((long) sh.batch * sh.in + (long) sh.batch * sh.out + (long) sh.in * sh.out);
            largest = Math.max(largest, bytes);
        }
        for (String p : products) {
            if (!List.of("forward", "dx", "dw").contains(p.trim())) {
                throw new IllegalArgumentException("--products: '" + p + "' is not forward, dx or dw");
            }
        }
        checkHeap("--shapes", 2 * largest); // the operands on the backend and their host copies
        boolean peak = CpuBackend.GemmChoice.vectorModulePresent()
                && CpuBackend.GemmChoice.detect() == CpuBackend.GemmChoice.VECTOR;
        Clock c = new Clock(cpu);
        try (Backend be = new CpuBackend(threads)) {
            System.out.printf(Locale.ROOT, "# backend=%s peak=%s clock=%s rounds=%d sample_ms=%d%n", be.name(),
                    peak ? (int) CpuBackend.fmaPeak(1, 0f, sink)[1] + "-bit fma, 12 chains" : "n/a",
                    cpu ? "cpu" : "wall", rounds,
                    sampleMs);
            int peakIters = peak ? calibratePeak(c) : 0;
            warmUp(be);
            for (Shape sh : list) {
                for (String p : products) {
                    measure(be, c, sh, p.trim(), peak, peakIters);
                }
            }
        }
        return 0;
    }

    /**
     * 1.5 s of all three products on a 96x96x96 shape first: C2 compiles the GEMM's kernel, packing and edge paths
     * (the first shape measured otherwise ran at a quarter of its speed).
     */
    private static void warmUp(Backend be) {
        int s = 96;
        Storage a = be.allocate(s * s);
        Storage b = be.allocate(s * s);
        Storage y = be.allocate(s * s);
        try {
            be.fill(a, 0, s * s, 0.5f);
            be.fill(b, 0, s * s, 0.25f);
            long until = System.nanoTime() + 1_500_000_000L;
            while (System.nanoTime() < until) {
                be.gemm(false, true, s, s, s, 1f, a, s, b, s, 0f, y, s);
                be.gemm(false, false, s, s, s, 1f, a, s, b, s, 0f, y, s);
                be.gemm(true, false, s, s, s, 1f, a, s, b, s, 0f, y, s);
            }
        } finally {
            be.free(a);
            be.free(b);
            be.free(y);
        }
    }

    /** Iterations of the peak loop that take about one sample, after a second of warm-up. */
    private int calibratePeak(Clock c) {
        int iters = 1 << 16;
        long until = System.nanoTime() + 1_000_000_000L;
        while (System.nanoTime() < until) {
            CpuBackend.fmaPeak(iters, sink[0] * 1e-9f, sink);
        }
        long t0 = c.now();
        CpuBackend.fmaPeak(iters, sink[0] * 1e-9f, sink);
        long dt = Math.max(1, c.now() - t0);
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, (long) iters * sampleMs * 1_000_000L / dt));
    }

    private void measure(Backend be, Clock c, Shape sh, String product, boolean peak, int peakIters) {
        int m;
        int n;
        int k;
        boolean ta = false;
        boolean tb = false;
        switch (product) {
            case "forward": // Y[batch, out] = X[batch, in] W[out, in]^T
                m = sh.batch;
                n = sh.out;
                k = sh.in;
                tb = true;
                break;
            case "dx": // dX[batch, in] = dY[batch, out] W[out, in]
                m = sh.batch;
                n = sh.in;
                k = sh.out;
                break;
            default: // dW[out, in] = dY[batch, out]^T X[batch, in]
                m = sh.out;
                n = sh.in;
                k = sh.batch;
                ta = true;
                break;
        }
        SplittableRandom r = new SplittableRandom(m * 31L + n * 7L + k);
        float[] av = new float[m * k];
        float[] bv = new float[k * n];
        for (int i = 0; i < av.length; i++) {
            av[i] = (float) (r.nextDouble() - 0.5);
        }
        for (int i = 0; i < bv.length; i++) {
            bv[i] = (float) (r.nextDouble() - 0.5);
        }
        Storage a = be.allocate(av.length);
        Storage b = be.allocate(bv.length);
        Storage y = be.allocate(m * n);
        try {
            be.upload(av, 0, a, 0, av.length);
            be.upload(bv, 0, b, 0, bv.length);
            int lda = ta ? m : k;
            int ldb = tb ? k : n;
            final boolean fta = ta;
            final boolean ftb = tb;
            Runnable call = () -> be.gemm(fta, ftb, m, n, k, 1f, a, lda, b, ldb, 0f, y, n);
            double flops = 2.0 * m * n * k;
            // warm-up: 0.3 s, then calls per sample from the last call's time
            long until = System.nanoTime() + 300_000_000L;
            long last = 1;
            while (System.nanoTime() < until) {
                long t0 = c.now();
                call.run();
                last = Math.max(1, c.now() - t0);
            }
            int calls = (int) Math.max(1, Math.min(1_000_000, sampleMs * 1_000_000L / last));
            double[] perCall = new double[rounds];
            double[] peaks = new double[rounds];
            double[] ratio = new double[rounds];
            for (int round = 0; round < rounds; round++) {
                if (peak) {
                    long t0 = c.now();
                    double done = CpuBackend.fmaPeak(peakIters, round * 1e-9f, sink)[0];
                    peaks[round] = done * threads / Math.max(1, c.now() - t0);
                }
                long t0 = c.now();
                for (int i = 0; i < calls; i++) {
                    call.run();
                }
                be.synchronize();
                perCall[round] = Math.max(1, c.now() - t0) / 1e9 / calls;
                ratio[round] = peak ? flops / perCall[round] / 1e9 / peaks[round] : Double.NaN;
            }
            double sec = DensityCrossover.median(perCall);
            String peakText = peak ? String.format(Locale.ROOT, "%.1f", DensityCrossover.median(peaks)) : "n/a";
            String pctText = peak ? String.format(Locale.ROOT, "%.1f", 100 * DensityCrossover.median(ratio)) : "n/a";
            System.out.printf(Locale.ROOT, "gemm=%s batch=%d in=%d out=%d threads=%d seconds=%s gflops=%.1f "
                            + "peak_gflops=%s pct_of_peak=%s%n", product, sh.batch, sh.in, sh.out, threads,
                    seconds(sec), flops / sec / 1e9, peakText, pctText);
        } finally {
            be.free(a);
            be.free(b);
            be.free(y);
        }
    }


    /** Nanoseconds: the calling thread's CPU time, or the wall clock. */
    private static final class Clock {
        private final boolean cpu;
        private final ThreadMXBean mx = ManagementFactory.getThreadMXBean();

        Clock(boolean cpu) {
            this.cpu = cpu;
        }

        long now() {
            return cpu ? mx.getCurrentThreadCpuTime() : System.nanoTime();
        }
    }
}
