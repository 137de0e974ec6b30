"""Saved models are checked before use: array headers before allocation, a schema, shapes,
a content hash tying model.json to arrays.npz; and saving is atomic."""

from __future__ import annotations

import io
import json
import zipfile

import numpy as np
import pytest

from segkit.cli import main
from segkit.config import RunConfig
from segkit.errors import SegkitInputError
from segkit.io import ColumnRoles
from segkit.model import fit_model, load_model, save_model
from segkit.pipeline import run_segmentation
from tests.conftest import make_reviews

ROLES = ColumnRoles(text_cols=("review",), user_col="user_id", numeric_cols=("age",), categorical_cols=("tier",))


def _model(frame, k=3, algorithm="kmeans", seed=0):
    config = RunConfig(roles=ROLES, algorithm=algorithm, algorithm_params={"k": k} if algorithm != "hdbscan" else
                       {"min_cluster_size": 5}, reducer="pca", reducer_params={"n_components": 5},
                       embedder_params={"n_components": 8}, seed=seed)
    return fit_model(run_segmentation(frame, config, with_map=False), frame)


@pytest.fixture(scope="module")
def frame():
    return make_reviews(n_users=45, reviews_per_user=2, seed=3)


@pytest.fixture(scope="module")
def saved(frame, tmp_path_factory):
    path = tmp_path_factory.mktemp("models") / "model"
    save_model(_model(frame), path)
    return path


def _read(path):
    meta = json.loads((path / "model.json").read_text(encoding="utf-8"))
    with np.load(path / "arrays.npz", allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    return meta, arrays


def _write_crafted(path, meta, arrays):
    """A file someone crafted: consistent hash, so the schema checks are what must refuse it."""
    from segkit.model.checks import arrays_digest

    path.mkdir(parents=True, exist_ok=True)
    meta = dict(meta, arrays_sha256=arrays_digest(arrays))
    (path / "model.json").write_text(json.dumps(meta), encoding="utf-8")
    np.savez_compressed(path / "arrays.npz", **arrays)
    return path


def test_a_small_npz_cannot_ask_for_gigabytes(tmp_path, saved):
    """A few kB whose header claims 4 GiB: refused from the header, nothing allocated."""
    fake = io.BytesIO()
    np.lib.format.write_array_header_1_0(fake, {"descr": "<f8", "fortran_order": False, "shape": (2**29,)})
    target = tmp_path / "bomb"
    target.mkdir()
    (target / "model.json").write_text((saved / "model.json").read_text(encoding="utf-8"), encoding="utf-8")
    with zipfile.ZipFile(target / "arrays.npz", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("centroids.npy", fake.getvalue() + b"\0" * 10_000_000)  # 10 MB, compresses to kB
    assert (target / "arrays.npz").stat().st_size < 100_000
    with pytest.raises(SegkitInputError, match="does not match"):
        load_model(target)
    with zipfile.ZipFile(target / "arrays.npz", "w") as archive:
        archive.writestr("centroids.npy", b"\0" * (300 * 1024 * 1024 + 1), compress_type=zipfile.ZIP_DEFLATED)
    with pytest.raises(SegkitInputError, match="over the 256 MB"):
        load_model(target)


@pytest.mark.parametrize("damage,message", [
    (lambda m, a: a.pop("centroids"), "'centroids' is missing"),
    (lambda m, a: m.update(assign_rule="teleport"), "unknown assign rule 'teleport'"),
    (lambda m, a: m.pop("assign_rule"), "'assign_rule' is missing"),
    (lambda m, a: a.update(centroid_radius=np.zeros(7)), "'centroid_radius' has shape"),
    (lambda m, a: a.update(centroids=a["centroids"][:, :2]), "'pca_components' has shape"),
    (lambda m, a: m.update(n_segments=9), "'centroids' has shape"),
    (lambda m, a: a.update(pca_components=np.zeros((3, 3))), "'pca_components' has shape"),
    (lambda m, a: a.update(centroids=np.full_like(a["centroids"], np.nan)), "NaN"),
    (lambda m, a: m.update(numeric_cols=["age", "spend"]), "'fuse_numeric_medians' has shape"),
    (lambda m, a: a.pop("tfidf_idf"), "'tfidf_idf' is missing"),
])
def test_damaged_models_get_a_clear_message_not_a_key_error(damage, message, saved, tmp_path, frame, capsys):
    meta, arrays = _read(saved)
    damage(meta, arrays)
    target = _write_crafted(tmp_path / "damaged", meta, arrays)
    with pytest.raises(SegkitInputError, match=message):
        load_model(target)
    csv = tmp_path / "new.csv"
    frame.to_csv(csv, index=False)
    assert main(["assign", str(target), str(csv)]) == 2  # one line, bad input; not "internal error"
    err = capsys.readouterr().err
    assert "internal error" not in err and err.count("\n") == 1


def test_json_of_one_model_beside_arrays_of_another_is_refused(frame, tmp_path):
    a = save_model(_model(frame, k=3), tmp_path / "a")
    b = save_model(_model(frame, k=3, seed=5), tmp_path / "b")
    assert json.loads((a / "model.json").read_text())["arrays_sha256"] != \
        json.loads((b / "model.json").read_text())["arrays_sha256"]  # same shapes, other numbers
    (b / "model.json").write_bytes((a / "model.json").read_bytes())
    with pytest.raises(SegkitInputError, match="content hash"):
        load_model(b)
    assert load_model(a).meta["n_segments"] == 3


def test_an_older_model_without_a_hash_gets_a_clear_message(saved, tmp_path):
    meta, arrays = _read(saved)
    meta["format"] = "segkit-model/1"
    meta.pop("arrays_sha256")
    target = tmp_path / "old"
    target.mkdir()
    (target / "model.json").write_text(json.dumps(meta), encoding="utf-8")
    np.savez_compressed(target / "arrays.npz", **arrays)
    with pytest.raises(SegkitInputError, match="older segkit"):
        load_model(target)


@pytest.mark.parametrize("name", ["model", "model.npz"])
def test_saving_is_atomic(name, frame, tmp_path, monkeypatch):
    path = save_model(_model(frame), tmp_path / name)
    before = load_model(path).meta["arrays_sha256"]
    real = np.savez_compressed

    def half_written(target, *args, **kwargs):
        real(target, *args, **kwargs)
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez_compressed", half_written)
    with pytest.raises(OSError, match="disk full"):
        save_model(_model(frame, k=4), tmp_path / name)
    monkeypatch.setattr(np, "savez_compressed", real)
    assert load_model(path).meta["arrays_sha256"] == before  # the old model, whole
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]  # no temporary left behind
    save_model(_model(frame, k=4), tmp_path / name)  # a good save replaces it
    assert load_model(path).meta["arrays_sha256"] != before
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


def test_density_models_round_trip(frame, tmp_path):
    path = save_model(_model(frame, algorithm="hdbscan"), tmp_path / "hdb")
    assert load_model(path).meta["assign_rule"] == "density"
