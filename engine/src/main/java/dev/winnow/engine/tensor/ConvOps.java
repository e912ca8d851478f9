package dev.winnow.engine.tensor;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.backend.Storage;
import dev.winnow.engine.backend.UnaryOp;

/**
 * Differentiable ops for 1-D convolution over a batch of sequences stored channels-last: sample b is the row
 * [x(t=0, c=0..C-1), x(t=1, ...), ...], so a row holds {@code length * channels} floats. With that layout an im2col
 * window is one contiguous run of {@code kernel * channels} floats, and a GEMM over the im2col matrix produces the
 * next layer already channels-last. Every op is composed of Backend primitives (copy2d, fill, unary), so it runs on
 * any backend; forward and backward sit side by side.
 */
public final class ConvOps {
    private ConvOps() {
    }

    /** Zero padding of {@code pad} positions on both ends: [B x L*C] -> [B x (L+2*pad)*C]. */
    public static Tensor pad1d(Tensor x, int length, int channels, int pad) {
        checkLayout(x, length, channels, "pad1d");
        if (pad < 0) {
            throw new IllegalArgumentException("pad1d: padding must be non-negative, got " + pad);
        }
        if (pad == 0) {
            return x;
        }
        Backend be = x.backend();
        int rows = x.rows();
        int inCols = length * channels;
        int outCols = (length + 2 * pad) * channels;
        int offset = pad * channels;
        Tensor y = Tensor.result(be, rows, outCols, 2, "pad1d", x);
        be.fill(y.data(), 0, rows * outCols, 0f);
        be.copy2d(x.data(), 0, inCols, y.data(), offset, outCols, rows, inCols, 0f);
        y.setBackward(() -> be.copy2d(y.grad(), offset, outCols, x.gradOrZeros(), 0, inCols, rows, inCols, 1f));
        return y;
    }

    /**
     * The im2col matrix of a stride-1 convolution without padding: [B x L*C] -> [B*Lout x K*C] with Lout = L-K+1;
     * row b*Lout + t holds positions t..t+K-1 of sample b. The backward (col2im) adds every window's gradient back onto
     * the positions it was copied from, so overlapping windows accumulate.
     */
    public static Tensor im2col1d(Tensor x, int length, int channels, int kernel) {
        checkLayout(x, length, channels, "im2col1d");
        if (kernel <= 0 || kernel > length) {
            throw new IllegalArgumentException("im2col1d: kernel " + kernel + " does not fit a sequence of length "
                    + length + " (pad the input or use a smaller kernel)");
        }
        Backend be = x.backend();
        int batch = x.rows();
        int outLength = length - kernel + 1;
        int rowCols = length * channels;
        int window = kernel * channels;
        Tensor cols = Tensor.result(be, batch * outLength, window, 2, "im2col1d", x);
        // One strided copy per output position: sample b's window t goes to row b*Lout + t.
        for (int t = 0; t < outLength; t++) {
            be.copy2d(x.data(), t * channels, rowCols, cols.data(), t * window, outLength * window, batch, window, 0f);
        }
        cols.setBackward(() -> {
            Storage dx = x.gradOrZeros();
            for (int t = 0; t < outLength; t++) {
                be.copy2d(cols.grad(), t * window, outLength * window, dx, t * channels, rowCols, batch, window, 1f);
            }
        });
        return cols;
    }

    /** The same values read as a [rows x cols] matrix (row-major order unchanged); the gradient is reshaped back. */
    public static Tensor reshape(Tensor x, int rows, int cols) {
        if ((long) rows * cols != x.size()) {
            throw new IllegalArgumentException("reshape: cannot view " + x.shape() + " (" + x.size() + " values) as "
                    + rows + "x" + cols);
        }
        Backend be = x.backend();
        int n = x.size();
        Tensor y = Tensor.result(be, rows, cols, 2, "reshape", x);
        be.copy2d(x.data(), 0, n, y.data(), 0, n, 1, n, 0f);
        y.setBackward(() -> be.axpy(1f, y.grad(), x.gradOrZeros(), n));
        return y;
    }

    /** Global average pooling over positions: [B x L*C] -> [B x C], out[b, c] = mean_t x[b, t*C + c]. */
    public static Tensor meanOverPositions(Tensor x, int length, int channels) {
        checkLayout(x, length, channels, "meanOverPositions");
        Backend be = x.backend();
        int batch = x.rows();
        int rowCols = length * channels;
        float inv = 1f / length;
        Tensor y = Tensor.result(be, batch, channels, 2, "meanOverPositions", x);
        for (int t = 0; t < length; t++) {
            be.copy2d(x.data(), t * channels, rowCols, y.data(), 0, channels, batch, channels, t == 0 ? 0f : 1f);
        }
        be.unary(UnaryOp.SCALE, inv, y.data(), y.data(), batch * channels);
        y.setBackward(() -> {
            Storage scaled = Tensor.allocateScratch(be, batch * channels);
            be.unary(UnaryOp.SCALE, inv, y.grad(), scaled, batch * channels);
            Storage dx = x.gradOrZeros();
            for (int t = 0; t < length; t++) {
                be.copy2d(scaled, 0, channels, dx, t * channels, rowCols, batch, channels, 1f);
            }
        });
        return y;
    }

    private static void checkLayout(Tensor x, int length, int channels, String op) {
        if (length <= 0 || channels <= 0 || x.cols() != length * channels) {
            throw new IllegalArgumentException(op + ": input " + x.shape() + " is not [batch x length*channels] for "
                    + "length " + length + " and " + channels + " channels");
        }
    }
}
