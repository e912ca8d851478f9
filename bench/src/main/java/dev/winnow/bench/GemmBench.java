package dev.winnow.bench;

import dev.winnow.engine.backend.Storage;
import dev.winnow.engine.backend.cpu.CpuBackend;
import org.openjdk.jmh.annotations.AuxCounters;
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

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Dense GEMM of an MLP layer, batch x in -> out, for the three products training needs: the forward Y = X W^T
 * ({@code fwd}, transB), the input gradient dX = dY W ({@code dx}, NN) and the weight gradient dW = dY^T X
 * ({@code dw}, transA). Same FLOPs in all three: 2 * batch * in * out. The secondary metric {@code gemm:flop}
 * (an AuxCounters operations counter of FLOPs) is FLOP/s: divide by 1e9 for GFLOP/s.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xms1g", "-Xmx1g"})
public class GemmBench {
    @Param({"256", "1024", "4096"})
    public int batch;

    /** in x out of the layer. */
    @Param({"128x64", "256x256", "512x512", "1024x1024"})
    public String layer;

    @Param({"fwd", "dx", "dw"})
    public String product;

    @Param({"vector", "ejml"})
    public String impl;

    @Param({"1", "2"})
    public int threads;

    private CpuBackend backend;
    private Storage x;
    private Storage w;
    private Storage y;
    private Storage dy;
    private Storage dx;
    private Storage dw;
    private int in;
    private int out;

    /** FLOPs done, as a JMH operations counter: JMH divides it by time, so it reads as FLOP/s. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Flops {
        public double flop;
    }

    @Setup(Level.Trial)
    public void setUp() {
        String[] io = layer.split("x");
        in = Integer.parseInt(io[0]);
        out = Integer.parseInt(io[1]);
        backend = new CpuBackend(threads, impl.equals("ejml") ? CpuBackend.GemmChoice.EJML
                : CpuBackend.GemmChoice.VECTOR);
        SplittableRandom r = new SplittableRandom(42);
        x = random(r, batch * in);
        w = random(r, out * in);
        y = backend.allocate(batch * out);
        dy = random(r, batch * out);
        dx = backend.allocate(batch * in);
        dw = backend.allocate(out * in);
    }

    private Storage random(SplittableRandom r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextDouble() * 2 - 1);
        }
        Storage s = backend.allocate(n);
        backend.upload(v, 0, s, 0, n);
        return s;
    }

    @Benchmark
    public Storage gemm(Flops flops) {
        flops.flop += 2.0 * batch * in * out;
        switch (product) {
            case "fwd":
                backend.gemm(false, true, batch, out, in, 1f, x, in, w, in, 0f, y, out);
                return y;
            case "dx":
                backend.gemm(false, false, batch, in, out, 1f, dy, out, w, in, 0f, dx, in);
                return dx;
            case "dw":
                backend.gemm(true, false, out, in, batch, 1f, dy, out, x, in, 0f, dw, in);
                return dw;
            default:
                throw new IllegalArgumentException("product must be fwd, dx or dw, got " + product);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        backend.close();
    }
}
