"""Ember inside the Python process.

    import ember
    con = ember.connect()
    df = con.sql("SELECT id, id % 7 AS m FROM range(10)")
    df.show()
    table = df.arrow()          # pyarrow.Table over the engine's buffers

``ember.connect()`` runs SQL in this process and hands results over through
the Arrow C stream interface (``__arrow_c_stream__``), so pyarrow, pandas
and polars read them without a copy. ``ember.SparkSession`` runs the Spark
Connect server in this process and returns a PySpark ``SparkSession`` on it
(needs the ``pyspark-client`` package).
"""

from ember._ember import (
    Connection,
    DataFrame,
    EmberError,
    QueryCancelled,
    __version__,
    connect,
    start_connect_server as _start_connect_server,
    stop_connect_server as _stop_connect_server,
)

__all__ = [
    "Connection",
    "DataFrame",
    "EmberError",
    "QueryCancelled",
    "SparkSession",
    "connect",
    "__version__",
]


class _Builder:
    """Collects settings like ``pyspark.sql.SparkSession.Builder`` and makes
    a PySpark Connect session on the in-process server."""

    def __init__(self):
        self._options = {}

    def config(self, key=None, value=None, conf=None, *, map=None):
        if key is not None:
            self._options[key] = value
        for pairs in (map or {}, dict(conf.getAll()) if conf is not None else {}):
            self._options.update(pairs)
        return self

    def appName(self, name):
        return self.config("spark.app.name", name)

    def master(self, master):
        # the engine is this process; there is no cluster to choose
        return self

    def enableHiveSupport(self):
        return self

    def remote(self, url):
        raise ValueError(
            "ember.SparkSession runs the server in this process; for a remote server use "
            "pyspark.sql.SparkSession.builder.remote(url)"
        )

    def _remote_builder(self):
        try:
            from pyspark.sql import SparkSession as _PySparkSession
        except ImportError as e:
            raise ImportError(
                "ember.SparkSession needs PySpark's Spark Connect client: pip install pyspark-client"
            ) from e
        port = _start_connect_server()
        builder = _PySparkSession.builder.remote(f"sc://127.0.0.1:{port}")
        for key, value in self._options.items():
            builder = builder.config(key, value)
        return builder

    def getOrCreate(self):
        """The active PySpark session on the in-process server, or a new one."""
        return self._remote_builder().getOrCreate()

    def create(self):
        """A new PySpark session on the in-process server."""
        return self._remote_builder().create()


class _BuilderProperty:
    def __get__(self, instance, owner):
        return _Builder()


class SparkSession:
    """``ember.SparkSession.builder.getOrCreate()`` starts Ember's Spark
    Connect server inside this process (on a free loopback port) and returns
    a genuine ``pyspark.sql.SparkSession`` connected to it, so existing
    PySpark code runs in-process with no server to manage."""

    builder = _BuilderProperty()

    def __init__(self):
        raise TypeError("use ember.SparkSession.builder.getOrCreate()")
