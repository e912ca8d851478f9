package dev.winnow.engine.backend;

/**
 * A weight matrix W (rows x cols, i.e. out x in) stored in 16x1 blocks, resident on one backend: the rows are cut into
 * groups of {@link #HEIGHT} consecutive rows (the last group ragged when rows is not a multiple of 16), and a block is
 * one column of one group, the 16 weights by which input c feeds 16 consecutive outputs. Group g's blocks are entries
 * {@code groupPtr[g] .. groupPtr[g + 1]} of {@code blockCol} (columns ascending); block k's values are
 * {@code values[16k .. 16k + 15]}, lane i holding W[16g + i, blockCol[k]] (lanes past the last row of a ragged group
 * are never read into an output).
 *
 * <p>One block is one 512-bit vector (two 256-bit, four 128-bit), so a product runs one vector multiply-add per block
 * and row of X, with no index per weight. The backward's input gradient reads the same weights group by group, row by
 * row over the group's kept columns: group g's columns are {@code padCol[padPtr[g] .. padPtr[g + 1]]}, padded with
 * {@code cols} to a multiple of 16, and row i of group g over them is {@code valuesT} from
 * 16 * padPtr[g] + i * (padPtr[g + 1] - padPtr[g]) on (padding lanes hold any value: they land in a discarded slot).
 */
public final class BlockMatrix {
    /** Rows per block: 16 floats, one 512-bit register. */
    public static final int HEIGHT = 16;

    public final int rows;
    public final int cols;
    public final int blocks;
    public final IntStorage groupPtr;
    public final IntStorage blockCol;
    public final Storage values;
    public final IntStorage padPtr;
    public final IntStorage padCol;
    public final Storage valuesT;

    public BlockMatrix(int rows, int cols, int blocks, IntStorage groupPtr, IntStorage blockCol, Storage values,
                       IntStorage padPtr, IntStorage padCol, Storage valuesT) {
        if (rows < 0 || cols < 0 || blocks < 0) {
            throw new IllegalArgumentException("negative block-matrix dimension: rows=" + rows + " cols=" + cols
                    + " blocks=" + blocks);
        }
        if (groupPtr.length() < groups(rows) + 1) {
            throw new IllegalArgumentException("groupPtr holds " + groupPtr.length() + " entries, needs groups + 1 = "
                    + (groups(rows) + 1));
        }
        if (blockCol.length() < blocks || values.length() < (long) blocks * HEIGHT) {
            throw new IllegalArgumentException("blockCol/values hold " + blockCol.length() + "/" + values.length()
                    + " entries, need " + blocks + "/" + (long) blocks * HEIGHT);
        }
        this.rows = rows;
        this.cols = cols;
        this.blocks = blocks;
        this.groupPtr = groupPtr;
        this.blockCol = blockCol;
        this.values = values;
        if (padPtr.length() < groups(rows) + 1) {
            throw new IllegalArgumentException("padPtr holds " + padPtr.length() + " entries, needs groups + 1 = "
                    + (groups(rows) + 1));
        }
        this.padPtr = padPtr;
        this.padCol = padCol;
        this.valuesT = valuesT;
    }

    /** Row groups of a matrix with {@code rows} rows: ceil(rows / 16). */
    public static int groups(int rows) {
        return (rows + HEIGHT - 1) / HEIGHT;
    }
}
