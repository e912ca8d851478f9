package dev.winnow.recsys.method;

import dev.winnow.engine.nn.Module;
import dev.winnow.engine.nn.Parameter;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every number that defines a module's state, by name: parameter values ({@code name}), masks ({@code name#mask})
 * and buffers ({@code name}). Used for checkpoints and for keeping the best-validation student.
 */
public final class ModuleState {
    private ModuleState() {
    }

    public static Map<String, float[]> capture(Module module) {
        Map<String, float[]> m = new LinkedHashMap<>();
        for (Parameter p : module.parameters()) {
            m.put(p.name(), p.value().toArray());
            if (p.mask() != null) {
                m.put(p.name() + "#mask", p.mask().toArray());
            }
        }
        for (Module.Buffer b : module.buffers()) {
            m.put(b.name(), b.values().clone());
        }
        return m;
    }

    /** Restores what {@link #capture} saved; every parameter must be present with the same size. */
    public static void restore(Module module, Map<String, float[]> state, String what) {
        for (Parameter p : module.parameters()) {
            float[] mask = state.get(p.name() + "#mask");
            if (mask != null) {
                p.setMask(mask);
            } else if (p.mask() != null) {
                // the saved state predates this parameter's pruning: it was fully alive then
                float[] ones = new float[p.value().size()];
                java.util.Arrays.fill(ones, 1f);
                p.setMask(ones);
            }
            float[] v = state.get(p.name());
            if (v == null || v.length != p.value().size()) {
                throw new IllegalStateException(what + ": no saved values of the right size for parameter "
                        + p.name() + " " + p.value().shape());
            }
            p.value().copyFrom(v);
            p.applyMask();
        }
        for (Module.Buffer b : module.buffers()) {
            float[] v = state.get(b.name());
            if (v == null || v.length != b.values().length) {
                throw new IllegalStateException(what + ": no saved values of the right size for buffer " + b.name());
            }
            System.arraycopy(v, 0, b.values(), 0, v.length);
        }
    }
}
