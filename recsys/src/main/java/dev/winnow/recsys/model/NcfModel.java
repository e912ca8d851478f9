package dev.winnow.recsys.model;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.nn.Embedding;
import dev.winnow.engine.nn.Mlp;
import dev.winnow.engine.nn.Parameter;
import dev.winnow.engine.tensor.IndexTensor;
import dev.winnow.engine.tensor.Ops;
import dev.winnow.engine.tensor.Tensor;
import dev.winnow.recsys.method.BatchInput;
import dev.winnow.recsys.method.TapModel;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * NCF-style MLP rating model: a user embedding and an item embedding, concatenated, through an MLP to one predicted
 * rating. Parameter names: {@code user.weight}, {@code item.weight}, {@code mlp.<layer>.weight|bias}.
 */
public final class NcfModel implements TapModel {
    private final NcfConfig config;
    private final Embedding users;
    private final Embedding items;
    private final Mlp mlp;

    public NcfModel(Backend backend, NcfConfig config, int userCount, int itemCount, long seed) {
        this.config = config;
        SplittableRandom rng = new SplittableRandom(seed);
        this.users = new Embedding(backend, "user", userCount, config.embeddingDim(), config.embeddingStd(), rng);
        this.items = new Embedding(backend, "item", itemCount, config.embeddingDim(), config.embeddingStd(), rng);
        this.mlp = Mlp.builder(2 * config.embeddingDim()).hidden(config.hidden()).activation(config.activation())
                .build(backend, "mlp", 1, rng);
    }

    /** Predicted ratings [batch x 1]; hidden activations are appended to {@code taps} when it is not null. */
    public Tensor forward(IndexTensor userIds, IndexTensor itemIds, List<Tensor> taps) {
        Tensor x = Ops.concatCols(users.forward(userIds), items.forward(itemIds));
        return mlp.forward(x, taps);
    }

    public Tensor forward(IndexTensor userIds, IndexTensor itemIds) {
        return forward(userIds, itemIds, null);
    }

    @Override
    public Tensor forward(BatchInput input, List<Tensor> taps) {
        if (!(input instanceof BatchInput.Ids ids)) {
            throw new IllegalArgumentException("an NCF model takes user and item ids, not " + input);
        }
        return forward(ids.users(), ids.items(), taps);
    }

    public NcfConfig config() {
        return config;
    }

    public Embedding users() {
        return users;
    }

    public Embedding items() {
        return items;
    }

    @Override
    public Mlp mlp() {
        return mlp;
    }

    @Override
    public List<Parameter> embeddingTables() {
        return List.of(users.table(), items.table());
    }

    @Override
    public List<Parameter> parameters() {
        List<Parameter> ps = new ArrayList<>();
        ps.addAll(users.parameters());
        ps.addAll(items.parameters());
        ps.addAll(mlp.parameters());
        return ps;
    }

    @Override
    public void train(boolean training) {
        mlp.train(training);
    }

    @Override
    public List<Buffer> buffers() {
        return mlp.buffers();
    }
}
