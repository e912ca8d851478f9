package dev.winnow.engine.backend;

/** A float32 buffer owned by a backend; what it wraps (a Java array, a device pointer) is the backend's business. */
public interface Storage {
    /** Number of float elements. */
    int length();
}
