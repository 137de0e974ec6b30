"""Where the run database lives, how it is opened, checked and migrated.

Default: an SQLite file `segkit.db` in `$SEGKIT_HOME`, else in the user cache folder
(`$XDG_CACHE_HOME/segkit` or `~/.cache/segkit`, next to the embedding cache).
`SEGKIT_DB_URL` (any SQLAlchemy URL, e.g. `postgresql+psycopg://user@host/segkit`) overrides it.

SQLite is opened in WAL mode with a 30 s busy timeout, and every write transaction starts
with `BEGIN IMMEDIATE`, so concurrent sessions (threads or processes) queue for the write
lock instead of failing half-way; transactions are kept short (one run per transaction).

A database that is not segkit's, corrupt, or written by a newer segkit is never modified:
opening it raises SegkitInputError saying so and where the file is. Before an older schema
is migrated, an SQLite file is copied to `<name>.schema-v<N>.bak`.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    NoSuchModuleError,
    OperationalError,
    SQLAlchemyError,
)

from segkit.errors import SegkitInputError
from segkit.store.schema import APP_ID, MIGRATIONS, SCHEMA_VERSION, meta_table

DB_FILE = "segkit.db"
BUSY_TIMEOUT_S = 30


def segkit_home() -> Path:
    """segkit's data folder: $SEGKIT_HOME, else the user cache folder."""
    home = os.environ.get("SEGKIT_HOME")
    if home:
        return Path(home).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base).expanduser() / "segkit"


def default_db_url() -> str:
    """SEGKIT_DB_URL, else an SQLite file in segkit_home()."""
    url = os.environ.get("SEGKIT_DB_URL", "").strip()
    if url:
        return url
    return f"sqlite:///{segkit_home() / DB_FILE}"


