"""df.show(): Spark renders the text on the server; it must be byte-for-byte Spark's."""


def test_show_default(spark, capsys):
    spark.createDataFrame([(14, "Tom"), (23, "Alice"), (16, "Bob")], ["age", "name"]).show()
    assert capsys.readouterr().out == (
        "+---+-----+\n"
        "|age| name|\n"
        "+---+-----+\n"
        "| 14|  Tom|\n"
        "| 23|Alice|\n"
        "| 16|  Bob|\n"
        "+---+-----+\n"
        "\n"
    )


def test_show_truncate_limit_and_vertical(spark, capsys):
    df = spark.createDataFrame([(14, "Tom"), (23, "Alice"), (16, "Bob")], ["age", "name"])
    df.show(2, truncate=3)
    assert capsys.readouterr().out == (
        "+---+----+\n"
        "|age|name|\n"
        "+---+----+\n"
        "| 14| Tom|\n"
        "| 23| Ali|\n"
        "+---+----+\n"
        "only showing top 2 rows\n"
        "\n"
    )
    df.show(vertical=True)
    assert capsys.readouterr().out == (
        "-RECORD 0-----\n"
        " age  | 14    \n"
        " name | Tom   \n"
        "-RECORD 1-----\n"
        " age  | 23    \n"
        " name | Alice \n"
        "-RECORD 2-----\n"
        " age  | 16    \n"
        " name | Bob   \n"
        "\n"
    )


def test_show_nulls_and_long_strings(spark, capsys):
    spark.sql("SELECT CAST(NULL AS STRING) AS s, repeat('x', 25) AS long, 1.5D AS d, DATE'2024-01-02' AS dt").show()
    assert capsys.readouterr().out == (
        "+----+--------------------+---+----------+\n"
        "|   s|                long|  d|        dt|\n"
        "+----+--------------------+---+----------+\n"
        "|NULL|xxxxxxxxxxxxxxxxx...|1.5|2024-01-02|\n"
        "+----+--------------------+---+----------+\n"
        "\n"
    )
