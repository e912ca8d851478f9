package dev.winnow.engine.prune;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.backend.cpu.CpuBackend;
import dev.winnow.engine.nn.Parameter;
import dev.winnow.engine.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Structured pruning of embedding tables: whole latent dimensions, the same columns in every table. */
class LatentDimensionPrunerTest {
    // tables of a few floats: one single-thread backend for the class (its worker threads are daemons)
    private static final Backend backend = new CpuBackend(1);

    private static Parameter table(String name, int rows, float[] columnScale) {
        int dim = columnScale.length;
        float[] w = new float[rows * dim];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < dim; c++) {
                w[r * dim + c] = (r % 2 == 0 ? 1 : -1) * columnScale[c] * (1 + r);
            }
        }
        return new Parameter(name, Tensor.of(backend, rows, dim, w, true), false);
    }

    @Test
    void removesTheColumnsWithTheSmallestL1NormOverBothTablesAndMasksThemInEach() {
        // column 3 is small in the user table but large in the item table: the sum over both tables decides
        Parameter user = table("user.weight", 3, new float[] {0.5f, 0.1f, 0.9f, 0.01f, 0.3f});
        Parameter item = table("item.weight", 4, new float[] {0.5f, 0.1f, 0.9f, 5f, 0.2f});
        LatentDimensionPruner p = new LatentDimensionPruner(List.of(user, item));
        PruneOutcome o = p.prune(0.4); // ceil(0.4 * 5) = 2 dimensions: 1 (0.1 + 0.1) and 4 (0.3 + 0.2)
        assertEquals(5, o.aliveBefore());
        assertEquals(3, o.aliveAfter());
        assertArrayEquals(new boolean[] {true, false, true, true, false}, p.aliveDimensions());
        assertEquals(0.6, p.density(), 1e-12);
        for (Parameter t : List.of(user, item)) {
            float[] m = t.mask().toArray();
            float[] w = t.value().toArray();
            for (int i = 0; i < m.length; i++) {
                int c = i % 5;
                float expected = c == 1 || c == 4 ? 0f : 1f;
                assertEquals(expected, m[i], t.name() + " mask entry " + i);
                if (expected == 0f) {
                    assertEquals(0f, w[i], t.name() + " value " + i + " of a removed dimension");
                }
            }
        }
        assertEquals(3L * 2, o.removedPerTensor().get("user.weight"));
        assertEquals(4L * 2, o.removedPerTensor().get("item.weight"));
        // the next event ranks only what is alive: ceil(0.4 * 3) = 2 more, dimensions 0 and 2 (3 is the largest)
        p.prune(0.4);
        assertArrayEquals(new boolean[] {false, false, false, true, false}, p.aliveDimensions());
    }

    @Test
    void tiesGoToTheLowerDimensionAndTablesMustShareTheirWidth() {
        Parameter user = table("user.weight", 2, new float[] {1f, 1f, 1f, 1f});
        Parameter item = table("item.weight", 2, new float[] {1f, 1f, 1f, 1f});
        LatentDimensionPruner p = new LatentDimensionPruner(List.of(user, item));
        p.prune(0.5);
        assertArrayEquals(new boolean[] {false, false, true, true}, p.aliveDimensions());
        Parameter narrow = table("item.weight", 2, new float[] {1f, 1f, 1f});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new LatentDimensionPruner(List.of(user, narrow)));
        assertEquals(true, e.getMessage().contains("share their width"), e.getMessage());
    }
}
