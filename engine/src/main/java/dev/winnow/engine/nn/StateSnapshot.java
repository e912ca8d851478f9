package dev.winnow.engine.nn;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An in-memory copy of a module's parameters, masks and buffers by name: what rewinding to initialisation (or to
 * iteration k) restores.
 */
public final class StateSnapshot {
    /** Suffix of a mask's key in {@link #asMap}. */
    public static final String MASK_SUFFIX = "#mask";

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

    /**
     * The snapshot as one flat map, in the layout checkpoints store: each parameter's values under its name, followed
     * by its mask under {@code name#mask} when it had one, then every buffer under its name.
     */
    public Map<String, float[]> asMap() {
        Map<String, float[]> m = new LinkedHashMap<>();
        for (Map.Entry<String, float[]> e : values.entrySet()) {
            m.put(e.getKey(), e.getValue().clone());
            float[] mask = masks.get(e.getKey());
            if (mask != null) {
                m.put(e.getKey() + MASK_SUFFIX, mask.clone());
            }
        }
        for (Map.Entry<String, float[]> e : buffers.entrySet()) {
            m.put(e.getKey(), e.getValue().clone());
        }
        return m;
    }

    /**
     * Reads back what {@link #asMap} wrote for {@code module}'s parameters and buffers; every one must be present
     * with its size ({@code what} names the source in the error).
     */
    public static StateSnapshot fromMap(Module module, Map<String, float[]> state, String what) {
        StateSnapshot s = new StateSnapshot();
        for (Parameter p : module.parameters()) {
            float[] v = state.get(p.name());
            if (v == null || v.length != p.value().size()) {
                throw new IllegalStateException(what + ": no saved values of the right size for parameter "
                        + p.name() + " " + p.value().shape());
            }
            s.values.put(p.name(), v.clone());
            float[] mask = state.get(p.name() + MASK_SUFFIX);
            if (mask != null) {
                s.masks.put(p.name(), mask.clone());
            }
        }
        for (Module.Buffer b : module.buffers()) {
            float[] v = state.get(b.name());
            if (v == null || v.length != b.values().length) {
                throw new IllegalStateException(what + ": no saved values of the right size for buffer " + b.name());
            }
            s.buffers.put(b.name(), v.clone());
        }
        return s;
    }

    public float[] value(String name) {
        float[] v = values.get(name);
        return v == null ? null : v.clone();
    }

    public Map<String, float[]> values() {
        return java.util.Collections.unmodifiableMap(values);
    }
}
