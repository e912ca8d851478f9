package dev.winnow.recsys.baseline;

import dev.winnow.recsys.data.RatingData;

/** Predicts the mean training rating for everything: the floor every model must beat. */
public final class GlobalMean implements RatingPredictor {
    private final int users;
    private final int items;
    private final float mean;

    private GlobalMean(int users, int items, float mean) {
        this.users = users;
        this.items = items;
        this.mean = mean;
    }

    public static GlobalMean fit(RatingData train) {
        RatingPredictor.checkNotEmpty(train, "mean");
        return new GlobalMean(train.users(), train.items(), (float) train.meanRating());
    }

    public float mean() {
        return mean;
    }

    @Override
    public int users() {
        return users;
    }

    @Override
    public int items() {
        return items;
    }

    @Override
    public float predict(int user, int item) {
        return mean;
    }
}
