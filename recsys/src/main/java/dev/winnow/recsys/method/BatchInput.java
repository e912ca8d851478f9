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

    /** A [batch x features] matrix; {@code rows} says how many leading rows of the buffer are in use. */
    record Features(Tensor matrix, int rows) implements BatchInput {
        @Override
        public int length() {
            return rows;
        }
    }
}
