package dev.winnow.engine.runtime;

import static dev.winnow.engine.runtime.WnwFormat.*;

/**
 * The MLP part of a .wnw model, the same in both model kinds: its activation and layer count (right after the model
 * kind in the header), its layer shapes (the header's last fields), its weight and bias tensor sections, and the
 * layers built from them once every section has been read. Error messages name the field, section and offset.
 */
final class MlpSections {
    final int activation;
    final float activationParam;
    final int layerCount;
    private final int[] in;
    private final int[] out;
    private final StoredTensor[] weights;
    private final float[][] biases;

    /** Reads the activation, its parameter and the layer count; {@code model} names the kind in errors. */
    MlpSections(SectionReader h, String model) throws ModelFormatException {
        activation = h.u8("activation");
        if (activation > ACT_TANH) {
            throw h.fail("unknown activation code " + activation);
        }
        activationParam = h.finiteF32("activation parameter");
        layerCount = h.u16("layer count");
        if (layerCount < 1) {
            throw h.fail(model + " needs at least one MLP layer");
        }
        in = new int[layerCount];
        out = new int[layerCount];
        weights = new StoredTensor[layerCount];
        biases = new float[layerCount][];
    }

    /** Reads the layer shapes: layer 0 takes {@code firstInput} values, each next layer the previous one's output. */
    void readShapes(SectionReader h, int firstInput) throws ModelFormatException {
        h.need(8L * layerCount, layerCount + " layer shapes");
        for (int i = 0; i < layerCount; i++) {
            in[i] = h.count("layer " + i + " input width", 1, RecommenderModel.MAX_WIDTH);
            out[i] = h.count("layer " + i + " output width", 1, RecommenderModel.MAX_WIDTH);
            int expected = i == 0 ? firstInput : out[i - 1];
            if (in[i] != expected) {
                throw h.fail("layer " + i + " takes " + in[i] + " inputs but receives " + expected);
            }
        }
        if (out[layerCount - 1] != 1) {
            throw h.fail("the last layer must have 1 output (a rating), not " + out[layerCount - 1]);
        }
    }

    void checkLayer(SectionReader r, int layer) throws ModelFormatException {
        if (layer >= layerCount) {
            throw r.fail("layer index " + layer + " but the model has " + layerCount + " layers");
        }
    }

    /**
     * Checks a weight or bias tensor against the header (shape, dense fp32 bias, not seen before) and reads it;
     * {@code r} starts at the tensor's payload and must end with it.
     */
    StoredTensor readTensor(SectionReader r, int role, int storage, int layer, int rows, int cols, String tensor)
            throws ModelFormatException {
        int expRows = role == ROLE_WEIGHT ? out[layer] : 1;
        int expCols = role == ROLE_WEIGHT ? in[layer] : out[layer];
        if (rows != expRows || cols != expCols) {
            throw r.fail("shape " + rows + "x" + cols + " but the model header implies " + expRows + "x" + expCols);
        }
        if (role == ROLE_BIAS && storage != STORAGE_DENSE_F32) {
            throw r.fail("biases must be stored dense fp32, found " + storageName(storage));
        }
        if (role == ROLE_WEIGHT ? weights[layer] != null : biases[layer] != null) {
            throw r.fail("tensor " + tensor + " appears twice");
        }
        StoredTensor t = StoredTensor.read(r, storage, rows, cols);
        r.expectEnd();
        if (role == ROLE_WEIGHT) {
            weights[layer] = t;
        } else {
            biases[layer] = t.denseValues();
        }
        return t;
    }

    /**
     * The layers, once every section is read; {@code tail} locates the error when a tensor is missing. Each layer picks
     * its layouts for {@code kern} unless -Dwinnow.layout names one ({@link Layer#forcedLayout}).
     */
    Layer[] layers(SectionReader tail, Kernels kern) throws ModelFormatException {
        String layout = Layer.forcedLayout();
        Layer[] layers = new Layer[layerCount];
        for (int i = 0; i < layerCount; i++) {
            if (weights[i] == null || biases[i] == null) {
                throw tail.fail("tensor mlp." + i + (weights[i] == null ? ".weight" : ".bias") + " is missing");
            }
            StoredTensor w = weights[i];
            layers[i] = new Layer(in[i], csr(w), biases[i], i == layerCount - 1 ? ACT_NONE : activation,
                    activationParam, w.dense(), layout, kern != ScalarKernels.INSTANCE);
        }
        return layers;
    }

    /** A weight tensor as CSR with float values: a dense one's nonzeros, a stored one's entries decoded. */
    private static Layer.Form csr(StoredTensor w) {
        float[] dense = w.dense() ? w.denseValues() : null;
        int[] rowStart = w.dense() ? new int[w.rows + 1] : w.rowStart;
        int nnz = w.nnz;
        if (dense != null) {
            nnz = 0;
            for (int r = 0; r < w.rows; r++) {
                for (int c = 0; c < w.cols; c++) {
                    nnz += dense[r * w.cols + c] != 0f ? 1 : 0;
                }
                rowStart[r + 1] = nnz;
            }
        }
        int[] col = new int[nnz];
        float[] val = new float[nnz];
        for (int r = 0, k = 0; r < w.rows; r++) {
            for (int c = 0; dense != null && c < w.cols; c++) {
                if (dense[r * w.cols + c] != 0f) {
                    col[k] = c;
                    val[k++] = dense[r * w.cols + c];
                }
            }
            for (int e = rowStart[r]; dense == null && e < rowStart[r + 1]; e++) {
                col[e] = w.column(e);
                val[e] = w.value(r, e);
            }
        }
        return Layer.Form.csr(rowStart, col, val);
    }
}
