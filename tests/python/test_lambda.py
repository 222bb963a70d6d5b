"""Higher-order functions with Python lambdas over Spark Connect.

PySpark sends `F.transform(col, lambda x: ...)` as a LambdaFunction whose
body reads UnresolvedNamedLambdaVariables (`x_0`, ...). Expected values are
the examples of PySpark's docstrings; expected names are Spark's, where a
bound lambda variable prints as `namedlambdavariable()`.
"""

import pytest
from pyspark.errors import AnalysisException
from pyspark.sql import Row
from pyspark.sql import functions as F

VAR = "namedlambdavariable()"


def test_transform_with_and_without_index(spark):
    df = spark.createDataFrame([(1, [1, 2, 3, 4])], ("key", "values"))
    assert df.select(F.transform("values", lambda x: x * 2).alias("doubled")).collect() == [Row(doubled=[2, 4, 6, 8])]

    def alternate(x, i):
        return F.when(i % 2 == 0, x).otherwise(-x)

    assert df.select(F.transform("values", alternate).alias("alternated")).collect() == [
        Row(alternated=[1, -2, 3, -4])
    ]


def test_transform_name(spark):
    df = spark.createDataFrame([(1, [1, 2, 3, 4])], ("key", "values"))
    out = df.select(F.transform("values", lambda x: x * 2))
    assert out.columns == [f"transform(values, lambdafunction(({VAR} * 2), {VAR}))"]
    assert out.collect()[0][0] == [2, 4, 6, 8]


def test_exists_forall_filter(spark):
    df = spark.createDataFrame([(1, [1, 2, 3, 4]), (2, [3, -1, 0])], ("key", "values"))
    rows = df.orderBy("key").select(F.exists("values", lambda x: x < 0).alias("any_negative")).collect()
    assert [r.any_negative for r in rows] == [False, True]

    df = spark.createDataFrame([(1, ["bar"]), (2, ["foo", "bar"]), (3, ["foobar", "foo"])], ("key", "values"))
    rows = df.orderBy("key").select(F.forall("values", lambda x: x.rlike("foo")).alias("all_foo")).collect()
    assert [r.all_foo for r in rows] == [False, False, True]

    df = spark.createDataFrame([(1, ["2018-09-20", "2019-02-03", "2019-07-01", "2020-06-01"])], ("key", "values"))
    out = df.select(F.filter("values", lambda x: F.month(F.to_date(x)) > 6).alias("after_second_quarter"))
    assert out.collect() == [Row(after_second_quarter=["2018-09-20", "2019-07-01"])]


def test_three_valued_exists_forall(spark):
    df = spark.sql("SELECT array(1, NULL, 3) AS a, array(2, NULL, 8) AS b")
    row = df.select(
        F.exists("a", lambda x: x % 2 == 0).alias("e"), F.forall("b", lambda x: x % 2 == 0).alias("f")
    ).collect()[0]
    assert row.e is None and row.f is None


def test_aggregate_and_reduce(spark):
    df = spark.createDataFrame([(1, [20.0, 4.0, 2.0, 6.0, 10.0])], ("id", "values"))
    assert df.select(F.aggregate("values", F.lit(0.0), lambda acc, x: acc + x).alias("sum")).collect() == [
        Row(sum=42.0)
    ]
    assert df.select(F.reduce("values", F.lit(0.0), lambda acc, x: acc + x).alias("sum")).collect() == [
        Row(sum=42.0)
    ]

    def merge(acc, x):
        count = acc.count + 1
        sum = acc.sum + x
        return F.struct(count.alias("count"), sum.alias("sum"))

    mean = F.aggregate(
        "values", F.struct(F.lit(0).alias("count"), F.lit(0.0).alias("sum")), merge, lambda acc: acc.sum / acc.count
    )
    assert df.select(mean.alias("mean")).collect() == [Row(mean=8.4)]


def test_aggregate_names_default_finish(spark):
    df = spark.createDataFrame([([1, -2, 3], 100), (None, 0)], "a ARRAY<INT>, i INT")
    out = df.select(
        F.aggregate("a", "i", lambda acc, x: acc + F.abs(x), lambda acc: acc.cast("string")),
        F.aggregate("a", "i", lambda acc, x: acc + F.abs(x)),
    )
    merge = f"lambdafunction(({VAR} + abs({VAR})), {VAR}, {VAR})"
    assert out.columns == [
        f"aggregate(a, i, {merge}, lambdafunction(CAST({VAR} AS STRING), {VAR}))",
        f"aggregate(a, i, {merge}, lambdafunction({VAR}, {VAR}))",
    ]
    assert sorted(out.collect(), key=lambda r: r[1] is None) == [Row("106", 106), Row(None, None)]


