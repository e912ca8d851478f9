package dev.winnow.kernels.opencl;

import dev.winnow.engine.backend.IntStorage;
import dev.winnow.engine.backend.Storage;
import org.jocl.cl_mem;

/** A cl_mem of float or int elements; one class serves both, the interface says which. */
final class ClBuffer implements Storage, IntStorage {
    final cl_mem mem;
    final int length;
    final OpenClBackend owner;
    boolean released;

    ClBuffer(cl_mem mem, int length, OpenClBackend owner) {
        this.mem = mem;
        this.length = length;
        this.owner = owner;
    }

    @Override
    public int length() {
        return length;
    }
}
