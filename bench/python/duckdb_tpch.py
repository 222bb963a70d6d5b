"""Times TPC-H queries in DuckDB over the same Parquet files Ember reads.

Usage: python duckdb_tpch.py --data DIR [--runs R] [--threads K] [--answers DIR] [QUERIES_JSON]

The queries are a JSON list of {"name": ..., "sql": ...}, given as the last
argument or on stdin. For each query: one warm-up run, then R timed runs
(each fetches the full result). Prints one JSON object on stdout:
{"engine": "duckdb", "version": ..., "results": [{"name", "times_ms",
"median_ms", "rows", "error", "peak_rss_bytes"}]}; the peak resident size
is measured per query on Linux (the high-water mark is reset before it).
With --answers DIR, the warm-up run writes each result to DIR/<name>.csv
(header line, comma-separated, NULL as an empty field), the form of the
reference answers, so that the harness can check Ember against DuckDB where
no reference exists. If DuckDB cannot be imported, prints
{"error": ...} and exits with status 2.
"""

import argparse
import json
import os
import statistics
import sys
import time

def reset_peak_rss():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def peak_rss_bytes():
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


TABLES = ["lineitem", "orders", "customer", "part", "partsupp", "supplier", "nation", "region"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--answers")
    parser.add_argument("queries", nargs="?")
    args = parser.parse_args()

    try:
        import duckdb
    except ImportError as e:  # reported to the harness, which continues without DuckDB
        print(json.dumps({"error": f"cannot import duckdb: {e}"}))
        sys.exit(2)

    queries = json.loads(args.queries if args.queries else sys.stdin.read())
    con = duckdb.connect()
    # its progress bar (queries over 2 s) goes to stdout, before the result
    con.execute("SET enable_progress_bar = false")
    if args.threads > 0:
        con.execute(f"SET threads = {args.threads}")
    for t in TABLES:
        path = os.path.join(os.path.abspath(args.data), f"{t}.parquet").replace("'", "''")
        con.execute(f"CREATE OR REPLACE VIEW {t} AS SELECT * FROM read_parquet('{path}')")

    results = []
    for q in queries:
        entry = {"name": q["name"], "times_ms": [], "median_ms": None, "rows": None, "error": None}
        reset_peak_rss()
        try:
            if args.answers:  # warm-up, keeping the answer
                path = os.path.join(args.answers, q["name"] + ".csv").replace("'", "''")
                sql = q["sql"].strip().rstrip(";")
                con.execute(f"COPY ({sql}) TO '{path}' (HEADER, DELIMITER ',')")
                entry["rows"] = con.execute(f"SELECT count(*) FROM read_csv('{path}', header = true, all_varchar = true)").fetchone()[0]
            else:
                rows = con.execute(q["sql"]).fetchall()  # warm-up
                entry["rows"] = len(rows)
            for _ in range(max(args.runs, 1)):
                start = time.perf_counter()
                con.execute(q["sql"]).fetchall()
                entry["times_ms"].append((time.perf_counter() - start) * 1000.0)
            entry["median_ms"] = statistics.median(entry["times_ms"])
        except Exception as e:  # one failing query must not stop the others
            entry["error"] = str(e)
        entry["peak_rss_bytes"] = peak_rss_bytes()
        results.append(entry)

    print(json.dumps({"engine": "duckdb", "version": duckdb.__version__, "results": results}))


if __name__ == "__main__":
    main()
