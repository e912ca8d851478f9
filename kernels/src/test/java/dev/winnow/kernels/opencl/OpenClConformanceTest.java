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

    @BeforeAll
    void start() {
        OpenClProbe.Result probe = OpenClProbe.result();
        assumeTrue(probe.available(), () -> "skipped: no OpenCL device (" + probe.description()
                + "); install pocl-opencl-icd as .ci/run does");
        dev = new OpenClBackend();
        ref = new CpuBackend(1);
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
        AtomicLong seed = new AtomicLong(42);
        return Conformance.cases().stream()
                .map(c -> DynamicTest.dynamicTest(c.name(), () -> c.run(ref, dev, seed.incrementAndGet())))
                .collect(Collectors.toList());
    }

    @Test
    void casesReleaseEveryBufferTheyAllocate() {
        int before = dev.liveBuffers();
        Conformance.cases().stream().filter(c -> c.name().startsWith("csrSpmmNN_37x53")).forEach(c -> c.run(ref, dev, 7));
        assertEquals(before, dev.liveBuffers(), "buffers leaked by the csrSpmmNN cases (incl. cached transposes)");
    }
}
