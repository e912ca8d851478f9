#!/usr/bin/env python3
"""Rebuilds the reproduction tables of docs/reproduction.md from the committed result files.

    python3 bench/reproduction/tables.py            # prints the tables (markdown)
    python3 bench/reproduction/tables.py --write    # replaces the generated parts of docs/reproduction.md and README.md

Reads bench/reproduction/PRESET/TASK/BATCH/{results.json,curves.csv} (written by bench/reproduction/run.sh) and the
baselines under bench/reproduction/baselines/TASK/ (eval --model mean|ridge). A method and seed that appear in two
batches must agree bit for bit (same seed, same settings); the script stops if they do not. Verdicts compare
paired seeds with a two-sided paired t-test at p < 0.05, computed here with the standard library alone (no scipy, so
the tables do not depend on the machine): with 3 seeds only large, consistent differences count.
"""
import csv
import json
import math
import statistics
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent
DOC = ROOT.parent.parent / "docs" / "reproduction.md"
README = ROOT.parent.parent / "README.md"
BEGIN, END = "<!-- tables.py:begin -->", "<!-- tables.py:end -->"

# The paper's Table 4 (MAE, MSE), each feature group trained alone.
PAPER = {
    "categorical": {"DCNN": (0.8594, 1.22), "SAD": (0.8143, 1.183), "LTH-SAD": (0.8212, 1.151)},
    "numerical": {"DCNN": (0.7455, 0.98), "SAD": (0.7714, 1.041), "LTH-SAD": (0.8607, 1.255)},
    "social": {"DCNN": (2.086, 5.028), "SAD": (0.88, 1.229), "LTH-SAD": (0.81, 1.106)},
    "textual": {"DCNN": (1.375, 2.593), "SAD": (1.163, 1.942), "LTH-SAD": (0.871, 1.319)},
}
# ../shared/data/README.md: gradient boosting per group on the IMDB-only split (MAE); no MSE is given per group.
BOOSTING_MAE = {"categorical": 0.852, "numerical": 0.856, "social": 0.932}
METHOD_ORDER = ["teacher", "student", "SAD", "SP-SAD", "LTH-SAD", "SS-SAD", "LTH", "DCNN"]


def fail(msg):
    print("tables.py: " + msg, file=sys.stderr)
    sys.exit(2)


def mean_sd(xs):
    if not xs:
        return None, None
    return statistics.fmean(xs), (statistics.stdev(xs) if len(xs) > 1 else 0.0)


def fmt(xs, digits=3):
    m, s = mean_sd(xs)
    if m is None:
        return "—"
    return f"{m:.{digits}f} ± {s:.{digits}f}" if len(xs) > 1 else f"{m:.{digits}f}"


def _betacf(a, b, x):
    """Continued fraction of the regularised incomplete beta function (modified Lentz)."""
    tiny = 1e-300
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 300):
        for num in (m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
                    -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))):
            d = 1.0 + num * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + num / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1.0) < 1e-15:
            break
    return h


