package dev.winnow.kernels.cuda;

import dev.winnow.engine.backend.IntStorage;
import dev.winnow.engine.backend.Storage;
import dev.winnow.kernels.DeviceBackend;
import dev.winnow.kernels.Kernel;
import dev.winnow.kernels.KernelSource;
import jcuda.CudaException;
import jcuda.Pointer;
import jcuda.Sizeof;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.JCudaDriver;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuCtxSynchronize;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRelease;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuInit;
import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoH;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;
import static jcuda.driver.JCudaDriver.cuMemsetD32;
import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;
import static jcuda.driver.JCudaDriver.cuModuleUnload;

/**
 * The Backend SPI on device 0 through the JCuda driver API: the committed sm_80 PTX (the driver JITs it for newer
 * GPUs) is loaded once with cuModuleLoadData, tensors stay in device buffers between operations, launches go to the
 * default stream in order, and every driver call checks its CUresult (JCuda exceptions are on, so a failure is a
 * CudaException naming the code). Construct it only when {@link CudaProbe#result()} says a device answers; the
 * {@code Backends} selector does, and falls back to the CPU otherwise.
 */
public final class CudaBackend extends DeviceBackend {
    private final CUdevice device = new CUdevice();
    private final CUcontext context = new CUcontext();
    private final CUmodule module = new CUmodule();
    private final CUfunction[] functions = new CUfunction[Kernel.values().length];
    private final Set<CudaBuffer> live = Collections.newSetFromMap(new IdentityHashMap<>());
    private final String description;
    private final long moduleLoadMillis;
    private boolean closed;

    public CudaBackend() {
        CudaProbe.Result probe = CudaProbe.result();
        if (!probe.available()) {
            throw new IllegalStateException("no CUDA device: " + probe.description());
        }
        this.description = probe.description();
        JCudaDriver.setExceptionsEnabled(true);
        cuInit(0);
        cuDeviceGet(device, 0);
        cuDevicePrimaryCtxRetain(context, device);
        cuCtxSetCurrent(context);
        long t0 = System.nanoTime();
        try {
            cuModuleLoadData(module, KernelSource.ptx());
        } catch (CudaException e) {
            cuDevicePrimaryCtxRelease(device);
            throw new IllegalStateException("loading the kernels' PTX failed on " + description + ": "
                    + e.getMessage() + " (CUDA_ERROR_UNSUPPORTED_PTX_VERSION means the driver is older than the"
                    + " PTX ISA; build-ptx.sh lowers .version for that)", e);
        }
        this.moduleLoadMillis = (System.nanoTime() - t0) / 1_000_000;
    }

    @Override
    public String name() {
        return "cuda(" + description + ")";
    }

    /** Time of cuModuleLoadData, which includes the driver's PTX JIT on the first load. */
    public long moduleLoadMillis() {
        return moduleLoadMillis;
    }

    private void current() {
        if (closed) {
            throw new IllegalStateException("this CUDA backend is closed");
        }
        cuCtxSetCurrent(context);
    }

    // ---- memory -------------------------------------------------------------------------------------------------

    private CudaBuffer newBuffer(int length) {
        if (length < 0) {
            throw new IllegalArgumentException("buffer length must be >= 0, got " + length);
        }
        current();
        CUdeviceptr ptr = new CUdeviceptr();
        long words = Math.max(1, length);
        cuMemAlloc(ptr, words * Sizeof.FLOAT);
        cuMemsetD32(ptr, 0, words);
        CudaBuffer b = new CudaBuffer(ptr, length, this);
        live.add(b);
        return b;
    }

    @Override
    public Storage allocate(int length) {
        return newBuffer(length);
    }

    @Override
    public IntStorage allocateInts(int length) {
        return newBuffer(length);
    }

    @Override
    public void upload(float[] src, int srcOffset, Storage dst, int dstOffset, int length) {
        CudaBuffer b = buffer(dst);
        checkRange("upload", b.length, dstOffset, length);
        if (length > 0) {
            current();
            cuMemcpyHtoD(b.ptr.withByteOffset((long) dstOffset * Sizeof.FLOAT),
                    Pointer.to(src).withByteOffset((long) srcOffset * Sizeof.FLOAT), (long) length * Sizeof.FLOAT);
        }
    }

