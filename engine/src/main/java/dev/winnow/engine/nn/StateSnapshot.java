package dev.winnow.engine.nn;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An in-memory copy of a module's parameters, masks and buffers by name: what rewinding to initialisation (or to
 * iteration k) restores.
 */
public final class StateSnapshot {
    private final Map<String, float[]> values = new LinkedHashMap<>();
    private final Map<String, float[]> masks = new LinkedHashMap<>();
    private final Map<String, float[]> buffers = new LinkedHashMap<>();

    private StateSnapshot() {
    }

    public static StateSnapshot of(Module module) {
        StateSnapshot s = new StateSnapshot();
        for (Parameter p : module.parameters()) {
            if (s.values.put(p.name(), p.value().toArray()) != null) {
                throw new IllegalStateException("duplicate parameter name " + p.name());
            }
            if (p.mask() != null) {
                s.masks.put(p.name(), p.mask().toArray());
            }
        }
        for (Module.Buffer b : module.buffers()) {
            s.buffers.put(b.name(), b.values().clone());
        }
        return s;
    }

    /** Restores every parameter value and buffer (masks are left as they are: pruning only moves forward). */
    public void restoreValues(Module module) {
        for (Parameter p : module.parameters()) {
            float[] v = values.get(p.name());
            if (v == null) {
                throw new IllegalStateException("snapshot has no parameter named " + p.name());
            }
            p.value().copyFrom(v);
            p.applyMask();
        }
        restoreBuffers(module.buffers());
    }

    /** Restores values, masks and buffers: the module becomes exactly what it was. */
    public void restoreAll(Module module) {
        for (Parameter p : module.parameters()) {
            float[] m = masks.get(p.name());
            if (m != null) {
                p.setMask(m);
            }
        }
        restoreValues(module);
    }

    private void restoreBuffers(List<Module.Buffer> live) {
        for (Module.Buffer b : live) {
            float[] v = buffers.get(b.name());
            if (v != null) {
                System.arraycopy(v, 0, b.values(), 0, v.length);
            }
        }
    }

    public float[] value(String name) {
        float[] v = values.get(name);
        return v == null ? null : v.clone();
    }

    public Map<String, float[]> values() {
        return java.util.Collections.unmodifiableMap(values);
    }
}
