package dev.winnow.engine.distill;

import dev.winnow.engine.backend.cpu.CpuBackend;
import dev.winnow.engine.tensor.Arena;
import dev.winnow.engine.tensor.BufferPool;
import dev.winnow.engine.tensor.Ops;
import dev.winnow.engine.tensor.RandomTensors;
import dev.winnow.engine.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PooledBatchNorm's training forward, whose per-block normalisation is one fused node (Ops.affineRows) on the CPU
 * backend, against the composition it replaced, written out here: the same bits in every output and in every
 * gradient (the blocks', gamma's, beta's), with the outputs used in an interleaved loss as the distiller uses them
 * (each block feeding several terms), so the order in which the tape adds the blocks' shares into the pooled
 * statistics' gradients is exercised; at 1 and 3 threads and several block counts and shapes.
 */
class PooledBatchNormFusedTest {

    /** PooledBatchNorm's training forward as a composition of element-wise ops (its code before the fused node). */
    private static List<Tensor> composed(List<Tensor> blocks, Tensor gamma, Tensor beta, float eps) {
        float share = 1f / blocks.size();
        Tensor mean = null;
        for (Tensor x : blocks) {
            Tensor m = Ops.scale(Ops.meanRows(x), share);
            mean = mean == null ? m : Ops.add(mean, m);
        }
        List<Tensor> centred = new ArrayList<>();
        Tensor var = null;
        for (Tensor x : blocks) {
            Tensor c = Ops.sub(x, mean);
            centred.add(c);
            Tensor v = Ops.scale(Ops.meanRows(Ops.square(c)), share);
            var = var == null ? v : Ops.add(var, v);
        }
        Tensor inv = Ops.pow(Ops.addScalar(var, eps), -0.5f);
        List<Tensor> out = new ArrayList<>();
        for (Tensor c : centred) {
            out.add(Ops.add(Ops.mul(Ops.mul(c, inv), gamma), beta));
        }
        return out;
    }

    /** A loss that reads the blocks out of order and more than once, as the attention terms do. */
    private static Tensor loss(List<Tensor> out, long seed) {
        Tensor loss = null;
        for (int t = 0; t < 2; t++) {
            for (int s = out.size() - 1; s >= 0; s--) {
                Tensor term = RandomTensors.weightedSum(Ops.mul(out.get(s), out.get((s + t) % out.size())),
                        seed + 10L * t + s);
                loss = loss == null ? term : Ops.add(loss, term);
            }
        }
        return loss;
    }

    private static List<float[]> run(CpuBackend be, PooledBatchNorm bn, int blocks, int rows, int cols, long seed,
                                     Function<List<Tensor>, List<Tensor>> forward) {
        try (BufferPool pool = new BufferPool(be); Arena arena = Arena.open(pool)) {
            List<Tensor> in = new ArrayList<>();
            for (int b = 0; b < blocks; b++) {
                in.add(Tensor.of(be, rows, cols, RandomTensors.uniform(rows * cols, -2, 3, seed + b), true));
            }
            bn.gamma().value().zeroGrad();
            bn.beta().value().zeroGrad();
            List<Tensor> out = forward.apply(in);
            loss(out, seed + 100).backward();
            List<float[]> r = new ArrayList<>();
            for (Tensor o : out) {
                r.add(o.toArray());
            }
            for (Tensor x : in) {
                r.add(x.gradToArray());
            }
            r.add(bn.gamma().value().gradToArray());
            r.add(bn.beta().value().gradToArray());
            return r;
        }
    }

    @Test
    void fusedTrainingForwardGivesTheCompositionsBitsInOutputsAndGradients() {
        int[][] shapes = {{2, 3, 5}, {2, 256, 64}, {3, 17, 33}, {1, 4, 16}};
        for (int threads : new int[] {1, 3}) {
            try (CpuBackend be = new CpuBackend(threads)) {
                long seed = 40;
                for (int[] sh : shapes) {
                    PooledBatchNorm bn = new PooledBatchNorm(be, "bn", sh[2], 1e-5f, 0.1f);
                    be.upload(RandomTensors.uniform(sh[2], 0.5, 2, seed + 50), 0, bn.gamma().value().data(), 0, sh[2]);
                    be.upload(RandomTensors.uniform(sh[2], -1, 1, seed + 60), 0, bn.beta().value().data(), 0, sh[2]);
                    List<float[]> expected = run(be, bn, sh[0], sh[1], sh[2], seed,
                            in -> composed(in, bn.gamma().value(), bn.beta().value(), 1e-5f));
                    List<float[]> actual = run(be, bn, sh[0], sh[1], sh[2], seed, bn::forward);
                    assertEquals(expected.size(), actual.size());
                    for (int k = 0; k < expected.size(); k++) {
                        float[] e = expected.get(k);
                        float[] a = actual.get(k);
                        String what = "pooled batch norm " + sh[0] + " blocks of " + sh[1] + "x" + sh[2] + " threads="
                                + threads + " array " + k;
                        assertEquals(e.length, a.length, what);
                        for (int i = 0; i < e.length; i++) {
                            if (Float.floatToIntBits(e[i]) != Float.floatToIntBits(a[i])) {
                                throw new AssertionError(what + " element " + i + ": composition " + e[i] + ", fused "
                                        + a[i]);
                            }
                        }
                    }
                    seed += 100;
                }
            }
        }
        try (CpuBackend be = new CpuBackend(1)) {
            assertTrue(be.fusedRowOps(), "the CPU backend runs the fused node this test is about");
        }
    }
}
