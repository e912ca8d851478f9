package dev.winnow.engine.prune;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.nn.Linear;
import dev.winnow.engine.nn.Mlp;
import dev.winnow.engine.nn.Parameter;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Structured (neuron) pruning of an Mlp's hidden layers (spec §4.1). Each event removes, in every hidden layer,
 * ceil(rate * alive units) units with the smallest L1/L2 norm of their incoming weights (ties: lower index first).
 * During training a removed unit is a row mask plus a bias mask, so it emits act(0) for every input; {@link #compact}
 * then physically deletes the rows, bias entries and the next layer's columns. Input features and output units are
 * never removed.
 */
public final class NeuronPruner implements Pruner {
    private final Mlp mlp;
    private final UnitNorm norm;
    private final boolean includeBias;

    public NeuronPruner(Mlp mlp, UnitNorm norm, boolean includeBias) {
        if (mlp.layers().size() < 2) {
            throw new IllegalArgumentException(mlp.name() + ": structured pruning needs at least one hidden layer");
        }
        this.mlp = mlp;
        this.norm = norm;
        this.includeBias = includeBias;
    }

    @Override
    public PruneOutcome prune(double rate) {
        List<Linear> layers = mlp.layers();
        long before = 0;
        long removedTotal = 0;
        Map<String, Long> perLayer = new LinkedHashMap<>();
        for (int l = 0; l < layers.size() - 1; l++) {
            Linear layer = layers.get(l);
            boolean[] alive = aliveUnits(layer);
            int aliveCount = 0;
            for (boolean a : alive) {
                aliveCount += a ? 1 : 0;
            }
            before += aliveCount;
            long n = PruningMask.countToRemove(rate, aliveCount);
            int[] order = rankAlive(layer, alive);
            float[] rowMask = PruningMask.current(layer.weight());
            float[] biasMask = layer.bias() == null ? null : PruningMask.current(layer.bias());
            int in = layer.in();
            for (int r = 0; r < n; r++) {
                int j = order[r];
                Arrays.fill(rowMask, j * in, (j + 1) * in, 0f);
                if (biasMask != null) {
                    biasMask[j] = 0f;
                }
            }
            PruningMask.tighten(layer.weight(), rowMask);
            if (biasMask != null) {
                PruningMask.tighten(layer.bias(), biasMask);
            }
            perLayer.put(layer.weight().name(), n);
            removedTotal += n;
        }
        return new PruneOutcome(before, before - removedTotal, perLayer);
    }

    /** Alive units of {@code layer}, smallest score first; ties keep the lower index first. */
    private int[] rankAlive(Linear layer, boolean[] alive) {
        float[] w = layer.weight().value().toArray();
        float[] b = includeBias && layer.bias() != null ? layer.bias().value().toArray() : null;
        int in = layer.in();
        List<double[]> scored = new ArrayList<>();
        for (int j = 0; j < alive.length; j++) {
            if (!alive[j]) {
                continue;
            }
            double s = 0;
            for (int i = 0; i < in; i++) {
                float v = w[j * in + i];
                s += norm == UnitNorm.L1 ? Math.abs(v) : (double) v * v;
            }
            if (b != null) {
                s += norm == UnitNorm.L1 ? Math.abs(b[j]) : (double) b[j] * b[j];
            }
            scored.add(new double[] {s, j});
        }
        scored.sort((x, y) -> x[0] != y[0] ? Double.compare(x[0], y[0]) : Double.compare(x[1], y[1]));
        int[] order = new int[scored.size()];
        for (int k = 0; k < order.length; k++) {
            order[k] = (int) scored.get(k)[1];
        }
        return order;
    }

    /** A unit is removed when its whole incoming row is masked. */
    static boolean[] aliveUnits(Linear layer) {
        boolean[] alive = new boolean[layer.out()];
        if (layer.weight().mask() == null) {
            Arrays.fill(alive, true);
            return alive;
        }
        float[] m = layer.weight().mask().toArray();
        int in = layer.in();
        for (int j = 0; j < alive.length; j++) {
            for (int i = 0; i < in; i++) {
                if (m[j * in + i] != 0f) {
                    alive[j] = true;
                    break;
                }
            }
        }
        return alive;
    }

    /** Fraction of hidden units still alive (neuron density; report it next to the parameter density). */
    @Override
    public double density() {
        long total = 0;
        long alive = 0;
        List<Linear> layers = mlp.layers();
        for (int l = 0; l < layers.size() - 1; l++) {
            for (boolean a : aliveUnits(layers.get(l))) {
                total++;
                alive += a ? 1 : 0;
            }
        }
        return alive / (double) total;
    }

    /** Alive hidden units per hidden layer. */
    public int[] aliveUnitCounts() {
        List<Linear> layers = mlp.layers();
        int[] counts = new int[layers.size() - 1];
        for (int l = 0; l < counts.length; l++) {
            for (boolean a : aliveUnits(layers.get(l))) {
                counts[l] += a ? 1 : 0;
            }
        }
        return counts;
    }

    public Mlp compact() {
        return compact(mlp);
    }

    /**
     * A smaller Mlp without the removed hidden units, computing the same function as the masked one (evaluation
     * mode). A removed unit still emits the constant act(b_j) (act(0) when its bias is masked; non-zero for
     * sigmoid), which is folded into the next layer's bias before its column goes. Weights that an unstructured mask
     * removed stay masked in the result.
     */
    public static Mlp compact(Mlp mlp) {
        if (mlp.hasBatchNorm()) {
            throw new UnsupportedOperationException(mlp.name() + ": compacting an Mlp with BatchNorm is not "
                    + "supported (the unit's BN shift and running statistics would have to be folded); build the "
                    + "student without BatchNorm for structured pruning");
        }
        List<Linear> layers = mlp.layers();
        Backend backend = layers.get(0).weight().value().backend();
        List<Linear> out = new ArrayList<>();
        boolean[] keptInputs = new boolean[layers.get(0).in()];
        Arrays.fill(keptInputs, true);
        float[] foldedBias = null;
        for (int l = 0; l < layers.size(); l++) {
            Linear layer = layers.get(l);
            boolean last = l == layers.size() - 1;
            boolean[] keptRows = last ? allTrue(layer.out()) : aliveUnits(layer);
            float[] w = effective(layer.weight());
            float[] m = PruningMask.current(layer.weight());
            float[] b = layer.bias() == null ? new float[layer.out()] : layer.bias().value().toArray();
            if (foldedBias != null) {
                for (int j = 0; j < b.length; j++) {
                    b[j] += foldedBias[j];
                }
            }
            int in = layer.in();
            int newIn = count(keptInputs);
            int newOut = count(keptRows);
            if (newOut == 0) {
                throw new IllegalStateException(layer.weight().name() + ": every unit of hidden layer " + l
                        + " is pruned; the network computes a constant and cannot be compacted");
            }
            float[] nw = new float[newOut * newIn];
            float[] nm = new float[newOut * newIn];
            float[] nb = new float[newOut];
            boolean anyMasked = false;
            int r = 0;
            for (int j = 0; j < layer.out(); j++) {
                if (!keptRows[j]) {
                    continue;
                }
                int c = 0;
                for (int i = 0; i < in; i++) {
                    if (!keptInputs[i]) {
                        continue;
                    }
                    nw[r * newIn + c] = w[j * in + i];
                    nm[r * newIn + c] = m[j * in + i];
                    anyMasked |= m[j * in + i] == 0f;
                    c++;
                }
                nb[r] = b[j];
                r++;
            }
            // The constant each removed unit keeps emitting, pushed through the next layer into its bias.
            if (!last) {
                Linear next = layers.get(l + 1);
                float[] wNext = effective(next.weight());
                foldedBias = new float[next.out()];
                for (int j = 0; j < layer.out(); j++) {
                    if (keptRows[j]) {
                        continue;
                    }
                    float constant = mlp.activation().apply(b[j]);
                    if (constant == 0f) {
                        continue;
                    }
                    for (int o = 0; o < next.out(); o++) {
                        foldedBias[o] += wNext[o * next.in() + j] * constant;
                    }
                }
            }
            Linear compacted = Linear.of(backend, layer.weight().name().replaceAll("\\.weight$", ""), newIn, newOut,
                    nw, hasFold(b, layer) ? nb : null,
                    layer.weight().prunable());
            if (anyMasked) {
                compacted.weight().setMask(nm);
            }
            out.add(compacted);
            keptInputs = keptRows;
        }
        return Mlp.of(mlp.name(), out, mlp.activation(), mlp.dropout(), 0L);
    }

    /** A layer without bias still needs one when something was folded into it. */
    private static boolean hasFold(float[] b, Linear layer) {
        if (layer.bias() != null) {
            return true;
        }
        for (float v : b) {
            if (v != 0f) {
                return true;
            }
        }
        return false;
    }

    private static float[] effective(Parameter p) {
        float[] w = p.value().toArray();
        if (p.mask() != null) {
            float[] m = p.mask().toArray();
            for (int i = 0; i < w.length; i++) {
                if (m[i] == 0f) {
                    w[i] = 0f;
                }
            }
        }
        return w;
    }

    private static boolean[] allTrue(int n) {
        boolean[] a = new boolean[n];
        Arrays.fill(a, true);
        return a;
    }

    private static int count(boolean[] a) {
        int n = 0;
        for (boolean v : a) {
            n += v ? 1 : 0;
        }
        return n;
    }
}
