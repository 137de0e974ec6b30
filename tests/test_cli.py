import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from segkit.cli import main

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data" / "store_reviews.csv"


@pytest.fixture
def reviews_csv(tmp_path, reviews):
    path = tmp_path / "reviews.csv"
    reviews.to_csv(path, index=False)
    return path


def test_segment_writes_every_row_and_reports_metrics(reviews_csv, tmp_path, capsys, fake_embedder):
    out, summary, config = tmp_path / "out.csv", tmp_path / "summary.csv", tmp_path / "run.json"
    code = main(["segment", str(reviews_csv), "--embedder", "fake", "--k", "3", "--map", "pca",
                 "--out", str(out), "--summary", str(summary), "--config", str(config),
                 "--cache-dir", str(tmp_path / "cache"), "--quiet"])
    printed = capsys.readouterr().out
    assert code == 0
    assert "silhouette" in printed and "ARI" in printed
    labeled = pd.read_csv(out)
    assert len(labeled) == 180
    assert {"segment_id", "segment_name", "segment_confidence", "map_x", "map_y", "segkit_status"} <= set(labeled.columns)
    assert len(pd.read_csv(summary)) == 3
    saved = json.loads(config.read_text())
    assert saved["algorithm_params"] == {"k": 3}

    # Re-running the saved config reproduces the labels exactly.
    out2 = tmp_path / "out2.csv"
    assert main(["segment", "--config", str(config), "--out", str(out2), "--quiet",
                 "--cache-dir", str(tmp_path / "cache")]) == 0
    assert pd.read_csv(out2)["segment_id"].tolist() == labeled["segment_id"].tolist()


def test_automatic_k_is_printed(reviews_csv, capsys, fake_embedder):
    assert main(["segment", str(reviews_csv), "--embedder", "fake", "--no-map", "--quiet", "--no-cache"]) == 0
    assert "automatic K = 3" in capsys.readouterr().out


def test_sweep_prints_table(reviews_csv, capsys, fake_embedder):
    assert main(["sweep", str(reviews_csv), "--embedder", "fake", "--k-min", "2", "--k-max", "5", "--quiet", "--no-cache"]) == 0
    printed = capsys.readouterr().out
    assert "silhouette" in printed and "suggested K: 3" in printed


