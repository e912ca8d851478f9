package dev.winnow.engine.io;

import dev.winnow.engine.runtime.WnwFormat;

/** The {@code --storage} option: one encoding for every weight tensor, or {@code auto} (smallest that meets the contract). */
public enum StorageChoice {
    AUTO("auto", -1),
    DENSE("dense", WnwFormat.STORAGE_DENSE_F32),
    CSR("csr", WnwFormat.STORAGE_CSR_F32),
    CSR_FP16("csr-fp16", WnwFormat.STORAGE_CSR_F16),
    INT8("int8", WnwFormat.STORAGE_CSR_I8);

    private final String label;
    private final int code;

    StorageChoice(String label, int code) {
        this.label = label;
        this.code = code;
    }

    public String label() {
        return label;
    }

    /** The format's storage code (-1 for AUTO). */
    public int code() {
        return code;
    }

    public static StorageChoice parse(String s) {
        for (StorageChoice c : values()) {
            if (c.label.equals(s)) {
                return c;
            }
        }
        throw new IllegalArgumentException("--storage: '" + s + "' is not one of auto, dense, csr, csr-fp16, int8");
    }
}
