package dev.winnow.kernels.opencl;

import dev.winnow.engine.backend.IntStorage;
import dev.winnow.engine.backend.Storage;
import dev.winnow.kernels.DeviceBackend;
import dev.winnow.kernels.Kernel;
import dev.winnow.kernels.KernelSource;
import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_context_properties;
import org.jocl.cl_device_id;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;
import org.jocl.cl_program;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

import static org.jocl.CL.CL_CONTEXT_PLATFORM;
import static org.jocl.CL.CL_MEM_READ_WRITE;
import static org.jocl.CL.CL_PROGRAM_BUILD_LOG;
import static org.jocl.CL.CL_TRUE;
import static org.jocl.CL.clBuildProgram;
import static org.jocl.CL.clCreateBuffer;
import static org.jocl.CL.clCreateCommandQueue;
import static org.jocl.CL.clCreateContext;
import static org.jocl.CL.clCreateKernel;
import static org.jocl.CL.clCreateProgramWithSource;
import static org.jocl.CL.clEnqueueFillBuffer;
import static org.jocl.CL.clEnqueueNDRangeKernel;
import static org.jocl.CL.clEnqueueReadBuffer;
import static org.jocl.CL.clEnqueueWriteBuffer;
import static org.jocl.CL.clFinish;
import static org.jocl.CL.clGetProgramBuildInfo;
import static org.jocl.CL.clReleaseCommandQueue;
import static org.jocl.CL.clReleaseContext;
import static org.jocl.CL.clReleaseKernel;
import static org.jocl.CL.clReleaseMemObject;
import static org.jocl.CL.clReleaseProgram;
import static org.jocl.CL.clSetKernelArg;

/**
 * The Backend SPI on any OpenCL 1.2 device through JOCL: the shared kernel source is built once per backend, tensors
 * live in cl_mem buffers on one in-order queue, and every call checks its status (JOCL exceptions are on). On a CPU
 * with PoCL this is how CI runs every kernel for real. Construct it only after {@link OpenClProbe#result()} says a
 * device answers (the {@code Backends} selector does).
 */
public final class OpenClBackend extends DeviceBackend {
    private final OpenClDevice device;
    private final cl_context context;
    private final cl_command_queue queue;
    private final cl_program program;
    private final cl_kernel[] kernels = new cl_kernel[Kernel.values().length];
    private final Set<ClBuffer> live = Collections.newSetFromMap(new IdentityHashMap<>());
    private final long buildMillis;
    private boolean closed;

    public OpenClBackend() {
        this.device = OpenClDevice.first();
        cl_context_properties props = new cl_context_properties();
        props.addProperty(CL_CONTEXT_PLATFORM, device.platform());
        this.context = clCreateContext(props, 1, new cl_device_id[] {device.device()}, null, null, null);
        @SuppressWarnings("deprecation") // clCreateCommandQueueWithProperties is OpenCL 2.0; this must run on 1.2
        cl_command_queue q = clCreateCommandQueue(context, device.device(), 0, null);
        this.queue = q;
        long t0 = System.nanoTime();
        this.program = clCreateProgramWithSource(context, 1, new String[] {KernelSource.text()}, null, null);
        try {
            clBuildProgram(program, 0, null, "-cl-std=CL1.2", null, null);
        } catch (CLException e) {
            String log = buildLog();
            release();
            throw new IllegalStateException("OpenCL build of the kernel source failed on " + device.description()
                    + ": " + e.getMessage() + "\n" + log, e);
        }
        this.buildMillis = (System.nanoTime() - t0) / 1_000_000;
    }

    private String buildLog() {
        long[] size = {0};
        clGetProgramBuildInfo(program, device.device(), CL_PROGRAM_BUILD_LOG, 0, null, size);
        byte[] buf = new byte[(int) size[0]];
        clGetProgramBuildInfo(program, device.device(), CL_PROGRAM_BUILD_LOG, buf.length, Pointer.to(buf), null);
        return new String(buf, java.nio.charset.StandardCharsets.UTF_8).trim();
    }

    @Override
    public String name() {
        return "opencl(" + device.description() + ")";
    }

    /** How long the one program build took (PoCL caches compiled kernels on disk, so later runs are faster). */
    public long buildMillis() {
        return buildMillis;
    }

    // ---- memory -------------------------------------------------------------------------------------------------

    private ClBuffer newBuffer(int length) {
        if (length < 0) {
            throw new IllegalArgumentException("buffer length must be >= 0, got " + length);
        }
        checkOpen();
        cl_mem mem = clCreateBuffer(context, CL_MEM_READ_WRITE, OpenClDevice.bytes(length), null, null);
        clEnqueueFillBuffer(queue, mem, Pointer.to(new int[] {0}), Sizeof.cl_int, 0, OpenClDevice.bytes(length),
                0, null, null);
        ClBuffer b = new ClBuffer(mem, length, this);
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
        ClBuffer b = buffer(dst);
        checkRange("upload", b.length, dstOffset, length);
        if (length > 0) {
            clEnqueueWriteBuffer(queue, b.mem, CL_TRUE, (long) dstOffset * Sizeof.cl_float,
                    (long) length * Sizeof.cl_float, Pointer.to(src).withByteOffset((long) srcOffset * Sizeof.cl_float),
                    0, null, null);
        }
    }

