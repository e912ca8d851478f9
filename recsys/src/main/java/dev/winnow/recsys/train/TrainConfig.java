package dev.winnow.recsys.train;

/**
 * Plain supervised training of a rating model: Adam, shuffled mini-batches, fixed seed.
 *
 * @param weightDecay L2 penalty added to every gradient by Adam (PyTorch's {@code weight_decay}); 0 = none
 * @param lrDecay     the learning rate is multiplied by this after every epoch from {@code lrDecayStart} on;
 *                    1 = constant
 * @param lrDecayStart the last epoch trained at the full learning rate (0: decay from the first epoch on), so a
 *                    run can anneal only at its end
 */
public record TrainConfig(int epochs, int batchSize, float learningRate, long seed, float weightDecay, float lrDecay,
                          int lrDecayStart) {
    public TrainConfig {
        if (epochs < 0) {
            throw new IllegalArgumentException("epochs must be >= 0, got " + epochs);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        }
        if (!(learningRate > 0f)) {
            throw new IllegalArgumentException("learning rate must be > 0, got " + learningRate);
        }
        if (!(weightDecay >= 0f)) {
            throw new IllegalArgumentException("weight decay must be >= 0, got " + weightDecay);
        }
        if (!(lrDecay > 0f && lrDecay <= 1f)) {
            throw new IllegalArgumentException("learning-rate decay must be in (0, 1], got " + lrDecay);
        }
        if (lrDecayStart < 0) {
            throw new IllegalArgumentException("learning-rate decay start must be >= 0, got " + lrDecayStart);
        }
    }

    /** Adam without weight decay at a constant learning rate. */
    public TrainConfig(int epochs, int batchSize, float learningRate, long seed) {
        this(epochs, batchSize, learningRate, seed, 0f, 1f, 0);
    }

    /** The training that goes with an NCF preset ({@code student} or {@code teacher}) on MovieLens-sized data. */
    public static TrainConfig forPreset(String preset, long seed) {
        switch (preset) {
            // weight decay 1e-3 is what lets an NCF-MLP beat biased MF on ML-100K: without it the model memorises
            // the training ratings after ~5 epochs (u1 RMSE 0.957 at best); with it it keeps improving to 25 epochs
            case "student": return new TrainConfig(25, 256, 1e-3f, seed, 1e-3f, 1f, 0);
            // the teacher also halves its learning rate after every epoch from the 20th on: annealing over the last 5
            // epochs lands it somewhere quieter than the constant rate does (ML-100K numbers in docs/data.md)
            case "teacher": return new TrainConfig(25, 256, 1e-3f, seed, 1e-3f, 0.5f, 20);
            default:
                throw new IllegalArgumentException("unknown model preset '" + preset
                        + "' (expected student or teacher)");
        }
    }
}
