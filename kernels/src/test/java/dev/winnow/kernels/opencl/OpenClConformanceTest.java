package dev.winnow.kernels.opencl;

import dev.winnow.engine.backend.cpu.CpuBackend;
import dev.winnow.kernels.check.Conformance;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every SPI primitive on OpenCL (PoCL in CI) against the CPU reference, through the shared conformance cases. One
 * backend serves the class: the program build is the slow part.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenClConformanceTest {
    private OpenClBackend dev;
    private CpuBackend ref;

    private String skipReason;

    @BeforeAll
    void start() {
        OpenClProbe.Result probe = OpenClProbe.result();
        if (probe.available()) {
            dev = new OpenClBackend();
            ref = new CpuBackend(1);
        } else {
            skipReason = "skipped: no OpenCL device (" + probe.description()
                + "); install pocl-opencl-icd as .ci/run does";
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
        AtomicLong seed = new AtomicLong(42);
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
