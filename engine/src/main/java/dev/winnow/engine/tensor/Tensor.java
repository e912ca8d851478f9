package dev.winnow.engine.tensor;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.backend.Storage;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * A float32 matrix (rank 2, rows = batch) or vector (rank 1, one row) whose storage belongs to a backend, plus the
 * autograd tape: the tensors it was computed from and the closure that pushes its gradient back to them. Ops live in
 * {@link Ops}, each with its forward and its local backward side by side.
 */
public final class Tensor {
    private final Backend backend;
    private final Storage data;
    private final int rows;
    private final int cols;
    private final int rank;
    private final boolean requiresGrad;
    private final Tensor[] parents;
    private final String op;
    private Runnable backwardFn;
    private Storage grad;
    private boolean gradPooled;
    private int writeVersion;
    // the rows of a lookup table that have a gradient; null unless trackTouchedRows() was called
    private TouchedRows touchedRows;

    Tensor(Backend backend, Storage data, int rows, int cols, int rank, boolean requiresGrad, Tensor[] parents,
           String op) {
        this.backend = backend;
        this.data = data;
        this.rows = rows;
        this.cols = cols;
        this.rank = rank;
        this.requiresGrad = requiresGrad;
        this.parents = parents;
        this.op = op;
    }

    // ---- creation -----------------------------------------------------------------------------------------------

    /** A persistent tensor (a parameter or an input) holding a copy of {@code values}. */
    public static Tensor of(Backend backend, int rows, int cols, float[] values, boolean requiresGrad) {
        checkShape(rows, cols);
        if (values.length != rows * cols) {
            throw new IllegalArgumentException("expected " + rows + "x" + cols + " = " + rows * cols
                    + " values, got " + values.length);
        }
        Storage s = backend.allocate(rows * cols);
        backend.upload(values, 0, s, 0, values.length);
        return new Tensor(backend, s, rows, cols, 2, requiresGrad, null, "leaf");
    }

    /** A persistent rank-1 tensor of {@code values.length} entries (a bias). */
    public static Tensor vector(Backend backend, float[] values, boolean requiresGrad) {
        Storage s = backend.allocate(values.length);
        backend.upload(values, 0, s, 0, values.length);
        return new Tensor(backend, s, 1, values.length, 1, requiresGrad, null, "leaf");
    }

    /** A persistent zero-filled tensor. */
    public static Tensor zeros(Backend backend, int rows, int cols, boolean requiresGrad) {
        checkShape(rows, cols);
        return new Tensor(backend, backend.allocate(rows * cols), rows, cols, 2, requiresGrad, null, "leaf");
    }

    /** Wraps an existing buffer (not copied, not owned by any arena). */
    public static Tensor wrap(Backend backend, Storage storage, int rows, int cols, boolean requiresGrad) {
        checkShape(rows, cols);
        if (storage.length() < rows * cols) {
            throw new IllegalArgumentException("buffer of " + storage.length() + " floats is too small for "
                    + rows + "x" + cols);
        }
        return new Tensor(backend, storage, rows, cols, 2, requiresGrad, null, "leaf");
    }

    /**
     * An op's output: storage from the open arena (contents unspecified: the op must write every element), recording
     * the tape when grad mode is on and some input needs a gradient.
     */
    static Tensor result(Backend backend, int rows, int cols, int rank, String op, Tensor... inputs) {
        checkShape(rows, cols);
        boolean needs = false;
        if (GradMode.isEnabled()) {
            for (Tensor t : inputs) {
                if (t != null && t.requiresGrad) {
                    needs = true;
                    break;
                }
            }
        }
        Storage s = allocateScratch(backend, rows * cols);
        return new Tensor(backend, s, rows, cols, rank, needs, needs ? inputs : null, op);
    }

    static Storage allocateScratch(Backend backend, int length) {
        Arena arena = Arena.current();
        if (arena != null && arena.pool().backend() == backend) {
            return arena.acquire(length);
        }
        return backend.allocate(length);
    }

    private static void checkShape(int rows, int cols) {
        if (rows < 0 || cols < 0) {
            throw new IllegalArgumentException("negative shape " + rows + "x" + cols);
        }
    }

    // ---- accessors ----------------------------------------------------------------------------------------------

    public Backend backend() {
        return backend;
    }

