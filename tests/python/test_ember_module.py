"""The in-process `ember` module: SQL, lazy DataFrames, Arrow without copies,
registering pandas/pyarrow/polars data, files, errors, cancellation, and the
in-process SparkSession.

Needs the module installed into .venv: `scripts/python-module.sh --dev`
(or `pip install ./python`). Without it the whole file is skipped.
"""

import datetime
import decimal
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest

try:
    import ember
except ImportError as e:
    pytest.skip(
        f"the ember module is not installed (run scripts/python-module.sh --dev): {e}",
        allow_module_level=True,
    )
import pandas as pd  # noqa: E402
import pyarrow as pa  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

# a query that runs for minutes even in a release build: only cancellation ends it early
ENDLESS = "SELECT count(*) FROM range(0, 100000000000)"


@pytest.fixture()
def con():
    return ember.connect()


def first_buffer_address(table, column):
    chunk = table.column(column).chunks[0]
    return chunk.buffers()[1].address


# ---------------------------------------------------------------- results


def test_collect_returns_tuples_of_python_values(con):
    rows = con.sql(
        """SELECT 1 AS i, 2L AS l, 2.5D AS d, 12.345BD AS dec, 'héllo' AS s, true AS b,
                  DATE'2024-02-29' AS dt, TIMESTAMP_NTZ'2024-01-02 03:04:05.123456' AS ts,
                  CAST(NULL AS INT) AS n, X'0102' AS bin, split('a,b', ',') AS arr"""
    ).collect()
    assert rows == [
        (
            1,
            2,
            2.5,
            decimal.Decimal("12.345"),
            "héllo",
            True,
            datetime.date(2024, 2, 29),
            datetime.datetime(2024, 1, 2, 3, 4, 5, 123456),
            None,
            b"\x01\x02",
            ["a", "b"],
        )
    ]


def test_sql_runs_commands_at_once_and_returns_lazy_queries(con):
    assert con.sql("CREATE TEMPORARY VIEW v AS SELECT id FROM range(3)") is None
    df = con.sql("SELECT id * 10 AS x FROM v")
    # lazy: the view is looked up again when the results are asked for
    con.sql("CREATE OR REPLACE TEMPORARY VIEW v AS SELECT id FROM range(5, 7)")
    assert df.collect() == [(50,), (60,)]
    # several statements: all run, the last one's DataFrame comes back
    df = con.sql("CREATE OR REPLACE TEMP VIEW w AS SELECT 1 AS a; SELECT a + 1 AS b FROM w")
    assert df.collect() == [(2,)]
    # commands that show rows give a DataFrame
    names = sorted(r[1] for r in con.sql("SHOW TABLES").collect())
    assert names == ["v", "w"]
    assert con.sql("SET spark.sql.ansi.enabled=false") is None
    assert con.sql("SET spark.sql.ansi.enabled").collect() == [("spark.sql.ansi.enabled", "false")]


def test_show_prints_spark_show_format(con, capsys):
    df = con.sql("SELECT id, repeat('ab', CAST(id AS INT) * 6) AS s FROM range(4)")
    df.show(2)
    assert capsys.readouterr().out == (
        "+---+------------+\n"
        "| id|           s|\n"
        "+---+------------+\n"
        "|  0|            |\n"
        "|  1|abababababab|\n"
        "+---+------------+\n"
        "only showing top 2 rows\n"
        "\n"
    )
    df.show(truncate=10)
    out = capsys.readouterr().out
    assert "|  3|abababa...|" in out and "only showing" not in out
    df.show(n=1, vertical=True)
    assert capsys.readouterr().out == "-RECORD 0--\n id  | 0   \n s   |     \nonly showing top 1 row\n\n"


def test_arrow_schema_columns_and_repr(con):
    df = con.sql("SELECT id, id % 7 AS m, CAST(id AS STRING) AS s FROM range(10)")
    assert df.columns == ["id", "m", "s"]
    assert df.schema.names == ["id", "m", "s"]
    assert df.schema.field("id").type == pa.int64()
    assert df.schema.field("s").type == pa.string()
    assert repr(df) == "DataFrame[id: bigint, m: bigint, s: string]"
    table = df.arrow()
    assert isinstance(table, pa.Table)
    assert table.schema.names == ["id", "m", "s"]
    assert table.column("m").to_pylist() == [i % 7 for i in range(10)]
    assert df.limit(3).arrow().num_rows == 3
    empty = con.sql("SELECT id FROM range(10) WHERE id < 0").arrow()
    assert empty.num_rows == 0 and empty.schema.names == ["id"]


