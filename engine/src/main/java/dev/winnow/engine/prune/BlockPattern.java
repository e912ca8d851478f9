package dev.winnow.engine.prune;

import dev.winnow.engine.backend.BlockMatrix;

/**
 * The 16x1 block of a weight W (out x in, row-major): rows 16g..min(16g+15, out-1) of one column c, the weights of 16
 * consecutive outputs fed by one input, so a kernel runs a kept block with one vector FMA. The last group of a layer
 * whose out is not a multiple of 16 is ragged (a 1-output layer has 1x1 blocks).
 */
public final class BlockPattern {
    /** Outputs per block: the block kernels' {@link BlockMatrix#HEIGHT}. */
    public static final int HEIGHT = BlockMatrix.HEIGHT;

    private BlockPattern() {
    }

    /**
     * Whether {@code mask} (out x in, row-major; nonzero = kept) is made of whole 16x1 blocks: in every block either
     * every entry is kept or none is.
     */
    public static boolean isBlocked(float[] mask, int out, int in) {
        if (out <= 0 || in <= 0 || mask.length != (long) out * in) {
            throw new IllegalArgumentException("a mask of a " + out + "x" + in + " weight needs " + (long) out * in
                    + " entries, got " + mask.length);
        }
        for (int g = 0; g < out; g += HEIGHT) {
            int end = Math.min(g + HEIGHT, out);
            for (int c = 0; c < in; c++) {
                boolean kept = mask[g * in + c] != 0f;
                for (int r = g + 1; r < end; r++) {
                    if ((mask[r * in + c] != 0f) != kept) {
                        return false;
                    }
                }
            }
        }
        return true;
    }
}
