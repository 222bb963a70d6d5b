#!/usr/bin/env python3
"""Runs the 22 TPC-H queries through the `ember` CLI (`--format csv -f views.sql
-f qNN.sql`) and compares its output with the reference answers, the way
shared/tpch/README.md says: numbers within 1e-6 relative + 1e-6 absolute,
empty field = NULL, ties of the ORDER BY keys in any order (compared as
sorted row lists when the in-order comparison fails).

usage: scripts/check_tpch_cli.py SF [EMBER_BINARY]   (data in data/tpch-sfSF)
"""
import csv, io, os, subprocess, sys, time

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
shared = os.path.join(os.path.dirname(root), "shared", "tpch")
sf = sys.argv[1] if len(sys.argv) > 1 else "1"
ember = sys.argv[2] if len(sys.argv) > 2 else os.path.join(root, "target", "release", "ember")
data = os.path.join(root, "data", f"tpch-sf{sf}")
tables = ["lineitem", "orders", "customer", "part", "partsupp", "supplier", "nation", "region"]
views = os.path.join(data, "views.sql")
with open(views, "w") as f:
    for t in tables:
        f.write(f"CREATE OR REPLACE TEMPORARY VIEW {t} USING parquet OPTIONS (path '{data}/{t}.parquet');\n")

def cell_eq(a, b):
    if a == b:
        return True
    try:
        x, y = float(a), float(b)
    except ValueError:
        return False
    return abs(x - y) <= 1e-6 * max(abs(x), abs(y)) + 1e-6

def rows_eq(r1, r2):
    return len(r1) == len(r2) and all(cell_eq(a, b) for a, b in zip(r1, r2))

def norm(rows):
    return [["" if c in ("", "NULL") else c for c in r] for r in rows]

ok = 0
for n in range(1, 23):
    q = os.path.join(shared, "queries", f"q{n:02}.sql")
    expected_file = os.path.join(shared, "answers", f"sf{sf}", f"q{n:02}.csv")
    start = time.time()
    p = subprocess.run([ember, "--format", "csv", "-f", views, "-f", q], capture_output=True, text=True)
    took = time.time() - start
    if p.returncode != 0:
        print(f"q{n:02} ERROR {p.stderr.strip()[:200]}")
        continue
    got = norm(list(csv.reader(io.StringIO(p.stdout)))[1:])
    with open(expected_file) as f:
        expected = norm(list(csv.reader(f))[1:])
    same = len(got) == len(expected) and (
        all(rows_eq(a, b) for a, b in zip(got, expected))
        or all(rows_eq(a, b) for a, b in zip(sorted(got), sorted(expected)))
    )
    ok += same
    print(f"q{n:02} {'ok' if same else 'MISMATCH'} rows={len(got)} {took:.2f}s")
print(f"{ok} of 22 queries agree with shared/tpch/answers/sf{sf}")
sys.exit(0 if ok == 22 else 1)