def test_arrow_c_stream_is_read_by_pyarrow_with_a_requested_schema(con):
    df = con.sql("SELECT id, id * 2 AS twice FROM range(5)")
    reader = pa.RecordBatchReader.from_stream(df)
    assert reader.read_all().column("twice").to_pylist() == [0, 2, 4, 6, 8]
    wanted = pa.schema([("a", pa.int32()), ("b", pa.string())])
    cast = pa.RecordBatchReader.from_stream(df, schema=wanted).read_all()
    assert cast.schema == wanted
    assert cast.column("b").to_pylist() == ["0", "2", "4", "6", "8"]


def test_results_cross_without_copies(con):
    """A registered pyarrow table comes back from a query with the very same
    buffers: nothing was copied on the way in or out."""
    source = pa.table({"a": pa.array(range(100_000), pa.int64()), "s": [str(i) for i in range(100_000)]})
    con.register("t", source)
    out = con.sql("SELECT * FROM t").arrow()
    assert out.num_rows == 100_000
    # each chunk is a slice of the source at the place of its first row
    values = first_buffer_address(source, "a")
    chars = source.column("s").chunks[0].buffers()[2].address
    for a, s in zip(out.column("a").chunks, out.column("s").chunks):
        first_row = a[0].as_py()
        assert a.buffers()[1].address + a.offset * 8 == values + first_row * 8
        assert s[0].as_py() == str(first_row)
        assert s.buffers()[2].address == chars
    # and the slices come back in the source's order
    assert out.column("a").to_pylist() == list(range(100_000))


def test_to_pandas(con):
    pdf = con.sql("SELECT id, CAST(id AS DOUBLE) / 2 AS half, CAST(id AS STRING) AS s FROM range(4)").to_pandas()
    assert isinstance(pdf, pd.DataFrame)
    assert list(pdf.columns) == ["id", "half", "s"]
    assert pdf["id"].dtype == "int64"
    assert pdf["half"].tolist() == [0.0, 0.5, 1.0, 1.5]
    assert pdf["s"].tolist() == ["0", "1", "2", "3"]


def test_polars_reads_and_registers():
    pl = pytest.importorskip("polars")
    con = ember.connect()
    df = con.sql("SELECT id, CAST(id AS STRING) AS s FROM range(6)")
    via_protocol = pl.DataFrame(df)
    assert via_protocol.shape == (6, 2)
    assert df.to_polars()["s"].to_list() == ["0", "1", "2", "3", "4", "5"]
    # polars exports string views and large types: registered as Spark's types
    con.register("p", pl.DataFrame({"k": [1, 2, 3], "name": ["a", "b", "c"]}))
    assert con.table("p").schema.field("name").type == pa.string()
    assert con.sql("SELECT name FROM p WHERE k >= 2 ORDER BY k").collect() == [("b",), ("c",)]


# ------------------------------------------------------- registering data


def test_register_pandas_and_pyarrow_and_join_them(con):
    orders = pd.DataFrame({"order_id": [1, 2, 3, 4], "customer": [10, 20, 10, 30], "amount": [5.0, 7.5, 2.5, 1.0]})
    customers = pa.table({"customer": pa.array([10, 20, 40], pa.int64()), "name": ["ann", "bob", "eve"]})
    con.register("orders", orders)
    con.register("customers", customers)
    rows = con.sql(
        """SELECT c.name, sum(o.amount) AS total, count(*) AS n
           FROM orders o JOIN customers c ON o.customer = c.customer
           GROUP BY c.name ORDER BY c.name"""
    ).collect()
    assert rows == [("ann", 7.5, 2), ("bob", 7.5, 1)]


def test_register_record_batch_reader_dicts_and_ember_dataframes(con):
    batches = [pa.record_batch({"x": pa.array([i, i + 1], pa.int64())}) for i in (0, 10)]
    con.register("r", pa.RecordBatchReader.from_batches(batches[0].schema, iter(batches)))
    assert con.sql("SELECT sum(x) FROM r").collect() == [(22,)]
    # no __arrow_c_stream__: goes through pyarrow.table()
    con.register("d", {"y": [3, 4]})
    assert con.sql("SELECT sum(y) FROM d").collect() == [(7,)]
    # an ember DataFrame of the same connection becomes a view (a query, not data)
    con.register("evens", con.sql("SELECT id FROM range(10) WHERE id % 2 = 0"))
    assert con.sql("SELECT count(*) FROM evens").collect() == [(5,)]
    # names are case-insensitive, as in Spark
    assert con.sql("SELECT count(*) FROM EVENS").collect() == [(5,)]
    con.unregister("evens")
    with pytest.raises(ember.EmberError) as e:
        con.sql("SELECT * FROM evens")
    assert e.value.error_class == "TABLE_OR_VIEW_NOT_FOUND"
    with pytest.raises(TypeError):
        con.register("bad", 42)


