package dev.winnow.kernels.cuda;

import dev.winnow.engine.backend.cpu.CpuBackend;
import dev.winnow.kernels.check.Conformance;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Every SPI primitive on CUDA against the CPU reference; skipped, with the probe's reason, where no device answers. */
@Tag("cuda")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CudaConformanceTest {
    private CudaBackend dev;
    private CpuBackend ref;

    private String skipReason;

    @BeforeAll
    void start() {
        CudaProbe.Result probe = CudaProbe.result();
        if (probe.available()) {
            dev = new CudaBackend();
            ref = new CpuBackend(1);
        } else {
            skipReason = "skipped: no CUDA device (" + probe.description() + "); these tests run on a machine with an "
                    + "NVIDIA GPU and its driver (libcuda.so.1), e.g. through kernels/gpu/run-gpu.sh";
        }
    }

    @AfterAll
    void stop() {
        if (dev != null) {
            dev.close();
            ref.close();
        }
    }

    @TestFactory
    List<DynamicTest> everyPrimitiveMatchesTheCpuReference() {
        if (dev == null) {
            return List.of(DynamicTest.dynamicTest("noDevice", () -> assumeTrue(false, skipReason)));
        }
        AtomicLong seed = new AtomicLong(4242);
        return Conformance.cases().stream()
                .map(c -> DynamicTest.dynamicTest(c.name(), () -> c.run(ref, dev, seed.incrementAndGet())))
                .collect(Collectors.toList());
    }

    @Test
    void casesReleaseEveryBufferTheyAllocate() {
        assumeTrue(dev != null, () -> skipReason);
        int before = dev.liveBuffers();
        Conformance.cases().stream().filter(c -> c.name().startsWith("csrSpmmNN_37x53")).forEach(c -> c.run(ref, dev, 7));
        assertEquals(before, dev.liveBuffers(), "buffers leaked by the csrSpmmNN cases (incl. cached transposes)");
    }
}
