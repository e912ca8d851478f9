package dev.winnow.engine.prune;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.backend.cpu.CpuBackend;
import dev.winnow.engine.nn.Parameter;
import dev.winnow.engine.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SparsityReportTest {
    private static Backend backend;

    @BeforeAll
    static void setUp() {
        backend = new CpuBackend(1);
    }

    @AfterAll
    static void tearDown() {
        backend.close();
    }

    @Test
    void reportCountsNonzerosBytesAndFlopsPerLayerAndInTotal() {
        Parameter a = new Parameter("fc0.weight", Tensor.of(backend, 2, 4, new float[] {1, 2, 3, 4, 5, 6, 7, 8}, true),
                true);
        a.setMask(new float[] {1, 0, 1, 0, 0, 0, 0, 0});
        Parameter b = new Parameter("fc1.weight", Tensor.of(backend, 3, 2, new float[] {1, 0, 2, 3, 4, 5}, true), true);
        SparsityReport r = SparsityReport.of(List.of(a, b));
        SparsityReport.Layer la = r.layers().get(0);
        assertEquals(2, la.nonzeros());
        assertEquals(0.25, la.density(), 0.0);
        assertEquals(1, la.aliveRows());
        assertEquals(32, la.bytesDense());
        assertEquals(4 * 2 + 4 * 2 + 4 * 3, la.bytesCsr());
        assertEquals(4, la.flopsPerSample());
        SparsityReport.Layer lb = r.layers().get(1);
        assertEquals(5, lb.nonzeros(), "an exact zero is not stored in CSR");
        assertEquals(14, r.totalSize());
        assertEquals(7, r.totalNonzeros());
        assertEquals(56, r.totalBytesDense());
        assertEquals(la.bytesCsr() + (8 * 5 + 4 * 4), r.totalBytesCsr());
        assertEquals(14, r.totalFlopsPerSample());

        String json = r.toJson();
        assertTrue(json.startsWith("{\"layers\":[{\"name\":\"fc0.weight\",\"shape\":[2,4],\"density\":0.25,"
                + "\"nonzeros\":2,\"aliveRows\":1,\"bytesDense\":32,\"bytesCsr\":28,\"flopsPerSample\":4}"), json);
        assertTrue(json.endsWith("\"total\":{\"size\":14,\"density\":0.5,\"nonzeros\":7,\"bytesDense\":56,"
                + "\"bytesCsr\":84,\"flopsPerSample\":14}}"), json);
        String table = r.toTable();
        assertTrue(table.contains("fc0.weight") && table.contains("2x4") && table.contains("0.2500")
                && table.contains("total"), table);
        assertEquals(4, table.split("\n").length);

        SparsityReport conv = SparsityReport.builder().add(b, 10).build();
        assertEquals(2 * 5 * 10, conv.totalFlopsPerSample());
        assertEquals("\"a\\\"b\\\\c\\n\"", SparsityReport.quote("a\"b\\c\n"));
    }
}
