package dev.winnow.engine.prune;

import dev.winnow.engine.nn.Parameter;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Magnitude pruning by 16x1 blocks ({@link BlockPattern}): the alive blocks are ranked by the mean |w| of their real
 * weights (a ragged last group by the mean of the rows it has), pooled across the set ({@link Ranking#GLOBAL}) or
 * inside each tensor ({@link Ranking#LAYER_WISE}), and removed in ascending order until at least ceil(rate * alive)
 * weights are gone. A block goes whole, so an event removes up to one block minus one weight (15) more than the
 * target. Ties are broken by (tensor index in the set, block index g * in + c), so runs are deterministic.
 * <p>
 * Only the prunable-flagged tensors (Linear and Conv weights, whose rows are outputs) are cut into blocks. The other
 * tensors of a set, the embedding tables {@link PrunableSet#explicit} adds, feed no kernel that runs blocks: their
 * weights are 1x1 units scored by |w| in the same ranking, as {@link MagnitudePruner} would rank them.
 * <p>
 * A block is alive iff all its weights are: a block an earlier, non-block mask left partly alive is removed whole at
 * the next event (counting towards that event's target), so every mask this pruner writes is made of whole blocks.
 */
public final class BlockPruner implements Pruner {
    private final PrunableSet set;
    private final Ranking ranking;

    public BlockPruner(PrunableSet set, Ranking ranking) {
        // a null ranking would otherwise fall through to layer-wise without a word
        if (set == null || ranking == null) {
            throw new IllegalArgumentException("block pruning needs a prunable set and a ranking (GLOBAL or "
                    + "LAYER_WISE), got " + (set == null ? "no set" : "no ranking"));
        }
        this.set = set;
        this.ranking = ranking;
    }

    /** Rows per unit of {@code p}: a block for a Linear/Conv weight, a single weight otherwise. */
    static int unitHeight(Parameter p) {
        return p.prunable() ? BlockPattern.HEIGHT : 1;
    }

    @Override
    public PruneOutcome prune(double rate) {
        List<Parameter> ps = set.parameters();
        Tensors t = new Tensors(ps);
        long before = 0;
        long[] aliveBefore = new long[ps.size()];
        long[] removed = new long[ps.size()];
        for (int l = 0; l < ps.size(); l++) {
            aliveBefore[l] = MagnitudePruner.countAlive(t.m[l]);
            before += aliveBefore[l];
            removed[l] = t.dropPartialBlocks(l);
        }
        if (ranking == Ranking.GLOBAL) {
            long target = PruningMask.countToRemove(rate, before);
            removeSmallest(t, 0, ps.size(), target - Arrays.stream(removed).sum(), removed);
        } else {
            for (int l = 0; l < ps.size(); l++) {
                removeSmallest(t, l, l + 1, PruningMask.countToRemove(rate, aliveBefore[l]) - removed[l], removed);
            }
        }
        Map<String, Long> perTensor = new LinkedHashMap<>();
        long total = 0;
        for (int l = 0; l < ps.size(); l++) {
            if (removed[l] > 0 || ps.get(l).mask() == null) {
                PruningMask.tighten(ps.get(l), t.m[l]);
            }
            perTensor.put(ps.get(l).name(), removed[l]);
            total += removed[l];
        }
        return new PruneOutcome(before, before - total, perTensor);
    }

    /**
     * Zeroes, in tensors [from, to), the alive units with the smallest mean |w| until at least {@code need} weights
     * are gone (nothing when need <= 0). Units are listed in (tensor, block index) order, so a unit's place in the
     * list is its tie-break.
     */
    private static void removeSmallest(Tensors t, int from, int to, long need, long[] removed) {
        if (need <= 0) {
            return;
        }
        int capacity = 0;
        for (int l = from; l < to; l++) {
            capacity += (t.rows[l] + t.height[l] - 1) / t.height[l] * t.cols[l];
        }
        int[] unitTensor = new int[capacity];
        int[] unitRow = new int[capacity];
        int[] unitCol = new int[capacity];
        int[] unitLen = new int[capacity];
        double[] score = new double[capacity];
        int count = 0;
        for (int l = from; l < to; l++) {
            int h = t.height[l];
            int cols = t.cols[l];
            for (int g = 0; g < t.rows[l]; g += h) {
                int len = Math.min(h, t.rows[l] - g);
                for (int c = 0; c < cols; c++) {
                    if (t.m[l][g * cols + c] == 0f) {
                        continue;
                    }
                    double sum = 0;
                    for (int r = g; r < g + len; r++) {
                        float v = t.w[l][r * cols + c];
                        if (Float.isNaN(v)) {
                            throw new IllegalStateException("weight " + (r * cols + c) + " of tensor " + l + " ("
                                    + t.names[l] + ") is NaN; cannot rank by magnitude (did training diverge?)");
                        }
                        sum += Math.abs(v);
                    }
                    unitTensor[count] = l;
                    unitRow[count] = g;
                    unitCol[count] = c;
                    unitLen[count] = len;
                    score[count] = sum / len;
                    count++;
                }
            }
        }
        Integer[] order = new Integer[count];
        for (int i = 0; i < count; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> {
            int s = Double.compare(score[a], score[b]);
            return s != 0 ? s : Integer.compare(a, b);
        });
        long gone = 0;
        for (int k = 0; k < count && gone < need; k++) {
            int u = order[k];
            int l = unitTensor[u];
            for (int r = unitRow[u]; r < unitRow[u] + unitLen[u]; r++) {
                t.m[l][r * t.cols[l] + unitCol[u]] = 0f;
            }
            gone += unitLen[u];
            removed[l] += unitLen[u];
        }
    }

    @Override
    public double density() {
        return set.density();
    }

    public PrunableSet set() {
        return set;
    }

    /** The set's values and working masks with each tensor's unit grid. */
    private static final class Tensors {
        final float[][] w;
        final float[][] m;
        final int[] rows;
        final int[] cols;
        final int[] height;
        final String[] names;

        Tensors(List<Parameter> ps) {
            int n = ps.size();
            w = new float[n][];
            m = new float[n][];
            rows = new int[n];
            cols = new int[n];
            height = new int[n];
            names = new String[n];
            for (int l = 0; l < n; l++) {
                Parameter p = ps.get(l);
                w[l] = p.value().toArray();
                m[l] = PruningMask.current(p);
                rows[l] = p.value().rows();
                cols[l] = p.value().cols();
                height[l] = unitHeight(p);
                names[l] = p.name();
            }
        }

        /** Removes what is left of every block of tensor l that has lost a weight; returns how many weights that was. */
        long dropPartialBlocks(int l) {
            int h = height[l];
            if (h == 1) {
                return 0;
            }
            long dropped = 0;
            for (int g = 0; g < rows[l]; g += h) {
                int end = Math.min(g + h, rows[l]);
                for (int c = 0; c < cols[l]; c++) {
                    int kept = 0;
                    for (int r = g; r < end; r++) {
                        kept += m[l][r * cols[l] + c] != 0f ? 1 : 0;
                    }
                    if (kept > 0 && kept < end - g) {
                        for (int r = g; r < end; r++) {
                            m[l][r * cols[l] + c] = 0f;
                        }
                        dropped += kept;
                    }
                }
            }
            return dropped;
        }
    }
}
