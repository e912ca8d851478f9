package dev.winnow.bench;

import dev.winnow.engine.backend.cpu.CpuBackend;
import dev.winnow.engine.nn.Linear;
import dev.winnow.engine.sparse.ExecutionMode;
import dev.winnow.engine.sparse.ExecutionPolicy;
import dev.winnow.engine.tensor.Arena;
import dev.winnow.engine.tensor.BufferPool;
import dev.winnow.engine.tensor.GradMode;
import dev.winnow.engine.tensor.IndexTensor;
import dev.winnow.engine.tensor.Tensor;
import dev.winnow.recsys.data.RatingData;
import dev.winnow.recsys.data.SyntheticRatings;
import dev.winnow.recsys.model.NcfConfig;
import dev.winnow.recsys.model.NcfModel;
import dev.winnow.recsys.perf.DensityCrossover;
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

import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * NCF-MLP inference through the engine (GradMode.disabled, one arena per call): {@code batch1} is the latency of one
 * (user, item) prediction; {@code batch1024} is one call on 1024 pairs (samples/s = 1024 x ops/s). PyTorch's
 * numbers for the same models are in perf_anchors.md §6 (batch 1: ~31 us; batch 1024: 2.3 M samples/s student).
 * {@code weights} compares the dense model with pruned ones (see its comment).
 */
@State(Scope.Thread)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xms1g", "-Xmx1g"})
public class NcfInferBench {
    @Param({"student", "teacher"})
    public String model;

    @Param({"1"})
    public int threads;

    /**
     * The MLP's hidden layers' weights: {@code dense}, or MODE-PATTERN@DENSITY with a random mask of that density on
     * every hidden Linear (the output layer stays dense, as the pruning methods leave it): MODE {@code masked} (dense
     * GEMM on W ⊙ M), {@code sparse} (CSR, which runs in 16x1 block form for PATTERN {@code block16}) or
     * {@code policy} (what {@code ExecutionPolicy.byDensity(0.5)} picks per forward: CSR or blocks, except an
     * unstructured layer in a batch of up to 4 rows above the small-batch threshold, which runs masked) or
     * {@code auto} (the same rule at the threshold {@code compare} uses on this machine, {@link DensityCrossover}:
     * what a user's model runs).
     */
    @Param({"dense", "masked-unstructured@0.1", "sparse-unstructured@0.1", "sparse-block16@0.1",
        "sparse-unstructured@0.5", "sparse-block16@0.5"})
    public String weights;

    private CpuBackend backend;
    private NcfModel net;
    private BufferPool pool;
    private RatingData data;
    private IndexTensor u1;
    private IndexTensor i1;
    private IndexTensor u1024;
    private IndexTensor i1024;
    private final float[] out = new float[1024];
    private int cursor;

    @Setup(Level.Trial)
    public void setUp() {
        backend = new CpuBackend(threads);
        data = SyntheticRatings.generate(0);
        net = new NcfModel(backend, NcfConfig.preset(model), data.users(), data.items(), 1);
        net.train(false);
        if (!weights.equals("dense")) {
            String[] modeAndPattern = weights.substring(0, weights.indexOf('@')).split("-");
            double density = Double.parseDouble(weights.substring(weights.indexOf('@') + 1));
            SplittableRandom rng = new SplittableRandom(3);
            List<Linear> layers = net.mlp().layers();
            for (Linear layer : layers.subList(0, layers.size() - 1)) {
                float[] m = new float[layer.out() * layer.in()];
                KernelTimer.fillMask(m, layer.out(), layer.in(), density, modeAndPattern[1].equals("block16"), rng);
                layer.weight().setMask(m);
                layer.setExecutionPolicy(policy(modeAndPattern[0], backend));
            }
        }
        pool = new BufferPool(backend);
        u1 = new IndexTensor(backend, 1);
        i1 = new IndexTensor(backend, 1);
        u1024 = new IndexTensor(backend, 1024);
        i1024 = new IndexTensor(backend, 1024);
    }

    /** The policy that the MODE part of {@link #weights} names (see there). */
    static ExecutionPolicy policy(String mode, CpuBackend backend) {
        switch (mode) {
            case "policy":
                return ExecutionPolicy.byDensity(0.5);
            case "auto":
                double threshold = DensityCrossover.threshold(backend);
                System.out.println("auto: CSR at density <= " + threshold + " (DensityCrossover, as compare uses)");
                return ExecutionPolicy.byDensity(threshold);
            case "sparse":
                return ExecutionPolicy.always(ExecutionMode.CSR);
            case "masked":
                return ExecutionPolicy.always(ExecutionMode.MASKED);
            default:
                throw new IllegalArgumentException("weights mode must be masked, sparse, policy or auto, got " + mode);
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public float batch1() {
        int row = cursor++ % data.size();
        u1.set(data.user(), row, 1);
        i1.set(data.item(), row, 1);
        try (GradMode g = GradMode.disabled(); Arena a = Arena.open(pool)) {
            Tensor p = net.forward(u1, i1);
            backend.download(p.data(), 0, out, 0, 1);
        }
        return out[0];
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public float batch1024() {
        int start = cursor;
        cursor = (cursor + 1024) % (data.size() - 1024);
        u1024.set(data.user(), start, 1024);
        i1024.set(data.item(), start, 1024);
        try (GradMode g = GradMode.disabled(); Arena a = Arena.open(pool)) {
            Tensor p = net.forward(u1024, i1024);
            backend.download(p.data(), 0, out, 0, 1024);
        }
        return out[1023];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        backend.close();
    }
}
