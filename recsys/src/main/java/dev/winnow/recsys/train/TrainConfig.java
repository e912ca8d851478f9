package dev.winnow.recsys.train;

/** Plain supervised training of a rating model: Adam, shuffled mini-batches, fixed seed. */
public record TrainConfig(int epochs, int batchSize, float learningRate, long seed) {
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
    }
}
