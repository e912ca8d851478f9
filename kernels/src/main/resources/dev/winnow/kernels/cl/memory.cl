/* Buffer primitives: fill, strided 2-D copy, transpose, gather. */

KERNEL void fill_f(GLOBAL float* dst, int offset, int n, float value) {
    int i = GLOBAL_ID(0);
    if (i < n) {
        dst[offset + i] = value;
    }
}

/* dst = src + beta * dst over a rows x cols window; beta == 0 never reads dst (it may hold NaN). */
KERNEL void copy2d(GLOBAL const float* src, int srcOffset, int srcStride, GLOBAL float* dst, int dstOffset,
                   int dstStride, int rows, int cols, float beta) {
    int c = GLOBAL_ID(0);
    int r = GLOBAL_ID(1);
    if (r < rows && c < cols) {
        float s = src[srcOffset + r * srcStride + c];
        int d = dstOffset + r * dstStride + c;
        dst[d] = beta == 0.0f ? s : s + beta * dst[d];
    }
}

/* Through a padded local tile so that both the read and the write are coalesced. */
KERNEL void transpose(GLOBAL const float* RESTRICT src, int rows, int cols, GLOBAL float* RESTRICT dst) {
    LOCAL_MEM float tile[TILE_2D][TILE_2D + 1];
    int lx = LOCAL_ID(0);
    int ly = LOCAL_ID(1);
    int c = GROUP_ID(0) * TILE_2D + lx;
    int r = GROUP_ID(1) * TILE_2D + ly;
    if (r < rows && c < cols) {
        tile[ly][lx] = src[r * cols + c];
    }
    BARRIER();
    int outRow = GROUP_ID(0) * TILE_2D + ly;
    int outCol = GROUP_ID(1) * TILE_2D + lx;
    if (outRow < cols && outCol < rows) {
        dst[outRow * rows + outCol] = tile[lx][ly];
    }
}

KERNEL void gather_f(GLOBAL const float* RESTRICT src, GLOBAL const int* RESTRICT index, int n,
                     GLOBAL float* RESTRICT dst) {
    int i = GLOBAL_ID(0);
    if (i < n) {
        dst[i] = src[index[i]];
    }
}