def describe_url(url: str) -> str:
    """The URL as shown to people: a file path for SQLite, no password otherwise."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return "(invalid database URL)"
    if parsed.get_backend_name() == "sqlite":
        return parsed.database or ":memory:"
    return parsed.render_as_string(hide_password=True)


def sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def _sqlite_events(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn, _record) -> None:
        # The driver's own implicit transactions are off; SQLAlchemy's "begin" below issues them.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_S * 1000}")
        cursor.execute("PRAGMA journal_mode = WAL")  # persistent in the file; readers never block the writer
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn) -> None:
        # IMMEDIATE takes the write lock at once: two writers wait in turn (busy_timeout)
        # instead of both reading and then one failing to upgrade its lock.
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("segkit_write") else "BEGIN")


def parse_url(url: str):
    try:
        return make_url(url)
    except ArgumentError:
        raise SegkitInputError(f"Not a database URL: {url!r} (SEGKIT_DB_URL or --db; e.g. "
                               "sqlite:////path/segkit.db or postgresql+psycopg://user@host/segkit).") from None


def make_engine(url: str) -> Engine:
    parsed = parse_url(url)
    backend = parsed.get_backend_name()
    kwargs: dict = {}
    if backend == "sqlite":
        path = sqlite_path(url)
        if path is not None:
            if path.exists() and path.is_dir():
                raise SegkitInputError(f"The run database path {path} is a folder, not a file.")
            path.parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"timeout": BUSY_TIMEOUT_S, "check_same_thread": False}
    elif backend == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")  # psycopg 3, the driver segkit depends on
    try:
        engine = create_engine(parsed, pool_pre_ping=backend != "sqlite", **kwargs)
    except (NoSuchModuleError, ModuleNotFoundError) as exc:
        raise SegkitInputError(f"No database driver for {describe_url(url)}: {exc}. "
                               "For PostgreSQL install psycopg (pip install 'psycopg[binary]').") from None
    if backend == "sqlite":
        _sqlite_events(engine)
    return engine


def _unreadable(url: str, exc: Exception) -> SegkitInputError:
    reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0] if str(exc) else type(exc).__name__
    return SegkitInputError(
        f"The run database {describe_url(url)} cannot be read ({reason}). It was left untouched: "
        "move it aside to start a new one, or set SEGKIT_DB_URL to use another database.")


def _check_sqlite_file(url: str) -> None:
    """Refuse a file that is not an SQLite database, before SQLite or WAL mode touches it."""
    path = sqlite_path(url)
    if path is None or not path.exists() or path.stat().st_size == 0:
        return
    with path.open("rb") as handle:
        header = handle.read(16)
    if header != b"SQLite format 3\x00":
        raise SegkitInputError(
            f"The run database {path} is not an SQLite database (corrupt, or another kind of file). "
            "It was left untouched: move it aside to start a new one, or set SEGKIT_DB_URL to use another database.")


def _read_version(conn, url: str) -> int:
    """0 for an empty database; the schema version of a segkit database; an error otherwise."""
    tables = set(inspect(conn).get_table_names())
    if meta_table.name not in tables:
        if tables:
            raise SegkitInputError(
                f"The database {describe_url(url)} holds other tables ({', '.join(sorted(tables)[:5])}) "
                "and is not a segkit run database. It was left untouched; point SEGKIT_DB_URL at another one.")
        return 0
    rows = dict(conn.execute(select(meta_table.c.key, meta_table.c.value)).all())
    if rows.get("app") != APP_ID:
        raise SegkitInputError(f"The database {describe_url(url)} is not a segkit run database "
                               "(its segkit_meta table has no segkit marker). It was left untouched.")
    try:
        return int(rows.get("schema_version", ""))
    except ValueError:
        raise SegkitInputError(f"The run database {describe_url(url)} has an unreadable schema version "
                               f"({rows.get('schema_version')!r}). It was left untouched.") from None


def _too_new(url: str, version: int) -> SegkitInputError:
    return SegkitInputError(
        f"The run database {describe_url(url)} was written by a newer segkit (schema version {version}; "
        f"this segkit reads up to {SCHEMA_VERSION}). Upgrade segkit to open it; the file was left untouched.")


def _backup_sqlite(url: str, version: int) -> Path | None:
    path = sqlite_path(url)
    if path is None or not path.exists():
        return None
    target = path.with_name(f"{path.name}.schema-v{version}.bak")
    source = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_S)
    try:
        dest = sqlite3.connect(str(target))
        try:
            source.backup(dest)  # consistent even while others write
        finally:
            dest.close()
    finally:
        source.close()
    return target


def migrate(engine: Engine, url: str, target: int = SCHEMA_VERSION) -> int:
    """Bring the database to schema `target`; returns the version it was at."""
    with engine.connect() as conn:
        found = _read_version(conn, url)
    if found > SCHEMA_VERSION:
        raise _too_new(url, found)
    if found >= target:
        return found
    if found > 0:
        _backup_sqlite(url, found)
    write = engine.execution_options(segkit_write=True)
    with write.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(7411)"))  # one migrator at a time
        now = _read_version(conn, url)  # another process may have migrated meanwhile
        if now > SCHEMA_VERSION:
            raise _too_new(url, now)
        for version, _title, step in MIGRATIONS:
            if now < version <= target:
                step(conn)
                now = version
        conn.execute(meta_table.delete().where(meta_table.c.key.in_(["app", "schema_version"])))
        conn.execute(meta_table.insert(), [{"key": "app", "value": APP_ID},
                                           {"key": "schema_version", "value": str(now)}])
    return found


def open_engine(url: str | None = None, target: int = SCHEMA_VERSION) -> tuple[Engine, str]:
    """An engine on a checked, migrated run database, and its URL."""
    url = url or default_db_url()
    parse_url(url)
    _check_sqlite_file(url)
    engine = make_engine(url)
    try:
        if engine.dialect.name == "sqlite" and sqlite_path(url) is not None:
            with engine.connect() as conn:
                quick = conn.exec_driver_sql("PRAGMA quick_check").scalar()
            if quick != "ok":
                raise SegkitInputError(f"The run database {describe_url(url)} is damaged (SQLite integrity check: "
                                       f"{quick}). It was left untouched: move it aside to start a new one.")
        migrate(engine, url, target)
    except SegkitInputError:
        engine.dispose()
        raise
    except OperationalError as exc:
        engine.dispose()
        if "locked" in str(exc).lower():
            raise SegkitInputError(f"The run database {describe_url(url)} stayed locked by another process for "
                                   f"{BUSY_TIMEOUT_S} s; try again.") from None
        raise _unreadable(url, exc) from None
    except (DBAPIError, SQLAlchemyError) as exc:
        engine.dispose()
        raise _unreadable(url, exc) from None
    return engine, url
