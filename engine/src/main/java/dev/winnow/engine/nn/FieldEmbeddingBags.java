package dev.winnow.engine.nn;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.tensor.Ops;
import dev.winnow.engine.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One weighted embedding bag per text field. The input holds, for each of {@code fields} fields, a block of
 * {@code buckets} token weights (a hashed tf-idf vector: bucket b's weight is the summed weight of the tokens hashed
 * to b); field f's output is sum_b w[f, b] * E_f[b], its own learned embedding per bucket weighted by the block, i.e.
 * the block times E_f. The outputs sit side by side as a channels-last sequence [batch x fields*dim] (one position per
 * field, {@code dim} channels), which a {@link Conv1d} can read. Composed of sliceCols, matmul and concatCols, whose
 * backward passes are the tape's own. Tables are initialised N(0, std^2) and are not prunable.
 */
public final class FieldEmbeddingBags implements Module {
    private final int fields;
    private final int buckets;
    private final int dim;
    private final List<Parameter> tables = new ArrayList<>();

    public FieldEmbeddingBags(Backend backend, String name, int fields, int buckets, int dim, double std,
                              SplittableRandom rng) {
        if (fields <= 0 || buckets <= 0 || dim <= 0) {
            throw new IllegalArgumentException(name + ": FieldEmbeddingBags needs positive fields, buckets and dim, got "
                    + fields + ", " + buckets + ", " + dim);
        }
        this.fields = fields;
        this.buckets = buckets;
        this.dim = dim;
        for (int f = 0; f < fields; f++) {
            float[] w = new float[buckets * dim];
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) (Gaussian.next(rng) * std);
            }
            tables.add(new Parameter(name + "." + f + ".weight", Tensor.of(backend, buckets, dim, w, true), false));
        }
    }

    /** Reads the blocks at columns [start, start + fields*buckets) of x; returns [batch x fields*dim]. */
    public Tensor forward(Tensor x, int start) {
        if (start < 0 || start + fields * buckets > x.cols()) {
            throw new IllegalArgumentException(tables.get(0).name() + ": " + fields + " blocks of " + buckets
                    + " columns from column " + start + " do not fit the input " + x.shape());
        }
        Tensor[] bags = new Tensor[fields];
        for (int f = 0; f < fields; f++) {
            int from = start + f * buckets;
            bags[f] = Ops.matmul(Ops.sliceCols(x, from, from + buckets), tables.get(f).value());
        }
        return fields == 1 ? bags[0] : Ops.concatCols(bags);
    }

    public int fields() {
        return fields;
    }

    public int dim() {
        return dim;
    }

    @Override
    public List<Parameter> parameters() {
        return List.copyOf(tables);
    }
}
