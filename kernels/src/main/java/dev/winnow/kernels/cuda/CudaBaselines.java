package dev.winnow.kernels.cuda;

import dev.winnow.engine.backend.CsrMatrix;
import dev.winnow.engine.backend.Storage;
import dev.winnow.kernels.FailureReason;
import jcuda.CudaException;
import jcuda.Pointer;
import jcuda.cudaDataType;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.JCudaDriver;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.jcublas.cublasOperation;
import jcuda.jcusparse.JCusparse;
import jcuda.jcusparse.cusparseDnMatDescr;
import jcuda.jcusparse.cusparseHandle;
import jcuda.jcusparse.cusparseIndexBase;
import jcuda.jcusparse.cusparseIndexType;
import jcuda.jcusparse.cusparseOperation;
import jcuda.jcusparse.cusparseOrder;
import jcuda.jcusparse.cusparseSpMMAlg;
import jcuda.jcusparse.cusparseSpMatDescr;

/**
 * cuBLAS SGEMM and cuSPARSE SpMM on a {@link CudaBackend}'s buffers: the vendor baselines the custom kernels are
 * measured against. JCublas/JCusparse 12.6 link against libcublas.so.12 / libcusparse.so.12 (symbol-versioned, so a
 * CUDA 13 library cannot stand in); where those are missing {@link #availability()} says so in one line.
 */
public final class CudaBaselines implements AutoCloseable {
    private static volatile Availability cached;

    /** Whether each vendor library loads; the reason is "available" or e.g. "unavailable: libcublas.so.12 not found". */
    public record Availability(boolean cublas, String cublasReason, boolean cusparse, String cusparseReason) {
        public String describe() {
            return "cuBLAS " + cublasReason + "; cuSPARSE " + cusparseReason;
        }
    }

    private final CudaBackend backend;
    private final cublasHandle blas;
    private final cusparseHandle sparse;

    /** Probes the two libraries once per JVM, creating and destroying a handle of each. */
    public static Availability availability() {
        Availability a = cached;
        if (a == null) {
            synchronized (CudaBaselines.class) {
                if (cached == null) {
                    String blasWhy;
                    boolean blasOk;
                    try {
                        JCublas2.setExceptionsEnabled(true);
                        cublasHandle h = new cublasHandle();
                        JCublas2.cublasCreate(h);
                        JCublas2.cublasDestroy(h);
                        blasOk = true;
                        blasWhy = "available";
                    } catch (LinkageError | CudaException e) {
                        blasOk = false;
                        blasWhy = "unavailable: " + FailureReason.of(e);
                    }
                    String sparseWhy;
                    boolean sparseOk;
                    try {
                        JCusparse.setExceptionsEnabled(true);
                        cusparseHandle h = new cusparseHandle();
                        JCusparse.cusparseCreate(h);
                        JCusparse.cusparseDestroy(h);
                        sparseOk = true;
                        sparseWhy = "available";
                    } catch (LinkageError | CudaException e) {
                        sparseOk = false;
                        sparseWhy = "unavailable: " + FailureReason.of(e);
                    }
                    cached = new Availability(blasOk, blasWhy, sparseOk, sparseWhy);
                }
                a = cached;
            }
        }
        return a;
    }

    /** Opens handles for whichever library is available. */
    public CudaBaselines(CudaBackend backend) {
        this.backend = backend;
        Availability a = availability();
        if (a.cublas()) {
            blas = new cublasHandle();
            JCublas2.cublasCreate(blas);
        } else {
            blas = null;
        }
        if (a.cusparse()) {
            sparse = new cusparseHandle();
            JCusparse.cusparseCreate(sparse);
        } else {
            sparse = null;
        }
    }

