package dev.winnow.recsys.baseline;

import dev.winnow.recsys.data.DataFormatException;
import dev.winnow.recsys.data.RatingData;

/** A trained rating model that predicts one (user, item) pair at a time, clipped to the rating range. */
public interface RatingPredictor {

    /** Users and items the model was trained for (dense ids 0..users-1, 0..items-1). */
    int users();

    int items();

    /** The predicted rating of a known (user, item) pair. */
    float predict(int user, int item);

    /** The model's unclipped score, for ranking: clipping would tie every item predicted above the top rating. */
    default float score(int user, int item) {
        return predict(user, item);
    }

    /** Predictions for every row of {@code data}; an id outside the model's id spaces stops with a clear message. */
    default float[] predict(RatingData data) {
        checkKnownIds(data, users(), items());
        float[] out = new float[data.size()];
        for (int k = 0; k < out.length; k++) {
            out[k] = predict(data.user()[k], data.item()[k]);
        }
        return out;
    }

    /** Rejects rows whose user or item lies outside the id spaces a model was trained on. */
    static void checkKnownIds(RatingData data, int users, int items) {
        for (int k = 0; k < data.size(); k++) {
            int u = data.user()[k];
            int i = data.item()[k];
            if (u < 0 || u >= users) {
                throw new DataFormatException(data.name() + ": row " + (k + 1) + ": unknown user id " + u
                        + "; the model was trained on users 0.." + (users - 1) + " (evaluate on data from the same "
                        + "loaded data set)");
            }
            if (i < 0 || i >= items) {
                throw new DataFormatException(data.name() + ": row " + (k + 1) + ": unknown item id " + i
                        + "; the model was trained on items 0.." + (items - 1) + " (evaluate on data from the same "
                        + "loaded data set)");
            }
        }
    }

    /** Rejects an empty training set with a message saying so. */
    static void checkNotEmpty(RatingData train, String model) {
        if (train.size() == 0) {
            throw new DataFormatException(model + ": the training set " + train.name()
                    + " is empty; nothing to fit");
        }
    }

}
