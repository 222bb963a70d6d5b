"""Errors arrive as PySpark's exception classes with Spark's error class and SQLSTATE."""

import pytest
from pyspark.errors import (
    AnalysisException,
    ArithmeticException,
    NumberFormatException,
    ParseException,
)
from pyspark.sql import functions as F


def test_unresolved_column(spark):
    with pytest.raises(AnalysisException) as e:
        spark.sql("SELECT nope FROM range(1)")
    assert e.value.getCondition() == "UNRESOLVED_COLUMN.WITH_SUGGESTION"
    assert e.value.getSqlState() == "42703"
    assert e.value.getMessageParameters()["objectName"] == "`nope`"


def test_missing_table(spark):
    with pytest.raises(AnalysisException) as e:
        spark.table("no_such_table").collect()
    assert e.value.getCondition() == "TABLE_OR_VIEW_NOT_FOUND"


def test_parse_error(spark):
    with pytest.raises(ParseException) as e:
        spark.sql("SELEC 1")
    assert e.value.getCondition() == "PARSE_SYNTAX_ERROR"


def test_ansi_runtime_errors(spark):
    with pytest.raises(ArithmeticException) as e:
        spark.sql("SELECT 1 / 0 AS x").collect()
    assert e.value.getCondition() == "DIVIDE_BY_ZERO"
    with pytest.raises(NumberFormatException) as e:
        spark.range(1).select(F.lit("abc").cast("int")).collect()
    assert e.value.getCondition() == "CAST_INVALID_INPUT"


def test_legacy_mode_via_config(spark):
    spark.conf.set("spark.sql.ansi.enabled", "false")
    assert spark.sql("SELECT 1 / 0 AS x").collect()[0].x is None
    assert spark.conf.get("spark.sql.ansi.enabled") == "false"
    spark.conf.unset("spark.sql.ansi.enabled")
    assert spark.conf.get("spark.sql.ansi.enabled") == "true"


def test_server_keeps_serving_after_errors(spark):
    for _ in range(3):
        with pytest.raises(AnalysisException):
            spark.sql("SELECT * FROM missing").collect()
    assert spark.range(3).count() == 3
