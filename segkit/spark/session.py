"""Getting a SparkSession that can run segkit's Python code on its workers."""

from __future__ import annotations

import os
import sys

from segkit.errors import SegkitInputError


def require_pyspark():
    try:
        import pyspark  # noqa: F401
    except ImportError:
        raise SegkitInputError(
            "The Spark job needs pyspark: pip install 'segkit[spark]' (pyspark>=4.0 and pyarrow)."
        ) from None
    return pyspark


def get_session(master: str | None = None, app_name: str = "segkit", driver_memory: str = "3g",
                shuffle_partitions: int | None = None, extra_conf: dict | None = None):
    """Return the active SparkSession or start one.

    Under spark-submit the session (and its master) already exists and is reused. A
    new local session gets PYSPARK_PYTHON = this interpreter, so the workers import
    the same segkit, numpy and pyarrow as the driver (otherwise they start the system
    Python and fail), and few shuffle partitions (200 is meant for clusters).
    """
    require_pyspark()
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None and master is None:
        return active
    if master is None and "PYSPARK_GATEWAY_PORT" in os.environ:
        # Under spark-submit: the cluster's master, memory and partitions come from its conf.
        spark = (SparkSession.builder.appName(app_name)
                 .config("spark.sql.execution.arrow.pyspark.enabled", "true").getOrCreate())
        spark.sparkContext.setLogLevel("WARN")
        return spark
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    builder = SparkSession.builder.appName(app_name)
    if master:
        builder = builder.master(master)
    local = (master or "local").startswith("local")
    if local:
        cores = os.cpu_count() or 2
        builder = (builder.config("spark.driver.memory", driver_memory)
                   .config("spark.sql.shuffle.partitions", str(shuffle_partitions or max(2 * cores, 4)))
                   .config("spark.ui.enabled", "false")
                   .config("spark.ui.showConsoleProgress", "false"))
    elif shuffle_partitions:
        builder = builder.config("spark.sql.shuffle.partitions", str(shuffle_partitions))
    builder = (builder.config("spark.sql.execution.arrow.pyspark.enabled", "true")
               .config("spark.python.worker.reuse", "true"))
    for key, value in (extra_conf or {}).items():
        builder = builder.config(key, str(value))
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def is_local(spark) -> bool:
    return spark.sparkContext.master.startswith("local")
