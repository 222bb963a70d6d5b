"""Starts `ember server` on a free port for the PySpark Connect tests.

The binary is target/debug/ember (or $EMBER_BIN); scripts/test.sh builds it
before running pytest.
"""

import os
import pathlib
import subprocess
import sys
import warnings

import pytest

warnings.filterwarnings("ignore", category=FutureWarning)

ROOT = pathlib.Path(__file__).resolve().parents[2]


def ember_binary() -> str:
    if os.environ.get("EMBER_BIN"):
        return os.environ["EMBER_BIN"]
    target = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    return str(target / "debug" / "ember")


@pytest.fixture(scope="session")
def server_url():
    proc = subprocess.Popen(
        [ember_binary(), "server", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=sys.stderr,
        text=True,
    )
    line = proc.stdout.readline()
    if "sc://" not in line:
        proc.kill()
        raise RuntimeError(f"ember server did not start: {line!r}")
    url = line.strip().split()[-1]
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise
    assert proc.returncode == 0, "ember server did not shut down cleanly on SIGTERM"


def new_session(url):
    from pyspark.sql import SparkSession

    return SparkSession.builder.remote(url).create()


@pytest.fixture()
def spark(server_url):
    session = new_session(server_url)
    yield session
    session.stop()
