package dev.winnow.engine.prune;

import dev.winnow.engine.nn.Parameter;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Unstructured magnitude pruning: removes exactly ceil(rate * alive) of the surviving weights with the smallest |w|,
 * either pooled across every tensor of the set ({@link Ranking#GLOBAL}) or inside each tensor
 * ({@link Ranking#LAYER_WISE}). Ties are broken by (tensor index in the set, flat index), so runs are deterministic;
 * unlike open_lth's threshold rule, ties at the threshold are not removed wholesale (spec §3.2 [ours]).
 */
public final class MagnitudePruner implements Pruner {
    private final PrunableSet set;
    private final Ranking ranking;

    public MagnitudePruner(PrunableSet set, Ranking ranking) {
        // a null ranking would otherwise fall through to layer-wise without a word (as BlockPruner refuses it too)
        if (set == null || ranking == null) {
            throw new IllegalArgumentException("magnitude pruning needs a prunable set and a ranking (GLOBAL or "
                    + "LAYER_WISE), got " + (set == null ? "no set" : "no ranking"));
        }
        this.set = set;
        this.ranking = ranking;
    }

    @Override
    public PruneOutcome prune(double rate) {
        List<Parameter> ps = set.parameters();
        float[][] w = new float[ps.size()][];
        float[][] m = new float[ps.size()][];
        long before = 0;
        for (int l = 0; l < ps.size(); l++) {
            w[l] = ps.get(l).value().toArray();
            m[l] = PruningMask.current(ps.get(l));
            before += countAlive(m[l]);
        }
        long[] removed = new long[ps.size()];
        if (ranking == Ranking.GLOBAL) {
            removeSmallest(w, m, 0, ps.size(), PruningMask.countToRemove(rate, before), removed);
        } else {
            for (int l = 0; l < ps.size(); l++) {
                removeSmallest(w, m, l, l + 1, PruningMask.countToRemove(rate, countAlive(m[l])), removed);
            }
        }
        Map<String, Long> perTensor = new LinkedHashMap<>();
        long total = 0;
        for (int l = 0; l < ps.size(); l++) {
            if (removed[l] > 0 || ps.get(l).mask() == null) {
                PruningMask.tighten(ps.get(l), m[l]);
            }
            perTensor.put(ps.get(l).name(), removed[l]);
            total += removed[l];
        }
        return new PruneOutcome(before, before - total, perTensor);
    }

    /**
     * Zeroes, in m[from..to), the n alive entries with the smallest |w|. The sort key packs the magnitude's bits (a
     * non-negative float orders like its int bits) above the position in the concatenation of the tensors, so
     * ties go to the earlier tensor, then the lower flat index.
     */
    private static void removeSmallest(float[][] w, float[][] m, int from, int to, long n, long[] removed) {
        if (n == 0) {
            return;
        }
        int alive = 0;
        long offset = 0;
        long[] offsets = new long[to - from + 1];
        for (int l = from; l < to; l++) {
            alive += countAlive(m[l]);
            offsets[l - from] = offset;
            offset += w[l].length;
        }
        offsets[to - from] = offset;
        if (offset > 0xFFFFFFFFL) {
            throw new IllegalStateException("global ranking over " + offset + " weights exceeds 2^32; rank layer-wise");
        }
        long[] keys = new long[alive];
        int k = 0;
        for (int l = from; l < to; l++) {
            float[] wl = w[l];
            float[] ml = m[l];
            long base = offsets[l - from];
            for (int i = 0; i < wl.length; i++) {
                if (ml[i] == 0f) {
                    continue;
                }
                float a = Math.abs(wl[i]);
                if (Float.isNaN(a)) {
                    throw new IllegalStateException("weight " + i + " of tensor " + l + " is NaN; cannot rank by "
                            + "magnitude (did training diverge?)");
                }
                keys[k++] = ((long) Float.floatToIntBits(a) << 32) | (base + i);
            }
        }
        Arrays.sort(keys);
        for (int j = 0; j < n; j++) {
            long pos = keys[j] & 0xFFFFFFFFL;
            int l = from;
            while (pos >= offsets[l - from + 1]) {
                l++;
            }
            m[l][(int) (pos - offsets[l - from])] = 0f;
            removed[l]++;
        }
    }

    static int countAlive(float[] mask) {
        int n = 0;
        for (float v : mask) {
            if (v != 0f) {
                n++;
            }
        }
        return n;
    }

    @Override
    public double density() {
        return set.density();
    }

    public PrunableSet set() {
        return set;
    }
}
