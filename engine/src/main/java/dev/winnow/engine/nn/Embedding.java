package dev.winnow.engine.nn;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.tensor.IndexTensor;
import dev.winnow.engine.tensor.Ops;
import dev.winnow.engine.tensor.Tensor;

import java.util.List;
import java.util.SplittableRandom;

/**
 * A lookup table of {@code count} vectors of size {@code dim}, initialised N(0, std^2). The table records the rows its
 * gradient reaches ({@link Tensor#touchedRows}).
 */
public final class Embedding implements Module {
    private final int count;
    private final int dim;
    private final Parameter table;

    public Embedding(Backend backend, String name, int count, int dim, double std, SplittableRandom rng) {
        if (count <= 0 || dim <= 0) {
            throw new IllegalArgumentException(name + ": Embedding needs positive sizes, got " + count + "x" + dim);
        }
        this.count = count;
        this.dim = dim;
        float[] w = new float[count * dim];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (Gaussian.next(rng) * std);
        }
        this.table = new Parameter(name + ".weight", Tensor.of(backend, count, dim, w, true), false);
        // a batch's backward touches a few hundred of the rows; a row-sparse optimiser (Adam.lazy) updates only those
        table.value().trackTouchedRows();
    }

    public Tensor forward(IndexTensor index) {
        return Ops.embedding(table.value(), index);
    }

    public int count() {
        return count;
    }

    public int dim() {
        return dim;
    }

    public Parameter table() {
        return table;
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(table);
    }
}
