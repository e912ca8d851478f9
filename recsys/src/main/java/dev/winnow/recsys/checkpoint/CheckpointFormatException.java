package dev.winnow.recsys.checkpoint;

import java.io.IOException;

/** A checkpoint file that is truncated, damaged, of another version, or does not fit the model it describes. */
public final class CheckpointFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public CheckpointFormatException(String message) {
        super(message);
    }
}
