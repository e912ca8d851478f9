package dev.winnow.recsys.method;

import java.util.Locale;

/** The methods the {@code compare} command runs; {@link #label()} is the exact name used in results files. */
public enum Method {
    /** Dense, trained first on the task alone, then frozen as the teacher. */
    TEACHER("teacher"),
    /** Dense student, no teacher. */
    STUDENT("student"),
    /** Dense student distilled with Show-Attend-Distill + regression KD. */
    SAD("SAD"),
    /** Structured (neuron) pruning during distillation, keeping the trained weights. */
    SP_SAD("SP-SAD"),
    /** Magnitude pruning during distillation, rewinding survivors to initialisation (or to iteration k). */
    LTH_SAD("LTH-SAD"),
    /** Find the ticket by plain LTH first, then distil into it. */
    SS_SAD("SS-SAD"),
    /** Plain iterative magnitude pruning with rewinding, no teacher. */
    LTH("LTH"),
    /** The DCNN baseline (movie features only; re-implementation with an assumed architecture). */
    DCNN("DCNN");

    private final String label;

    Method(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    public boolean usesTeacher() {
        return this == SAD || this == SP_SAD || this == LTH_SAD || this == SS_SAD;
    }

    public boolean prunes() {
        return this == SP_SAD || this == LTH_SAD || this == SS_SAD || this == LTH;
    }

    /** Parses a label case-insensitively ("lth-sad", "LTH_SAD" and "LTH-SAD" all work). */
    public static Method parse(String s) {
        String norm = s.trim().toUpperCase(Locale.ROOT).replace('_', '-');
        for (Method m : values()) {
            if (m.label.toUpperCase(Locale.ROOT).equals(norm)) {
                return m;
            }
        }
        StringBuilder known = new StringBuilder();
        for (Method m : values()) {
            known.append(known.length() == 0 ? "" : ", ").append(m.label);
        }
        throw new IllegalArgumentException("unknown method '" + s + "' (expected one of " + known + ")");
    }
}