def _betainc(a, b, x):
    """I_x(a, b), the regularised incomplete beta function, for 0 <= x <= 1."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    front = math.exp(math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, 1.0 - x) / b


def paired(a, b):
    """Mean of a - b over paired seeds and the two-sided paired t-test p value (None with < 2 seeds or no spread).

    Computed here, not by scipy, so that the verdicts do not depend on what the machine has installed: Student's t
    with n - 1 degrees of freedom, p = I_{df / (df + t^2)}(df / 2, 1 / 2) (scipy.stats.ttest_rel gives the same
    values to 1e-12 on the committed runs)."""
    d = [x - y for x, y in zip(a, b)]
    if len(d) < 2:
        return (d[0] if d else None), None
    mean = statistics.fmean(d)
    sd = statistics.stdev(d)
    if sd == 0.0:
        return mean, None
    df = len(d) - 1
    t = mean / (sd / math.sqrt(len(d)))
    return mean, _betainc(df / 2.0, 0.5, df / (df + t * t))


def lower_in(a, b):
    """How many paired seeds have a below b, as words."""
    return f"lower in {sum(x < y for x, y in zip(a, b))} of {len(a)} seeds"


def verdict(diff, p, lower_is_better=True):
    """better / same / worse for 'a' against 'b' from a paired difference a - b."""
    if diff is None:
        return "n/a"
    if p is None or p >= 0.05:
        return "same"
    return "better" if (diff < 0) == lower_is_better else "worse"


def load_task(task_dir):
    """(method, seed) -> result row (with its per-level records and training compute), over every batch."""
    rows = {}
    for results in sorted(task_dir.glob("*/results.json")):
        batch = results.parent
        data = json.loads(results.read_text(encoding="utf-8"))
        levels = defaultdict(dict)   # (method, seed) -> round -> best-validation epoch's record
        compute = {}
        with open(batch / "curves.csv", encoding="utf-8", newline="") as f:
            for c in csv.DictReader(f):
                key = (c["method"], int(c["seed"]))
                rnd = int(c["round"])
                rec = {"density": float(c["density"]), "val_mse": float(c["val_mse"]),
                       "test_mse": float(c["test_mse"]), "test_mae": float(c["test_mae"]), "epoch": int(c["epoch"])}
                best = levels[key].get(rnd)
                if best is None or rec["val_mse"] < best["val_mse"]:
                    levels[key][rnd] = rec
                compute[key] = (float(c["cumulative_flops"]), float(c["cumulative_seconds"]))
        for r in data["runs"]:
            key = (r["method"], int(r["seed"]))
            row = dict(r, levels=[levels[key][k] for k in sorted(levels[key])], train_flops=compute.get(key, (0, 0))[0],
                       batch=batch.name, preset=data["preset"], dataset=data["dataset"], backend=data.get("backend"))
            old = rows.get(key)
            if old is not None and (old["mse"], old["mae"], old["density"]) != (row["mse"], row["mae"], row["density"]):
                fail(f"{task_dir}: {key[0]} seed {key[1]} differs between batches {old['batch']} "
                     f"(MSE {old['mse']!r}) and {row['batch']} (MSE {row['mse']!r})")
            rows[key] = row
    return rows


def by_method(rows):
    out = defaultdict(dict)
    for (m, seed), r in rows.items():
        out[m][seed] = r
    return out


def baseline(task):
    """(name -> (MAE list, MSE list)) from bench/reproduction/baselines/TASK/*/results.json, if there."""
    out = {}
    for results in sorted((ROOT / "baselines" / task).glob("*/results.json")):
        data = json.loads(results.read_text(encoding="utf-8"))
        for r in data.get("runs", []):
            name = r.get("model") or r.get("method")
            mae, mse = out.setdefault(name, ([], []))
            mae.append(r["mae"])
            mse.append(r["mse"])
    return out


def method_table(ms, group):
    lines = ["| method | test MAE | test MSE | paper MAE / MSE | density | nonzero params | model bytes "
             "| train GFLOP | train s |", "|---|---|---|---|---|---|---|---|---|"]
    for m in METHOD_ORDER + sorted(set(ms) - set(METHOD_ORDER)):
        if m not in ms:
            continue
        rs = [ms[m][s] for s in sorted(ms[m])]
        paper = PAPER.get(group, {}).get(m)
        flops = statistics.fmean(r["train_flops"] for r in rs) / 1e9
        lines.append("| {} | {} | {} | {} | {} | {:.0f} | {:.0f} | {} | {:.0f} |".format(
            m, fmt([r["mae"] for r in rs]), fmt([r["mse"] for r in rs]),
            f"{paper[0]} / {paper[1]}" if paper else "",
            fmt([r["density"] for r in rs]), statistics.fmean(r["nonzero_params"] for r in rs),
            statistics.fmean(r["model_bytes"] for r in rs), "n/a" if math.isnan(flops) else f"{flops:.1f}",
            statistics.fmean(r["train_seconds"] for r in rs)))
    return lines


def hosts_note(rows):
    """Where the runs behind a ratio of seconds ran on different vector widths (so, here, different hosts)."""
    backends = sorted({(r.get("backend") or "?").split(" [")[0].replace("(1 thread)", "") for r in rows})
    if len(backends) < 2:
        return ""
    return " (the seconds come from different hosts, {}: compare the FLOPs)".format(" and ".join(backends))


def sparse_tickets(sad, lth, seeds):
    """Per seed, LTH-SAD's best-validation level at density <= 0.55 (None when a seed has none)."""
    out = []
    for s in seeds:
        cand = [l for l in lth[s]["levels"] if l["density"] <= 0.55]
        out.append(min(cand, key=lambda l: l["val_mse"]) if cand else None)
    return out


