/*
 * C[m,n] = alpha * op(A) op(B .* mask) + beta * C, row-major with leading dimensions. A 64x64 output tile per
 * 16x16 work-group, each work-item owning a 4x4 register block strided by 16 (conflict-free local reads), K in steps
 * of 16 through local memory. The transposes only change how a tile is loaded; the mask is applied while loading B.
 */
KERNEL void gemm_masked(int transA, int transB, int m, int n, int k, float alpha,
                        GLOBAL const float* RESTRICT a, int lda, GLOBAL const float* RESTRICT b, int ldb,
                        GLOBAL const float* RESTRICT mask, int hasMask, float beta,
                        GLOBAL float* RESTRICT c, int ldc) {
    LOCAL_MEM float as[GEMM_BK][GEMM_BM + 1];
    LOCAL_MEM float bs[GEMM_BK][GEMM_BN + 1];
    int tx = LOCAL_ID(0);
    int ty = LOCAL_ID(1);
    int tid = ty * GEMM_T + tx;
    int row0 = GROUP_ID(1) * GEMM_BM;
    int col0 = GROUP_ID(0) * GEMM_BN;
    float acc[4][4];
    for (int i = 0; i < 4; i++) {
        for (int j = 0; j < 4; j++) {
            acc[i][j] = 0.0f;
        }
    }
    for (int k0 = 0; k0 < k; k0 += GEMM_BK) {
        for (int l = 0; l < 4; l++) {
            int idx = tid + l * GEMM_T * GEMM_T;
            /* Consecutive work-items read consecutive addresses of whichever layout the operand has. */
            int r = transA ? idx % GEMM_BM : idx / GEMM_BK;
            int kk = transA ? idx / GEMM_BM : idx % GEMM_BK;
            int gr = row0 + r;
            int gk = k0 + kk;
            float av = 0.0f;
            if (gr < m && gk < k) {
                av = transA ? a[gk * lda + gr] : a[gr * lda + gk];
            }
            as[kk][r] = av;
            int cc = transB ? idx / GEMM_BK : idx % GEMM_BN;
            kk = transB ? idx % GEMM_BK : idx / GEMM_BN;
            int gc = col0 + cc;
            gk = k0 + kk;
            float bv = 0.0f;
            if (gc < n && gk < k) {
                int off = transB ? gc * ldb + gk : gk * ldb + gc;
                bv = b[off];
                if (hasMask) {
                    bv *= mask[off];
                }
            }
            bs[kk][cc] = bv;
        }
        BARRIER();
        for (int kk = 0; kk < GEMM_BK; kk++) {
            float ar[4];
            float br[4];
            for (int i = 0; i < 4; i++) {
                ar[i] = as[kk][ty + GEMM_T * i];
                br[i] = bs[kk][tx + GEMM_T * i];
            }
            for (int i = 0; i < 4; i++) {
                for (int j = 0; j < 4; j++) {
                    acc[i][j] += ar[i] * br[j];
                }
            }
        }
        BARRIER();
    }
    for (int i = 0; i < 4; i++) {
        int gr = row0 + ty + GEMM_T * i;
        for (int j = 0; j < 4; j++) {
            int gc = col0 + tx + GEMM_T * j;
            if (gr < m && gc < n) {
                int off = gr * ldc + gc;
                float v = alpha * acc[i][j];
                c[off] = beta == 0.0f ? v : v + beta * c[off];
            }
        }
    }
}
