package dev.winnow.bench;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.backend.cpu.CpuBackend;
import dev.winnow.engine.io.ModelExporter;
import dev.winnow.engine.io.NcfExport;
import dev.winnow.engine.io.StorageChoice;
import dev.winnow.engine.nn.Parameter;
import dev.winnow.engine.runtime.RecommenderModel;
import dev.winnow.engine.runtime.TensorInfo;
import dev.winnow.engine.tensor.BufferPool;
import dev.winnow.recsys.data.RatingData;
import dev.winnow.recsys.data.RatingSplit;
import dev.winnow.recsys.data.Splits;
import dev.winnow.recsys.data.SyntheticRatings;
import dev.winnow.recsys.metrics.RegressionMetrics;
import dev.winnow.recsys.model.NcfConfig;
import dev.winnow.recsys.model.NcfModel;
import dev.winnow.recsys.train.RatingTrainer;
import dev.winnow.recsys.train.TrainConfig;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

/**
 * Builds the runtime benchmark's model: the ML-100K-shaped NCF student on the synthetic data (943 x 1682), trained,
 * then every weight tensor (both embedding tables included) pruned to density 0.1 by magnitude, fine-tuned with the
 * masks, and exported in every storage. Prints sizes, errors against the engine and heap after load.
 * <p>{@code java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar dev.winnow.bench.RuntimeStudent
 * OUT_DIR [EPOCHS]}
 */
public final class RuntimeStudent {
    private RuntimeStudent() {
    }

    /** Keeps the largest {@code density} share of a weight tensor's entries by |value| (ties broken by position). */
    static void pruneByMagnitude(Parameter p, double density) {
        float[] w = p.value().toArray();
        Integer[] order = new Integer[w.length];
        for (int i = 0; i < w.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Float.compare(Math.abs(w[b]), Math.abs(w[a])));
        float[] mask = new float[w.length];
        int keep = (int) Math.round(density * w.length);
        for (int k = 0; k < keep; k++) {
            mask[order[k]] = 1f;
        }
        p.setMask(mask);
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "bench/target/runtime");
        int epochs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Files.createDirectories(dir);
        RatingData all = SyntheticRatings.generate(0);
        RatingSplit split = Splits.random(all, 0.0, 0.1, 0);
        try (Backend backend = new CpuBackend(1)) {
            NcfModel m = new NcfModel(backend, NcfConfig.STUDENT, all.users(), all.items(), 0);
            RatingTrainer t = new RatingTrainer(m, backend, new TrainConfig(epochs, 256, 1e-3f, 0));
            t.fit(split.train(), split.test(), r -> System.out.println(r));
            RegressionMetrics dense = t.evaluate(split.test());
            for (Parameter p : m.parameters()) {
                if (p.name().endsWith("weight")) {
                    pruneByMagnitude(p, 0.1);
                }
            }
            RegressionMetrics pruned = t.evaluate(split.test());
            RatingTrainer ft = new RatingTrainer(m, backend, new TrainConfig(1, 256, 1e-3f, 1));
            ft.fit(split.train(), split.test(), null);
            RegressionMetrics tuned = ft.evaluate(split.test());
            System.out.printf(Locale.ROOT, "test RMSE: dense %.4f, pruned to 0.1 %.4f, after 1 masked fine-tune"
                    + " epoch %.4f%n", dense.rmse(), pruned.rmse(), tuned.rmse());
            long alive = 0;
            long total = 0;
            for (Parameter p : m.parameters()) {
                alive += p.aliveCount();
                total += p.value().size();
            }
            System.out.printf(Locale.ROOT, "parameters alive: %d of %d (%.4f; biases are not pruned)%n", alive, total,
                    (double) alive / total);
            NcfExport e = NcfExport.of(m.users(), m.items(), m.mlp(), all.minRating(), all.maxRating(),
                    Map.of("producer", "RuntimeStudent", "model", "student pruned to 0.1"));
            float[] engine = RatingTrainer.predict(m, backend, new BufferPool(backend), split.test(), 4096);
            long denseBytes = 0;
            for (StorageChoice s : StorageChoice.values()) {
                Path f = dir.resolve("student-" + s.label() + ".wnw");
                ModelExporter.Report r = ModelExporter.export(e, s, ModelExporter.DEFAULT_TOLERANCE, f);
                denseBytes = r.denseFp32Bytes();
                RecommenderModel rt = RecommenderModel.load(f);
                float[] got = new float[split.test().size()];
                rt.predictBatch(split.test().user(), split.test().item(), got.length, got);
                double maxErr = 0;
                for (int k = 0; k < got.length; k++) {
                    maxErr = Math.max(maxErr, Math.abs(got[k] - engine[k]));
                }
                System.out.printf(Locale.ROOT, "%-9s %7d bytes (%5.1f%% of dense fp32 %d)  max|runtime-engine| over"
                                + " %d test ratings %.2e  (%s)%n", s.label(), r.fileBytes(),
                        100.0 * r.fileBytes() / r.denseFp32Bytes(), r.denseFp32Bytes(), got.length, maxErr,
                        r.choice());
                if (s == StorageChoice.AUTO) {
                    for (TensorInfo ti : r.tensors()) {
                        System.out.printf(Locale.ROOT, "    %-13s %-10s %-9s nnz %6d  %7d bytes%n", ti.name(),
                                ti.rows() + "x" + ti.cols(), ti.storageName(), ti.nonzeros(), ti.bytes());
                    }
                }
            }
            heapAfterLoad(dir.resolve("student-auto.wnw"));
            System.out.println("dense fp32 export: " + denseBytes + " bytes");
        }
    }

    /** Used heap with and without the loaded model, after repeated GCs; plus the exact size of its weight arrays. */
    static void heapAfterLoad(Path file) throws Exception {
        var mem = ManagementFactory.getMemoryMXBean();
        long before = settledHeap(mem);
        RecommenderModel m = RecommenderModel.load(file);
        long after = settledHeap(mem);
        System.out.printf(Locale.ROOT, "heap after load of %s (%d bytes): +%d bytes measured (GC-settled), weight"
                        + " arrays %d bytes; kernels %s; first prediction %.4f%n", file.getFileName(),
                Files.size(file), after - before, m.weightBytes(), m.kernels(), m.predict(0, 0));
    }

    private static long settledHeap(java.lang.management.MemoryMXBean mem) throws InterruptedException {
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(50);
            best = Math.min(best, mem.getHeapMemoryUsage().getUsed());
        }
        return best;
    }
}