def test_registered_types_become_spark_types(con):
    table = pa.table(
        {
            "u": pa.array([1, 2], pa.uint32()),
            "ts": pa.array([1_000_000_001_000, 2_000_000_000_000], pa.timestamp("ns")),
            "tz": pa.array([0, 1], pa.timestamp("ms", tz="Europe/Paris")),
            "cat": pa.array(["a", "b"]).dictionary_encode(),
            "big": pa.array(["x", "y"], pa.large_string()),
        }
    )
    con.register("typed", table)
    schema = con.table("typed").schema
    assert schema.field("u").type == pa.int64()
    assert schema.field("ts").type == pa.timestamp("us")
    assert schema.field("tz").type == pa.timestamp("us", tz="UTC")
    assert schema.field("cat").type == pa.string()
    assert schema.field("big").type == pa.string()
    assert con.sql("SELECT u + 1, cat, big, ts FROM typed ORDER BY u").collect() == [
        (2, "a", "x", datetime.datetime(1970, 1, 1, 0, 16, 40, 1)),
        (3, "b", "y", datetime.datetime(1970, 1, 1, 0, 33, 20)),
    ]


# ------------------------------------------------------------------ files


def test_read_parquet_csv_json(con, tmp_path):
    table = pa.table({"id": pa.array([1, 2, 3], pa.int64()), "name": ["a", "b", "c"]})
    pq.write_table(table, tmp_path / "one.parquet")
    pq.write_table(table, tmp_path / "two.parquet")
    df = con.read_parquet(str(tmp_path / "one.parquet"))
    assert df.collect() == [(1, "a"), (2, "b"), (3, "c")]
    both = con.read_parquet([tmp_path / "one.parquet", tmp_path / "two.parquet"])
    assert both.arrow().num_rows == 6
    con.register("pq", both)
    assert con.sql("SELECT sum(id) FROM pq").collect() == [(12,)]

    (tmp_path / "data.csv").write_text("id,name\n1,a\n2,b\n")
    csv = con.read_csv(tmp_path / "data.csv")
    assert csv.columns == ["id", "name"]
    assert csv.collect() == [(1, "a"), (2, "b")]
    raw = con.read_csv(tmp_path / "data.csv", header=False, infer_schema=False)
    assert raw.columns == ["_c0", "_c1"]
    assert raw.collect()[0] == ("id", "name")
    typed = con.read_csv(tmp_path / "data.csv", schema="id BIGINT, name STRING")
    assert typed.schema.field("id").type == pa.int64()
    (tmp_path / "semi.csv").write_text("id;name\n5;e\n")
    assert con.read_csv(tmp_path / "semi.csv", sep=";").collect() == [(5, "e")]

    (tmp_path / "data.json").write_text('{"id": 1, "tags": ["x"]}\n{"id": 2, "tags": []}\n')
    js = con.read_json(tmp_path / "data.json")
    assert sorted(js.collect()) == [(1, ["x"]), (2, [])]
    with pytest.raises(ember.EmberError) as e:
        con.read_parquet(tmp_path / "missing.parquet")
    assert e.value.error_class == "PATH_NOT_FOUND"


# ----------------------------------------------------------------- errors


def test_errors_carry_spark_error_class(con):
    with pytest.raises(ember.EmberError) as e:
        con.sql("SELECT x FROM range(3)")
    err = e.value
    assert str(err).startswith("[UNRESOLVED_COLUMN.WITH_SUGGESTION] ")
    assert "SQLSTATE: 42703" in str(err)
    assert "== SQL (line 1, position 8) ==\nSELECT x FROM range(3)\n       ^" in str(err)
    assert err.error_class == "UNRESOLVED_COLUMN.WITH_SUGGESTION"
    assert err.sql_state == "42703"
    assert err.message_parameters == {"objectName": "`x`", "proposal": "`id`"}

    with pytest.raises(ember.EmberError) as e:
        con.sql("SELEC 1")
    assert e.value.error_class == "PARSE_SYNTAX_ERROR" and e.value.sql_state == "42601"

    with pytest.raises(ember.EmberError) as e:
        con.sql("SELECT * FROM no_such_table")
    assert e.value.error_class == "TABLE_OR_VIEW_NOT_FOUND"

    # a runtime error surfaces when the query runs, not when it is written
    df = con.sql("SELECT 1 / (id - 2) FROM range(3)")
    with pytest.raises(ember.EmberError) as e:
        df.collect()
    assert e.value.error_class == "DIVIDE_BY_ZERO" and e.value.sql_state == "22012"
    assert not isinstance(e.value, ember.QueryCancelled)


