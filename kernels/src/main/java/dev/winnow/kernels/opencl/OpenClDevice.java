package dev.winnow.kernels.opencl;

import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;

import java.nio.charset.StandardCharsets;

import static org.jocl.CL.CL_DEVICE_NAME;
import static org.jocl.CL.CL_DEVICE_TYPE_ALL;
import static org.jocl.CL.CL_PLATFORM_NAME;
import static org.jocl.CL.clGetDeviceIDs;
import static org.jocl.CL.clGetDeviceInfo;
import static org.jocl.CL.clGetPlatformIDs;
import static org.jocl.CL.clGetPlatformInfo;

/** The OpenCL device a backend runs on: the first device of the first platform that has one. */
record OpenClDevice(cl_platform_id platform, cl_device_id device, String platformName, String deviceName) {

    static OpenClDevice first() {
        CL.setExceptionsEnabled(true);
        int[] np = {0};
        clGetPlatformIDs(0, null, np);
        if (np[0] == 0) {
            throw new IllegalStateException("no OpenCL platform (install an ICD, e.g. pocl-opencl-icd)");
        }
        cl_platform_id[] platforms = new cl_platform_id[np[0]];
        clGetPlatformIDs(np[0], platforms, null);
        for (cl_platform_id p : platforms) {
            int[] nd = {0};
            try {
                clGetDeviceIDs(p, CL_DEVICE_TYPE_ALL, 0, null, nd);
            } catch (org.jocl.CLException noDevice) {
                continue;
            }
            if (nd[0] > 0) {
                cl_device_id[] devices = new cl_device_id[nd[0]];
                clGetDeviceIDs(p, CL_DEVICE_TYPE_ALL, nd[0], devices, null);
                return new OpenClDevice(p, devices[0], platformString(p), deviceString(devices[0]));
            }
        }
        throw new IllegalStateException(np[0] + " OpenCL platform(s) but no device");
    }

    String description() {
        return deviceName + " on " + platformName;
    }

    private static String platformString(cl_platform_id p) {
        long[] size = {0};
        clGetPlatformInfo(p, CL_PLATFORM_NAME, 0, null, size);
        byte[] buf = new byte[(int) size[0]];
        clGetPlatformInfo(p, CL_PLATFORM_NAME, buf.length, Pointer.to(buf), null);
        return cString(buf);
    }

    private static String deviceString(cl_device_id d) {
        long[] size = {0};
        clGetDeviceInfo(d, CL_DEVICE_NAME, 0, null, size);
        byte[] buf = new byte[(int) size[0]];
        clGetDeviceInfo(d, CL_DEVICE_NAME, buf.length, Pointer.to(buf), null);
        return cString(buf);
    }

    private static String cString(byte[] buf) {
        int n = 0;
        while (n < buf.length && buf[n] != 0) {
            n++;
        }
        return new String(buf, 0, n, StandardCharsets.UTF_8).trim();
    }

    static long bytes(int elements) {
        return (long) Math.max(1, elements) * Sizeof.cl_float;
    }
}
