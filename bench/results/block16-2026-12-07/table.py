#!/usr/bin/env python3
"""Per-level and winning-ticket test RMSE of two compare runs (unstructured vs block16), as markdown.

Usage: python3 table.py UNSTRUCTURED_DIR BLOCK16_DIR
A level is a pruning round; its number is the test RMSE at the round's best-validation epoch (the first one on a tie),
the epoch a ticket from that level would be taken at. Mean and sample sd (n - 1) over the seeds.
"""
import csv
import statistics
import sys
from pathlib import Path


def levels(run_dir):
    """{(seed, round): (density, best epoch, val rmse, test rmse)}"""
    best = {}
    with open(Path(run_dir) / "curves.csv", newline="") as f:
        for row in csv.DictReader(f):
            key = (int(row["seed"]), int(row["round"]))
            val = float(row["val_rmse"])
            if key not in best or val < best[key][2]:
                best[key] = (float(row["density"]), int(row["epoch"]), val, float(row["test_rmse"]))
    return best


def winners(run_dir):
    with open(Path(run_dir) / "results.csv", newline="") as f:
        return {int(r["seed"]): (int(r["best_round"]), float(r["density"]), float(r["rmse"]))
                for r in csv.DictReader(f)}


def mean_sd(xs):
    return f"{statistics.mean(xs):.4f} ± {statistics.stdev(xs):.4f}" if len(xs) > 1 else f"{xs[0]:.4f}"


def main(unstructured, block16):
    u, b = levels(unstructured), levels(block16)
    seeds = sorted({s for s, _ in u} & {s for s, _ in b})
    rounds = sorted({r for _, r in u} & {r for _, r in b})
    print("| level | density unstructured / block16 | unstructured test RMSE | block16 test RMSE "
          "| block16 - unstructured | per seed unstructured | per seed block16 |")
    print("|---|---|---|---|---|---|---|")
    for r in rounds:
        if not all((s, r) in u and (s, r) in b for s in seeds):
            continue
        ut = [u[(s, r)][3] for s in seeds]
        bt = [b[(s, r)][3] for s in seeds]
        du = statistics.mean(u[(s, r)][0] for s in seeds)
        db = statistics.mean(b[(s, r)][0] for s in seeds)
        diff = [y - x for x, y in zip(ut, bt)]
        print(f"| {r} | {du:.4f} / {db:.4f} | {mean_sd(ut)} | {mean_sd(bt)} | {statistics.mean(diff):+.4f} "
              f"| {' '.join(f'{x:.4f}' for x in ut)} | {' '.join(f'{x:.4f}' for x in bt)} |")
    print()
    wu, wb = winners(unstructured), winners(block16)
    print("| winning ticket | unstructured | block16 |")
    print("|---|---|---|")
    for s in seeds:
        print(f"| seed {s} | level {wu[s][0]}, density {wu[s][1]:.4f}, RMSE {wu[s][2]:.4f} "
              f"| level {wb[s][0]}, density {wb[s][1]:.4f}, RMSE {wb[s][2]:.4f} |")
    print(f"| mean ± sd | RMSE {mean_sd([wu[s][2] for s in seeds])} | RMSE {mean_sd([wb[s][2] for s in seeds])} |")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
