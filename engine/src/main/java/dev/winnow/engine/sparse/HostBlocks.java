package dev.winnow.engine.sparse;

import dev.winnow.engine.backend.BlockMatrix;

/**
 * The 16x1 block layout ({@link BlockMatrix}) of a CSR pattern, on the Java heap: a block (group g, column c) is kept
 * when any of rows 16g..16g+15 stores column c. Each of a kept block's 16 lanes is either a stored entry of the
 * pattern ({@link #entry} gives which) or padding, which the products treat as a weight of 0.
 *
 * <p>Padding changes no bit of a product with finite inputs: an output starts at 0 and takes fused multiply-adds, and
 * a sum that starts at +0 never becomes -0, so adding x * 0 leaves it exactly as it was. The block products therefore
 * give the CSR products' bits wherever the CSR chain runs over the row's entries in column order (the CPU's does).
 */
public final class HostBlocks {
    public final int rows;
    public final int cols;
    public final int[] groupPtr;
    public final int[] blockCol;
    /** For lane i of block k, {@code entry[16k + i]}: the CSR entry it holds, or -1 for padding. */
    public final int[] entry;

    private HostBlocks(int rows, int cols, int[] groupPtr, int[] blockCol, int[] entry) {
        this.rows = rows;
        this.cols = cols;
        this.groupPtr = groupPtr;
        this.blockCol = blockCol;
        this.entry = entry;
    }

    /** The blocks that cover {@code csr}'s pattern. */
    public static HostBlocks of(HostCsr csr) {
        int groups = BlockMatrix.groups(csr.rows);
        int[] groupPtr = new int[groups + 1];
        // one pass per group: the group's rows merged by column through a per-column "last group seen" stamp
        int[] seen = new int[csr.cols];
        java.util.Arrays.fill(seen, -1);
        int blocks = 0;
        for (int g = 0; g < groups; g++) {
            for (int r = g * BlockMatrix.HEIGHT, end = Math.min(csr.rows, r + BlockMatrix.HEIGHT); r < end; r++) {
                for (int p = csr.rowPtr[r]; p < csr.rowPtr[r + 1]; p++) {
                    if (seen[csr.colIdx[p]] != g) {
                        seen[csr.colIdx[p]] = g;
                        blocks++;
                    }
                }
            }
            groupPtr[g + 1] = blocks;
        }
        int[] blockCol = new int[blocks];
        int[] slot = new int[csr.cols];
        int[] entry = new int[blocks * BlockMatrix.HEIGHT];
        java.util.Arrays.fill(entry, -1);
        for (int g = 0; g < groups; g++) {
            int k = groupPtr[g];
            for (int c = 0; c < csr.cols; c++) {
                slot[c] = -1;
            }
            int r0 = g * BlockMatrix.HEIGHT;
            int end = Math.min(csr.rows, r0 + BlockMatrix.HEIGHT);
            for (int r = r0; r < end; r++) {
                for (int p = csr.rowPtr[r]; p < csr.rowPtr[r + 1]; p++) {
                    slot[csr.colIdx[p]] = 0;
                }
            }
            for (int c = 0; c < csr.cols; c++) {
                if (slot[c] == 0) {
                    slot[c] = k;
                    blockCol[k++] = c;
                }
            }
            for (int r = r0; r < end; r++) {
                for (int p = csr.rowPtr[r]; p < csr.rowPtr[r + 1]; p++) {
                    entry[slot[csr.colIdx[p]] * BlockMatrix.HEIGHT + (r - r0)] = p;
                }
            }
        }
        return new HostBlocks(csr.rows, csr.cols, groupPtr, blockCol, entry);
    }

    public int blocks() {
        return blockCol.length;
    }

    /**
     * The input gradient's layout of the same blocks: per group, its kept columns padded to a multiple of 16
     * ({@code padPtr}, groups + 1 offsets in columns; {@code padCol}, each column or {@code cols} for padding), and
     * the group's weights row by row over those columns ({@code denseIndexT}: row i of group g, padded column j at
     * 16 * padPtr[g] + i * P + j with P the group's padded width; each lane's position in the dense weight, 0 for
     * padding and for rows past a ragged group's last). One vector then holds a row of W over consecutive kept columns.
     */
    public record Transposed(int[] padPtr, int[] padCol, int[] denseIndexT) {
    }

    public Transposed transposed() {
        int groups = groupPtr.length - 1;
        int[] padPtr = new int[groups + 1];
        for (int g = 0; g < groups; g++) {
            int m = groupPtr[g + 1] - groupPtr[g];
            padPtr[g + 1] = padPtr[g] + (m + BlockMatrix.HEIGHT - 1) / BlockMatrix.HEIGHT * BlockMatrix.HEIGHT;
        }
        int[] padCol = new int[padPtr[groups]];
        int[] idx = new int[padPtr[groups] * BlockMatrix.HEIGHT];
        for (int g = 0; g < groups; g++) {
            int width = padPtr[g + 1] - padPtr[g];
            for (int j = 0; j < width; j++) {
                int k = groupPtr[g] + j;
                boolean real = k < groupPtr[g + 1];
                padCol[padPtr[g] + j] = real ? blockCol[k] : cols;
                for (int i = 0; i < BlockMatrix.HEIGHT; i++) {
                    int r = g * BlockMatrix.HEIGHT + i;
                    idx[BlockMatrix.HEIGHT * padPtr[g] + i * width + j] = real && r < rows ? r * cols + blockCol[k] : 0;
                }
            }
        }
        return new Transposed(padPtr, padCol, idx);
    }

    /**
     * Stored entries per lane of the blocks' real rows (1: every block full, as block pruning leaves them; lower: the
     * blocks carry that share of padding). A pattern without entries has fill 1.
     */
    public double fill(int nnz) {
        long lanes = 0;
        for (int g = 0; g + 1 < groupPtr.length; g++) {
            lanes += (long) (groupPtr[g + 1] - groupPtr[g]) * Math.min(BlockMatrix.HEIGHT, rows - g * BlockMatrix.HEIGHT);
        }
        return lanes == 0 ? 1.0 : (double) nnz / lanes;
    }

    /**
     * For every lane, the position (row * cols + col) in the dense row-major weight it is refreshed from; lanes past
     * the last row of a ragged group read position 0 (they never reach an output). Only a pattern of whole blocks
     * (fill 1) may be refreshed this way: padding inside the matrix would read a pruned position.
     */
    public int[] denseIndex() {
        int[] idx = new int[entry.length];
        for (int g = 0; g + 1 < groupPtr.length; g++) {
            for (int k = groupPtr[g]; k < groupPtr[g + 1]; k++) {
                for (int i = 0; i < BlockMatrix.HEIGHT; i++) {
                    int r = g * BlockMatrix.HEIGHT + i;
                    idx[k * BlockMatrix.HEIGHT + i] = r < rows ? r * cols + blockCol[k] : 0;
                }
            }
        }
        return idx;
    }

    /** The blocks' values from the CSR values (padding 0): what a backend's {@link BlockMatrix#values} holds. */
    public float[] values(float[] csrValues) {
        float[] v = new float[entry.length];
        for (int i = 0; i < entry.length; i++) {
            v[i] = entry[i] < 0 ? 0f : csrValues[entry[i]];
        }
        return v;
    }
}
