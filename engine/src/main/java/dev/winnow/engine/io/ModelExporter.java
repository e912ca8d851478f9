package dev.winnow.engine.io;

import dev.winnow.engine.runtime.ModelFormatException;
import dev.winnow.engine.runtime.RecommenderModel;
import dev.winnow.engine.runtime.TensorInfo;
import dev.winnow.engine.runtime.WnwFormat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Chooses storage per weight tensor, encodes, checks the result against the fp32 model on probe pairs, and writes the
 * file atomically. {@code auto} tries, from the smallest file up, every combination of a precision tier (int8, fp16,
 * fp32; in the fp32 tier the smaller of dense and CSR per tensor) for the embedding tables and for the MLP weights,
 * and keeps the first whose largest prediction error on the probe pairs is within the tolerance.
 */
public final class ModelExporter {
    /** The accuracy contract {@code auto} enforces by default: the fp16 bound on predictions. */
    public static final double DEFAULT_TOLERANCE = 1e-2;
    public static final int PROBE_PAIRS = 4096;

    private ModelExporter() {
    }

    /** What an export wrote. {@code maxAbsError} is the largest |score - fp32 score| over the probe pairs. */
    public record Report(Path file, long fileBytes, long denseFp32Bytes, List<TensorInfo> tensors,
                         double maxAbsError, int probePairs, String choice) {
    }

    public static Report export(NcfExport model, StorageChoice choice, double tolerance, Path out) throws IOException {
        Encoded e = encode(model, choice, tolerance);
        WnwWriter.writeAtomically(e.bytes, out);
        RecommenderModel loaded = RecommenderModel.load(out);
        return new Report(out, e.bytes.length, e.denseBytes, loaded.tensors(), e.error, PROBE_PAIRS, e.label);
    }

    /** The chosen encoding, without writing it. */
    public static Encoded encode(NcfExport model, StorageChoice choice, double tolerance) {
        int n = model.weightTensorCount();
        int[] dense = new int[n];
        byte[] denseBytes = WnwWriter.encode(model, dense);
        RecommenderModel reference = load(denseBytes);
        int[] pu = new int[PROBE_PAIRS];
        int[] pi = new int[PROBE_PAIRS];
        SplittableRandom rng = new SplittableRandom(0x5EEDL);
        for (int k = 0; k < PROBE_PAIRS; k++) {
            pu[k] = rng.nextInt(model.users());
            pi[k] = rng.nextInt(model.items());
        }
        float[] ref = new float[PROBE_PAIRS];
        reference.scoreBatch(pu, pi, PROBE_PAIRS, ref);
        if (choice != StorageChoice.AUTO) {
            int[] codes = new int[n];
            java.util.Arrays.fill(codes, choice.code());
            byte[] bytes = WnwWriter.encode(model, codes);
            return new Encoded(bytes, denseBytes.length, error(load(bytes), pu, pi, ref), choice.label());
        }
        List<Encoded> candidates = new ArrayList<>();
        int[] tiers = {WnwFormat.STORAGE_CSR_I8, WnwFormat.STORAGE_CSR_F16, -1};
        for (int embTier : tiers) {
            for (int mlpTier : tiers) {
                int[] codes = new int[n];
                for (int t = 0; t < n; t++) {
                    int tier = t < 2 ? embTier : mlpTier;
                    codes[t] = tier >= 0 ? tier : smallerFp32(model, t);
                }
                try {
                    candidates.add(new Encoded(WnwWriter.encode(model, codes), denseBytes.length, Double.NaN,
                            "auto: embeddings " + tierName(embTier) + ", mlp " + tierName(mlpTier)));
                } catch (IllegalArgumentException outOfRange) {
                    // a value beyond the fp16 range: this tier cannot hold the model
                }
            }
        }
        candidates.sort(Comparator.comparingInt(c -> c.bytes.length));
        for (Encoded c : candidates) {
            double err = error(load(c.bytes), pu, pi, ref);
            if (err <= tolerance) {
                return new Encoded(c.bytes, c.denseBytes, err, c.label);
            }
        }
        throw new AssertionError("the fp32 candidate always meets the tolerance");
    }

    private static String tierName(int tier) {
        return tier == WnwFormat.STORAGE_CSR_I8 ? "int8" : tier == WnwFormat.STORAGE_CSR_F16 ? "fp16" : "fp32";
    }

    private static int smallerFp32(NcfExport m, int t) {
        long cells = (long) m.weightRows(t) * m.weightCols(t);
        long nnz = 0;
        for (float v : m.weightValues(t)) {
            if (v != 0f) {
                nnz++;
            }
        }
        long csr = 4 + (long) m.weightRows(t) * WnwFormat.countWidth(m.weightCols(t))
                + nnz * (WnwFormat.indexWidth(m.weightCols(t)) + 4);
        return csr < 4 * cells ? WnwFormat.STORAGE_CSR_F32 : WnwFormat.STORAGE_DENSE_F32;
    }

    private static double error(RecommenderModel m, int[] pu, int[] pi, float[] ref) {
        float[] got = new float[ref.length];
        m.scoreBatch(pu, pi, ref.length, got);
        double max = 0;
        for (int k = 0; k < ref.length; k++) {
            max = Math.max(max, Math.abs((double) got[k] - ref[k]));
        }
        return max;
    }

    private static RecommenderModel load(byte[] bytes) {
        try {
            return RecommenderModel.load(new ByteArrayInputStream(bytes), "export");
        } catch (ModelFormatException e) {
            throw new IllegalStateException("the writer produced a file the runtime refuses: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An encoded file image with its measured error against the fp32 model. */
    public record Encoded(byte[] bytes, long denseBytes, double error, String label) {
    }
}
