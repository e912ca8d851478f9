package dev.winnow.engine.io;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.backend.cpu.CpuBackend;
import dev.winnow.engine.nn.Activation;
import dev.winnow.engine.prune.LatentDimensionPruner;
import dev.winnow.engine.runtime.RecommenderModel;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Embedding tables pruned by latent dimension export with the smaller embedding size (the dead columns and the first
 * layer's inputs they fed removed), and pruned tables in general export sparsely; the runtime predicts what the
 * engine does.
 */
class CompactEmbeddingExportTest {
    // small models: one single-thread backend for the class (its worker threads are daemons)
    private static final Backend backend = new CpuBackend(1);

    private static RecommenderModel load(byte[] bytes) throws Exception {
        return RecommenderModel.load(new ByteArrayInputStream(bytes), "test.wnw");
    }

    private static void assertSamePredictions(TestModels m, RecommenderModel r, double tol) {
        int[][] p = TestModels.pairs(40, 50, 500, 3);
        float[] engine = m.forward(p[0], p[1]);
        for (int k = 0; k < engine.length; k++) {
            assertEquals(engine[k], r.score(p[0][k], p[1][k]), tol, "pair " + p[0][k] + "," + p[1][k]);
        }
    }

    @Test
    void deadLatentDimensionsAreRemovedAndPredictionsStayTheSame() throws Exception {
        TestModels m = new TestModels(backend, 40, 50, 12, new int[] {16, 8}, Activation.RELU, 9);
        new LatentDimensionPruner(List.of(m.users.table(), m.items.table())).prune(0.5);
        NcfExport full = m.export(1f, 5f);
        NcfExport compact = full.withoutDeadDimensions();
        assertEquals(6, compact.dim());
        assertEquals(12, compact.layers().get(0).in());
        assertEquals("12", compact.metadata().get("compacted_embedding_from"));
        byte[] fullBytes = ModelExporter.encode(full, StorageChoice.DENSE, 1.0).bytes();
        byte[] compactBytes = ModelExporter.encode(compact, StorageChoice.DENSE, 1.0).bytes();
        assertTrue(compactBytes.length < fullBytes.length * 0.6, compactBytes.length + " vs " + fullBytes.length);
        RecommenderModel r = load(compactBytes);
        assertEquals(6, r.embeddingSize());
        assertSamePredictions(m, r, 1e-6);
    }

    @Test
    void aModelWithoutDeadDimensionsIsLeftAsItIs() {
        TestModels m = new TestModels(backend, 40, 50, 12, new int[] {16, 8}, Activation.RELU, 9);
        m.pruneByMagnitude(0.5);
        NcfExport e = m.export(1f, 5f);
        assertSame(e, e.withoutDeadDimensions());
    }

    @Test
    void magnitudePrunedTablesAreStoredSparselyAndRoundTrip() throws Exception {
        TestModels m = new TestModels(backend, 40, 50, 12, new int[] {16, 8}, Activation.RELU, 10);
        m.pruneByMagnitude(0.3);
        NcfExport e = m.export(1f, 5f);
        byte[] dense = ModelExporter.encode(e, StorageChoice.DENSE, 1.0).bytes();
        byte[] csr = ModelExporter.encode(e, StorageChoice.CSR, 1.0).bytes();
        byte[] auto = ModelExporter.encode(e, StorageChoice.AUTO, 1e-6).bytes();
        assertTrue(csr.length < dense.length * 0.5, csr.length + " vs " + dense.length);
        assertTrue(auto.length <= csr.length, auto.length + " vs " + csr.length);
        RecommenderModel r = load(csr);
        assertEquals("csr", r.tensors().get(0).storageName());
        assertEquals("csr", r.tensors().get(1).storageName());
        assertEquals((long) Math.round(0.3 * 40 * 12), r.tensors().get(0).nonzeros());
        assertSamePredictions(m, r, 1e-6);
        assertSamePredictions(m, load(auto), 1e-6);
    }
}
