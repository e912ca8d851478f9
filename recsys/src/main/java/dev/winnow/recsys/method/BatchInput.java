package dev.winnow.recsys.method;

import dev.winnow.engine.tensor.IndexTensor;
import dev.winnow.engine.tensor.Tensor;

/** The model inputs of one mini-batch: user and item ids for rating models, a feature matrix for movie models. */
public sealed interface BatchInput permits BatchInput.Ids, BatchInput.Features {

    /** Rows in the batch. */
    int length();

    /** User and item ids (capacity fixed, length set per batch). */
    record Ids(IndexTensor users, IndexTensor items) implements BatchInput {
        @Override
        public int length() {
            return users.length();
        }
    }

    /** A [batch x width] feature matrix; one tensor per batch length is kept and refilled. */
    final class Features implements BatchInput {
        private final dev.winnow.engine.backend.Backend backend;
        private final int width;
        private final java.util.Map<Integer, Tensor> byLength = new java.util.HashMap<>();
        private Tensor current;

        public Features(dev.winnow.engine.backend.Backend backend, int width) {
            this.backend = backend;
            this.width = width;
        }

        /** Loads {@code rows} feature rows from {@code values} (row-major, {@code rows * width} floats). */
        public void set(float[] values, int rows) {
            current = byLength.computeIfAbsent(rows, n -> Tensor.zeros(backend, n, width, false));
            backend.upload(values, 0, current.data(), 0, rows * width);
        }

        public Tensor matrix() {
            return current;
        }

        public int width() {
            return width;
        }

        @Override
        public int length() {
            return current == null ? 0 : current.rows();
        }
    }
}