@pytest.mark.parametrize("args,message", [
    (["segment", "/nope.csv"], "File not found"),
    (["segment", "{csv}", "--text-col", "missing"], "text column 'missing' is not in the file"),
    (["segment", "{csv}", "--k", "1000"], "K (number of segments) must be between 2 and the 60 users"),
    (["segment", "{csv}", "--algorithm", "hdbscan", "--min-cluster-size", "500", "--reducer", "pca"], "larger than the 60 users"),
    (["segment", "{csv}", "--text-weight", "3"], "Text weight must be between 0 and 1"),
    (["segment", "{csv}", "--embedder", "bert"], "Unknown embedder 'bert'"),
    (["sweep", "{csv}", "--k-min", "5", "--k-max", "3"], "--k-min <= --k-max"),
])
def test_bad_input_one_line_and_exit_2(args, message, reviews_csv, capsys, fake_embedder):
    args = [a.replace("{csv}", str(reviews_csv)) for a in args]
    code = main(args + ["--quiet", "--no-cache"] if args[0] == "segment" else args + ["--quiet", "--no-cache"])
    err = capsys.readouterr().err
    assert code == 2
    assert message in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_console_script_runs_headless(tmp_path):
    """The installed `segkit` entry point, as a user would run it, on the bundled sample."""
    out = tmp_path / "labeled.csv"
    env = dict(os.environ, SEGKIT_CACHE_DIR=str(tmp_path / "cache"))
    proc = subprocess.run(
        [sys.executable, "-m", "segkit.cli", "segment", str(SAMPLE), "--k", "6", "--no-map", "--out", str(out), "--quiet"],
        capture_output=True, text=True, env=env, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert len(pd.read_csv(out)) == len(pd.read_csv(SAMPLE))
    assert "ARI" in proc.stdout


def test_cli_map_is_pca_unless_asked_and_automatic_k_says_how_strong(reviews_csv, tmp_path, capsys):
    from segkit.cli import build_parser, config_from_args

    frame = pd.read_csv(reviews_csv)
    args = build_parser().parse_args(["segment", str(reviews_csv)])
    assert config_from_args(args, frame).map_method == "pca"  # no UMAP compile for a CLI run
    args = build_parser().parse_args(["segment", str(reviews_csv), "--map", "umap"])
    assert config_from_args(args, frame).map_method == "umap"
    assert main(["segment", str(reviews_csv), "--embedder", "tfidf", "--out", str(tmp_path / "o.csv"),
                 "--cache-dir", str(tmp_path / "cache"), "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert "automatic K = " in printed and "grouping" in printed and "cluster-free" in printed


def test_the_command_modules_share_only_segkit_cli_common():
    """One module per command; none imports the package or another command at import time
    (the old segkit/cli.py <-> segkit/spark/cli.py cycle)."""
    import re

    folder = Path(__file__).resolve().parents[1] / "segkit" / "cli"
    commands = {"assign", "recommend", "segment", "spark", "sweep"}
    assert commands | {"__init__", "__main__", "common"} == {p.stem for p in folder.glob("*.py")}
    for name in commands | {"common"}:
        source = (folder / f"{name}.py").read_text(encoding="utf-8")
        imported = set(re.findall(r"^\s*from segkit\.cli(\.\w+)? import", source, flags=re.M))
        allowed = {".common", ".assign"} if name == "segment" else {".common"}  # --save-model lives in assign
        assert imported <= allowed, (name, imported)


def test_a_label_named_on_the_command_line_leaves_the_inferred_traits(tmp_path, capsys):
    # 'tier' is inferred as a categorical trait; naming it as the label must win over that guess.
    frame = pd.read_csv(SAMPLE).head(600)
    path = tmp_path / "in.csv"
    frame.to_csv(path, index=False)
    from segkit.cli import build_parser, config_from_args
    from segkit.io.roles import infer_roles

    inferred = infer_roles(frame)
    trait = (inferred.categorical_cols or inferred.numeric_cols)[0]
    args = build_parser().parse_args(["segment", str(path), "--label-col", trait])
    roles = config_from_args(args, frame).roles
    assert roles.label_col == trait
    assert trait not in roles.categorical_cols + roles.numeric_cols
    assert main(["segment", str(path), "--label-col", trait, "--embedder", "tfidf", "--k", "3",
                 "--out", str(tmp_path / "o.csv"), "--cache-dir", str(tmp_path / "c"), "--quiet"]) == 0
    # Named both ways by the user: that is still the clear error.
    both = "--categorical-cols" if trait in inferred.categorical_cols else "--numeric-cols"
    assert main(["segment", str(path), "--label-col", trait, both, trait, "--embedder", "tfidf",
                 "--out", str(tmp_path / "o2.csv"), "--cache-dir", str(tmp_path / "c"), "--quiet"]) == 2
    assert "is also a trait" in capsys.readouterr().err


def test_wait_line_writes_whole_lines_to_a_log(capsys, monkeypatch):
    """stderr that is not a terminal (CI, a pipe) gets a line per phase and every few
    seconds, never a bar redrawn with carriage returns."""
    import time

    from segkit import waits
    from segkit.cli import common

    monkeypatch.setattr(common, "WAIT_TICK_S", 0.05)
    monkeypatch.setattr(common, "LOG_LINE_EVERY_S", 0.4)
    wait = waits.Wait([waits.Phase("read.parse", 1.5), waits.Phase("roles", 1.5)])
    with common.wait_line("reading reviews.csv", wait):
        time.sleep(1.1)
        waits.phase("roles")
        time.sleep(0.6)
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert "\r" not in err
    assert len(lines) >= 3  # the 0.4 s heartbeat while parsing, then the roles phase
    assert all(line.startswith("reading reviews.csv") and " left (" in line for line in lines)
    assert "recognising the columns" in lines[-1], lines


def test_embedding_progress_in_a_log_is_whole_lines(capsys, monkeypatch):
    from segkit.cli import common

    monkeypatch.setattr(common, "LOG_LINE_EVERY_S", 0.0)
    progress, close = common.progress_bar(quiet=False)
    for done in (0, 50, 100):
        progress(done, 100)
    close()
    err = capsys.readouterr().err
    assert "\r" not in err
    assert err.splitlines()[-1] == "embedding: 100 of 100 texts"


def test_the_default_choice_offers_tfidf_only_when_it_is_not_the_choice(reviews_csv, tmp_path, capsys):
    assert os.environ.get("SEGKIT_EMBEDDER") == "tfidf"  # tests/conftest.py
    assert main(["segment", str(reviews_csv), "--k", "3", "--no-map", "--out", str(tmp_path / "o.csv"),
                 "--cache-dir", str(tmp_path / "cache")]) == 0
    err = capsys.readouterr().err
    assert "embedder: tfidf." in err
    assert "--embedder tfidf is faster" not in err
