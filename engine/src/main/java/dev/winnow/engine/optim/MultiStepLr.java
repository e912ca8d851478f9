package dev.winnow.engine.optim;

import java.util.Arrays;

/**
 * lr = base * gamma^(number of milestones reached), with epochs counted from 1 and the decay applied at the start of
 * a milestone epoch (the official SAD code's schedule).
 */
public final class MultiStepLr {
    private final Optimizer optimizer;
    private final float baseLr;
    private final int[] milestones;
    private final float gamma;

    public MultiStepLr(Optimizer optimizer, int[] milestones, float gamma) {
        this.optimizer = optimizer;
        this.baseLr = optimizer.learningRate();
        this.milestones = milestones.clone();
        Arrays.sort(this.milestones);
        this.gamma = gamma;
    }

    /** Sets the learning rate for the given 1-based epoch and returns it. */
    public float startEpoch(int epoch) {
        int reached = 0;
        for (int m : milestones) {
            if (epoch >= m) {
                reached++;
            }
        }
        float lr = (float) (baseLr * Math.pow(gamma, reached));
        optimizer.setLearningRate(lr);
        return lr;
    }

    public int[] milestones() {
        return milestones.clone();
    }
}