    /**
     * Row-major C = alpha op(A) op(B) + beta C through column-major cuBLAS: a row-major matrix is its transpose in
     * column-major, so C^T = op(B)^T op(A)^T is computed with the operands swapped.
     */
    public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, Storage a, int lda,
                      Storage b, int ldb, float beta, Storage c, int ldc) {
        if (blas == null) {
            throw new IllegalStateException("cuBLAS " + availability().cublasReason());
        }
        JCublas2.cublasSgemm(blas,
                transB ? cublasOperation.CUBLAS_OP_T : cublasOperation.CUBLAS_OP_N,
                transA ? cublasOperation.CUBLAS_OP_T : cublasOperation.CUBLAS_OP_N,
                n, m, k, Pointer.to(new float[] {alpha}), backend.pointer(b), ldb, backend.pointer(a), lda,
                Pointer.to(new float[] {beta}), backend.pointer(c), ldc);
    }

    /** A prepared Y[batch, W.rows] = X[batch, W.cols] W^T + beta Y: descriptors and workspace made once. */
    public final class SpmmPlan implements AutoCloseable {
        private final cusparseSpMatDescr w = new cusparseSpMatDescr();
        private final cusparseDnMatDescr x = new cusparseDnMatDescr();
        private final cusparseDnMatDescr y = new cusparseDnMatDescr();
        private final CUdeviceptr workspace = new CUdeviceptr();
        private final Pointer one = Pointer.to(new float[] {1f});

        /*
         * Y^T (rows x batch, column-major, ld rows) = W (rows x cols) X^T (cols x batch, column-major, ld cols):
         * the row-major X and Y read as column-major are exactly X^T and Y^T.
         */
        SpmmPlan(CsrMatrix wm, Storage xs, int batch, Storage ys) {
            JCusparse.cusparseCreateCsr(w, wm.rows, wm.cols, wm.nnz, backend.pointer(wm.rowPtr),
                    backend.pointer(wm.colIdx), backend.pointer(wm.values), cusparseIndexType.CUSPARSE_INDEX_32I,
                    cusparseIndexType.CUSPARSE_INDEX_32I, cusparseIndexBase.CUSPARSE_INDEX_BASE_ZERO,
                    cudaDataType.CUDA_R_32F);
            JCusparse.cusparseCreateDnMat(x, wm.cols, batch, wm.cols, backend.pointer(xs), cudaDataType.CUDA_R_32F,
                    cusparseOrder.CUSPARSE_ORDER_COL);
            JCusparse.cusparseCreateDnMat(y, wm.rows, batch, wm.rows, backend.pointer(ys), cudaDataType.CUDA_R_32F,
                    cusparseOrder.CUSPARSE_ORDER_COL);
            long[] size = {0};
            JCusparse.cusparseSpMM_bufferSize(sparse, cusparseOperation.CUSPARSE_OPERATION_NON_TRANSPOSE,
                    cusparseOperation.CUSPARSE_OPERATION_NON_TRANSPOSE, one, w.asConst(), x.asConst(),
                    Pointer.to(new float[] {0f}), y, cudaDataType.CUDA_R_32F, cusparseSpMMAlg.CUSPARSE_SPMM_ALG_DEFAULT,
                    size);
            JCudaDriver.cuMemAlloc(workspace, Math.max(1, size[0]));
        }

        public void run(float beta) {
            JCusparse.cusparseSpMM(sparse, cusparseOperation.CUSPARSE_OPERATION_NON_TRANSPOSE,
                    cusparseOperation.CUSPARSE_OPERATION_NON_TRANSPOSE, one, w.asConst(), x.asConst(),
                    Pointer.to(new float[] {beta}), y, cudaDataType.CUDA_R_32F,
                    cusparseSpMMAlg.CUSPARSE_SPMM_ALG_DEFAULT, workspace);
        }

        @Override
        public void close() {
            JCusparse.cusparseDestroySpMat(w.asConst());
            JCusparse.cusparseDestroyDnMat(x.asConst());
            JCusparse.cusparseDestroyDnMat(y.asConst());
            JCudaDriver.cuMemFree(workspace);
        }
    }

    public SpmmPlan spmmNT(CsrMatrix w, Storage x, int batch, Storage y) {
        if (sparse == null) {
            throw new IllegalStateException("cuSPARSE " + availability().cusparseReason());
        }
        return new SpmmPlan(w, x, batch, y);
    }

    @Override
    public void close() {
        if (blas != null) {
            JCublas2.cublasDestroy(blas);
        }
        if (sparse != null) {
            JCusparse.cusparseDestroy(sparse);
        }
    }
}
