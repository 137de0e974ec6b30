"""The run database: round trips, migrations, refusals that keep the file, and concurrent writers."""

from __future__ import annotations

import multiprocessing
import sqlite3

import numpy as np
import pandas as pd
import pytest

from segkit.errors import SegkitInputError
from segkit.store import RunRecord, RunStore, default_db_url, segkit_home
from segkit.store.db import open_engine
from segkit.store.schema import SCHEMA_VERSION


def make_record(i: int = 0, n_users: int = 50) -> RunRecord:
    labels = np.arange(n_users) % 3
    labels[0] = -1
    return RunRecord(
        name=f"run {i}", dataset_hash="abc123", dataset_name="reviews.csv", n_rows=n_users * 2, n_users=n_users,
        algorithm="kmeans", embedder="tfidf", config={"algorithm": "kmeans", "algorithm_params": {"k": 3}},
        summary=pd.DataFrame({"segment_id": [0, 1, 2], "segment_name": ["a", "b", "c"], "size": [17, 16, 16],
                              "keywords": [["x", "y"], ["z"], []], "share": [0.34, 0.33, 0.33]}),
        user_ids=[f"U{u:03d}" for u in range(n_users)], labels=labels, names={0: "Alpha", 1: "Beta", 2: "Gamma"},
        edits={"names": {"0": "Alpha"}, "merges": []}, metrics={"silhouette": 0.25, "n_segments": 3,
                                                                 "bad": float("nan")})


@pytest.fixture
def db_url(tmp_path):
    return f"sqlite:///{tmp_path / 'runs.db'}"


def test_where_the_database_lives(monkeypatch, tmp_path):
    monkeypatch.delenv("SEGKIT_DB_URL", raising=False)
    monkeypatch.setenv("SEGKIT_HOME", str(tmp_path / "home"))
    assert segkit_home() == tmp_path / "home"
    assert default_db_url() == f"sqlite:///{tmp_path / 'home' / 'segkit.db'}"
    monkeypatch.delenv("SEGKIT_HOME")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert default_db_url().endswith(str(tmp_path / "cache" / "segkit" / "segkit.db"))
    monkeypatch.setenv("SEGKIT_DB_URL", "postgresql+psycopg://u@h/db")
    assert default_db_url() == "postgresql+psycopg://u@h/db"


def test_round_trip_keeps_every_part(db_url):
    with RunStore(db_url) as store:
        run_id = store.save(make_record())
        listed = store.list()
        assert listed["id"].tolist() == [run_id] and listed.loc[0, "n_segments"] == 3
        run = store.get(run_id)
    assert run.name == "run 0" and run.dataset_hash == "abc123" and run.n_rows == 100 and run.n_users == 50
    assert run.labels.tolist() == make_record().labels.tolist() and run.user_ids[3] == "U003"
    assert run.names == {0: "Alpha", 1: "Beta", 2: "Gamma"}
    assert run.summary["keywords"].map(list).tolist() == [["x", "y"], ["z"], []]
    assert run.metrics == {"silhouette": 0.25, "n_segments": 3, "bad": None}
    assert run.edits["names"] == {"0": "Alpha"} and run.config["algorithm_params"] == {"k": 3}
    assert run.created_at > 0 and len(run.uid) == 36
    with pytest.raises(ValueError):
        run.labels[0] = 5  # results are immutable
    # A fresh store on the same file (a server restart) sees the run.
    with RunStore(db_url) as again:
        assert again.get(run_id).name == "run 0"
        assert again.delete(run_id) and not again.delete(run_id)
        with pytest.raises(SegkitInputError, match="No saved run with id"):
            again.get(run_id)


