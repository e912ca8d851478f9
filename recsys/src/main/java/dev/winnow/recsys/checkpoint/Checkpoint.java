package dev.winnow.recsys.checkpoint;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.nn.Parameter;
import dev.winnow.recsys.data.IdIndex;
import dev.winnow.recsys.data.LoadedRatings;
import dev.winnow.recsys.data.RatingData;
import dev.winnow.recsys.model.NcfConfig;
import dev.winnow.recsys.model.NcfModel;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything needed to rebuild a trained NCF rating model without its training run: the configuration, the id spaces
 * and rating range of its data, every parameter's values and mask (pruning), and the raw user/item ids of real data
 * sets when there are any (null for the synthetic data, whose ids are already dense indices).
 */
public record Checkpoint(NcfConfig config, int users, int items, float minRating, float maxRating, String dataName,
                         long seed, Map<String, float[]> values, Map<String, float[]> masks, List<String> userIds,
                         List<String> itemIds) {

    public Checkpoint {
        values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
        masks = Collections.unmodifiableMap(new LinkedHashMap<>(masks));
        if (userIds != null && userIds.size() != users) {
            throw new IllegalArgumentException(userIds.size() + " user ids for " + users + " users");
        }
        if (itemIds != null && itemIds.size() != items) {
            throw new IllegalArgumentException(itemIds.size() + " item ids for " + items + " items");
        }
        userIds = userIds == null ? null : List.copyOf(userIds);
        itemIds = itemIds == null ? null : List.copyOf(itemIds);
    }

    /** Copies the model's current parameters and masks. */
    public static Checkpoint capture(NcfModel model, RatingData data, long seed, List<String> userIds,
                                     List<String> itemIds) {
        Map<String, float[]> values = new LinkedHashMap<>();
        Map<String, float[]> masks = new LinkedHashMap<>();
        for (Parameter p : model.parameters()) {
            values.put(p.name(), p.value().toArray());
            if (p.mask() != null) {
                masks.put(p.name(), p.mask().toArray());
            }
        }
        return new Checkpoint(model.config(), model.users().count(), model.items().count(), data.minRating(),
                data.maxRating(), data.name(), seed, values, masks, userIds, itemIds);
    }

    /**
     * Copies the model's parameters and masks, with the raw user and item ids of {@code source} when it is a real
     * data set (so the exported model is served by the ids in the data set's files); the synthetic set keeps none.
     */
    public static Checkpoint capture(NcfModel model, RatingData data, long seed, LoadedRatings source) {
        boolean real = source != null && !source.format().equals("synthetic");
        return capture(model, data, seed, real ? rawIds(source.userIds()) : null,
                real ? rawIds(source.itemIds()) : null);
    }

    /** The raw id of every index, in index order, as the checkpoint keeps them (decimal strings). */
    static List<String> rawIds(IdIndex index) {
        String[] ids = new String[index.size()];
        for (int k = 0; k < ids.length; k++) {
            ids[k] = Integer.toString(index.rawId(k));
        }
        return List.of(ids);
    }

    /**
     * The checkpoint's raw ids of one side as the integers the .wnw id map holds (every loader's ids are integers),
     * or null when it keeps none.
     *
     * @throws CheckpointFormatException when an id is not a 32-bit integer or appears twice
     */
    public static int[] integerIds(List<String> ids, String side) throws CheckpointFormatException {
        if (ids == null) {
            return null;
        }
        int[] out = new int[ids.size()];
        java.util.Map<Integer, Integer> seen = new java.util.HashMap<>();
        for (int k = 0; k < out.length; k++) {
            try {
                out[k] = Integer.parseInt(ids.get(k));
            } catch (NumberFormatException e) {
                throw new CheckpointFormatException(side + " id '" + ids.get(k) + "' (index " + k + ") is not an"
                        + " integer; a .wnw id map holds 32-bit integer ids");
            }
            Integer before = seen.put(out[k], k);
            if (before != null) {
                throw new CheckpointFormatException(side + " id " + out[k] + " appears twice (indices " + before
                        + " and " + k + ")");
            }
        }
        return out;
    }

    /** A model with this checkpoint's parameters and masks, on {@code backend}. */
    public NcfModel restore(Backend backend) throws CheckpointFormatException {
        NcfModel model = new NcfModel(backend, config, users, items, seed);
        List<Parameter> params = model.parameters();
        if (params.size() != values.size()) {
            throw new CheckpointFormatException("checkpoint holds " + values.size() + " parameters but a "
                    + config + " model has " + params.size());
        }
        for (Parameter p : params) {
            float[] v = values.get(p.name());
            if (v == null || v.length != p.value().size()) {
                throw new CheckpointFormatException("parameter " + p.name() + " is "
                        + (v == null ? "missing" : v.length + " values, expected " + p.value().size()));
            }
            p.value().copyFrom(v);
            float[] m = masks.get(p.name());
            if (m != null) {
                if (m.length != v.length) {
                    throw new CheckpointFormatException("mask of " + p.name() + " has " + m.length + " entries");
                }
                p.setMask(m);
            }
        }
        return model;
    }
}
