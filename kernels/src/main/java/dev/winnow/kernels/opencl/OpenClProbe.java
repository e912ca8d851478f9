package dev.winnow.kernels.opencl;

/**
 * Whether an OpenCL device answers, asked once per JVM. The JOCL classes are touched only inside {@link #probe()},
 * whose failures (no libOpenCL, no ICD, no platform, no device) become a one-line reason rather than an
 * exception; the caller decides what to log.
 */
public final class OpenClProbe {
    private static volatile Result cached;

    /** available = a device was found; description names it, or says why not. */
    public record Result(boolean available, String description) {
    }

    private OpenClProbe() {
    }

    public static Result result() {
        Result r = cached;
        if (r == null) {
            synchronized (OpenClProbe.class) {
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
            OpenClDevice d = OpenClDevice.first();
            return new Result(true, d.description());
        } catch (LinkageError | RuntimeException e) {
            return new Result(false, reason(e));
        }
    }

    private static String reason(Throwable e) {
        return dev.winnow.kernels.FailureReason.of(e);
    }
}
