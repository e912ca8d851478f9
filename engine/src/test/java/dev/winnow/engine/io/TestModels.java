package dev.winnow.engine.io;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.nn.Activation;
import dev.winnow.engine.nn.Embedding;
import dev.winnow.engine.nn.Mlp;
import dev.winnow.engine.nn.Parameter;
import dev.winnow.engine.tensor.GradMode;
import dev.winnow.engine.tensor.IndexTensor;
import dev.winnow.engine.tensor.Ops;
import dev.winnow.engine.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** An engine-side NCF model (embeddings -> concat -> Mlp) for tests: the oracle the runtime is checked against. */
public final class TestModels {
    public final Embedding users;
    public final Embedding items;
    public final Mlp mlp;
    private final Backend backend;

    public TestModels(Backend backend, int userCount, int itemCount, int dim, int[] hidden, Activation act, long seed) {
        this.backend = backend;
        SplittableRandom rng = new SplittableRandom(seed);
        users = new Embedding(backend, "user", userCount, dim, 0.5, rng);
        items = new Embedding(backend, "item", itemCount, dim, 0.5, rng);
        mlp = Mlp.builder(2 * dim).hidden(hidden).activation(act).build(backend, "mlp", 1, rng);
    }

    public List<Parameter> weights() {
        List<Parameter> ps = new ArrayList<>();
        ps.add(users.table());
        ps.add(items.table());
        mlp.layers().forEach(l -> ps.add(l.weight()));
        return ps;
    }

    /** Keeps the largest {@code density} share of every weight tensor (embeddings included) by magnitude. */
    public void pruneByMagnitude(double density) {
        for (Parameter p : weights()) {
            float[] w = p.value().toArray();
            float[] mags = new float[w.length];
            for (int i = 0; i < w.length; i++) {
                mags[i] = Math.abs(w[i]);
            }
            float[] sorted = mags.clone();
            Arrays.sort(sorted);
            int keep = (int) Math.round(density * w.length);
            float threshold = keep == 0 ? Float.POSITIVE_INFINITY : sorted[w.length - keep];
            float[] mask = new float[w.length];
            int kept = 0;
            for (int i = 0; i < w.length && kept < keep; i++) {
                if (mags[i] >= threshold) {
                    mask[i] = 1f;
                    kept++;
                }
            }
            p.setMask(mask);
        }
    }

    public NcfExport export(float min, float max) {
        return NcfExport.of(users, items, mlp, min, max, Map.of("producer", "test"));
    }

    /** Raw engine outputs for the given pairs. */
    public float[] forward(int[] u, int[] i) {
        try (GradMode g = GradMode.disabled()) {
            Tensor x = Ops.concatCols(users.forward(IndexTensor.of(backend, u)), items.forward(IndexTensor.of(backend, i)));
            return mlp.forward(x).toArray();
        }
    }

    /** Every (user, item) pair of a small model, or {@code n} seeded random pairs. */
    public static int[][] pairs(int users, int items, int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int[] u = new int[n];
        int[] i = new int[n];
        for (int k = 0; k < n; k++) {
            u[k] = rng.nextInt(users);
            i[k] = rng.nextInt(items);
        }
        return new int[][] {u, i};
    }
}
