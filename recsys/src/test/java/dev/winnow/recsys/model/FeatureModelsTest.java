package dev.winnow.recsys.model;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.backend.cpu.CpuBackend;
import dev.winnow.engine.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FeatureModelsTest {
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
    void featureMlpExposesItsPostActivationHiddenLayersAsTaps() {
        FeatureMlp m = FeatureMlp.teacher(backend, 30, 1);
        List<Tensor> taps = new ArrayList<>();
        Tensor y = m.forward(Tensor.zeros(backend, 5, 30, false), taps);
        assertEquals(5, y.rows());
        assertEquals(1, y.cols());
        assertEquals(2, taps.size());
        assertEquals(FeatureMlp.TEACHER[0], taps.get(0).cols());
        assertEquals(FeatureMlp.TEACHER[1], taps.get(1).cols());
        for (float v : taps.get(0).toArray()) {
            assertTrue(v >= 0f, "taps are post-ReLU");
        }
    }

    @Test
    void dcnnIsThePlaceholderArchitectureAndTapsItsPooledAndDenseFeatures() {
        Dcnn d = Dcnn.placeholder(backend, 10, 2);
        List<Tensor> taps = new ArrayList<>();
        Tensor y = d.forward(Tensor.zeros(backend, 3, 10, false), taps);
        assertEquals(3, y.rows());
        assertEquals(2, taps.size());
        assertEquals(64, taps.get(0).cols(), "global average pool over 64 channels");
        assertEquals(64, taps.get(1).cols(), "Dense(64)");
        // conv1 1*3*32+32, conv2 32*3*64+64, dense 64*64+64, out 64+1: independent of the number of features
        assertEquals(128 + 6208 + 4160 + 65, d.parameterCount());
        assertTrue(d.parameters().get(0).prunable() && !d.parameters().get(1).prunable());
    }

    @Test
    void dcnnReadsTextFieldsThroughPerFieldEmbeddingBagsAndScalarsAsBefore() {
        // 2 scalar columns, 4 text fields of 16 buckets, 3 more scalar columns (the historical group's place)
        Dcnn.TextBlocks text = new Dcnn.TextBlocks(2, 4, 16);
        Dcnn d = Dcnn.placeholder(backend, 2 + 64 + 3, text, 5);
        List<Tensor> taps = new ArrayList<>();
        float[] in = new float[2 * 69];
        in[2 + 3] = 1f; // sample 0: one token of the first field
        Tensor y = d.forward(Tensor.of(backend, 2, 69, in, false), taps);
        assertEquals(128, taps.get(0).cols(), "the scalar and the text branch, 64 pooled channels each");
        float[] p = y.toArray();
        assertTrue(p[0] != p[1], "a text token changes the prediction");
        // scalar branch 128 + 6208; bags 4*16*32; text convs 32*3*32+32 and 6208; dense 128*64+64; out 65
        assertEquals(128 + 6208 + 2048 + 3104 + 6208 + 8256 + 65, d.parameterCount());
        assertEquals("dcnn[bags4x32,conv32,conv64,dense64]", d.describe());
        // text alone: no scalar branch
        Dcnn t = Dcnn.placeholder(backend, 64, new Dcnn.TextBlocks(0, 4, 16), 5);
        List<Tensor> tTaps = new ArrayList<>();
        t.forward(Tensor.zeros(backend, 3, 64, false), tTaps);
        assertEquals(64, tTaps.get(0).cols());
        assertEquals(2048 + 3104 + 6208 + 4160 + 65, t.parameterCount());
        // without text blocks the model is the placeholder, weight for weight
        Dcnn plain = Dcnn.placeholder(backend, 10, Dcnn.TextBlocks.NONE, 2);
        Dcnn old = Dcnn.placeholder(backend, 10, 2);
        for (int i = 0; i < old.parameters().size(); i++) {
            assertArrayEquals(old.parameters().get(i).value().toArray(), plain.parameters().get(i).value().toArray());
        }
    }

    @Test
    void teachersHaveFiveToTenTimesTheStudentsParameters() {
        double dcnn = (double) Dcnn.teacher(backend, 100, 1).parameterCount()
                / Dcnn.placeholder(backend, 100, 1).parameterCount();
        assertTrue(dcnn >= 5 && dcnn <= 10, "dcnn teacher/student = " + dcnn);
        for (int features : new int[] {68, 256, 348}) {
            double mlp = (double) FeatureMlp.teacher(backend, features, 1).parameterCount()
                    / FeatureMlp.student(backend, features, 1).parameterCount();
            assertTrue(mlp >= 5 && mlp <= 10, features + " features: featmlp teacher/student = " + mlp);
        }
    }
}
