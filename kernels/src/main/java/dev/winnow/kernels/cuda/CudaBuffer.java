package dev.winnow.kernels.cuda;

import dev.winnow.engine.backend.IntStorage;
import dev.winnow.engine.backend.Storage;
import jcuda.driver.CUdeviceptr;

/** Device memory of float or int elements; one class serves both, the interface says which. */
final class CudaBuffer implements Storage, IntStorage {
    final CUdeviceptr ptr;
    final int length;
    final CudaBackend owner;
    boolean released;

    CudaBuffer(CUdeviceptr ptr, int length, CudaBackend owner) {
        this.ptr = ptr;
        this.length = length;
        this.owner = owner;
    }

    @Override
    public int length() {
        return length;
    }
}
