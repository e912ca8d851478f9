package dev.winnow.recsys.cli;

import dev.winnow.engine.nn.Linear;
import dev.winnow.engine.tensor.Tensor;
import dev.winnow.recsys.data.RatingData;
import dev.winnow.recsys.data.SyntheticRatings;
import dev.winnow.recsys.model.NcfConfig;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What `bench step` times must be a network that still learns: with every MLP layer masked at density 0.1 (the output
 * layer too, an unstructured draw) the ReLUs feeding the output died within 100 steps and no gradient reached the
 * embeddings any more, so the csr mode timed a dead network (on an Intel core 10x slower in Adam, bench/RESULTS.md,
 * Machine 4).
 */
class BenchStepNetworkTest {
    @Test
    void theCsrModesNetworkStillSendsGradientsToTheEmbeddingsAfterHundredsOfSteps() {
        BenchStepCommand cmd = new BenchStepCommand();
        cmd.batch = 256;
        cmd.density = 0.1;
        cmd.threads = 1;
        RatingData data = SyntheticRatings.generate(0, 943, 1682, 100_000);
        try (BenchStepCommand.Runner runner = cmd.new Runner(NcfConfig.STUDENT, data, "csr", "adam")) {
            List<Linear> layers = runner.ncf.mlp().layers();
            for (int i = 0; i < layers.size() - 1; i++) {
                assertNotNull(layers.get(i).weight().mask(), "hidden layer " + i + " is masked");
            }
            assertNull(layers.get(layers.size() - 1).weight().mask(), "the output layer stays dense");
            for (int s = 0; s < 300; s++) {
                runner.step(data);
            }
            for (var table : runner.ncf.embeddingTables()) {
                Tensor w = table.value();
                assertNotNull(w.grad(), "a gradient reached the embedding table");
                float[] g = new float[w.size()];
                runner.be.download(w.grad(), 0, g, 0, g.length);
                int nonzero = 0;
                for (float v : g) {
                    if (v != 0f) {
                        nonzero++;
                    }
                }
                // A batch of 256 touches at least a few dozen rows of 32 weights each.
                assertTrue(nonzero >= 32 * 20, "nonzero embedding gradients after 300 steps: " + nonzero);
            }
        }
    }
}
