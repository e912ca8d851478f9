/*
 * Sparse products with W in CSR (rows x cols). csr_spmm_nt serves both directions: Y = X W^T with W itself, and
 * dX = dY W with the CSR of W^T (the host builds it once per pattern), so no atomics and a fixed summation order.
 */

/* y[b, o] = sum_p values[p] * x[b, colIdx[p]] over row o, + beta * y. Work-item (o, b). */
KERNEL void csr_spmm_nt(int rows, int cols, GLOBAL const int* RESTRICT rowPtr, GLOBAL const int* RESTRICT colIdx,
                        GLOBAL const float* RESTRICT values, GLOBAL const float* RESTRICT x, int batch, float beta,
                        GLOBAL float* RESTRICT y) {
    int o = GLOBAL_ID(0);
    int bi = GLOBAL_ID(1);
    if (o < rows && bi < batch) {
        const GLOBAL float* xr = x + bi * cols;
        float acc = 0.0f;
        int end = rowPtr[o + 1];
        for (int p = rowPtr[o]; p < end; p++) {
            acc += values[p] * xr[colIdx[p]];
        }
        int off = bi * rows + o;
        y[off] = beta == 0.0f ? acc : acc + beta * y[off];
    }
}

/* out[p] = sum_b dy[b, row(p)] * x[b, col(p)] + beta * out[p]: one work-group per row, work-items over its entries. */
KERNEL void sddmm(GLOBAL const float* RESTRICT dy, GLOBAL const float* RESTRICT x, int batch, int rows, int cols,
                  GLOBAL const int* RESTRICT rowPtr, GLOBAL const int* RESTRICT colIdx, float beta,
                  GLOBAL float* RESTRICT out) {
    int o = GROUP_ID(0);
    if (o >= rows) {
        return;
    }
    int end = rowPtr[o + 1];
    for (int p = rowPtr[o] + LOCAL_ID(0); p < end; p += LOCAL_SIZE(0)) {
        int j = colIdx[p];
        float acc = 0.0f;
        for (int bi = 0; bi < batch; bi++) {
            acc += dy[bi * rows + o] * x[bi * cols + j];
        }
        out[p] = beta == 0.0f ? acc : acc + beta * out[p];
    }
}

/*
 * The batch-split variant of csr_spmm_nt: X comes transposed (xt is cols x batch), work-item (b, o). Work-items
 * along the batch share row o's indices and values and read consecutive addresses of xt, where the row-split
 * kernel above gathers scattered columns of one X row. Which wins depends on the device; GpuBench measures both.
 */
KERNEL void csr_spmm_nt_xt(int rows, int cols, GLOBAL const int* RESTRICT rowPtr, GLOBAL const int* RESTRICT colIdx,
                           GLOBAL const float* RESTRICT values, GLOBAL const float* RESTRICT xt, int batch, float beta,
                           GLOBAL float* RESTRICT y) {
    int bi = GLOBAL_ID(0);
    int o = GLOBAL_ID(1);
    if (o < rows && bi < batch) {
        float acc = 0.0f;
        int end = rowPtr[o + 1];
        for (int p = rowPtr[o]; p < end; p++) {
            acc += values[p] * xt[colIdx[p] * batch + bi];
        }
        int off = bi * rows + o;
        y[off] = beta == 0.0f ? acc : acc + beta * y[off];
    }
}