def test_database_is_in_wal_mode(db_url, tmp_path):
    RunStore(db_url).close()
    with sqlite3.connect(tmp_path / "runs.db") as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_migration_from_version_1_keeps_runs_and_a_backup(db_url, tmp_path):
    engine, _ = open_engine(db_url, target=1)
    engine.dispose()
    path = tmp_path / "runs.db"
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT value FROM segkit_meta WHERE key='schema_version'").fetchone()[0] == "1"
        assert "note" not in [r[1] for r in conn.execute("PRAGMA table_info(segkit_runs)")]
        conn.execute("INSERT INTO segkit_runs (uid, name, created_at, source, dataset_hash, dataset_name, n_rows,"
                     " n_users, algorithm, embedder, n_segments, config_json, edits_json, names_json, metrics_json,"
                     " summary_parquet, labels_npz) VALUES ('u-1', 'old run', 1.0, 'cli', 'h', 'd', 1, 1, 'kmeans',"
                     " 'tfidf', 1, '{}', '{}', '{}', '{}', x'00', x'00')")
    with RunStore(db_url) as store:
        listed = store.list()
        assert listed["name"].tolist() == ["old run"] and listed.loc[0, "note"] == ""
        store.save(make_record(1))
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT value FROM segkit_meta WHERE key='schema_version'").fetchone()[0] == str(
            SCHEMA_VERSION)
    backup = tmp_path / "runs.db.schema-v1.bak"
    with sqlite3.connect(backup) as conn:
        assert conn.execute("SELECT name FROM segkit_runs").fetchall() == [("old run",)]


def test_newer_database_is_refused_and_untouched(db_url, tmp_path):
    with RunStore(db_url) as store:
        store.save(make_record())
    path = tmp_path / "runs.db"
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE segkit_meta SET value='99' WHERE key='schema_version'")
        conn.commit()
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    before = path.read_bytes()
    with pytest.raises(SegkitInputError, match=r"newer segkit \(schema version 99; this segkit reads up to"):
        RunStore(db_url)
    assert path.read_bytes() == before


@pytest.mark.parametrize("content", [b"this is not a database at all\n" * 50,
                                     b"SQLite format 3\x00" + b"\xff" * 4000])
def test_corrupt_database_is_refused_and_untouched(db_url, tmp_path, content):
    path = tmp_path / "runs.db"
    path.write_bytes(content)
    with pytest.raises(SegkitInputError, match="left untouched"):
        RunStore(db_url)
    assert path.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["runs.db"]


def test_foreign_database_is_refused(db_url, tmp_path):
    with sqlite3.connect(tmp_path / "runs.db") as conn:
        conn.execute("CREATE TABLE invoices (id INTEGER)")
    with pytest.raises(SegkitInputError, match="not a segkit run database"):
        RunStore(db_url)


def test_bad_url_is_one_message():
    with pytest.raises(SegkitInputError, match="Not a database URL"):
        RunStore("not a url at all")


def _writer(url: str, worker: int, n: int, queue) -> None:
    try:
        with RunStore(url) as store:
            ids = [store.save(make_record(worker * 1000 + i, n_users=200)) for i in range(n)]
        queue.put(("ok", ids))
    except Exception as exc:  # noqa: BLE001 - reported to the parent
        queue.put(("error", repr(exc)))


def test_two_processes_write_concurrently(db_url, tmp_path):
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    n = 25
    procs = [context.Process(target=_writer, args=(db_url, w, n, queue)) for w in (1, 2)]
    for proc in procs:
        proc.start()
    results = [queue.get(timeout=120) for _ in procs]
    for proc in procs:
        proc.join(timeout=60)
    assert all(status == "ok" for status, _ in results), results
    ids = [i for _, got in results for i in got]
    assert len(set(ids)) == 2 * n
    with RunStore(db_url) as store:
        listed = store.list()
        assert len(listed) == 2 * n
        assert {int(name.split()[1]) // 1000 for name in listed["name"]} == {1, 2}
        assert all(store.get(i).labels.shape == (200,) for i in ids[:: 7])
    with sqlite3.connect(tmp_path / "runs.db") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