def claims(ms, group):
    """The reviewer's claims, each with our numbers and a verdict."""
    out = []
    sad, lth, dcnn = ms.get("SAD", {}), ms.get("LTH-SAD", {}), ms.get("DCNN", {})
    seeds = sorted(set(sad) & set(lth))
    if seeds:
        # 1. LTH-SAD at density <= 0.55 (its best-validation level among those) against dense SAD, paired by seed
        sparse = sparse_tickets(sad, lth, seeds)
        if all(sparse):
            a = [l["test_mse"] for l in sparse]
            b = [sad[s]["mse"] for s in seeds]
            d, p = paired(a, b)
            out.append("- LTH-SAD at density <= 0.55 (best validation among those levels; density {}) vs dense SAD: "
                       "test MSE {} vs {}, paired difference {:+.4f} ({}), p {}: **{}** (paper: LTH-SAD "
                       "better on categorical, social, textual)".format(
                           fmt([l["density"] for l in sparse]), fmt(a), fmt(b), d, lower_in(a, b),
                           "n/a" if p is None else f"{p:.3f}", verdict(d, p)))
        else:
            out.append("- LTH-SAD never reached density <= 0.55 in these runs")
        # 2. the sparsest LTH-SAD level whose validation MSE is within 1 sd of SAD's (validation, not test)
        val = [min(l["val_mse"] for l in sad[s]["levels"]) for s in seeds]
        vm, vs = mean_sd(val)
        within = []
        for s in seeds:
            ok = [l for l in lth[s]["levels"] if l["val_mse"] <= vm + vs]
            within.append(min(ok, key=lambda l: l["density"]) if ok else None)
        found = [w for w in within if w]
        out.append("- The sparsest LTH-SAD level within 1 sd of SAD's validation MSE ({:.4f} + {:.4f}): {}".format(
            vm, vs, "none" if not found else "density {} (test MSE {}) in {} of {} seeds".format(
                fmt([w["density"] for w in found]), fmt([w["test_mse"] for w in found]), len(found), len(seeds))))
        # 4. compute: LTH-SAD's training against SAD's (the paper: 40 vs 120 GPU minutes)
        fl = statistics.fmean(lth[s]["train_flops"] for s in seeds) / statistics.fmean(sad[s]["train_flops"] for s in seeds)
        sec = statistics.fmean(lth[s]["train_seconds"] for s in seeds) / statistics.fmean(
            sad[s]["train_seconds"] for s in seeds)
        out.append("- LTH-SAD's training compute / SAD's: {:.2f}x the FLOPs, {:.2f}x the seconds{}: **{}** (paper: 1/3)"
                   .format(fl, sec, hosts_note([lth[s] for s in seeds] + [sad[s] for s in seeds]),
                           "confirmed" if fl <= 1 / 3 and sec <= 1 / 3 else "not confirmed"))
    seeds = sorted(set(sad) & set(dcnn))
    if seeds:
        a = [sad[s]["mse"] for s in seeds]
        b = [dcnn[s]["mse"] for s in seeds]
        d, p = paired(a, b)
        out.append("- SAD vs DCNN: test MSE {} vs {}, paired difference {:+.4f} ({}), p {}: SAD **{}** (paper: SAD "
                   "better except on numerical)".format(fmt(a), fmt(b), d, lower_in(a, b),
                                                        "n/a" if p is None else f"{p:.3f}", verdict(d, p)))
    paper = PAPER.get(group)
    have = [m for m in ("DCNN", "SAD", "LTH-SAD") if m in ms]
    if paper and len(have) > 1:
        ours = sorted(have, key=lambda m: statistics.fmean(r["mse"] for r in ms[m].values()))
        theirs = sorted(have, key=lambda m: paper[m][1])
        means = {m: statistics.fmean(r["mse"] for r in ms[m].values()) for m in have}
        out.append("- Ordering by mean test MSE, best first: ours {}; the paper's {}: **{}** (the verdicts above say "
                   "which of our differences are more than seed noise)".format(
                       " < ".join(f"{m} {means[m]:.4f}" for m in ours),
                       " < ".join(f"{m} {paper[m][1]}" for m in theirs),
                       "same order" if ours == theirs else "different order"))
    return out


def floor_note(group, base):
    """The paper's Table 4 cells that predicting the training mean beats on this split."""
    paper = PAPER.get(group)
    if not paper or "mean" not in base:
        return None
    floor = statistics.fmean(base["mean"][1])
    worse = [f"{m} {v[1]}" for m, v in paper.items() if v[1] > floor]
    if not worse:
        return None
    return f"- The paper's own cells worse than predicting the training mean here (MSE {floor:.3f}): {', '.join(worse)}"


