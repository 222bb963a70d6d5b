"""The DataFrame API: transformations lowered into Ember's plans."""

import pandas as pd
import pytest
from pyspark.sql import Row
from pyspark.sql import functions as F
from pyspark.sql.types import IntegerType, LongType, StringType, StructField, StructType


@pytest.fixture()
def people(spark):
    return spark.createDataFrame(
        [(1, "Alice", 34, "NL"), (2, "Bob", 45, "US"), (3, "Carol", None, "NL"), (4, "Dan", 23, None)],
        "id INT, name STRING, age INT, country STRING",
    )


def test_range_select_filter(spark):
    df = spark.range(10).select((F.col("id") * 2).alias("x")).filter("x > 10").where(F.col("x") < 18)
    assert [r.x for r in df.collect()] == [12, 14, 16]


def test_column_naming(spark):
    df = spark.range(3).select(F.col("id") + 1, F.lit(1), (F.col("id") == 1))
    assert df.columns == ["(id + 1)", "1", "(id = 1)"]


def test_with_columns_rename_drop(people):
    df = people.withColumn("age2", F.col("age") * 2).withColumnRenamed("name", "who").drop("country")
    assert df.columns == ["id", "who", "age", "age2"]
    assert df.filter(F.col("id") == 1).collect() == [Row(id=1, who="Alice", age=34, age2=68)]
    replaced = people.withColumn("age", F.coalesce("age", F.lit(0)))
    assert replaced.columns == people.columns
    assert sorted(r.age for r in replaced.collect()) == [0, 23, 34, 45]


def test_group_by_and_order(people):
    rows = people.groupBy("country").agg(F.count("*").alias("n"), F.max("age")).orderBy("country").collect()
    assert rows == [Row(country=None, n=1, **{"max(age)": 23}), Row(country="NL", n=2, **{"max(age)": 34}),
                    Row(country="US", n=1, **{"max(age)": 45})]
    desc = people.orderBy(F.col("age").desc()).select("name").collect()
    assert [r.name for r in desc] == ["Bob", "Alice", "Dan", "Carol"]


def test_joins(spark, people):
    orders = spark.createDataFrame([(1, 10.0), (1, 5.0), (2, 7.5), (9, 1.0)], ["id", "amount"])
    inner = people.join(orders, "id").groupBy("name").agg(F.sum("amount").alias("total")).orderBy("name")
    assert inner.collect() == [Row(name="Alice", total=15.0), Row(name="Bob", total=7.5)]
    left = people.join(orders, people.id == orders.id, "left_anti").select("name").orderBy("name")
    assert [r.name for r in left.collect()] == ["Carol", "Dan"]
    outer = people.join(orders, on="id", how="full").count()
    assert outer == 6


def test_set_operations_and_distinct(spark):
    a = spark.createDataFrame([(1,), (2,), (2,)], ["x"])
    b = spark.createDataFrame([(2,), (3,)], ["x"])
    assert sorted(r.x for r in a.union(b).collect()) == [1, 2, 2, 2, 3]
    assert sorted(r.x for r in a.union(b).distinct().collect()) == [1, 2, 3]
    assert [r.x for r in a.intersect(b).collect()] == [2]
    assert [r.x for r in a.subtract(b).collect()] == [1]
    c = spark.createDataFrame([("z", 5)], ["y", "x"])
    assert b.unionByName(c, allowMissingColumns=True).orderBy("x").collect() == [
        Row(x=2, y=None), Row(x=3, y=None), Row(x=5, y="z")]


def test_drop_duplicates_limit_offset(people):
    assert people.dropDuplicates(["country"]).count() == 3
    assert [r.id for r in people.orderBy("id").limit(2).collect()] == [1, 2]
    assert [r.id for r in people.orderBy("id").offset(3).collect()] == [4]


def test_na_functions(people):
    filled = people.na.fill({"age": 0, "country": "??"}).orderBy("id").collect()
    assert [(r.age, r.country) for r in filled] == [(34, "NL"), (45, "US"), (0, "NL"), (23, "??")]
    assert people.na.drop().count() == 2
    assert people.na.drop(subset=["age"]).count() == 3


def test_create_dataframe_from_rows_pandas_and_schema(spark):
    schema = StructType([StructField("a", IntegerType()), StructField("b", StringType())])
    df = spark.createDataFrame([Row(a=1, b="x"), Row(a=2, b=None)], schema)
    assert df.collect() == [Row(a=1, b="x"), Row(a=2, b=None)]
    pdf = pd.DataFrame({"k": [1, 2, 3], "v": ["a", "b", "c"]})
    df2 = spark.createDataFrame(pdf)
    assert df2.schema == StructType([StructField("k", LongType()), StructField("v", StringType())])
    assert df2.join(df, df2.k == df.a).select("v", "b").orderBy("v").collect() == [Row(v="a", b="x"), Row(v="b", b=None)]
    back = df2.toPandas()
    assert back["v"].tolist() == ["a", "b", "c"]


def test_select_expr_and_sql_functions(people):
    rows = people.selectExpr("upper(name) AS u", "age + 1").orderBy("u").limit(2).collect()
    assert rows == [Row(u="ALICE", **{"(age + 1)": 35}), Row(u="BOB", **{"(age + 1)": 46})]
    w = people.select(F.when(F.col("age") > 30, "old").otherwise("young").alias("g"), "id").orderBy("id")
    assert [r.g for r in w.collect()] == ["old", "old", "young", "young"]


def test_temp_views_from_dataframes(spark, people):
    people.createOrReplaceTempView("people")
    assert spark.sql("SELECT count(*) AS c FROM people WHERE age > 30").collect() == [Row(c=2)]
    assert spark.catalog.tableExists("people")
    assert "people" in [t.name for t in spark.catalog.listTables()]
    spark.catalog.dropTempView("people")
    assert not spark.catalog.tableExists("people")


def test_describe(spark):
    df = spark.createDataFrame([(1,), (2,), (3,)], ["x"])
    rows = {r.summary: r.x for r in df.describe().collect()}
    assert rows == {"count": "3", "mean": "2.0", "stddev": "1.0", "min": "1", "max": "3"}