    @Override
    public void download(Storage src, int srcOffset, float[] dst, int dstOffset, int length) {
        CudaBuffer b = buffer(src);
        checkRange("download", b.length, srcOffset, length);
        if (length > 0) {
            current();
            cuMemcpyDtoH(Pointer.to(dst).withByteOffset((long) dstOffset * Sizeof.FLOAT),
                    b.ptr.withByteOffset((long) srcOffset * Sizeof.FLOAT), (long) length * Sizeof.FLOAT);
        }
    }

    @Override
    public void uploadInts(int[] src, int srcOffset, IntStorage dst, int dstOffset, int length) {
        CudaBuffer b = buffer(dst);
        checkRange("uploadInts", b.length, dstOffset, length);
        if (length > 0) {
            current();
            cuMemcpyHtoD(b.ptr.withByteOffset((long) dstOffset * Sizeof.INT),
                    Pointer.to(src).withByteOffset((long) srcOffset * Sizeof.INT), (long) length * Sizeof.INT);
        }
    }

    @Override
    public void downloadInts(IntStorage src, int srcOffset, int[] dst, int dstOffset, int length) {
        CudaBuffer b = buffer(src);
        checkRange("downloadInts", b.length, srcOffset, length);
        if (length > 0) {
            current();
            cuMemcpyDtoH(Pointer.to(dst).withByteOffset((long) dstOffset * Sizeof.INT),
                    b.ptr.withByteOffset((long) srcOffset * Sizeof.INT), (long) length * Sizeof.INT);
        }
    }

    @Override
    protected void release(Storage storage) {
        releaseBuffer(buffer(storage));
    }

    @Override
    protected void releaseInts(IntStorage storage) {
        releaseBuffer(buffer(storage));
    }

    private void releaseBuffer(CudaBuffer b) {
        if (!b.released) {
            current();
            b.released = true;
            live.remove(b);
            cuMemFree(b.ptr);
        }
    }

    /** Number of buffers allocated and not yet freed. */
    public int liveBuffers() {
        return live.size();
    }

    /** The device pointer behind a buffer of this backend (for the cuBLAS/cuSPARSE baselines). */
    CUdeviceptr pointer(Object storage) {
        return buffer(storage).ptr;
    }

    private CudaBuffer buffer(Object s) {
        if (!(s instanceof CudaBuffer) || ((CudaBuffer) s).owner != this) {
            throw new IllegalArgumentException("a buffer of another backend (" + (s == null ? "null" : s.getClass()
                    .getSimpleName()) + ") was passed to " + name() + "; allocate it on this backend");
        }
        CudaBuffer b = (CudaBuffer) s;
        if (b.released) {
            throw new IllegalStateException("a buffer of " + name() + " was used after free()");
        }
        return b;
    }

    // ---- kernels ------------------------------------------------------------------------------------------------

    @Override
    protected synchronized void launch(Kernel kernel, int groupsX, int groupsY, int localX, int localY,
                                       Object... args) {
        current();
        CUfunction f = functions[kernel.ordinal()];
        if (f == null) {
            f = new CUfunction();
            cuModuleGetFunction(f, module, kernel.symbol());
            functions[kernel.ordinal()] = f;
        }
        Pointer[] params = new Pointer[args.length];
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            if (a instanceof Integer) {
                params[i] = Pointer.to(new int[] {(Integer) a});
            } else if (a instanceof Float) {
                params[i] = Pointer.to(new float[] {(Float) a});
            } else {
                params[i] = Pointer.to(buffer(a).ptr);
            }
        }
        try {
            cuLaunchKernel(f, groupsX, groupsY, 1, localX, localY, 1, 0, null, Pointer.to(params), null);
        } catch (CudaException e) {
            throw new IllegalStateException("CUDA kernel " + kernel.symbol() + " failed to launch on " + description
                    + " (grid " + groupsX + "x" + groupsY + " of " + localX + "x" + localY + "): " + e.getMessage(), e);
        }
    }

    @Override
    public void synchronize() {
        current();
        cuCtxSynchronize();
    }

    /** Frees every buffer still allocated, unloads the module and releases the primary context. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        current();
        cuCtxSynchronize();
        releaseBaseBuffers();
        for (CudaBuffer b : live.toArray(new CudaBuffer[0])) {
            releaseBuffer(b);
        }
        cuModuleUnload(module);
        cuDevicePrimaryCtxRelease(device);
        closed = true;
    }
}
