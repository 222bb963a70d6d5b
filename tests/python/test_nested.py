"""Nested values through Spark Connect: `df.s.x`, `col[0]`, `m["k"]`,
`getField` / `getItem` (Spark's UnresolvedExtractValue), `withField` /
`dropFields` (UpdateFields), and the trim functions with a trim string.
Expected rows and column names are Spark's (PySpark's docstrings for
`Column.getItem`, `getField`, `withField`, `dropFields`, `functions.trim`)."""

import pytest
from pyspark.errors import AnalysisException
from pyspark.sql import Row
from pyspark.sql import functions as F


def test_get_item_of_lists_and_maps(spark):
    df = spark.createDataFrame([([1, 2], {"key": "value"})], ["l", "d"])
    out = df.select(df.l.getItem(0), df.d.getItem("key"))
    assert out.columns == ["l[0]", "d[key]"]
    assert [tuple(r) for r in out.collect()] == [(1, "value")]
    out = df.select(df.l[1], df.d["key"], df.d.key, F.col("d")["missing"])
    assert out.columns == ["l[1]", "d[key]", "d[key]", "d[missing]"]
    assert [tuple(r) for r in out.collect()] == [(2, "value", "value", None)]


def test_get_field_of_structs(spark):
    df = spark.createDataFrame([Row(r=Row(a=1, b="b"))])
    out = df.select(df.r.getField("b"), df.r.a, F.col("r")["b"])
    assert out.columns == ["r.b", "r.a", "r.b"]
    assert [tuple(r) for r in out.collect()] == [("b", 1, "b")]


def test_nested_chains(spark):
    df = spark.sql("SELECT array(named_struct('x', 1, 'm', map('k', array(10, 20)))) AS arr")
    out = df.select(df.arr[0].x, df.arr[0].m["k"][1])
    assert out.columns == ["arr[0].x", "arr[0].m[k][1]"]
    assert [tuple(r) for r in out.collect()] == [(1, 20)]


def test_index_past_the_end_outside_ansi(spark):
    df = spark.createDataFrame([([1, 2],)], ["l"])
    # NULL outside ANSI mode (under ANSI Spark raises INVALID_ARRAY_INDEX,
    # which the `get` kernel does not do yet)
    spark.conf.set("spark.sql.ansi.enabled", "false")
    try:
        assert df.select(df.l[5]).collect() == [Row(**{"l[5]": None})]
    finally:
        spark.conf.unset("spark.sql.ansi.enabled")


def test_extracting_from_a_scalar_is_an_error(spark):
    df = spark.createDataFrame([(1,)], ["n"])
    with pytest.raises(AnalysisException, match="INVALID_EXTRACT_BASE_FIELD_TYPE"):
        df.select(df.n["x"]).collect()


def test_with_field(spark):
    df = spark.createDataFrame([Row(a=Row(b=1, c=2))])
    assert df.withColumn("a", df["a"].withField("b", F.lit(3))).select("a.b").collect() == [Row(b=3)]
    assert df.withColumn("a", df["a"].withField("d", F.lit(4))).select("a.d").collect() == [Row(d=4)]
    out = df.withColumn("a", df["a"].withField("d", F.lit(4)))
    assert [f.name for f in out.schema["a"].dataType.fields] == ["b", "c", "d"]


def test_drop_fields(spark):
    df = spark.createDataFrame([Row(a=Row(b=1, c=2, d=3, e=Row(f=4, g=5, h=6)))])
    assert df.withColumn("a", df["a"].dropFields("b")).collect() == [Row(a=Row(c=2, d=3, e=Row(f=4, g=5, h=6)))]
    assert df.withColumn("a", df["a"].dropFields("b", "c")).collect() == [Row(a=Row(d=3, e=Row(f=4, g=5, h=6)))]
    assert df.withColumn("a", F.col("a").dropFields("e.g", "e.h")).collect() == [
        Row(a=Row(b=1, c=2, d=3, e=Row(f=4)))
    ]
    out = df.select(F.col("a").withField("e", F.col("a.e").dropFields("g", "h")).alias("a"))
    assert out.collect() == [Row(a=Row(b=1, c=2, d=3, e=Row(f=4)))]


def test_update_fields_of_a_null_struct_is_null(spark):
    df = spark.sql("SELECT CAST(NULL AS STRUCT<b: INT>) AS a")
    assert df.select(df.a.withField("c", F.lit(1)).alias("a")).collect() == [Row(a=None)]


def test_trim_with_a_trim_string(spark):
    df = spark.createDataFrame(["***Spark", "Spark**", "*Spark"], "STRING")
    out = df.select(F.trim("value", F.lit("*")), F.ltrim("value", F.lit("*")), F.rtrim("value", F.lit("*")))
    assert out.columns == ["TRIM(BOTH * FROM value)", "TRIM(LEADING * FROM value)", "TRIM(TRAILING * FROM value)"]
    assert [tuple(r) for r in out.collect()] == [
        ("Spark", "Spark", "***Spark"),
        ("Spark", "Spark**", "Spark"),
        ("Spark", "Spark", "*Spark"),
    ]
    # the trim string may be a column
    df = spark.createDataFrame([("**Spark*", "*"), ("==Spark=", "=")], ["value", "t"])
    assert [r[0] for r in df.select(F.trim("value", "t")).collect()] == ["Spark", "Spark"]
