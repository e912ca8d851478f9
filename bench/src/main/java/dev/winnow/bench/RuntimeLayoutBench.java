package dev.winnow.bench;

import dev.winnow.engine.io.ModelExporter;
import dev.winnow.engine.io.NcfExport;
import dev.winnow.engine.io.StorageChoice;
import dev.winnow.engine.nn.Activation;
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

import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The edge runtime's MLP layouts (issue 18 item 4): one prediction (SampleTime, p50) and a batch of 1024 pairs
 * (AverageTime per batch) for an NCF model of random weights whose MLP is dense, block-pruned (whole 16x1 blocks: 16
 * outputs fed by one input) to density 0.1 or 0.5, or pruned weight by weight to 0.1. Shapes: the student (32 + 32 ->
 * 128 -> 64 -> 1) and the teacher preset's MLP (176 + 176 -> 128 -> 64 -> 1), over ML-100K's 943 users and 1682 items;
 * embeddings are dense. Every model is exported dense, so that all read the same embedding tables (an export choice
 * applies to every tensor, and a CSR-stored dense table costs a pruned model ~1 us per lookup); the runtime builds its
 * layouts from the nonzeros whatever the stored form. {@code layout} is the runtime's {@code -Dwinnow.layout}
 * ({@code auto}: its choice by work); the layouts each layer got are printed at set-up.
 * <p>{@code java -jar bench/target/benchmarks.jar RuntimeLayoutBench -wi 3 -w 1 -i 5 -r 1 -f 1}
 */
@State(Scope.Thread)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class RuntimeLayoutBench {
    static final int USERS = 943;
    static final int ITEMS = 1682;

    @Param({"student", "teacher"})
    public String shape;

    @Param({"dense", "block-0.1", "block-0.5", "csr-0.1"})
    public String pattern;

    @Param({"auto"})
    public String layout;

    private RecommenderModel m;
    private int[][] users;
    private int[][] items;
    private float[] out;
    private int next;

    @Setup(Level.Trial)
    public void load() throws Exception {
        if (!layout.equals("auto")) {
            System.setProperty("winnow.layout", layout);
        }
        int dim = shape.equals("teacher") ? 176 : 32;
        NcfExport e = model(dim, new int[] {128, 64}, pattern, 11);
        m = RecommenderModel.load(new ByteArrayInputStream(ModelExporter.encode(e, StorageChoice.DENSE, 1.0).bytes()));
        System.out.println("# " + shape + " " + pattern + " layout " + layout + ": " + m);
        SplittableRandom rng = new SplittableRandom(1);
        users = new int[4][1024];
        items = new int[4][1024];
        for (int k = 0; k < 4096; k++) {
            users[k >> 10][k & 1023] = rng.nextInt(USERS);
            items[k >> 10][k & 1023] = rng.nextInt(ITEMS);
        }
        out = new float[1024];
    }

    /** Random weights (uniform, scaled by 1/sqrt(in)) pruned by {@code pattern}: dense, block-D or csr-D. */
    static NcfExport model(int dim, int[] hidden, String pattern, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<NcfExport.LayerWeights> layers = new ArrayList<>();
        int in = 2 * dim;
        for (int l = 0; l <= hidden.length; l++) {
            int o = l < hidden.length ? hidden[l] : 1;
            float[] w = uniform(o * in, (float) (1 / Math.sqrt(in)), rng);
            if (pattern.startsWith("block-")) {
                keepBlocks(w, o, in, Double.parseDouble(pattern.substring(6)), rng);
            } else if (pattern.startsWith("csr-")) {
                keep(w, Double.parseDouble(pattern.substring(4)), rng);
            }
            layers.add(new NcfExport.LayerWeights(in, o, w, uniform(o, 0.1f, rng)));
            in = o;
        }
        return new NcfExport(USERS, ITEMS, dim, uniform(USERS * dim, 0.5f, rng), uniform(ITEMS * dim, 0.5f, rng),
                layers, Activation.RELU, 1f, 5f, Map.of("producer", "RuntimeLayoutBench"));
    }

    /** Zeroes all but round(density * blocks) 16x1 blocks of W (out x in), chosen at random. */
    static void keepBlocks(float[] w, int out, int in, double density, SplittableRandom rng) {
        int groups = (out + 15) / 16;
        boolean[] kept = pick(groups * in, density, rng);
        for (int o = 0; o < out; o++) {
            for (int c = 0; c < in; c++) {
                if (!kept[(o / 16) * in + c]) {
                    w[o * in + c] = 0f;
                }
            }
        }
    }

    /** Zeroes all but round(density * size) weights, chosen at random (unstructured pruning). */
    static void keep(float[] w, double density, SplittableRandom rng) {
        boolean[] kept = pick(w.length, density, rng);
        for (int i = 0; i < w.length; i++) {
            if (!kept[i]) {
                w[i] = 0f;
            }
        }
    }

    /** round(density * n) of n positions, chosen by a partial Fisher-Yates shuffle. */
    private static boolean[] pick(int n, double density, SplittableRandom rng) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        boolean[] kept = new boolean[n];
        int keep = (int) Math.round(density * n);
        for (int i = 0; i < keep; i++) {
            int j = i + rng.nextInt(n - i);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
            kept[order[i]] = true;
        }
        return kept;
    }

    private static float[] uniform(int n, float scale, SplittableRandom rng) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) ((rng.nextDouble() * 2 - 1) * scale);
        }
        return a;
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    public float predictOne() {
        int k = next++ & 4095;
        return m.predict(users[k >> 10][k & 1023], items[k >> 10][k & 1023]);
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    public float[] predictBatch1024() {
        int b = next++ & 3;
        m.predictBatch(users[b], items[b], 1024, out);
        return out;
    }
}
