"""`segkit runs list|show|delete|export` against a temporary SQLite file."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from segkit.cli import main
from segkit.store import RunStore
from tests.test_store import make_record


@pytest.fixture
def db(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'runs.db'}"
    monkeypatch.setenv("SEGKIT_DB_URL", url)
    with RunStore(url) as store:
        ids = [store.save(make_record(i)) for i in range(2)]
    return url, ids


def test_list_show_export_delete(db, tmp_path, capsys):
    _url, ids = db
    assert main(["runs", "list"]) == 0
    out = capsys.readouterr().out
    assert "run 0" in out and "run 1" in out and "2 run(s) in" in out and "runs.db" in out

    assert main(["runs", "list", "--json"]) == 0
    assert [r["id"] for r in json.loads(capsys.readouterr().out)] == ids[::-1]  # newest first

    assert main(["runs", "show", str(ids[0])]) == 0
    out = capsys.readouterr().out
    assert "run 0" in out and "kmeans" in out and "silhouette=0.250" in out and "Alpha" not in out.split("edits")[0]

    folder = tmp_path / "export"
    assert main(["runs", "export", str(ids[0]), "--out", str(folder)]) == 0
    labels = pd.read_csv(folder / "labels.csv", encoding="utf-8-sig")
    assert len(labels) == 50 and labels.loc[1, "segment_name"] == "Beta" and labels.loc[0, "segment_name"] == "Unassigned"
    assert len(pd.read_csv(folder / "summary.csv", encoding="utf-8-sig")) == 3
    facts = json.loads((folder / "run.json").read_text())
    assert facts["dataset_hash"] == "abc123" and facts["metrics"]["silhouette"] == 0.25

    assert main(["runs", "delete", str(ids[0])]) == 0
    assert main(["runs", "delete", str(ids[0])]) == 2
    assert "No saved run with id" in capsys.readouterr().err
    main(["runs", "list", "--json"])
    assert [r["id"] for r in json.loads(capsys.readouterr().out)] == [ids[1]]


def test_corrupt_database_is_one_line(tmp_path, monkeypatch, capsys):
    path = tmp_path / "runs.db"
    path.write_bytes(b"garbage" * 100)
    monkeypatch.setenv("SEGKIT_DB_URL", f"sqlite:///{path}")
    assert main(["runs", "list"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not an SQLite database" in err and "Traceback" not in err
    assert path.read_bytes() == b"garbage" * 100


def test_show_missing_run(db, capsys):
    assert main(["runs", "show", "999"]) == 2
    assert "No saved run with id 999" in capsys.readouterr().err
