package dev.winnow.recsys.method;

import dev.winnow.engine.nn.Mlp;
import dev.winnow.engine.nn.Module;
import dev.winnow.engine.sparse.ExecutionPolicy;
import dev.winnow.engine.tensor.Tensor;

import java.util.List;

/**
 * A regression model whose hidden activations can be tapped for distillation and whose MLP part is what pruning
 * acts on.
 */
public interface TapModel extends Module {

    /** Predictions [batch x 1]; the post-activation output of every hidden layer is appended to {@code taps}. */
    Tensor forward(BatchInput input, List<Tensor> taps);

    /**
     * The MLP whose Linear weights are pruned (structured pruning removes its hidden units), or null for a model
     * that is not an MLP (the DCNN baseline), whose prunable parameters are then all its flagged weights.
     */
    Mlp mlp();

    /**
     * The lookup tables that feed the MLP side by side (an NCF model's user and item embeddings), which
     * {@code prune_embeddings} prunes with the MLP's weights; empty for a model without any (the movie feature MLP).
     */
    default List<dev.winnow.engine.nn.Parameter> embeddingTables() {
        return List.of();
    }

    /**
     * How the pruned layers run: handed to the MLP's layers. A model without an MLP (the DCNN baseline, which no
     * method prunes) runs its layers dense.
     */
    default void setExecutionPolicy(ExecutionPolicy policy) {
        if (mlp() != null) {
            mlp().setExecutionPolicy(policy);
        }
    }

    /** Widths of the tapped hidden layers, in order. */
    default int[] tapWidths() {
        if (mlp() == null) {
            throw new UnsupportedOperationException(getClass().getSimpleName() + " exposes no MLP feature taps");
        }
        return mlp().hiddenWidths();
    }
}
