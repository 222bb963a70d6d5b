"""Grouping analytics through Spark Connect: `rollup`, `cube`, `groupingSets`,
`grouping()` / `grouping_id()`, and the same in SQL. Expected rows are Spark's
(its golden file group-analytics.sql.out uses the same data)."""

import pytest
from pyspark.errors import AnalysisException
from pyspark.sql import Row
from pyspark.sql import functions as F


@pytest.fixture()
def sales(spark):
    return spark.createDataFrame(
        [("dotNET", 2012, 10000), ("Java", 2012, 20000), ("dotNET", 2012, 5000), ("dotNET", 2013, 48000),
         ("Java", 2013, 30000)],
        "course STRING, year INT, earnings INT",
    )


def test_rollup(sales):
    df = sales.rollup("course", "year").agg(F.sum("earnings")).orderBy("course", "year")
    assert df.columns == ["course", "year", "sum(earnings)"]
    assert [tuple(r) for r in df.collect()] == [
        (None, None, 113000), ("Java", None, 50000), ("Java", 2012, 20000), ("Java", 2013, 30000),
        ("dotNET", None, 63000), ("dotNET", 2012, 15000), ("dotNET", 2013, 48000),
    ]
    # a column that some grouping set leaves out is nullable
    assert all(f.nullable for f in df.schema.fields[:2])


def test_cube_with_grouping_functions(sales):
    df = (
        sales.cube("course", "year")
        .agg(F.grouping("course"), F.grouping("year"), F.grouping_id("course", "year"), F.grouping_id())
        .orderBy(F.grouping_id(), "course", "year")
    )
    assert df.columns == ["course", "year", "grouping(course)", "grouping(year)", "grouping_id(course, year)",
                          "grouping_id()"]
    assert [tuple(r) for r in df.collect()] == [
        ("Java", 2012, 0, 0, 0, 0), ("Java", 2013, 0, 0, 0, 0), ("dotNET", 2012, 0, 0, 0, 0),
        ("dotNET", 2013, 0, 0, 0, 0), ("Java", None, 0, 1, 1, 1), ("dotNET", None, 0, 1, 1, 1),
        (None, 2012, 1, 0, 2, 2), (None, 2013, 1, 0, 2, 2), (None, None, 1, 1, 3, 3),
    ]
    types = [f.dataType.simpleString() for f in df.schema.fields[2:]]
    assert types == ["tinyint", "tinyint", "bigint", "bigint"]


def test_grouping_sets(sales):
    df = sales.groupingSets([["course"], ["year"]], "course", "year").agg(F.sum("earnings").alias("total"))
    rows = sorted((tuple(r) for r in df.collect()), key=repr)
    assert rows == sorted(
        [("Java", None, 50000), (None, 2012, 35000), (None, 2013, 78000), ("dotNET", None, 63000)], key=repr
    )
    # the grouping expressions given fix the bits of the grouping id
    ids = sales.groupingSets([["year"], []], "course", "year").agg(F.grouping_id().alias("g"))
    assert sorted(r.g for r in ids.collect()) == [2, 2, 3]


def test_sql_mixed_forms(spark, sales):
    sales.createOrReplaceTempView("course_sales")
    rows = spark.sql(
        "SELECT course, year, count(1) AS n FROM course_sales "
        "GROUP BY course, ROLLUP(year) ORDER BY course, year"
    ).collect()
    assert rows == [
        Row(course="Java", year=None, n=2), Row(course="Java", year=2012, n=1), Row(course="Java", year=2013, n=1),
        Row(course="dotNET", year=None, n=3), Row(course="dotNET", year=2012, n=2),
        Row(course="dotNET", year=2013, n=1),
    ]
    having = spark.sql(
        "SELECT course, year FROM course_sales GROUP BY CUBE(course, year) "
        "HAVING GROUPING(year) = 1 AND GROUPING_ID(course, year) > 0 ORDER BY course, year"
    ).collect()
    assert [tuple(r) for r in having] == [(None, None), ("Java", None), ("dotNET", None)]


def test_grouping_without_grouping_sets_is_an_error(spark, sales):
    with pytest.raises(AnalysisException) as e:
        sales.groupBy("course").agg(F.grouping("course")).collect()
    assert "UNSUPPORTED_GROUPING_EXPRESSION" in str(e.value)
    sales.createOrReplaceTempView("course_sales")
    with pytest.raises(AnalysisException) as e:
        spark.sql("SELECT course, GROUPING(year) FROM course_sales GROUP BY CUBE(course)").collect()
    assert "GROUPING_COLUMN_MISMATCH" in str(e.value)
