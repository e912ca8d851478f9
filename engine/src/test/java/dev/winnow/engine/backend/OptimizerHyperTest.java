package dev.winnow.engine.backend;

import dev.winnow.engine.backend.cpu.CpuBackend;
import dev.winnow.engine.nn.Parameter;
import dev.winnow.engine.optim.Adam;
import dev.winnow.engine.optim.Optimizer;
import dev.winnow.engine.optim.Sgd;
import dev.winnow.engine.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The optimiser steps' hyperparameter records: checked when made, made once per optimiser. */
class OptimizerHyperTest {

    private static void refused(Runnable make, String... mentions) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, make::run);
        for (String m : mentions) {
            assertTrue(e.getMessage().contains(m), "'" + e.getMessage() + "' should mention " + m);
        }
    }

    @Test
    void sgdHyperRefusesNesterovWithoutMomentumOrWithDampening() {
        refused(() -> new SgdHyper(0f, 0f, 0f, true), "Nesterov", "momentum 0.0");
        refused(() -> new SgdHyper(0.9f, 0.1f, 0f, true), "Nesterov", "dampening 0.1");
        assertTrue(new SgdHyper(0.9f, 0f, 0.01f, true).nesterov());
    }

    @Test
    void sgdHyperRefusesNegativeOrNonFiniteValues() {
        refused(() -> new SgdHyper(-0.1f, 0f, 0f, false), "momentum -0.1");
        refused(() -> new SgdHyper(Float.NaN, 0f, 0f, false), "momentum NaN");
        refused(() -> new SgdHyper(0.9f, 1.5f, 0f, false), "dampening 1.5", "[0, 1]");
        refused(() -> new SgdHyper(0.9f, 0f, -1e-4f, false), "weight decay -1.0E-4");
        refused(() -> new SgdHyper(0.9f, 0f, Float.POSITIVE_INFINITY, false), "weight decay Infinity");
    }

    @Test
    void adamHyperRefusesBetasOutsideZeroToOne() {
        refused(() -> new AdamHyper(1f, 0.999f, 1e-8f, 0f, false), "beta1 1.0", "[0, 1)");
        refused(() -> new AdamHyper(0.9f, -0.5f, 1e-8f, 0f, false), "beta2 -0.5");
        refused(() -> new AdamHyper(0.9f, Float.NaN, 1e-8f, 0f, false), "beta2 NaN");
    }

    @Test
    void adamHyperRefusesNegativeOrNonFiniteEpsAndWeightDecay() {
        refused(() -> new AdamHyper(0.9f, 0.999f, -1e-8f, 0f, false), "eps -1.0E-8");
        refused(() -> new AdamHyper(0.9f, 0.999f, 1e-8f, -0.01f, true), "weight decay -0.01");
        refused(() -> new AdamHyper(0.9f, 0.999f, 1e-8f, Float.NaN, true), "weight decay NaN");
        assertEquals(new AdamHyper(0.9f, 0.999f, 1e-8f, 0f, false), AdamHyper.DEFAULTS);
    }

    @Test
    void anOptimiserHandsTheSameHyperRecordToEveryStep() {
        try (CpuBackend cpu = new CpuBackend(1)) {
            for (Function<List<Parameter>, Optimizer> make : List.<Function<List<Parameter>, Optimizer>>of(
                    ps -> new Sgd(ps, 0.1f, 0.9f, 0f, 0.01f, true),
                    ps -> new Adam(ps, 0.01f, 0.9f, 0.99f, 1e-6f, 0.05f, true))) {
                List<Object> seen = new ArrayList<>();
                Backend be = recordingHyper(cpu, seen);
                Parameter a = new Parameter("a", Tensor.of(be, 1, 3, new float[] {0.5f, -1f, 2f}, true), true);
                Parameter b = new Parameter("b", Tensor.of(be, 1, 2, new float[] {1f, -2f}, true), true);
                Optimizer opt = make.apply(List.of(a, b));
                for (int step = 0; step < 3; step++) {
                    opt.zeroGrad();
                    be.upload(new float[] {0.1f, -0.2f, 0.3f}, 0, a.value().gradOrZeros(), 0, 3);
                    be.upload(new float[] {0.4f, 0.5f}, 0, b.value().gradOrZeros(), 0, 2);
                    opt.step();
                }
                assertEquals(6, seen.size(), "one step per parameter per optimiser step");
                for (Object h : seen) {
                    assertSame(seen.get(0), h, "the hyperparameters are made once, not per step");
                }
            }
        }
    }

    /** Delegates to {@code cpu}, noting the hyperparameter record of every optimiser step. */
    private static Backend recordingHyper(CpuBackend cpu, List<Object> seen) {
        InvocationHandler h = (proxy, method, args) -> {
            if (method.getName().endsWith("Step") || method.getName().endsWith("StepIndexed")) {
                seen.add(args[args.length - 1]);
            }
            try {
                return method.invoke(cpu, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class}, h);
    }
}