def summary_row(ms, group, base, preset):
    """One line of README's reviewer table: the paper's cells, ours, the floor and the two paired verdicts."""
    def cell(m):
        if m not in ms:
            return "—"
        return fmt([r["mse"] for r in ms[m].values()])
    paper = PAPER.get(group, {})
    sad, lth, dcnn = ms.get("SAD", {}), ms.get("LTH-SAD", {}), ms.get("DCNN", {})
    v1 = v2 = "—"
    seeds = sorted(set(sad) & set(lth))
    if seeds:
        sparse = sparse_tickets(sad, lth, seeds)
        if all(sparse):
            a, b = [l["test_mse"] for l in sparse], [sad[s_]["mse"] for s_ in seeds]
            d, p = paired(a, b)
            v1 = "{} ({:+.3f}, {}/{} seeds lower, density {})".format(verdict(d, p), d, sum(x < y for x, y in zip(a, b)),
                                                                    len(a), fmt([l["density"] for l in sparse], 2))
        else:
            v1 = "no level <= 0.55"
    seeds = sorted(set(sad) & set(dcnn))
    if seeds:
        a, b = [sad[s_]["mse"] for s_ in seeds], [dcnn[s_]["mse"] for s_ in seeds]
        d, p = paired(a, b)
        v2 = "{} ({:+.3f})".format(verdict(d, p), d)
    floor = fmt(base["mean"][1]) if "mean" in base else "—"
    papers = " / ".join(str(paper[m][1]) if m in paper else "—" for m in ("SAD", "LTH-SAD", "DCNN"))
    return f"| {group} | `{preset}` | {papers} | {cell('SAD')} | {cell('LTH-SAD')} | {cell('DCNN')} | {floor} | {v1} | {v2} |"


def fold_summary(preset_dir):
    """ML-100K over the canonical folds u1-u5 at one seed (0): each method's test MSE per fold, its mean +- sd over the
    folds, and the claims as paired t-tests over folds (a fold is the unit, as a seed is on the movie groups)."""
    folds = {}
    for k in range(1, 6):
        task_dir = preset_dir / f"ml100k-u{k}"
        rows = load_task(task_dir) if task_dir.is_dir() else {}
        ms = {m: runs[0] for m, runs in by_method(rows).items() if 0 in runs}
        if ms:
            folds[k] = ms
    if len(folds) < 2:
        return []
    names = [f"u{k}" for k in sorted(folds)]
    out = [f"**ml100k, preset `{preset_dir.name}`, over folds** (seed 0; each fold's own SAD, student and teacher; "
           "mean ± sd over the folds a method has run on; paired tests pair the folds both methods have)", "",
           "| method | folds | test MSE, mean ± sd | " + " | ".join(names) + " | density | model bytes |",
           "|---|---|---|" + "---|" * len(names) + "---|---|"]
    present = set().union(*(set(ms) for ms in folds.values()))
    for m in METHOD_ORDER + sorted(present - set(METHOD_ORDER)):
        have = [k for k in sorted(folds) if m in folds[k]]
        if not have:
            continue
        rs = [folds[k][m] for k in have]
        cells = [f"{folds[k][m]['mse']:.3f}" if m in folds[k] else "—" for k in sorted(folds)]
        out.append("| {} | {} | {} | {} | {} | {:.0f} |".format(
            m, len(have), fmt([r["mse"] for r in rs]), " | ".join(cells), fmt([r["density"] for r in rs], 2),
            statistics.fmean(r["model_bytes"] for r in rs)))
    out.append("")

    def pair(a_name, b_name, a_val, b_val, what, paper):
        ks = [k for k in sorted(folds) if a_name in folds[k] and b_name in folds[k] and a_val(k) is not None]
        if not ks:
            return
        a = [a_val(k) for k in ks]
        b = [b_val(k) for k in ks]
        d, p = paired(a, b)
        out.append("- {} ({} folds: {}): test MSE {} vs {}, paired difference {:+.4f} (lower in {} of {} folds), "
                   "p {}: **{}**{}".format(what, len(ks), ", ".join(f"u{k}" for k in ks), fmt(a), fmt(b), d,
                                           sum(x < y for x, y in zip(a, b)), len(ks),
                                           "n/a" if p is None else f"{p:.3f}", verdict(d, p),
                                           f" ({paper})" if paper else ""))

    def sparse_ticket(k):
        t = sparse_tickets({0: folds[k]["SAD"]}, {0: folds[k]["LTH-SAD"]}, [0])[0]
        return None if t is None else t["test_mse"]

    mse = lambda m: (lambda k: folds[k][m]["mse"])
    pair("LTH-SAD", "SAD", sparse_ticket, mse("SAD"),
         "LTH-SAD at density <= 0.55 (best validation among those levels) vs dense SAD",
         "paper: LTH-SAD matches or beats SAD at about half the weights")
    pair("LTH-SAD", "SAD", mse("LTH-SAD"), mse("SAD"), "LTH-SAD's winning ticket vs dense SAD", None)
    pair("SAD", "student", mse("SAD"), mse("student"), "SAD vs the student trained alone", "paper: distillation helps")
    pair("SP-SAD", "SAD", mse("SP-SAD"), mse("SAD"), "SP-SAD vs dense SAD", None)
    pair("SS-SAD", "SAD", mse("SS-SAD"), mse("SAD"), "SS-SAD vs dense SAD", None)
    pair("LTH", "student", mse("LTH"), mse("student"), "LTH vs the dense student", None)
    ks = [k for k in sorted(folds) if "LTH-SAD" in folds[k] and "SAD" in folds[k]]
    if ks:
        fl = [folds[k]["LTH-SAD"]["train_flops"] / folds[k]["SAD"]["train_flops"] for k in ks]
        sec = [folds[k]["LTH-SAD"]["train_seconds"] / folds[k]["SAD"]["train_seconds"] for k in ks]
        out.append("- LTH-SAD's training compute / SAD's ({} folds): {} x the FLOPs, {} x the seconds{}: **{}** "
                   "(paper: 1/3)".format(len(ks), fmt(fl, 2), fmt(sec, 2),
                                         hosts_note([folds[k][m] for k in ks for m in ("LTH-SAD", "SAD")]),
                                         "confirmed" if max(fl) <= 1 / 3 and max(sec) <= 1 / 3 else "not confirmed"))
    out.append("")
    return out