def test_config_at_connect(con):
    lenient = ember.connect({"spark.sql.ansi.enabled": False})
    assert lenient.sql("SELECT 1 / 0").collect() == [(None,)]
    with pytest.raises(ember.EmberError) as e:
        ember.connect({"spark.sql.ansi.enabled": "maybe"})
    assert e.value.error_class.startswith("INVALID_CONF_VALUE")


def test_explain(con, capsys):
    df = con.sql("SELECT id % 3 AS k, count(*) FROM range(10) GROUP BY 1")
    df.explain()
    out = capsys.readouterr().out
    assert out.startswith("== Physical Plan ==\n")
    assert "Analyzed Logical Plan" not in out
    df.explain(True)
    out = capsys.readouterr().out
    assert "== Analyzed Logical Plan ==" in out and "== Physical Plan ==" in out
    df.explain(mode="extended")
    assert "== Optimized Logical Plan ==" in capsys.readouterr().out
    with pytest.raises(ValueError):
        df.explain(mode="nope")


# ----------------------------------------------------------- cancellation


def test_interrupt_cancels_a_running_query_without_holding_the_gil(con):
    df = con.sql(ENDLESS)
    outcome = {}

    def run():
        started = time.monotonic()
        try:
            outcome["rows"] = df.collect()
        except BaseException as e:  # noqa: BLE001 - the test inspects it
            outcome["error"] = e
        outcome["seconds"] = time.monotonic() - started

    worker = threading.Thread(target=run)
    worker.start()
    # the query runs without the GIL: this thread keeps executing Python meanwhile
    spins = 0
    deadline = time.monotonic() + 0.5
    while time.monotonic() < deadline:
        spins += 1
    assert spins > 10_000
    assert worker.is_alive()
    interrupted_at = time.monotonic()
    con.interrupt()
    worker.join(timeout=30)
    assert not worker.is_alive()
    assert time.monotonic() - interrupted_at < 10
    err = outcome.get("error")
    assert isinstance(err, ember.QueryCancelled), outcome
    assert isinstance(err, ember.EmberError)
    assert err.error_class == "OPERATION_CANCELED" and err.sql_state == "HY008"
    # the connection goes on, and an earlier interrupt does not cancel later queries
    assert con.sql("SELECT 42").collect() == [(42,)]


def test_ctrl_c_cancels_the_query():
    code = textwrap.dedent(
        f"""
        import ember
        con = ember.connect()
        df = con.sql("{ENDLESS}")
        print("running", flush=True)
        try:
            df.collect()
        except KeyboardInterrupt:
            print("interrupted", flush=True)
        print(con.sql("SELECT 42").collect(), flush=True)
        """
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout.readline().strip() == "running"
        time.sleep(1.0)
        proc.send_signal(signal.SIGINT)
        sent = time.monotonic()
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert out.split() == ["interrupted", "[(42,)]"]
    assert time.monotonic() - sent < 10


# ---------------------------------------------------- in-process SparkSession


def test_spark_session_in_process():
    pytest.importorskip("pyspark.sql.connect", reason="needs the pyspark-client package")
    from pyspark.sql import functions as F

    spark = ember.SparkSession.builder.config("spark.sql.ansi.enabled", "true").create()
    try:
        assert type(spark).__module__ == "pyspark.sql.connect.session"
        assert spark.sql("SELECT 1 AS a").collect()[0].a == 1
        counts = spark.range(10).groupBy((F.col("id") % 3).alias("k")).count().orderBy("k").collect()
        assert [(r.k, r["count"]) for r in counts] == [(0, 4), (1, 3), (2, 3)]
    finally:
        spark.stop()
    # one server per process: asking again finds the same port
    assert ember._start_connect_server() == ember._start_connect_server()


def test_spark_session_get_or_create_runs_pyspark_code_in_a_fresh_process(tmp_path):
    pytest.importorskip("pyspark.sql.connect", reason="needs the pyspark-client package")
    # a script file, not `python -c`: PySpark takes a main module without a file for doctests
    script = tmp_path / "job.py"
    script.write_text(textwrap.dedent(
        """
        import ember
        from pyspark.sql import functions as F
        spark = ember.SparkSession.builder.getOrCreate()
        assert ember.SparkSession.builder.getOrCreate() is spark
        df = spark.range(10).groupBy((F.col("id") % 3).alias("k")).count().orderBy("k")
        print(sorted((r.k, r["count"]) for r in df.collect()))
        spark.stop()
        """
    ))
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[(0, 4), (1, 3), (2, 3)]"


def test_spark_session_needs_no_remote():
    with pytest.raises(ValueError):
        ember.SparkSession.builder.remote("sc://elsewhere:15002")
    with pytest.raises(TypeError):
        ember.SparkSession()
