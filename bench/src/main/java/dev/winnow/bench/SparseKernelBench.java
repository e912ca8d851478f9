package dev.winnow.bench;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.backend.cpu.CpuBackend;
import dev.winnow.recsys.perf.KernelTimer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Forward and backward of a Linear (batch x in -> out) at a weight density: our dense GEMM, masked GEMM, CSR, and
 * EJML's dense GEMM as the outside reference. Effective GFLOP/s = 2 * batch * nnz (sparse) or 2 * batch * in * out
 * (dense) per forward, twice that per backward, divided by the time; {@link SparseGridReport} turns the CSV results
 * into that, the ratios and the density crossover. Shapes and densities are those of issue 3; the defaults below are
 * the full grid, narrow them with -p.
 *
 * <p>The dense and EJML benchmarks do not depend on the density (the dense product ignores the mask), so
 * {@code bench/run-sparse.sh} runs them in a second JMH invocation with {@code -p density=1} instead of once per
 * density. Iterations are short (0.3 s) because the grid has 3 x 4 x (7 x 4 + 4) = 384 trials; a call slower than an
 * iteration still runs once per iteration, which is why the EJML benchmarks (seconds per call at batch 4096 x
 * 1024x1024) take fewer iterations: their calls are long enough to average out on their own.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 300, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 5, time = 300, timeUnit = TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class SparseKernelBench {
    /** The seed of the weights and mask; {@link SparseGridReport} rebuilds the same mask from it to count nnz. */
    public static final long SEED = 1;

    @Param({"256", "1024", "4096"})
    public int batch;

    @Param({"128x64", "256x256", "512x512", "1024x1024"})
    public String shape;

    @Param({"1", "0.5", "0.3", "0.2", "0.1", "0.05", "0.02"})
    public double density;

    @Param({"1"})
    public int threads;

    private Backend backend;
    private KernelTimer timer;
    int in;
    int out;

    @Setup(Level.Trial)
    public void setUp() {
        String[] p = shape.split("x");
        in = Integer.parseInt(p[0]);
        out = Integer.parseInt(p[1]);
        backend = new CpuBackend(threads);
        timer = new KernelTimer(backend, batch, in, out, density, SEED);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        timer.close();
        backend.close();
    }

    /**
     * The EJML backend and its timer, set up only for the EJML benchmarks (at batch 4096 x 1024x1024 its buffers
     * are ~100 MB that the other benchmarks need not allocate).
     */
    @State(Scope.Benchmark)
    public static class Ejml {
        private Backend ejml;
        private KernelTimer timer;

        @Setup(Level.Trial)
        public void setUp(SparseKernelBench b) {
            ejml = new CpuBackend(b.threads, CpuBackend.GemmChoice.EJML);
            timer = new KernelTimer(ejml, b.batch, b.in, b.out, b.density, SEED);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            timer.close();
            ejml.close();
        }
    }

    @Benchmark
    public void denseForward() {
        timer.denseForward();
    }

    @Benchmark
    public void denseBackward() {
        timer.denseBackward();
    }

    @Benchmark
    public void maskedForward() {
        timer.maskedForward();
    }

    @Benchmark
    public void maskedBackward() {
        timer.maskedBackward();
    }

    @Benchmark
    public void csrForward() {
        timer.csrForward();
    }

    @Benchmark
    public void csrBackward() {
        timer.csrBackward();
    }

    @Benchmark
    @Warmup(iterations = 2)
    @Measurement(iterations = 3)
    public void ejmlDenseForward(Ejml e) {
        e.timer.denseForward();
    }

    @Benchmark
    @Warmup(iterations = 2)
    @Measurement(iterations = 3)
    public void ejmlDenseBackward(Ejml e) {
        e.timer.denseBackward();
    }
}
