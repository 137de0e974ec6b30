"""The run database's tables and its versioned migrations (SQLAlchemy Core, no ORM).

The schema version lives in the `segkit_meta` table (key 'schema_version'). Each migration
is one function that takes a connection inside a transaction and brings the database from
version N-1 to N; `segkit.store.db` applies the missing ones in order, in one transaction
(SQLite and PostgreSQL both roll DDL back), after copying an SQLite file aside.
Add a migration by appending to MIGRATIONS and redefining the tables below to match: the
table objects always describe the newest schema.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import (
    Column,
    Connection,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    inspect,
    text,
)

APP_ID = "segkit-runs"

metadata = MetaData()

meta_table = Table(
    "segkit_meta", metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

def _run_columns(version: int) -> list[Column]:
    """Fresh column objects of the runs table as of schema `version`."""
    columns = [
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("uid", String(36), nullable=False, unique=True),
        Column("name", String(200), nullable=False),
        Column("created_at", Float, nullable=False),  # Unix seconds (UTC)
        Column("source", String(32), nullable=False),  # dashboard, cli, python
        Column("dataset_hash", String(128), nullable=False),
        Column("dataset_name", String(500), nullable=False),
        Column("n_rows", Integer, nullable=False),
        Column("n_users", Integer, nullable=False),
        Column("algorithm", String(64), nullable=False),
        Column("embedder", String(64), nullable=False),
        Column("n_segments", Integer, nullable=False),
        Column("config_json", Text, nullable=False),  # segkit.config.RunConfig.to_json()
        Column("edits_json", Text, nullable=False),  # {"names": {id: name}, "merges": [[ids]]}
        Column("names_json", Text, nullable=False),  # segment id -> shown name (after edits)
        Column("metrics_json", Text, nullable=False),
        Column("summary_parquet", LargeBinary, nullable=False),  # the segment summary table
        Column("labels_npz", LargeBinary, nullable=False),  # user_id (unicode) + label (int64), no pickle
    ]
    if version >= 2:
        columns.append(Column("note", Text, nullable=False, server_default=""))
    return columns


runs_table = Table("segkit_runs", metadata, *_run_columns(2))
Index("ix_segkit_runs_dataset", runs_table.c.dataset_hash)
Index("ix_segkit_runs_created", runs_table.c.created_at)


def _v1(conn: Connection) -> None:
    """Version 1: the meta table and the runs table without a note."""
    meta_table.create(conn)
    Table("segkit_runs", MetaData(), *_run_columns(1)).create(conn)


def _v2(conn: Connection) -> None:
    """Version 2: a free-text note per run, and indexes for listing by dataset and time."""
    if "note" not in {c["name"] for c in inspect(conn).get_columns("segkit_runs")}:
        conn.execute(text("ALTER TABLE segkit_runs ADD COLUMN note TEXT NOT NULL DEFAULT ''"))
    for index in runs_table.indexes:
        index.create(conn, checkfirst=True)


MIGRATIONS: list[tuple[int, str, Callable[[Connection], None]]] = [
    (1, "runs table", _v1),
    (2, "run notes, indexes by dataset and time", _v2),
]
SCHEMA_VERSION = MIGRATIONS[-1][0]
