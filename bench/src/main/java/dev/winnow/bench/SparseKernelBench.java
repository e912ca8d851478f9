package dev.winnow.bench;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.backend.cpu.CpuBackend;
import dev.winnow.engine.sparse.KernelTimer;
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
 * (dense) per forward, twice that per backward, divided by the time; run-sparse.sh turns the JSON into that.
 * Shapes and densities are those of issue 3; the defaults below are the full grid (long), narrow them with -p.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 300, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 3, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class SparseKernelBench {
    @Param({"256", "1024", "4096"})
    public int batch;

    @Param({"128x64", "256x256", "512x512", "1024x1024"})
    public String shape;

    @Param({"1", "0.5", "0.3", "0.2", "0.1", "0.05", "0.02"})
    public double density;

    @Param({"1"})
    public int threads;

    private Backend backend;
    private Backend ejml;
    private KernelTimer timer;
    private KernelTimer ejmlTimer;

    @Setup(Level.Trial)
    public void setUp() {
        String[] p = shape.split("x");
        int in = Integer.parseInt(p[0]);
        int out = Integer.parseInt(p[1]);
        backend = new CpuBackend(threads);
        ejml = new CpuBackend(threads, CpuBackend.GemmChoice.EJML);
        timer = new KernelTimer(backend, batch, in, out, density, 1);
        ejmlTimer = new KernelTimer(ejml, batch, in, out, density, 1);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        timer.close();
        ejmlTimer.close();
        backend.close();
        ejml.close();
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
    public void csrForward() {
        timer.csrForward();
    }

    @Benchmark
    public void csrBackward() {
        timer.csrBackward();
    }

    @Benchmark
    public void ejmlDenseForward() {
        ejmlTimer.denseForward();
    }
}
