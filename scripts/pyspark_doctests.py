"""Runs the docstring examples shipped in the pyspark-client package against
`ember server` through a Spark Connect session and reports, per module, how
many docstrings pass completely and how many examples pass.

Outside CI (it takes minutes and most failures are features still missing).

Usage: .venv/bin/python scripts/pyspark_doctests.py [--url sc://127.0.0.1:15002] [--module functions] [-v]
Without --url it starts target/release/ember (or $EMBER_BIN) on a free port.
"""

import argparse
import doctest
import importlib
import os
import pathlib
import subprocess
import sys
import warnings

warnings.filterwarnings("ignore")

ROOT = pathlib.Path(__file__).resolve().parents[1]
MODULES = {
    "functions": "pyspark.sql.functions.builtin",
    "dataframe": "pyspark.sql.dataframe",
    "column": "pyspark.sql.column",
    "group": "pyspark.sql.group",
    "window": "pyspark.sql.window",
    "catalog": "pyspark.sql.catalog",
}
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE | doctest.IGNORE_EXCEPTION_DETAIL


def start_server():
    binary = os.environ.get("EMBER_BIN") or str(ROOT / "target" / "release" / "ember")
    proc = subprocess.Popen([binary, "server", "--port", "0"], stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    if "sc://" not in line:
        raise SystemExit(f"ember server did not start: {line!r}")
    return proc, line.strip().split()[-1]


def run_module(name, module_path, url, verbose):
    from pyspark.sql import SparkSession

    module = importlib.import_module(module_path)
    finder = doctest.DocTestFinder(exclude_empty=True)
    tests = [t for t in finder.find(module) if t.examples]
    passed_tests = examples = passed_examples = 0
    for test in sorted(tests, key=lambda t: t.name):
        spark = SparkSession.builder.remote(url).create()
        globs = dict(module.__dict__)
        globs["spark"] = spark
        test.globs = globs
        runner = doctest.DocTestRunner(optionflags=FLAGS, verbose=False)
        out = []
        try:
            result = runner.run(test, out=out.append, clear_globs=True)
        except Exception as e:  # a crash in the runner itself counts as a failure
            result = doctest.TestResults(len(test.examples), len(test.examples))
            out.append(repr(e))
        finally:
            try:
                spark.stop()
            except Exception:
                pass
        examples += result.attempted
        passed_examples += result.attempted - result.failed
        if result.failed == 0:
            passed_tests += 1
        elif verbose:
            print("".join(out)[:3000])
    print(
        f"{name:10} docstrings {passed_tests:4}/{len(tests):<4} "
        f"examples {passed_examples:5}/{examples:<5} ({100.0 * passed_examples / max(examples, 1):.1f}%)",
        flush=True,
    )
    return passed_tests, len(tests), passed_examples, examples


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url")
    parser.add_argument("--module", action="append", choices=sorted(MODULES))
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    proc = None
    url = args.url
    if not url:
        proc, url = start_server()
    totals = [0, 0, 0, 0]
    try:
        for name in args.module or list(MODULES):
            for i, v in enumerate(run_module(name, MODULES[name], url, args.verbose)):
                totals[i] += v
    finally:
        if proc:
            proc.terminate()
            proc.wait()
    print(f"{'total':10} docstrings {totals[0]:4}/{totals[1]:<4} examples {totals[2]:5}/{totals[3]:<5}")


if __name__ == "__main__":
    sys.exit(main())