    public Storage data() {
        return data;
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    public int rank() {
        return rank;
    }

    public int size() {
        return rows * cols;
    }

    public boolean requiresGrad() {
        return requiresGrad;
    }

    public String op() {
        return op;
    }

    public String shape() {
        return rank == 1 ? "[" + cols + "]" : "[" + rows + "x" + cols + "]";
    }

    /** The gradient buffer, or null if no gradient has reached this tensor. */
    public Storage grad() {
        return grad;
    }

    /**
     * The gradient buffer, created zero-filled if absent. On a table that tracks its touched rows this counts as a
     * write to every row ({@link TouchedRows#all()}): only an embedding lookup says which rows it writes.
     */
    public Storage gradOrZeros() {
        if (touchedRows != null) {
            touchedRows.markAll();
        }
        return gradBuffer();
    }

    /**
     * {@link #gradOrZeros()} when this tensor wants a gradient, else null: what a fused backward that skips the inputs
     * without one is handed.
     */
    Storage gradOrZerosIfRequired() {
        return requiresGrad ? gradOrZeros() : null;
    }

    /** The gradient buffer for an embedding lookup's backward, which writes the rows ids[0..n) only. */
    Storage gradOfRows(IndexTensor ids, int n) {
        if (touchedRows != null) {
            touchedRows.addAll(ids, n);
        }
        return gradBuffer();
    }

    /**
     * Makes this 2-D table record which rows its gradient has since it was last zeroed (see {@link TouchedRows}), so
     * that a row-sparse optimiser can update those rows only. Idempotent.
     */
    public void trackTouchedRows() {
        if (touchedRows == null) {
            touchedRows = new TouchedRows(rows);
        }
    }

    /** The rows with a gradient since the last {@link #zeroGrad}, or null when this tensor does not track them. */
    public TouchedRows touchedRows() {
        return touchedRows;
    }

    private Storage gradBuffer() {
        if (grad == null) {
            Arena arena = Arena.current();
            if (parents != null && arena != null && arena.pool().backend() == backend) {
                grad = arena.acquire(size());
                backend.fill(grad, 0, size(), 0f);
                gradPooled = true;
            } else {
                grad = backend.allocate(size());
            }
        }
        return grad;
    }

    /** Forgets the gradient (parameters: zeroes it in place, keeping the buffer). */
    public void zeroGrad() {
        if (touchedRows != null) {
            touchedRows.clear();
        }
        if (grad == null) {
            return;
        }
        if (parents == null && !gradPooled) {
            backend.fill(grad, 0, size(), 0f);
        } else {
            grad = null;
        }
    }

    public float[] toArray() {
        float[] out = new float[size()];
        backend.download(data, 0, out, 0, out.length);
        return out;
    }

    public float[] gradToArray() {
        float[] out = new float[size()];
        if (grad != null) {
            backend.download(grad, 0, out, 0, out.length);
        }
        return out;
    }

    /** The value of a one-element tensor. */
    public float item() {
        if (size() != 1) {
            throw new IllegalStateException("item() needs a one-element tensor, this one is " + shape());
        }
        float[] v = new float[1];
        backend.download(data, 0, v, 0, 1);
        return v[0];
    }

    public void copyFrom(float[] values) {
        if (values.length != size()) {
            throw new IllegalArgumentException("expected " + size() + " values for " + shape() + ", got "
                    + values.length);
        }
        backend.upload(values, 0, data, 0, values.length);
        writeVersion++;
    }

    /**
     * Counts writes to this tensor's values through its public methods ({@link #copyFrom}, {@link #markWritten}).
     * Kernels that write {@link #data()} through the backend (ops, optimiser updates) do not count: the counter lets
     * an optimiser that updates only a pruned weight's survivors notice that someone else wrote the weight (a
     * restore, a rewind) and must re-apply the mask densely.
     */
    public int writeVersion() {
        return writeVersion;
    }

    /**
     * Declares that code outside the tensor wrote {@link #data()} directly through the backend. Call it after such
     * a write to a parameter's value or optimiser state; {@link #copyFrom} does it by itself.
     */
    public void markWritten() {
        writeVersion++;
    }

    void setBackward(Runnable fn) {
        if (requiresGrad) {
            this.backwardFn = fn;
        }
    }

    // ---- the tape walk ------------------------------------------------------------------------------------------

    /** Backpropagates from this one-element tensor (seed gradient 1). */
    public void backward() {
        if (size() != 1) {
            throw new IllegalStateException("backward() needs a scalar loss; this tensor is " + shape()
                    + " (reduce it first, e.g. Ops.mean)");
        }
        if (!requiresGrad) {
            throw new IllegalStateException("this tensor does not depend on any tensor that requires a gradient");
        }
        backend.fill(gradOrZeros(), 0, 1, 1f);
        List<Tensor> order = new ArrayList<>();
        topologicalOrder(this, new IdentityHashMap<>(), order);
        for (int i = order.size() - 1; i >= 0; i--) {
            Tensor t = order.get(i);
            if (t.backwardFn != null && t.grad != null) {
                t.backwardFn.run();
            }
        }
    }

    private static void topologicalOrder(Tensor root, Map<Tensor, Boolean> seen, List<Tensor> order) {
        // Iterative DFS: deep graphs must not overflow the stack.
        ArrayList<Tensor> stack = new ArrayList<>();
        ArrayList<Integer> next = new ArrayList<>();
        stack.add(root);
        next.add(0);
        seen.put(root, Boolean.TRUE);
        while (!stack.isEmpty()) {
            int top = stack.size() - 1;
            Tensor t = stack.get(top);
            int i = next.get(top);
            if (t.parents != null && i < t.parents.length) {
                next.set(top, i + 1);
                Tensor p = t.parents[i];
                if (p != null && p.requiresGrad && !seen.containsKey(p)) {
                    seen.put(p, Boolean.TRUE);
                    stack.add(p);
                    next.add(0);
                }
            } else {
                order.add(t);
                stack.remove(top);
                next.remove(top);
            }
        }
    }

    @Override
    public String toString() {
        return "Tensor" + shape() + "(" + op + ")";
    }
}
