"""Concurrent sessions are isolated; interrupts cancel running queries."""

import threading
import time

import pytest
from pyspark.errors import PySparkException

from conftest import new_session


def test_sessions_have_their_own_views_and_config(server_url):
    a, b = new_session(server_url), new_session(server_url)
    try:
        a.sql("CREATE TEMPORARY VIEW only_a AS SELECT 1 AS x")
        assert a.table("only_a").count() == 1
        assert not b.catalog.tableExists("only_a")
        a.conf.set("spark.sql.ansi.enabled", "false")
        assert b.conf.get("spark.sql.ansi.enabled") == "true"
    finally:
        a.stop()
        b.stop()


def test_concurrent_queries_from_many_sessions(server_url):
    results, errors = {}, []

    def work(i):
        try:
            s = new_session(server_url)
            results[i] = s.sql(f"SELECT sum(id) AS s FROM range({i * 1000})").collect()[0].s
            s.stop()
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(1, 7)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert results == {i: sum(range(i * 1000)) for i in range(1, 7)}


def test_interrupt_all_cancels_a_running_query(spark):
    failure = []

    def long_query():
        try:
            spark.sql("SELECT count(*) FROM range(100000000000) WHERE id % 7 = 3").collect()
        except PySparkException as e:
            failure.append(e)

    t = threading.Thread(target=long_query)
    t.start()
    time.sleep(1.0)
    spark.interruptAll()
    t.join(timeout=30)
    assert not t.is_alive(), "the interrupted query is still running"
    assert failure, "the query was not interrupted"
    # the session is usable afterwards
    assert spark.range(5).count() == 5
