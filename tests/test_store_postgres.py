"""Optional: the same run store against a real PostgreSQL server, started and stopped here.

Skips cleanly when no server binaries (Debian's `postgresql` package: initdb, pg_ctl) or no
psycopg driver are installed. As root the server runs as the `postgres` user (PostgreSQL
refuses to run as root). The server listens only on a Unix socket in a temporary folder.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pytest

from tests.test_store import make_record

pytest.importorskip("psycopg")


def _bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


@pytest.fixture(scope="module")
def pg_url():
    initdb, pg_ctl = _bin("initdb"), _bin("pg_ctl")
    if not initdb or not pg_ctl:
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
    prefix: list[str] = []
    if os.geteuid() == 0:
        runuser = shutil.which("runuser")
        if not runuser or subprocess.run(["id", "postgres"], capture_output=True).returncode:
            pytest.skip("running as root without a 'postgres' user to start the server as")
        prefix = [runuser, "-u", "postgres", "--"]
    base = Path(tempfile.mkdtemp(prefix="segkit-pg-"))
    data, sock = base / "data", base / "sock"
    sock.mkdir()
    if prefix:
        shutil.chown(base, "postgres")
        shutil.chown(sock, "postgres")
    os.chmod(base, 0o755)

    def run(*cmd: str) -> subprocess.CompletedProcess:
        return subprocess.run([*prefix, *cmd], capture_output=True, text=True, timeout=120)

    init = run(initdb, "-D", str(data), "-U", "segkit", "--auth=trust", "-E", "UTF8")
    if init.returncode:
        shutil.rmtree(base, ignore_errors=True)
        pytest.skip(f"initdb failed: {init.stderr.strip()[-300:]}")
    opts = f"-c listen_addresses='' -c unix_socket_directories={sock} -c fsync=off -p 54329"
    start = run(pg_ctl, "-D", str(data), "-o", opts, "-l", str(base / "log"), "-w", "-t", "60", "start")
    if start.returncode:
        log = (base / "log").read_text() if (base / "log").exists() else ""
        shutil.rmtree(base, ignore_errors=True)
        pytest.skip(f"PostgreSQL did not start: {start.stderr.strip()[-200:]} {log[-300:]}")
    try:
        yield f"postgresql://segkit@/postgres?host={sock}&port=54329"
    finally:
        run(pg_ctl, "-D", str(data), "-m", "fast", "-w", "stop")
        shutil.rmtree(base, ignore_errors=True)


def test_runs_round_trip_on_postgres(pg_url):
    from segkit.store import RunStore
    from segkit.store.schema import SCHEMA_VERSION

    with RunStore(pg_url) as store:
        assert store.engine.dialect.name == "postgresql"
        first = store.save(make_record(1))
        second = store.save(make_record(2, n_users=80))
        assert store.list()["id"].tolist() == [second, first]
        run = store.get(first)
        assert run.labels.tolist() == make_record(1).labels.tolist() and run.names[1] == "Beta"
        assert run.summary["keywords"].map(list).tolist() == [["x", "y"], ["z"], []]
        assert store.delete(second) and store.count() == 1
    with RunStore(pg_url) as again:  # reopened: already migrated, run still there
        assert again.get(first).n_users == 50
        with again.engine.connect() as conn:
            version = conn.exec_driver_sql("SELECT value FROM segkit_meta WHERE key='schema_version'").scalar()
        assert version == str(SCHEMA_VERSION)
    assert np.asarray(run.user_ids).dtype.kind == "U"