def test_zip_with(spark):
    df = spark.createDataFrame([(1, [1, 3, 5, 8], [0, 2, 4, 6])], ("id", "xs", "ys"))
    out = df.select(F.zip_with("xs", "ys", lambda x, y: x**y).alias("powers"))
    assert out.collect() == [Row(powers=[1.0, 9.0, 625.0, 262144.0])]
    df = spark.createDataFrame([(1, ["foo", "bar"], [1, 2, 3])], ("id", "xs", "ys"))
    out = df.select(F.zip_with("xs", "ys", lambda x, y: F.concat_ws("_", x, y)).alias("xs_ys"))
    assert out.collect() == [Row(xs_ys=["foo_1", "bar_2", "3"])]


def test_array_sort_with_comparator(spark):
    df = spark.createDataFrame([(["foo", "foobar", None, "bar"],), (["foo"],), ([],)], ["data"])
    out = df.select(
        F.array_sort(
            "data", lambda x, y: F.when(x.isNull() | y.isNull(), F.lit(0)).otherwise(F.length(y) - F.length(x))
        ).alias("r")
    )
    assert sorted(out.collect(), key=lambda r: -len(r.r)) == [
        Row(r=["foobar", "foo", None, "bar"]),
        Row(r=["foo"]),
        Row(r=[]),
    ]


def test_map_functions(spark):
    df = spark.createDataFrame([(1, {"foo": -2.0, "bar": 2.0})], ("id", "data"))
    row = df.select(F.transform_keys("data", lambda k, _: F.upper(k)).alias("data_upper")).head()
    assert sorted(row["data_upper"].items()) == [("BAR", 2.0), ("FOO", -2.0)]

    df = spark.createDataFrame([(1, {"IT": 10.0, "SALES": 2.0, "OPS": 24.0})], ("id", "data"))
    row = df.select(
        F.transform_values("data", lambda k, v: F.when(k.isin("IT", "OPS"), v + 10.0).otherwise(v)).alias("new_data")
    ).head()
    assert sorted(row["new_data"].items()) == [("IT", 20.0), ("OPS", 34.0), ("SALES", 2.0)]

    df = spark.createDataFrame([(1, {"foo": 42.0, "bar": 1.0, "baz": 32.0})], ("id", "data"))
    row = df.select(F.map_filter("data", lambda k, v: k.startswith("b") & (v > 1.0)).alias("data_filtered")).head()
    assert sorted(row["data_filtered"].items()) == [("baz", 32.0)]

    df = spark.createDataFrame([(1, {"A": 1, "B": 2}, {"B": 3, "C": 4})], ("id", "map1", "map2"))
    row = df.select(
        F.map_zip_with("map1", "map2", lambda _, v1, v2: F.when(v2.isNull(), v1).otherwise(v1 + v2)).alias(
            "updated_data"
        )
    ).head()
    assert sorted(row["updated_data"].items()) == [("A", 1), ("B", 5), ("C", None)]


def test_lambda_reads_columns_and_outer_variables(spark):
    df = spark.createDataFrame([(10, [[1, 2], [3]]), (20, [[4]])], "k INT, zs ARRAY<ARRAY<INT>>")
    out = df.orderBy("k").select(F.transform("zs", lambda z: F.transform(z, lambda y: y + F.size(z) + F.col("k"))))
    assert [r[0] for r in out.collect()] == [[[13, 14], [14]], [[25]]]


def test_lambda_in_filter_and_with_column(spark):
    df = spark.createDataFrame([(1, [1, 2]), (2, [-1, 5]), (3, None)], "id INT, xs ARRAY<INT>")
    kept = df.where(F.exists("xs", lambda x: x < 0)).select("id").collect()
    assert kept == [Row(id=2)]
    out = df.withColumn("ys", F.transform("xs", lambda x: x * 10)).orderBy("id").collect()
    assert [r.ys for r in out] == [[10, 20], [-10, 50], None]


def test_errors(spark):
    df = spark.createDataFrame([(1, [1, 2])], "id INT, xs ARRAY<INT>")
    with pytest.raises(AnalysisException, match="DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE"):
        df.select(F.filter("xs", lambda x: x + 1)).collect()
    with pytest.raises(AnalysisException, match="DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE"):
        df.select(F.aggregate("xs", F.lit(0), lambda acc, x: acc + x * 1.5)).collect()
    with pytest.raises(AnalysisException, match="INVALID_LAMBDA_FUNCTION_CALL.NUM_ARGS_MISMATCH"):
        df.select(F.exists("xs", lambda x, i: x > i)).collect()
