package dev.winnow.engine.backend;

/** An int32 buffer owned by a backend (embedding indices, CSR row pointers and column indices). */
public interface IntStorage {
    /** Number of int elements. */
    int length();
}
