package dev.winnow.kernels.cuda;

import dev.winnow.kernels.FailureReason;
import jcuda.CudaException;
import jcuda.driver.CUdevice;
import jcuda.driver.JCudaDriver;

import java.nio.charset.StandardCharsets;

import static jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR;
import static jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR;

/**
 * Whether a CUDA device answers, asked once per JVM and cached. JCudaDriver is touched only inside
 * {@link #probe()}: without libcuda its static initialiser throws UnsatisfiedLinkError once and NoClassDefFoundError
 * ever after, both caught here and turned into a one-line reason (see gpu_notes.md section 2).
 */
public final class CudaProbe {
    private static volatile Result cached;

    /** available = a device answered; description names it (and its compute capability), or says why not. */
    public record Result(boolean available, String description) {
    }

    private CudaProbe() {
    }

    public static Result result() {
        Result r = cached;
        if (r == null) {
            synchronized (CudaProbe.class) {
                if (cached == null) {
                    cached = probe();
                }
                r = cached;
            }
        }
        return r;
    }

    private static Result probe() {
        try {
            JCudaDriver.setExceptionsEnabled(true);
            JCudaDriver.cuInit(0);
            int[] count = {0};
            JCudaDriver.cuDeviceGetCount(count);
            if (count[0] == 0) {
                return new Result(false, "libcuda loaded but reports no CUDA device");
            }
            CUdevice dev = new CUdevice();
            JCudaDriver.cuDeviceGet(dev, 0);
            byte[] name = new byte[256];
            JCudaDriver.cuDeviceGetName(name, name.length, dev);
            int[] major = {0};
            int[] minor = {0};
            JCudaDriver.cuDeviceGetAttribute(major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, dev);
            JCudaDriver.cuDeviceGetAttribute(minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, dev);
            int[] driver = {0};
            JCudaDriver.cuDriverGetVersion(driver);
            return new Result(true, cString(name) + " (sm_" + major[0] + minor[0] + ", driver CUDA "
                    + driver[0] / 1000 + "." + (driver[0] % 1000) / 10 + ", " + count[0] + " device"
                    + (count[0] == 1 ? "" : "s") + ")");
        } catch (LinkageError | CudaException e) {
            return new Result(false, FailureReason.of(e));
        }
    }

    private static String cString(byte[] buf) {
        int n = 0;
        while (n < buf.length && buf[n] != 0) {
            n++;
        }
        return new String(buf, 0, n, StandardCharsets.UTF_8).trim();
    }
}
