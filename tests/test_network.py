"""Offline means offline: the server listens on this machine only, the pages load nothing
from outside hosts, and a whole CLI segmentation runs with every socket refused.

(The browser test, tests/test_browser.py, records every request a real page makes.)
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pandas as pd

from segkit.cli import main
from tests.conftest import block_network

ROOT = Path(__file__).resolve().parents[1]


def test_streamlit_listens_on_loopback_only():
    """`streamlit run app.py` (the docstring's start) must not listen on every interface."""
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["address"] == "127.0.0.1"
    # With an address set, Streamlit's start-up banner prints that URL only and never asks
    # an outside service for the public IP (streamlit.web.bootstrap._print_url).


def _page_icon_argument() -> ast.expr:
    tree = ast.parse((ROOT / "app.py").read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "set_page_config":
            for keyword in node.keywords:
                if keyword.arg == "page_icon":
                    return keyword.value
    raise AssertionError("app.py does not call st.set_page_config(page_icon=...)")


def test_page_icon_is_a_local_file_not_a_cdn_icon():
    """A ':material/…:' or emoji favicon makes the browser fetch an SVG from an outside host."""
    value = _page_icon_argument()
    source = ast.unparse(value)
    assert not (isinstance(value, ast.Constant) and str(value.value).startswith(":")), \
        f"page_icon {source} is fetched from a font CDN"
    assert "ICON_PATH" in source, f"page_icon {source} is not the shipped local icon"
    icon = ROOT / "assets" / "segkit_icon.png"
    assert icon.read_bytes().startswith(b"\x89PNG")
    assert 'ICON_PATH = Path(__file__).resolve().parent / "assets" / "segkit_icon.png"' in \
        (ROOT / "app.py").read_text(encoding="utf-8")




def test_cli_segments_with_sockets_blocked(tmp_path, monkeypatch, reviews, capsys):
    """The whole CLI path with the real default-style embedder (TF-IDF), the 2-D map and every
    export, with no network at all."""
    source = tmp_path / "reviews.csv"
    reviews.to_csv(source, index=False)
    attempts = block_network(monkeypatch)
    code = main(["segment", str(source), "--embedder", "tfidf", "--k", "3", "--map", "pca",
                 "--out", str(tmp_path / "out.csv"), "--summary", str(tmp_path / "summary.csv"),
                 "--report", str(tmp_path / "report.html"), "--config", str(tmp_path / "run.json"),
                 "--save-model", str(tmp_path / "model"), "--cache-dir", str(tmp_path / "cache"), "--quiet"])
    assert code == 0, capsys.readouterr().err
    assert attempts == []
    assert len(pd.read_csv(tmp_path / "out.csv")) == len(reviews)
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "http://" not in html.replace("http://www.w3.org", "") and "https://" not in html
