package dev.winnow.kernels.opencl;

import dev.winnow.engine.backend.IntStorage;
import dev.winnow.engine.backend.Storage;
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

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
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

    @Test
    void aBufferTooShortForTheCallIsRejectedBeforeAnyLaunch() {
        assumeTrue(dev != null, () -> skipReason);
        Storage a = dev.allocate(6 * 4);
        Storage b = dev.allocate(4 * 5);
        Storage c = dev.allocate(6 * 5 - 1);
        try {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> dev.gemm(false, false, 6, 5, 4, 1f, a, 4, b, 5, 0f, c, 5));
            assertTrue(e.getMessage().contains("gemm: C holds 29 elements, the call needs 30"), e.getMessage());
        } finally {
            dev.free(a);
            dev.free(b);
            dev.free(c);
        }
    }

    @Test
    void scatterAddSkipsAnIndexOutsideTheTableInsteadOfWritingPastIt() {
        assumeTrue(dev != null, () -> skipReason);
        Storage src = dev.allocate(3 * 2);
        Storage table = dev.allocate(4 * 2);
        Storage guard = dev.allocate(64);
        IntStorage index = dev.allocateInts(3);
        try {
            dev.upload(new float[] {1, 2, 3, 4, 5, 6}, 0, src, 0, 6);
            dev.uploadInts(new int[] {1, 4, -1}, 0, index, 0, 3);
            dev.scatterAddRows(src, 2, index, 3, table);
            float[] got = new float[8];
            dev.download(table, 0, got, 0, 8);
            assertArrayEquals(new float[] {0, 0, 1, 2, 0, 0, 0, 0}, got);
            float[] g = new float[64];
            dev.download(guard, 0, g, 0, 64);
            assertArrayEquals(new float[64], g, "a neighbouring buffer was written");
        } finally {
            dev.free(src);
            dev.free(table);
            dev.free(guard);
            dev.free(index);
        }
    }
}
