#!/usr/bin/env python3
"""Medians over rounds of bench/widths/run.sh output: one row per kernel or step, one column per jar and width.

    python3 bench/widths/summarize.py bench/widths/results-DATE.txt
"""
import re
import statistics
import sys
from collections import defaultdict

times = defaultdict(list)
columns = []
rows = []
for line in open(sys.argv[1]):
    m = re.match(r"round=\d+ jar=(\S+) width=(\S+) (kernel|step)=(\S+) .*seconds=(\S+)", line)
    if not m:
        continue
    col = (m.group(1), m.group(2))
    row = m.group(3) + " " + m.group(4)
    if col not in columns:
        columns.append(col)
    if row not in rows:
        rows.append(row)
    times[(row, col)].append(float(m.group(5)))

print("| median ms (rounds) | " + " | ".join(f"{j} {w}" for j, w in columns) + " |")
print("|---|" + "---|" * len(columns))
for row in rows:
    cells = []
    for col in columns:
        t = times.get((row, col))
        cells.append(f"{statistics.median(t) * 1e3:.3f} ({len(t)})" if t else "-")
    print(f"| {row} | " + " | ".join(cells) + " |")