    @Override
    public void download(Storage src, int srcOffset, float[] dst, int dstOffset, int length) {
        ClBuffer b = buffer(src);
        checkRange("download", b.length, srcOffset, length);
        if (length > 0) {
            clEnqueueReadBuffer(queue, b.mem, CL_TRUE, (long) srcOffset * Sizeof.cl_float,
                    (long) length * Sizeof.cl_float, Pointer.to(dst).withByteOffset((long) dstOffset * Sizeof.cl_float),
                    0, null, null);
        }
    }

    @Override
    public void uploadInts(int[] src, int srcOffset, IntStorage dst, int dstOffset, int length) {
        ClBuffer b = buffer(dst);
        checkRange("uploadInts", b.length, dstOffset, length);
        if (length > 0) {
            clEnqueueWriteBuffer(queue, b.mem, CL_TRUE, (long) dstOffset * Sizeof.cl_int,
                    (long) length * Sizeof.cl_int, Pointer.to(src).withByteOffset((long) srcOffset * Sizeof.cl_int),
                    0, null, null);
        }
    }

    @Override
    public void downloadInts(IntStorage src, int srcOffset, int[] dst, int dstOffset, int length) {
        ClBuffer b = buffer(src);
        checkRange("downloadInts", b.length, srcOffset, length);
        if (length > 0) {
            clEnqueueReadBuffer(queue, b.mem, CL_TRUE, (long) srcOffset * Sizeof.cl_int,
                    (long) length * Sizeof.cl_int, Pointer.to(dst).withByteOffset((long) dstOffset * Sizeof.cl_int),
                    0, null, null);
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

    private void releaseBuffer(ClBuffer b) {
        if (!b.released) {
            b.released = true;
            live.remove(b);
            clReleaseMemObject(b.mem);
        }
    }

    /** Number of buffers allocated and not yet freed (tests check that nothing leaks). */
    public int liveBuffers() {
        return live.size();
    }

    private ClBuffer buffer(Object s) {
        if (!(s instanceof ClBuffer) || ((ClBuffer) s).owner != this) {
            throw new IllegalArgumentException("a buffer of another backend (" + (s == null ? "null" : s.getClass()
                    .getSimpleName()) + ") was passed to " + name() + "; allocate it on this backend");
        }
        ClBuffer b = (ClBuffer) s;
        if (b.released) {
            throw new IllegalStateException("a buffer of " + name() + " was used after free()");
        }
        return b;
    }

    // ---- kernels ------------------------------------------------------------------------------------------------

    @Override
    protected synchronized void launch(Kernel kernel, int groupsX, int groupsY, int localX, int localY,
                                       Object... args) {
        checkOpen();
        cl_kernel k = kernels[kernel.ordinal()];
        if (k == null) {
            k = clCreateKernel(program, kernel.symbol(), null);
            kernels[kernel.ordinal()] = k;
        }
        try {
            for (int i = 0; i < args.length; i++) {
                Object a = args[i];
                if (a instanceof Integer) {
                    clSetKernelArg(k, i, Sizeof.cl_int, Pointer.to(new int[] {(Integer) a}));
                } else if (a instanceof Float) {
                    clSetKernelArg(k, i, Sizeof.cl_float, Pointer.to(new float[] {(Float) a}));
                } else {
                    clSetKernelArg(k, i, Sizeof.cl_mem, Pointer.to(buffer(a).mem));
                }
            }
            long[] global = {(long) groupsX * localX, (long) groupsY * localY};
            long[] local = {localX, localY};
            clEnqueueNDRangeKernel(queue, k, groupsY == 1 && localY == 1 ? 1 : 2, null, global, local, 0, null, null);
        } catch (CLException e) {
            throw new IllegalStateException("OpenCL kernel " + kernel.symbol() + " failed on " + device.description()
                    + " (grid " + groupsX + "x" + groupsY + " of " + localX + "x" + localY + "): " + e.getMessage(), e);
        }
    }

    @Override
    public void synchronize() {
        checkOpen();
        clFinish(queue);
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("this OpenCL backend is closed");
        }
    }

    /** Frees every buffer still allocated, the kernels, the program, the queue and the context. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        clFinish(queue);
        releaseBaseBuffers();
        for (ClBuffer b : live.toArray(new ClBuffer[0])) {
            releaseBuffer(b);
        }
        release();
        closed = true;
    }

    private void release() {
        for (int i = 0; i < kernels.length; i++) {
            if (kernels[i] != null) {
                clReleaseKernel(kernels[i]);
                kernels[i] = null;
            }
        }
        clReleaseProgram(program);
        clReleaseCommandQueue(queue);
        clReleaseContext(context);
    }
}
