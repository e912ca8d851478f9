package dev.winnow.kernels;

/**
 * The entry points of the shared kernel source (resources {@code dev/winnow/kernels/cl}), with the work-group shapes
 * the host launches them with; the constants mirror the macros of {@code compat.h}.
 */
public enum Kernel {
    FILL("fill_f"),
    COPY2D("copy2d"),
    TRANSPOSE("transpose"),
    GATHER("gather_f"),
    GEMM_MASKED("gemm_masked"),
    CSR_SPMM_NT("csr_spmm_nt"),
    CSR_SPMM_NT_XT("csr_spmm_nt_xt"),
    SDDMM("sddmm"),
    UNARY("unary_f"),
    UNARY_BACKWARD("unary_backward_f"),
    BINARY("binary_f"),
    AXPY("axpy_f"),
    SUM_ROWS("sum_rows"),
    SUM_COLS("sum_cols"),
    ROW_SOFTMAX("row_softmax"),
    ROW_SOFTMAX_BACKWARD("row_softmax_backward"),
    GATHER_ROWS("gather_rows"),
    SCATTER_ADD_ROWS("scatter_add_rows"),
    SGD_STEP("sgd_step"),
    ADAM_STEP("adam_step");

    /** compat.h TILE_2D: the side of the square work-group of 2-D element kernels and the transpose tile. */
    public static final int TILE_2D = 16;
    /** compat.h GEMM_BM / GEMM_BN: output rows / columns per GEMM work-group. */
    public static final int GEMM_BM = 64;
    public static final int GEMM_BN = 64;
    /** compat.h GEMM_T: the GEMM work-group is GEMM_T x GEMM_T work-items. */
    public static final int GEMM_T = 16;
    /** compat.h REDUCE_WG: work-group size of the per-row reductions. */
    public static final int REDUCE_WG = 128;
    /** Work-group size of 1-D element-wise kernels. */
    public static final int LINEAR_WG = 256;

    private final String symbol;

    Kernel(String symbol) {
        this.symbol = symbol;
    }

    /** The function name in the source and the PTX. */
    public String symbol() {
        return symbol;
    }
}
