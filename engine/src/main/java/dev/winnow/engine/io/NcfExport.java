package dev.winnow.engine.io;

import dev.winnow.engine.nn.Activation;
import dev.winnow.engine.nn.Embedding;
import dev.winnow.engine.nn.Linear;
import dev.winnow.engine.nn.Mlp;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an NCF rating model exports: both embedding tables, the MLP's layers (masked weights are already zero), the
 * hidden activation, the rating range predictions are clipped to and, for a model trained on a real data set, the raw
 * user and item id of every index (the id map, section 4; both null when the ids are the indices). Values are copies
 * taken at construction.
 */
public record NcfExport(int users, int items, int dim, float[] userTable, float[] itemTable, List<LayerWeights> layers,
                        Activation activation, float minRating, float maxRating, Map<String, String> metadata,
                        int[] userIds, int[] itemIds) {

    /** One Linear layer: weight out x in (row-major) and bias of out entries. */
    public record LayerWeights(int in, int out, float[] weight, float[] bias) {
        public LayerWeights {
            if (weight.length != in * out || bias.length != out) {
                throw new IllegalArgumentException("layer " + in + " -> " + out + " with " + weight.length
                        + " weights and " + bias.length + " biases");
            }
        }
    }

    /** A model without an id map. */
    public NcfExport(int users, int items, int dim, float[] userTable, float[] itemTable, List<LayerWeights> layers,
                     Activation activation, float minRating, float maxRating, Map<String, String> metadata) {
        this(users, items, dim, userTable, itemTable, layers, activation, minRating, maxRating, metadata, null, null);
    }

    public NcfExport {
        if ((userIds == null) != (itemIds == null)) {
            throw new IllegalArgumentException("an id map needs both the user and the item ids");
        }
        if (userIds != null) {
            userIds = checkedIds(userIds.clone(), users, "user");
            itemIds = checkedIds(itemIds.clone(), items, "item");
        }
        if (userTable.length != (long) users * dim || itemTable.length != (long) items * dim) {
            throw new IllegalArgumentException("embedding tables of " + userTable.length + " and " + itemTable.length
                    + " values for " + users + " and " + items + " rows of " + dim);
        }
        layers = List.copyOf(layers);
        metadata = new LinkedHashMap<>(metadata);
        int expected = 2 * dim;
        for (int i = 0; i < layers.size(); i++) {
            if (layers.get(i).in() != expected) {
                throw new IllegalArgumentException("layer " + i + " takes " + layers.get(i).in() + " inputs, expected "
                        + expected);
            }
            expected = layers.get(i).out();
        }
        if (expected != 1) {
            throw new IllegalArgumentException("the last layer must have one output, not " + expected);
        }
    }

    /** Reads the current (masked) values of an engine model's modules. */
    public static NcfExport of(Embedding users, Embedding items, Mlp mlp, float minRating, float maxRating,
                               Map<String, String> metadata) {
        if (users.dim() != items.dim()) {
            throw new IllegalArgumentException("user and item embeddings differ in size: " + users.dim() + " vs "
                    + items.dim());
        }
        List<LayerWeights> layers = new ArrayList<>();
        for (Linear l : mlp.layers()) {
            if (l.bias() == null) {
                throw new IllegalArgumentException(l.weight().name() + ": layers without a bias are not exportable");
            }
            layers.add(new LayerWeights(l.in(), l.out(), l.weight().value().toArray(), l.bias().value().toArray()));
        }
        return new NcfExport(users.count(), items.count(), users.dim(), users.table().value().toArray(),
                items.table().value().toArray(), layers, mlp.activation(), minRating, maxRating, metadata);
    }

    /**
     * This model with the raw id of every user and item index (what a real data set's loader assigned the indices
     * from), so the file is served by the ids users know.
     */
    public NcfExport withIdMap(int[] userIds, int[] itemIds) {
        return new NcfExport(users, items, dim, userTable, itemTable, layers, activation, minRating, maxRating, metadata,
                userIds, itemIds);
    }

    /**
     * This model without the latent dimensions no table uses: a dimension c whose column is zero in both tables feeds
     * exactly 0 into inputs c and dim + c of the first layer, so dropping the column from the tables and those two
     * input columns from the first layer leaves every prediction as it was (up to fp32 summation order). Structured
     * pruning of the tables ({@link dev.winnow.engine.prune.LatentDimensionPruner}) leaves such columns; the metadata
     * then records the size before ({@code compacted_embedding_from}). At least one dimension stays; returns this
     * model when none is dead.
     */
    public NcfExport withoutDeadDimensions() {
        boolean[] keep = new boolean[dim];
        markUsedColumns(userTable, keep);
        markUsedColumns(itemTable, keep);
        int kept = 0;
        for (boolean k : keep) {
            kept += k ? 1 : 0;
        }
        if (kept == dim) {
            return this;
        }
        if (kept == 0) {
            keep[0] = true; // every embedding is zero: one zero dimension keeps the file well-formed
            kept = 1;
        }
        LayerWeights first = layers.get(0);
        float[] w = new float[first.out() * 2 * kept];
        for (int o = 0; o < first.out(); o++) {
            int c2 = 0;
            for (int side = 0; side < 2; side++) {
                for (int c = 0; c < dim; c++) {
                    if (keep[c]) {
                        w[o * 2 * kept + c2++] = first.weight()[o * 2 * dim + side * dim + c];
                    }
                }
            }
        }
        List<LayerWeights> compacted = new ArrayList<>(layers);
        compacted.set(0, new LayerWeights(2 * kept, first.out(), w, first.bias()));
        Map<String, String> meta = new LinkedHashMap<>(metadata);
        meta.put("compacted_embedding_from", String.valueOf(dim));
        return new NcfExport(users, items, kept, keptColumns(userTable, keep, kept), keptColumns(itemTable, keep, kept),
                compacted, activation, minRating, maxRating, meta, userIds, itemIds);
    }

    private void markUsedColumns(float[] table, boolean[] used) {
        for (int i = 0; i < table.length; i++) {
            if (table[i] != 0f) {
                used[i % dim] = true;
            }
        }
    }

    private float[] keptColumns(float[] table, boolean[] keep, int kept) {
        int rows = table.length / dim;
        float[] out = new float[rows * kept];
        int k = 0;
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < dim; c++) {
                if (keep[c]) {
                    out[k++] = table[r * dim + c];
                }
            }
        }
        return out;
    }

    public boolean hasIdMap() {
        return userIds != null;
    }

    private static int[] checkedIds(int[] ids, int count, String side) {
        if (ids.length != count) {
            throw new IllegalArgumentException(ids.length + " raw " + side + " ids for " + count + " " + side + "s");
        }
        int[] sorted = ids.clone();
        java.util.Arrays.sort(sorted);
        for (int k = 1; k < sorted.length; k++) {
            if (sorted[k] == sorted[k - 1]) {
                throw new IllegalArgumentException("raw " + side + " id " + sorted[k] + " appears twice");
            }
        }
        return ids;
    }

    public int activationCode() {
        switch (activation) {
            case NONE: return 0;
            case RELU: return 1;
            case LEAKY_RELU: return 2;
            case SIGMOID: return 3;
            case TANH: return 4;
            default: throw new AssertionError(activation);
        }
    }

    /** Number of weight tensors (two embedding tables + one per layer), in file order. */
    public int weightTensorCount() {
        return 2 + layers.size();
    }

    /** The weight tensors in file order: user table, item table, then mlp.i.weight. */
    public float[] weightValues(int t) {
        return t == 0 ? userTable : t == 1 ? itemTable : layers.get(t - 2).weight();
    }

    public int weightRows(int t) {
        return t == 0 ? users : t == 1 ? items : layers.get(t - 2).out();
    }

    public int weightCols(int t) {
        return t < 2 ? dim : layers.get(t - 2).in();
    }

    public String weightName(int t) {
        return t == 0 ? "user.weight" : t == 1 ? "item.weight" : "mlp." + (t - 2) + ".weight";
    }
}
