package dev.winnow.bench;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.backend.cpu.CpuBackend;
import dev.winnow.engine.nn.Linear;
import dev.winnow.engine.sparse.ExecutionMode;
import dev.winnow.engine.sparse.ExecutionPolicy;
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
 * One full training step (forward, MSE, backward, Adam) of an NCF model whose MLP weights are pruned to a density
 * (random mask), executed dense (unpruned), masked or CSR: the "training step at density 0.1 vs dense" target.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 3, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class SparseStepBench {
    @Param({"student", "teacher"})
    public String model;

    @Param({"dense", "masked", "csr"})
    public String mode;

    @Param({"0.1"})
    public double density;

    @Param({"256"})
    public int batch;

    @Param({"1"})
    public int threads;

    private Backend backend;
    private RatingTrainer trainer;
    private RatingData data;
    private int[] users;
    private int[] items;
    private float[] ratings;
    private int cursor;

    @Setup(Level.Trial)
    public void setUp() {
        backend = new CpuBackend(threads);
        data = SyntheticRatings.generate(0);
        NcfModel ncf = new NcfModel(backend, NcfConfig.preset(model), data.users(), data.items(), 0);
        SplittableRandom rng = new SplittableRandom(1);
        ExecutionMode m = ExecutionMode.parse(mode);
        for (Linear layer : ncf.mlp().layers()) {
            if (m != ExecutionMode.DENSE) {
                float[] mask = new float[layer.weight().value().size()];
                for (int i = 0; i < mask.length; i++) {
                    mask[i] = rng.nextDouble() < density ? 1f : 0f;
                }
                layer.weight().setMask(mask);
            }
            layer.setExecutionPolicy(ExecutionPolicy.always(m));
        }
        trainer = new RatingTrainer(ncf, backend, new TrainConfig(1, batch, 1e-3f, 0));
        users = new int[batch];
        items = new int[batch];
        ratings = new float[batch];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        backend.close();
    }

    @Benchmark
    public float step() {
        int n = data.size();
        for (int k = 0; k < batch; k++) {
            int row = (cursor + k) % n;
            users[k] = data.user()[row];
            items[k] = data.item()[row];
            ratings[k] = data.rating()[row];
        }
        cursor = (cursor + batch) % n;
        return trainer.step(users, items, ratings, batch);
    }
}
