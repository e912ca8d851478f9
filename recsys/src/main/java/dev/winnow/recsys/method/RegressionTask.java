package dev.winnow.recsys.method;

import dev.winnow.engine.backend.Backend;
import dev.winnow.recsys.report.DatasetInfo;

/**
 * A supervised regression problem the methods train on: its three partitions, how to load a batch of rows into
 * model inputs, and its teacher and student architectures.
 */
public interface RegressionTask {

    /** Which partition of the data. */
    enum Part { TRAIN, VALIDATION, TEST }

    /** Which architecture to build. */
    enum Role { TEACHER, STUDENT, DCNN }

    DatasetInfo info();

    int size(Part part);

    /** The true targets of a partition, in row order. */
    float[] targets(Part part);

    /** Model inputs able to hold {@code capacity} rows. */
    BatchInput newInput(Backend backend, int capacity);

    /** Loads rows[from .. from+len) of a partition into {@code input}. */
    void fill(BatchInput input, Part part, int[] rows, int from, int len);

    /** A freshly initialised model of the given role; the same seed gives the same weights. */
    TapModel newModel(Backend backend, Role role, long seed);

    /**
     * Saves a trained model of this task where {@code winnow export} can read it; returns a one-line description of
     * what was written, or why nothing could be (a model kind the export format does not hold yet).
     */
    String saveModel(TapModel model, long seed, java.nio.file.Path dir) throws java.io.IOException;

    /** Predictions are clipped to [minTarget, maxTarget] when evaluated. */
    float minTarget();

    float maxTarget();
}
