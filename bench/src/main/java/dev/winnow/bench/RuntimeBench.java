package dev.winnow.bench;

import dev.winnow.engine.runtime.RecommenderModel;
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
import org.openjdk.jmh.annotations.Warmup;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The edge runtime on the pruned ML-100K-shaped student written by {@link RuntimeStudent}: one prediction, a batch of
 * 256, and top-10 over all 1682 items. SampleTime mode, so JMH reports p50/p90/p99 per call.
 * <p>{@code java --add-modules jdk.incubator.vector -jar bench/target/benchmarks.jar RuntimeBench
 * -p model=bench/target/runtime/student-auto.wnw}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class RuntimeBench {

    @Param({"bench/target/runtime/student-auto.wnw"})
    public String model;

    private RecommenderModel m;
    private int[] users;
    private int[] items;
    private float[] out;
    private int[] topItems;
    private float[] topScores;
    private int[] exclude;
    private int next;

    @Setup(Level.Trial)
    public void load() throws Exception {
        Path p = Path.of(model);
        if (!Files.exists(p)) {
            throw new IllegalStateException(p + " is missing: run dev.winnow.bench.RuntimeStudent first");
        }
        m = RecommenderModel.load(p);
        SplittableRandom rng = new SplittableRandom(1);
        users = new int[4096];
        items = new int[4096];
        for (int k = 0; k < users.length; k++) {
            users[k] = rng.nextInt(m.userCount());
            items[k] = rng.nextInt(m.itemCount());
        }
        out = new float[256];
        topItems = new int[10];
        topScores = new float[10];
        exclude = new int[20];
        for (int k = 0; k < exclude.length; k++) {
            exclude[k] = rng.nextInt(m.itemCount());
        }
    }

    @Benchmark
    public float predictOne() {
        int k = next++ & 4095;
        return m.predict(users[k], items[k]);
    }

    @Benchmark
    public float[] predictBatch256() {
        m.predictBatch(users, items, 256, out);
        return out;
    }

    @Benchmark
    public int top10AllItems() {
        return m.topK(users[next++ & 4095], 10, exclude, topItems, topScores);
    }
}
