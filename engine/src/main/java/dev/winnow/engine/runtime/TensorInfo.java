package dev.winnow.engine.runtime;

/** What a model file stores for one tensor: its shape, storage, nonzeros and payload size. */
public record TensorInfo(String name, int storage, int rows, int cols, long nonzeros, long bytes) {

    public double density() {
        long n = (long) rows * cols;
        return n == 0 ? 0 : (double) nonzeros / n;
    }

    public String storageName() {
        return WnwFormat.storageName(storage);
    }
}
