package dev.winnow.engine.optim;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.backend.cpu.CpuBackend;
import dev.winnow.engine.nn.Parameter;
import dev.winnow.engine.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Three optimiser steps against trajectories computed in float64 by a transcription of PyTorch's
 * {@code _single_tensor_sgd} and {@code _single_tensor_adam} (torch 2.x order: weight decay, then the moments with
 * {@code lerp}, bias corrections, {@code addcdiv}; AdamW multiplies the weight by 1 - lr*wd first). The gradients are
 * fixed per step, so with weight decay each step also reads the weight the previous step left. The second moment is
 * compared to 4e-9 absolute (about 2e-5 relative): 1 - 0.999f is 0.00099998713 in float32, not 0.001.
 */
class OptimizerReferenceTest {
    private static final float[] W0 = {0.5f, -1.0f, 2.0f};
    private static final float[][] GRADS = {{0.1f, -0.2f, 0.3f}, {-0.05f, 0.4f, 0.1f}, {0.2f, 0.0f, -0.3f}};
    private static final float TOL = 2e-6f;
    private static Backend backend;

    @BeforeAll
    static void setUp() {
        backend = new CpuBackend(1);
    }

    @AfterAll
    static void tearDown() {
        backend.close();
    }

    private static Parameter param() {
        return new Parameter("w", Tensor.of(backend, 1, 3, W0, true), true);
    }

    /** Runs three steps with the fixed gradients and checks the weights after each against {@code expected}. */
    private static void assertTrajectory(Optimizer opt, Parameter p, float[][] expected) {
        for (int s = 0; s < 3; s++) {
            opt.zeroGrad();
            backend.upload(GRADS[s], 0, p.value().gradOrZeros(), 0, 3);
            opt.step();
            assertArrayEquals(expected[s], p.value().toArray(), TOL, "weights after step " + (s + 1));
        }
    }

    @Test
    void plainSgdSubtractsTheLearningRateTimesTheGradient() {
        Parameter p = param();
        Sgd sgd = new Sgd(List.of(p), 0.1f, 0f, 0f, 0f, false);
        assertTrajectory(sgd, p, new float[][] {{0.49f, -0.98f, 1.97f}, {0.495f, -1.02f, 1.96f},
                {0.475f, -1.02f, 1.99f}});
        org.junit.jupiter.api.Assertions.assertNull(sgd.momentumBuffer(0), "no momentum, no buffer");
    }

    @Test
    void sgdWithMomentumAndWeightDecayFollowsPyTorch() {
        Parameter p = param();
        Sgd sgd = new Sgd(List.of(p), 0.1f, 0.9f, 0f, 0.01f, false);
        assertTrajectory(sgd, p, new float[][] {{0.4895f, -0.979f, 1.968f}, {0.4845605f, -0.999121f, 1.927232f},
                {0.45963039f, -1.01623078f, 1.91861357f}});
        assertArrayEquals(new float[] {0.249301105f, 0.17109779f, 0.08618432f}, sgd.momentumBuffer(0).toArray(), TOL);
    }

    @Test
    void sgdDampeningScalesOnlyTheGradientsAfterTheFirstStep() {
        Parameter p = param();
        Sgd sgd = new Sgd(List.of(p), 0.1f, 0.9f, 0.5f, 0f, false);
        assertTrajectory(sgd, p, new float[][] {{0.49f, -0.98f, 1.97f}, {0.4835f, -0.982f, 1.938f},
                {0.46765f, -0.9838f, 1.9242f}});
        assertArrayEquals(new float[] {0.1585f, 0.018f, 0.138f}, sgd.momentumBuffer(0).toArray(), TOL);
    }

    @Test
    void sgdNesterovWithWeightDecayFollowsPyTorch() {
        Parameter p = param();
        Sgd sgd = new Sgd(List.of(p), 0.1f, 0.9f, 0f, 0.01f, true);
        assertTrajectory(sgd, p, new float[][] {{0.48005f, -0.9601f, 1.9392f},
                {0.480132905f, -1.01726581f, 1.89059552f}, {0.437227312f, -1.03164632f, 1.91100464f}});
        assertArrayEquals(new float[] {0.249171779f, 0.171086442f, 0.0855587552f}, sgd.momentumBuffer(0).toArray(),
                TOL);
    }

    @Test
    void nesterovWithoutMomentumOrWithDampeningIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new Sgd(List.of(param()), 0.1f, 0f, 0f, 0f, true));
        assertThrows(IllegalArgumentException.class, () -> new Sgd(List.of(param()), 0.1f, 0.9f, 0.1f, 0f, true));
    }

    @Test
    void adamWithBiasCorrectionFollowsPyTorch() {
        Parameter p = param();
        Adam adam = new Adam(List.of(p), 0.01f);
        assertTrajectory(adam, p, new float[][] {{0.490000001f, -0.990000001f, 1.99f},
                {0.487336631f, -0.993661036f, 1.98128936f}, {0.480755515f, -0.996491026f, 1.98080549f}});
        assertArrayEquals(new float[] {0.0236f, 0.0198f, 0.0033f}, adam.firstMoment(0).toArray(), 1e-8f);
        assertArrayEquals(new float[] {5.247751e-05f, 0.00019976004f, 0.00018981009f},
                adam.secondMoment(0).toArray(), 4e-9f);
    }

    @Test
    void adamWithL2WeightDecayAddsItToTheGradient() {
        Parameter p = param();
        Adam adam = new Adam(List.of(p), 0.01f, 0.9f, 0.999f, 1e-8f, 0.1f, false);
        assertTrajectory(adam, p, new float[][] {{0.490000001f, -0.99f, 1.99f},
                {0.483349201f, -0.990542954f, 1.98042942f}, {0.475223551f, -0.98950055f, 1.97424446f}});
        assertArrayEquals(new float[] {0.036893492f, -0.00711542954f, 0.0572142942f}, adam.firstMoment(0).toArray(),
                1e-7f);
    }

    @Test
    void adamWDecaysTheWeightsDirectlyAndKeepsTheMomentsOfTheRawGradient() {
        Parameter p = param();
        Adam adamW = new Adam(List.of(p), 0.01f, 0.9f, 0.999f, 1e-8f, 0.1f, true);
        assertTrajectory(adamW, p, new float[][] {{0.489500001f, -0.989f, 1.988f},
                {0.486347131f, -0.991672036f, 1.97730136f}, {0.479279668f, -0.993510354f, 1.97484019f}});
        assertArrayEquals(new float[] {0.0236f, 0.0198f, 0.0033f}, adamW.firstMoment(0).toArray(), 1e-8f);
        assertArrayEquals(new float[] {5.247751e-05f, 0.00019976004f, 0.00018981009f},
                adamW.secondMoment(0).toArray(), 4e-9f);
    }

    @Test
    void aParameterWithoutGradientIsNotStepped() {
        Parameter p = param();
        Parameter q = new Parameter("q", Tensor.of(backend, 1, 3, W0, true), true);
        Adam adam = new Adam(List.of(p, q), 0.01f);
        backend.upload(GRADS[0], 0, p.value().gradOrZeros(), 0, 3);
        adam.step();
        assertArrayEquals(W0, q.value().toArray(), 0f);
        org.junit.jupiter.api.Assertions.assertNull(adam.firstMoment(1));
    }
}
