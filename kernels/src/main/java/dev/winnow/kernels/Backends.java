package dev.winnow.kernels;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.backend.cpu.CpuBackend;
import dev.winnow.kernels.cuda.CudaBackend;
import dev.winnow.kernels.cuda.CudaProbe;
import dev.winnow.kernels.opencl.OpenClBackend;
import dev.winnow.kernels.opencl.OpenClProbe;

import java.util.Locale;
import java.util.logging.Logger;

/**
 * Picks the backend for {@code --backend auto|cpu|cuda|opencl}. {@code auto} takes CUDA if a device answers, else the
 * CPU. An explicit {@code cuda} or {@code opencl} that cannot be honoured is refused with the reason in one line
 * (someone who asked for a GPU and got a CPU run would be timing or comparing the wrong thing), unless the caller
 * allows the fallback: then it falls back to the CPU with the reason in one log line. Never a stack trace. Each probe
 * runs once per JVM.
 */
public final class Backends {
    private static final Logger LOG = Logger.getLogger(Backends.class.getName());
    public static final String CHOICES = "auto|cpu|cuda|opencl";

    private Backends() {
    }

    /**
     * {@link #select(String, int, boolean)} with the fallback allowed: for tools that report an unhonoured request
     * themselves ({@link BackendChoice#honoured()}).
     */
    public static BackendChoice select(String request, int threads) {
        return select(request, threads, true);
    }

    /**
     * The backend for {@code request}; an explicit device request that cannot be honoured throws
     * {@link IllegalArgumentException} with the reason unless {@code allowFallback}.
     */
    public static BackendChoice select(String request, int threads, boolean allowFallback) {
        String r = request == null ? "auto" : request.trim().toLowerCase(Locale.ROOT);
        switch (r) {
            case "cpu":
                return new BackendChoice(new CpuBackend(threads), r, true, "requested");
            case "cuda": {
                CudaProbe.Result p = CudaProbe.result();
                if (!p.available()) {
                    return fallback(r, threads, allowFallback, "CUDA unavailable (" + p.description() + ")");
                }
                return cuda(r, threads, allowFallback, "CUDA device " + p.description());
            }
            case "opencl": {
                OpenClProbe.Result p = OpenClProbe.result();
                if (!p.available()) {
                    return fallback(r, threads, allowFallback, "OpenCL unavailable (" + p.description() + ")");
                }
                try {
                    return new BackendChoice(new OpenClBackend(), r, true, "OpenCL device " + p.description());
                } catch (RuntimeException | LinkageError e) {
                    return fallback(r, threads, allowFallback, "OpenCL backend failed to start ("
                            + FailureReason.of(e) + ")");
                }
            }
            case "auto": {
                CudaProbe.Result p = CudaProbe.result();
                if (p.available()) {
                    return cuda(r, threads, true, "a CUDA device answered: " + p.description());
                }
                String why = "no CUDA device (" + p.description() + ") -> CPU";
                LOG.info("--backend auto: " + why);
                return new BackendChoice(new CpuBackend(threads), r, true, why);
            }
            default:
                throw unknown(request);
        }
    }

    /**
     * Refuses, before any work is done, an explicit device request whose device does not answer (the probe's
     * reason in one line) unless {@code allowFallback}; an unknown name is refused too. Creates no backend: the
     * probes are cached, so the later {@link #select} costs nothing more.
     */
    public static void check(String request, boolean allowFallback) {
        String r = request == null ? "auto" : request.trim().toLowerCase(Locale.ROOT);
        switch (r) {
            case "auto", "cpu" -> { }
            case "cuda" -> {
                CudaProbe.Result p = CudaProbe.result();
                if (!p.available() && !allowFallback) {
                    throw refusal(r, "CUDA unavailable (" + p.description() + ")");
                }
            }
            case "opencl" -> {
                OpenClProbe.Result p = OpenClProbe.result();
                if (!p.available() && !allowFallback) {
                    throw refusal(r, "OpenCL unavailable (" + p.description() + ")");
                }
            }
            default -> throw unknown(request);
        }
    }

    private static IllegalArgumentException refusal(String request, String why) {
        return new IllegalArgumentException("--backend " + request + ": " + why + "; choose --backend cpu or auto, "
                + "or add --allow-fallback to run on the CPU anyway");
    }

    private static IllegalArgumentException unknown(String request) {
        return new IllegalArgumentException("--backend must be one of " + CHOICES + ", got '" + request + "'");
    }

    private static BackendChoice cuda(String request, int threads, boolean allowFallback, String why) {
        try {
            return new BackendChoice(new CudaBackend(), request, true, why);
        } catch (RuntimeException | LinkageError e) {
            return fallback(request, threads, allowFallback,
                    "CUDA backend failed to start (" + FailureReason.of(e) + ")");
        }
    }

    private static BackendChoice fallback(String request, int threads, boolean allowed, String why) {
        if (!allowed) {
            throw refusal(request, why);
        }
        String reason = why + " -> CPU fallback";
        LOG.warning("--backend " + request + ": " + reason);
        return new BackendChoice(new CpuBackend(threads), request, false, reason);
    }

    /** Prints the choice for a request: {@code java -cp ... dev.winnow.kernels.Backends cuda}. */
    public static void main(String[] args) {
        BackendChoice c = select(args.length > 0 ? args[0] : "auto", 1);
        System.out.println(c.describe());
        c.backend().close();
    }
}
