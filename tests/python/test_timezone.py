"""The session time zone over Spark Connect.

TIMESTAMP values travel as instants (Arrow `timestamp[us, tz=...]`); the
session zone (`spark.sql.session.timeZone`) decides how the server parses
zone-less text and renders `show()`, while PySpark itself turns collected
values into the Python process's local time and `toPandas()` values into
the session zone. Expected values come from PySpark's docstrings, which set
America/Los_Angeles.
"""

import datetime

import pytest

LA = "America/Los_Angeles"


@pytest.fixture()
def la(spark):
    spark.conf.set("spark.sql.session.timeZone", LA)
    yield spark
    spark.conf.unset("spark.sql.session.timeZone")


def test_from_unixtime_docstring(la, capsys):
    from pyspark.sql import functions as sf

    df = la.createDataFrame([(1428476400,)], ["unix_time"])
    assert df.select(sf.from_unixtime("unix_time").alias("t")).collect()[0].t == "2015-04-08 00:00:00"
    df.select(sf.from_unixtime("unix_time").alias("t")).show()
    assert capsys.readouterr().out == (
        "+-------------------+\n"
        "|                  t|\n"
        "+-------------------+\n"
        "|2015-04-08 00:00:00|\n"
        "+-------------------+\n"
        "\n"
    )


def test_unix_timestamp_docstring(la):
    from pyspark.sql import functions as sf

    df = la.createDataFrame([("2015-04-08",)], ["dt"])
    assert df.select(sf.unix_timestamp("dt", "yyyy-MM-dd").alias("unix_time")).collect()[0].unix_time == 1428476400


def test_make_timestamp_docstring(la, capsys):
    from pyspark.sql import functions as sf

    df = la.createDataFrame([[2014, 12, 28, 6, 30, 45.887, "CET"]], ["year", "month", "day", "hour", "min", "sec", "tz"])
    ts = sf.make_timestamp(df.year, df.month, df.day, "hour", df.min, df.sec, "tz").alias("ts")
    df.select(ts).show(truncate=False)
    assert capsys.readouterr().out == (
        "+-----------------------+\n"
        "|ts                     |\n"
        "+-----------------------+\n"
        "|2014-12-27 21:30:45.887|\n"
        "+-----------------------+\n"
        "\n"
    )
    # 2014-12-28 06:30:45.887 in Paris is 05:30:45.887 UTC
    instant = datetime.datetime(2014, 12, 28, 5, 30, 45, 887000, tzinfo=datetime.timezone.utc)
    assert df.select(ts).collect()[0].ts == instant.astimezone().replace(tzinfo=None)


def test_literals_show_collect_and_pandas(la, capsys):
    df = la.sql("SELECT TIMESTAMP'2015-07-22 10:00:00' AS t, TIMESTAMP_NTZ'2015-07-22 10:00:00' AS n")
    df.show()
    assert capsys.readouterr().out == (
        "+-------------------+-------------------+\n"
        "|                  t|                  n|\n"
        "+-------------------+-------------------+\n"
        "|2015-07-22 10:00:00|2015-07-22 10:00:00|\n"
        "+-------------------+-------------------+\n"
        "\n"
    )
    row = df.collect()[0]
    # collect() gives the instant in the Python process's local time
    assert row.t == datetime.datetime.fromtimestamp(1437584400)
    assert row.n == datetime.datetime(2015, 7, 22, 10, 0)
    assert la.sql("SELECT unix_seconds(TIMESTAMP'2015-07-22 10:00:00') AS s").collect()[0].s == 1437584400
    pdf = df.toPandas()
    # toPandas() gives wall-clock times of the session zone
    assert str(pdf["t"][0]) == "2015-07-22 10:00:00"
    assert str(pdf["n"][0]) == "2015-07-22 10:00:00"


def test_python_datetimes_round_trip(la, capsys):
    from pyspark.sql import functions as sf

    instant = datetime.datetime(2021, 7, 11, 13, 30, tzinfo=datetime.timezone.utc)
    df = la.createDataFrame([(instant,)], ["t"])
    df.select(sf.hour("t").alias("h"), sf.date_format("t", "yyyy-MM-dd HH:mm").alias("f")).show()
    assert capsys.readouterr().out == (
        "+---+----------------+\n"
        "|  h|               f|\n"
        "+---+----------------+\n"
        "|  6|2021-07-11 06:30|\n"
        "+---+----------------+\n"
        "\n"
    )
    assert df.collect()[0].t == instant.astimezone().replace(tzinfo=None)


def test_current_timezone_follows_the_conf(spark):
    from pyspark.sql import functions as sf

    spark.conf.set("spark.sql.session.timeZone", "Asia/Shanghai")
    try:
        assert spark.range(1).select(sf.current_timezone().alias("z")).collect()[0].z == "Asia/Shanghai"
    finally:
        spark.conf.unset("spark.sql.session.timeZone")
    assert spark.range(1).select(sf.current_timezone().alias("z")).collect()[0].z == "UTC"
