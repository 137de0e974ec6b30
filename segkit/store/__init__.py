"""Saved runs in a database (SQLite by default, any SQLAlchemy URL via SEGKIT_DB_URL).

`segkit.store.db` finds, opens, checks and migrates the database; `segkit.store.runs`
reads and writes runs; `segkit.store.cli` is `segkit runs ...` (and registers `segkit drift`).
"""

from segkit.store.db import default_db_url, segkit_home
from segkit.store.runs import (
           RunRecord,
           RunStore,
           StoredRun,
           dataset_hash,
           export_run,
           record_from_run,
)

__all__ = ["RunRecord", "RunStore", "StoredRun", "dataset_hash", "default_db_url", "export_run",
           "record_from_run", "segkit_home"]
