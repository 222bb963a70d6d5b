"""spark.sql through Ember: results, types, column names, commands."""

import datetime
import decimal

from pyspark.sql import Row


def test_version_and_simple_query(spark):
    assert spark.version.startswith("4.")
    assert spark.sql("SELECT 1 AS a, 'x' AS b").collect() == [Row(a=1, b="x")]


def test_spark_column_names(spark):
    df = spark.sql("SELECT 1 + 1, upper('a'), CAST(2 AS DOUBLE), sum(id) FROM range(3) GROUP BY 1 + 1")
    assert df.columns == ["(1 + 1)", "upper(a)", "CAST(2 AS DOUBLE)", "sum(id)"]
    assert df.collect() == [Row(2, "A", 2.0, 3)]


def test_types_round_trip(spark):
    row = spark.sql(
        """SELECT CAST(1 AS TINYINT) AS b, CAST(2 AS SMALLINT) AS s, 3 AS i, 4L AS l,
                  CAST(1.5 AS FLOAT) AS f, 2.25D AS d, 12.345BD AS dec, 'héllo' AS str,
                  true AS bool, DATE'2024-02-29' AS dt, TIMESTAMP_NTZ'2024-01-02 03:04:05.123456' AS ntz,
                  CAST(NULL AS INT) AS n, X'0102' AS bin"""
    ).collect()[0]
    assert row.b == 1 and row.s == 2 and row.i == 3 and row.l == 4
    assert row.f == 1.5 and row.d == 2.25
    assert row.dec == decimal.Decimal("12.345")
    assert row.str == "héllo" and row.bool is True
    assert row.dt == datetime.date(2024, 2, 29)
    assert row.ntz == datetime.datetime(2024, 1, 2, 3, 4, 5, 123456)
    assert row.n is None
    assert row.bin == bytearray(b"\x01\x02")


def test_schema_and_print_schema(spark, capsys):
    df = spark.sql("SELECT 1 AS a, 'x' AS b, CAST(1.5 AS DECIMAL(10,2)) AS c")
    assert [(f.name, f.dataType.simpleString()) for f in df.schema.fields] == [
        ("a", "int"),
        ("b", "string"),
        ("c", "decimal(10,2)"),
    ]
    df.printSchema()
    assert capsys.readouterr().out == (
        "root\n |-- a: integer (nullable = false)\n |-- b: string (nullable = false)\n"
        " |-- c: decimal(10,2) (nullable = false)\n\n"
    )


def test_views_and_commands(spark):
    spark.sql("CREATE OR REPLACE TEMPORARY VIEW v AS SELECT id, id * 2 AS twice FROM range(4)")
    assert spark.sql("SELECT sum(twice) AS s FROM v").collect() == [Row(s=12)]
    assert spark.table("v").count() == 4
    tables = spark.sql("SHOW TABLES").collect()
    assert any(r.tableName == "v" for r in tables)
    spark.sql("DROP VIEW v")
    assert not any(r.tableName == "v" for r in spark.sql("SHOW TABLES").collect())


def test_named_and_positional_parameters(spark):
    assert spark.sql("SELECT :x + 1 AS y", args={"x": 41}).collect() == [Row(y=42)]
    assert spark.sql("SELECT ? * 2 AS y", args=[21]).collect() == [Row(y=42)]


def test_empty_result_keeps_schema(spark):
    df = spark.sql("SELECT id, 'a' AS s FROM range(10) WHERE id > 100")
    assert df.collect() == []
    assert df.columns == ["id", "s"]
    assert df.toPandas().shape == (0, 2)


def test_large_result_spans_many_batches(spark):
    rows = spark.sql("SELECT id, id % 7 AS m FROM range(300000)").collect()
    assert len(rows) == 300000
    assert sum(r.m for r in rows) == sum(i % 7 for i in range(300000))


def test_tpch_style_query(spark):
    spark.sql(
        "CREATE OR REPLACE TEMPORARY VIEW t AS SELECT id % 3 AS k, CAST(id AS DECIMAL(12,2)) AS v FROM range(100)"
    )
    rows = spark.sql("SELECT k, sum(v) AS s, avg(v) AS a, count(*) AS c FROM t GROUP BY k ORDER BY k").collect()
    assert rows == [
        Row(k=0, s=decimal.Decimal("1683.00"), a=decimal.Decimal("49.500000"), c=34),
        Row(k=1, s=decimal.Decimal("1617.00"), a=decimal.Decimal("49.000000"), c=33),
        Row(k=2, s=decimal.Decimal("1650.00"), a=decimal.Decimal("50.000000"), c=33),
    ]


def test_dataframes_as_sql_arguments(spark):
    df = spark.range(5)
    assert spark.sql("SELECT * FROM {df} WHERE id > {x}", df=df, x=2).collect() == [Row(id=3), Row(id=4)]


def test_seeded_rand_gives_sparks_sequence(spark):
    # Spark's documented values of rand(0) for the first rows of a partition
    rows = spark.sql("SELECT rand(0) AS r FROM range(2)").collect()
    assert rows[0].r == 0.7604953758285915
    assert rows[0].r != rows[1].r
