package dev.winnow.bench;

import dev.winnow.engine.backend.cpu.CpuBackend;
import dev.winnow.recsys.data.RatingData;
import dev.winnow.recsys.data.SyntheticRatings;
import dev.winnow.recsys.model.NcfConfig;
import dev.winnow.recsys.model.NcfModel;
import dev.winnow.recsys.train.RatingTrainer;
import dev.winnow.recsys.train.TrainConfig;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * NCF-MLP training throughput: one invocation is one Adam step on a batch of 256 (ids, ratings) from the synthetic
 * MovieLens-shaped data, the same shape of work as PyTorch's reference loop in perf_anchors.md §6. Reported as
 * samples/s (ops/s with 256 operations per invocation). With {@code -prof gc}, gc.alloc.rate.norm is bytes per
 * sample; multiply by 256 for bytes per step.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@OperationsPerInvocation(NcfTrainBench.BATCH)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xms1g", "-Xmx1g"})
public class NcfTrainBench {
    static final int BATCH = 256;

    @Param({"student", "teacher"})
    public String model;

    @Param({"1"})
    public int threads;

    private CpuBackend backend;
    private RatingTrainer trainer;
    private RatingData data;
    private int[] order;
    private int cursor;
    private final int[] users = new int[BATCH];
    private final int[] items = new int[BATCH];
    private final float[] ratings = new float[BATCH];

    @Setup(Level.Trial)
    public void setUp() {
        backend = new CpuBackend(threads);
        data = SyntheticRatings.generate(0);
        NcfModel m = new NcfModel(backend, NcfConfig.preset(model), data.users(), data.items(), 1);
        trainer = new RatingTrainer(m, backend, new TrainConfig(1, BATCH, 1e-3f, 1));
        order = dev.winnow.recsys.data.Splits.permutation(data.size(), 3);
    }

    @Benchmark
    public float step() {
        if (cursor + BATCH > order.length) {
            cursor = 0;
        }
        for (int k = 0; k < BATCH; k++) {
            int row = order[cursor + k];
            users[k] = data.user()[row];
            items[k] = data.item()[row];
            ratings[k] = data.rating()[row];
        }
        cursor += BATCH;
        return trainer.step(users, items, ratings, BATCH);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        backend.close();
    }
}
