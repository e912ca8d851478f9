package dev.winnow.engine.backend.cpu;

/**
 * The thread pools the kernel tests share: made once per test JVM and never closed (their workers are daemon threads
 * that park when idle), so each test class does not build and tear down its own.
 */
public final class TestPools {
    public static final Parallel ONE = new Parallel(1);
    public static final Parallel TWO = new Parallel(2);
    public static final Parallel THREE = new Parallel(3);

    private TestPools() {
    }
}
