package dev.winnow.kernels;

import dev.winnow.engine.backend.cpu.CpuBackend;
import dev.winnow.kernels.cuda.CudaProbe;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

class BackendsTest {

    @Test
    void cpuRequestIsHonoured() {
        BackendChoice c = Backends.select("cpu", 2);
        try (var b = c.backend()) {
            assertInstanceOf(CpuBackend.class, b);
            assertTrue(c.honoured());
            assertTrue(c.describe().contains("requested cpu"), c.describe());
        }
    }

    @Test
    void unknownBackendNameIsRejectedListingTheChoices() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backends.select("tpu", 1));
        assertTrue(e.getMessage().contains("auto|cpu|cuda|opencl") && e.getMessage().contains("tpu"), e.getMessage());
    }

    @Test
    void cudaRequestWithoutLibcudaFallsBackToCpuNamingLibcuda() {
        assumeFalse(CudaProbe.result().available(), "skipped: this machine has a CUDA device");
        BackendChoice c = Backends.select("cuda", 1);
        try (var b = c.backend()) {
            assertInstanceOf(CpuBackend.class, b);
            assertFalse(c.honoured());
            assertTrue(c.reason().contains("libcuda"), "reason should name libcuda: " + c.reason());
            assertFalse(c.reason().contains("\tat ") || c.reason().contains("\n"), "one line, no stack trace");
        }
    }

    @Test
    void autoWithoutCudaPicksTheCpuAndSaysWhy() {
        assumeFalse(CudaProbe.result().available(), "skipped: this machine has a CUDA device");
        BackendChoice c = Backends.select("auto", 1);
        try (var b = c.backend()) {
            assertInstanceOf(CpuBackend.class, b);
            assertTrue(c.honoured(), "auto is honoured by the CPU");
            assertTrue(c.reason().startsWith("no CUDA device"), c.reason());
        }
    }

    /** A fresh JVM, because the probes are cached per JVM and the ICD loader reads its environment once. */
    private static String runSelector(String request, String... env) throws Exception {
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                Backends.class.getName(), request).redirectErrorStream(true);
        for (int i = 0; i < env.length; i += 2) {
            pb.environment().put(env[i], env[i + 1]);
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "selector timed out");
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    @Test
    void openclRequestWithoutAPlatformFallsBackInOneLineWithoutAStackTrace() throws Exception {
        String out = runSelector("opencl", "OCL_ICD_VENDORS", "/nonexistent");
        assertTrue(out.contains("requested opencl: OpenCL unavailable") && out.contains("CPU fallback"), out);
        assertFalse(out.contains("\tat ") || out.contains("Exception in thread"), "stack trace printed:\n" + out);
        assertEquals(1, out.lines().filter(l -> l.startsWith("WARNING:")).count(), "exactly one warning:\n" + out);
    }

    @Test
    void cudaRequestWithoutLibcudaLogsOneLineWithoutAStackTrace() throws Exception {
        assumeFalse(CudaProbe.result().available(), "skipped: this machine has a CUDA device");
        String out = runSelector("cuda");
        assertTrue(out.contains("libcuda.so.1 not found") && out.contains("CPU fallback"), out);
        assertFalse(out.contains("\tat ") || out.contains("Exception in thread"), "stack trace printed:\n" + out);
        assertEquals(1, out.lines().filter(l -> l.startsWith("WARNING:")).count(), "exactly one warning:\n" + out);
    }
}
