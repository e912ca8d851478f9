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
 * CPU; an explicit {@code cuda} or {@code opencl} that cannot be honoured falls back to the CPU with the reason, in
 * one log line and never a stack trace. Each probe runs once per JVM.
 */
public final class Backends {
    private static final Logger LOG = Logger.getLogger(Backends.class.getName());
    public static final String CHOICES = "auto|cpu|cuda|opencl";

    private Backends() {
    }

    public static BackendChoice select(String request, int threads) {
        String r = request == null ? "auto" : request.trim().toLowerCase(Locale.ROOT);
        switch (r) {
            case "cpu":
                return new BackendChoice(new CpuBackend(threads), r, true, "requested");
            case "cuda": {
                CudaProbe.Result p = CudaProbe.result();
                if (!p.available()) {
                    return fallback(r, threads, "CUDA unavailable (" + p.description() + ")");
                }
                return cuda(r, threads, "CUDA device " + p.description());
            }
            case "opencl": {
                OpenClProbe.Result p = OpenClProbe.result();
                if (!p.available()) {
                    return fallback(r, threads, "OpenCL unavailable (" + p.description() + ")");
                }
                try {
                    return new BackendChoice(new OpenClBackend(), r, true, "OpenCL device " + p.description());
                } catch (RuntimeException | LinkageError e) {
                    return fallback(r, threads, "OpenCL backend failed to start ("
                            + FailureReason.of(e) + ")");
                }
            }
            case "auto": {
                CudaProbe.Result p = CudaProbe.result();
                if (p.available()) {
                    return cuda(r, threads, "a CUDA device answered: " + p.description());
                }
                String why = "no CUDA device (" + p.description() + ") -> CPU";
                LOG.info("--backend auto: " + why);
                return new BackendChoice(new CpuBackend(threads), r, true, why);
            }
            default:
                throw new IllegalArgumentException("--backend must be one of " + CHOICES + ", got '" + request + "'");
        }
    }

    private static BackendChoice cuda(String request, int threads, String why) {
        try {
            return new BackendChoice(new CudaBackend(), request, true, why);
        } catch (RuntimeException | LinkageError e) {
            return fallback(request, threads, "CUDA backend failed to start (" + FailureReason.of(e) + ")");
        }
    }

    private static BackendChoice fallback(String request, int threads, String why) {
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
