"""Same-machine PyTorch reference for `winnow bench kernels`: torch CSR SpMM and dense mm for one Linear shape.
Orientation as in ../shared/anchors/cpu/spmm_bench.py: Y^T = W (out x in, CSR) @ X^T (in x batch), 1 thread.
Usage: /usr/bin/python3 bench/torch_csr_point.py [batch in out density...]
   (Debian: apt-get install python3-torch libopenblas0-pthread; without the second, torch runs the reference BLAS)
Prints one line per kernel in the bench-kernels format, kernel=torch-csr / torch-dense."""
import sys, os
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "shared", "anchors", "cpu"))
import numpy as np
import torch
from common import bench, set_threads

args = [float(a) for a in sys.argv[1:]] or [1024, 1024, 1024, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05]
b, i, o = int(args[0]), int(args[1]), int(args[2])
set_threads(1)
rng = np.random.default_rng(1)
xt = torch.from_numpy(np.ascontiguousarray(rng.standard_normal((i, b), dtype=np.float32)))
w0 = rng.standard_normal((o, i), dtype=np.float32)
for d in args[3:]:
    w = torch.from_numpy(w0 * (rng.random((o, i)) < d))
    nnz = int(torch.count_nonzero(w))
    y = torch.empty(o, b)
    dense = bench(lambda: torch.mm(w, xt, out=y))
    csr = w.to_sparse_csr()
    assert torch.allclose(torch.mm(csr, xt), w @ xt, atol=1e-2, rtol=1e-3)
    sparse = bench(lambda: torch.mm(csr, xt))
    print(f"kernel=torch-dense batch={b} in={i} out={o} density={d} threads=1 seconds={dense:.6g} "
          f"eff_gflops={2.0 * b * i * o / dense / 1e9:.2f}", flush=True)
    print(f"kernel=torch-csr batch={b} in={i} out={o} density={d} threads=1 seconds={sparse:.6g} "
          f"eff_gflops={2.0 * nnz * b / sparse / 1e9:.2f}", flush=True)
