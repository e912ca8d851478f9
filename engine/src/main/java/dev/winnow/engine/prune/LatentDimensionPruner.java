package dev.winnow.engine.prune;

import dev.winnow.engine.nn.Parameter;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Structured pruning of embedding tables that feed one model side by side (an NCF model's user and item tables):
 * each event removes ceil(rate * alive) latent dimensions, a dimension being column c of every table at once, those
 * with the smallest L1 norm over all the tables' column c (ties: lower index first). A removed dimension is a column
 * mask on each table, so its inputs to the first layer are exactly 0; an exporter can then drop the column from the
 * tables and the matching input columns of the first layer (the embedding size shrinks). Structured pruning of the
 * tables, as {@link NeuronPruner} is of the hidden layers.
 */
public final class LatentDimensionPruner implements Pruner {
    private final List<Parameter> tables;
    private final int dim;

    public LatentDimensionPruner(List<Parameter> tables) {
        if (tables.isEmpty()) {
            throw new IllegalArgumentException("latent-dimension pruning needs at least one embedding table");
        }
        this.dim = tables.get(0).value().cols();
        for (Parameter t : tables) {
            if (t.value().rank() != 2 || t.value().cols() != dim) {
                throw new IllegalArgumentException("embedding tables pruned by latent dimension must share their width:"
                        + " " + t.name() + " " + t.value().shape() + " vs " + dim + " columns");
            }
        }
        this.tables = List.copyOf(tables);
    }

    @Override
    public PruneOutcome prune(double rate) {
        boolean[] alive = aliveDimensions();
        int before = 0;
        for (boolean a : alive) {
            before += a ? 1 : 0;
        }
        long n = PruningMask.countToRemove(rate, before);
        double[] score = new double[dim];
        for (Parameter t : tables) {
            float[] w = t.value().toArray();
            for (int i = 0; i < w.length; i++) {
                score[i % dim] += Math.abs(w[i]);
            }
        }
        List<Integer> order = new ArrayList<>();
        for (int c = 0; c < dim; c++) {
            if (alive[c]) {
                order.add(c);
            }
        }
        order.sort((x, y) -> score[x] != score[y] ? Double.compare(score[x], score[y]) : Integer.compare(x, y));
        boolean[] remove = new boolean[dim];
        for (int k = 0; k < n; k++) {
            remove[order.get(k)] = true;
        }
        Map<String, Long> perTensor = new LinkedHashMap<>();
        for (Parameter t : tables) {
            float[] m = PruningMask.current(t);
            long removed = 0;
            for (int i = 0; i < m.length; i++) {
                if (remove[i % dim] && m[i] != 0f) {
                    m[i] = 0f;
                    removed++;
                }
            }
            if (removed > 0) {
                PruningMask.tighten(t, m);
            }
            perTensor.put(t.name(), removed);
        }
        return new PruneOutcome(before, before - n, perTensor);
    }

    /** A dimension is alive while any table keeps any entry of its column. */
    public boolean[] aliveDimensions() {
        boolean[] alive = new boolean[dim];
        for (Parameter t : tables) {
            if (t.mask() == null) {
                Arrays.fill(alive, true);
                return alive;
            }
            float[] m = t.mask().toArray();
            for (int i = 0; i < m.length; i++) {
                if (m[i] != 0f) {
                    alive[i % dim] = true;
                }
            }
        }
        return alive;
    }

    /** Fraction of the latent dimensions still alive. */
    @Override
    public double density() {
        int alive = 0;
        for (boolean a : aliveDimensions()) {
            alive += a ? 1 : 0;
        }
        return alive / (double) dim;
    }
}