def readme_table():
    lines = ["| group | preset | paper SAD / LTH-SAD / DCNN | SAD | LTH-SAD | DCNN | predict the mean "
             "| LTH-SAD at density <= 0.55 vs SAD | SAD vs DCNN |", "|---|---|---|---|---|---|---|---|---|"]
    rows_by_group = []
    for preset_dir in sorted(p for p in ROOT.iterdir() if p.is_dir() and p.name != "baselines"):
        for task_dir in sorted(p for p in preset_dir.iterdir() if p.is_dir() and p.name.startswith("movies-")):
            rows = load_task(task_dir)
            if rows:
                group = task_dir.name[len("movies-"):]
                rows_by_group.append((group, preset_dir.name,
                                      summary_row(by_method(rows), group, baseline(task_dir.name), preset_dir.name)))
    lines.extend(line for _, _, line in sorted(rows_by_group))
    return "\n".join(lines) + "\n"


def replace_block(path, text):
    doc = path.read_text(encoding="utf-8")
    if BEGIN not in doc or END not in doc:
        fail(f"{path} has no {BEGIN} ... {END} block to replace")
    head, rest = doc.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    path.write_text(head + BEGIN + "\n" + text + END + tail, encoding="utf-8")
    print(f"wrote {path}")


def render():
    out = []
    for preset_dir in sorted(p for p in ROOT.iterdir() if p.is_dir() and p.name not in ("baselines",)):
        for task_dir in sorted(p for p in preset_dir.iterdir() if p.is_dir()):
            rows = load_task(task_dir)
            if not rows:
                continue
            ms = by_method(rows)
            group = task_dir.name[len("movies-"):] if task_dir.name.startswith("movies-") else None
            any_row = next(iter(rows.values()))
            seeds = sorted({s for (_, s) in rows})
            out.append(f"**{task_dir.name}, preset `{preset_dir.name}`** ({any_row['dataset'].get('train_rows')} "
                       f"train / {any_row['dataset'].get('test_rows')} test rows; seeds {', '.join(map(str, seeds))}; "
                       f"files: `bench/reproduction/{preset_dir.name}/{task_dir.name}/`)")
            out.append("")
            out.extend(method_table(ms, group))
            base = baseline(task_dir.name)
            if base or group in BOOSTING_MAE:
                parts = [f"{n}: MAE {fmt(v[0])}, MSE {fmt(v[1])}" for n, v in sorted(base.items())]
                if group in BOOSTING_MAE:
                    parts.append(f"gradient boosting (data README, IMDB-only split): MAE {BOOSTING_MAE[group]}")
                out.append("")
                out.append("References on the same split: " + "; ".join(parts) + ".")
            cl = claims(ms, group)
            note = floor_note(group, base)
            if note:
                cl.append(note)
            if cl:
                out.append("")
                out.extend(cl)
            out.append("")
        out.extend(fold_summary(preset_dir))
    return "\n".join(out).rstrip() + "\n"


def main():
    text = render()
    if "--write" in sys.argv[1:]:
        replace_block(DOC, text)
        replace_block(README, readme_table())
    else:
        sys.stdout.write(text)
        sys.stdout.write("\n" + readme_table())


if __name__ == "__main__":
    main()
