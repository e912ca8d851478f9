package dev.winnow.engine.tensor;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.backend.BlockMatrix;
import dev.winnow.engine.backend.BinaryOp;
import dev.winnow.engine.backend.Broadcast;
import dev.winnow.engine.backend.Storage;
import dev.winnow.engine.sparse.CsrWeight;

/**
 * Differentiable ops whose weight is stored sparse. Like {@link Ops}, each op holds its forward and its local backward
 * side by side.
 */
public final class SparseOps {
    private SparseOps() {
    }

    /**
     * y = x W^T + bias with W (out x in) kept dense in {@code w} for the optimiser and executed in CSR form through
     * {@code csr}, whose pattern is W's mask. Forward: refresh the CSR values from w (O(nnz)), then CSR x dense.
     * Backward: dX += dY W via the transposed CSR copy; dW only at the surviving positions (SDDMM), scattered into w's
     * dense gradient, which stays 0 elsewhere; so a layer at density d does about d of the dense work both ways.
     * A weight with a block form ({@link CsrWeight#block()}) runs in 16x1 blocks both ways: the forward with the CSR
     * product's bits, the backward in the block kernels' own order (no packing of X or dY).
     */
    public static Tensor linear(Tensor x, Tensor w, Tensor bias, CsrWeight csr) {
        return linear(x, w, bias, csr, CsrWeight.UNVERSIONED);
    }

    /**
     * {@link #linear(Tensor, Tensor, Tensor, CsrWeight)} where {@code weightVersion} is w's
     * {@code Parameter.contentVersion()}: the CSR values are regathered only when it moved since the last forward.
     */
    public static Tensor linear(Tensor x, Tensor w, Tensor bias, CsrWeight csr, long weightVersion) {
        int batch = x.rows();
        int in = x.cols();
        int out = w.rows();
        if (w.cols() != in) {
            throw new IllegalArgumentException("sparse linear: input has " + in + " features but the weight is "
                    + w.shape());
        }
        if (csr.rows() != out || csr.cols() != in) {
            throw new IllegalArgumentException("sparse linear: CSR pattern is " + csr.rows() + "x" + csr.cols()
                    + " but the weight is " + w.shape() + "; rebuild the CsrWeight after reshaping");
        }
        if (bias != null && bias.size() != out) {
            throw new IllegalArgumentException("sparse linear: bias " + bias.shape() + " does not match " + out
                    + " outputs");
        }
        Backend be = Ops.sameBackend(x, w);
        if (csr.backend() != be) {
            throw new IllegalArgumentException("sparse linear: the CSR weight lives on " + csr.backend().name()
                    + ", the tensors on " + be.name());
        }
        csr.refresh(w.data(), weightVersion);
        Tensor y = Tensor.result(be, batch, out, 2, "sparseLinear", x, w, bias);
        long token;
        BlockMatrix block = csr.block();
        if (block != null) {
            // the same bits as the CSR product, without packing X
            be.blockLinearForward(block, x.data(), batch, bias == null ? null : bias.data(), y.data());
            token = 0;
        } else if (GradMode.isEnabled() && w.requiresGrad()) {
            token = be.csrLinearForward(csr.matrix(), x.data(), batch, bias == null ? null : bias.data(), y.data(),
                    csr.scratch());
        } else {
            be.csrSpmmNT(csr.matrix(), x.data(), batch, 0f, y.data()); // no weight gradient: nothing to keep
            if (bias != null) {
                be.binary(BinaryOp.ADD, y.data(), bias.data(), Broadcast.ROW, batch, out, y.data());
            }
            token = 0;
        }
        y.setBackward(() -> {
            Storage dy = y.grad();
            if (block != null) {
                // dX and dW straight from the blocks (no packing); dW added into w's dense gradient at the blocks
                be.blockLinearBackward(csr.blockForBackward(), dy, x.data(), batch,
                        x.gradOrZerosIfRequired(),
                        w.gradOrZerosIfRequired());
                if (bias != null && bias.requiresGrad()) {
                    be.sumRows(dy, batch, out, 1f, 1f, bias.gradOrZeros());
                }
                return;
            }
            // dX[b, j] += sum_o dY[b, o] W[o, j] (a gather along the rows of W^T, the forward kernel's shape) and
            // dW at the stored positions (SDDMM), in one call that packs dY once and reuses the forward's packed X.
            boolean wantW = w.requiresGrad() && csr.nnz() > 0;
            be.csrLinearBackward(csr.matrix(), csr.transposed(), dy, x.data(), batch,
                    x.gradOrZerosIfRequired(), wantW ? csr.packedGrad() : null, csr.scratch(), token);
            if (wantW) {
                be.scatterAddRows(csr.packedGrad(), 1, csr.denseIndex(), csr.nnz(), w.gradOrZeros());
            }
            if (bias != null && bias.requiresGrad()) {
                be.sumRows(dy, batch, out, 1f, 1f, bias.gradOrZeros());
            }
        });
        return y;
    }
}
