"""segkit on Apache Spark: the same segmentation for user tables too big for one machine.

Nothing here is imported by the rest of segkit or by the dashboard; pyspark (the
optional extra `segkit[spark]`) is imported only when a Spark job runs. The one module
the dashboard needs, `segkit.spark.bundle` (`load_bundle`), imports pandas only.

Stages, as Spark jobs (see segkit/spark/job.py):
  read (Parquet/CSV/table)  -> clean texts, row -> user id        (source.py)
  embed per text in mapInPandas, model loaded once per worker     (embed.py)
  per-user mean vector, trait means/modes, scaling statistics      (features.py)
  cluster: MLlib on everyone, or fit on a sample + assign everyone (cluster.py)
  segment sizes, profiles, keywords/map from a stratified sample   (describe.py)
  user -> segment Parquet + a small bundle the dashboard opens     (bundle.py)
"""
