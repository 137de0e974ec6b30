"""The embedding cache heals itself: a planted, truncated or degenerate entry is refused
from its header (before anything is allocated), deleted, noted and recomputed; the
folder stays under its size bound."""

from __future__ import annotations

import numpy as np
import pytest

from segkit.cli import main
from segkit.embed.cache import EmbeddingCache, embed_with_cache
from tests.fakes import HashingEmbedder


def _header(path, shape, descr="<f4", body=b""):
    with open(path, "wb") as handle:
        np.lib.format.write_array_header_1_0(handle, {"descr": descr, "fortran_order": False, "shape": shape})
        handle.write(body)


def _run(csv, cache_dir, capsys):
    code = main(["segment", str(csv), "--embedder", "fake", "--k", "3", "--no-map", "--cache-dir", str(cache_dir)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def populated(tmp_path, reviews, fake_embedder, capsys):
    csv = tmp_path / "in.csv"
    reviews.to_csv(csv, index=False)
    code, _, err = _run(csv, tmp_path / "cache", capsys)
    assert code == 0, err
    entries = list((tmp_path / "cache" / "embeddings").glob("*.npy"))
    assert len(entries) == 1
    good = np.load(entries[0])
    return csv, tmp_path / "cache", entries[0], good


def _plant(kind: str, entry, good):
    n, width = good.shape
    if kind == "huge_header":  # 4.55 PiB claimed in a 128-byte file
        _header(entry, (10**13, 128))
    elif kind == "huge_width":
        _header(entry, (n, 10**12))
    elif kind == "zero_width":
        _header(entry, (n, 0))
    elif kind == "constant_width_one":
        np.save(entry, np.ones((n, 1), dtype=np.float32))
    elif kind == "constant_rows":
        np.save(entry, np.tile(good[:1], (n, 1)))
    elif kind == "truncated":
        data = entry.read_bytes()
        entry.write_bytes(data[: len(data) // 2])
    elif kind == "float64":
        np.save(entry, good.astype(np.float64))
    elif kind == "nan":
        bad = good.copy()
        bad[0, 0] = np.nan
        np.save(entry, bad)
    elif kind == "garbage":
        entry.write_bytes(b"\x93NUMPY\x01\x00{'descr': <bad>}" + b" " * 64)
    elif kind == "pickle_object":
        np.save(entry, np.array([object()] * n, dtype=object), allow_pickle=True)


KINDS = ["huge_header", "huge_width", "zero_width", "constant_width_one", "constant_rows", "truncated",
         "float64", "nan", "garbage", "pickle_object"]


@pytest.mark.parametrize("kind", KINDS)
def test_a_planted_entry_is_noted_deleted_and_recomputed(kind, populated, capsys, fake_embedder):
    csv, cache_dir, entry, good = populated
    _plant(kind, entry, good)
    code, out, err = _run(csv, cache_dir, capsys)
    assert code == 0, err
    assert "Traceback" not in err and "MemoryError" not in err
    notes = [line for line in err.splitlines() if "cached embeddings" in line]
    assert len(notes) == 1 and "embedding again" in notes[0]
    assert np.array_equal(np.load(entry), good)  # healed: the recomputed vectors are stored again
    # And the next run uses the healed entry without a note.
    code, _, err = _run(csv, cache_dir, capsys)
    assert code == 0 and "cached embeddings" not in err


def test_header_is_checked_before_allocating(tmp_path, monkeypatch):
    from segkit.embed.cache import BadEntry, read_checked_npy

    path = tmp_path / "x.npy"
    _header(path, (10**13, 128))

    def no_reading(*args, **kwargs):
        raise AssertionError("read the body of a refused entry")

    monkeypatch.setattr(np, "fromfile", no_reading)
    with pytest.raises(BadEntry, match="rows"):
        read_checked_npy(path, 500)
    with pytest.raises(BadEntry, match="promises"):
        read_checked_npy(path, 10**13)  # even with the row count it claims: the size does not match
    with pytest.raises(BadEntry, match="width"):
        _header(path, (5, 300))
        read_checked_npy(path, 5, lambda width: width <= 128)


def test_the_embedder_width_is_checked(tmp_path):
    cache = EmbeddingCache(tmp_path)
    texts = [f"text number {i} about shoes" for i in range(10)]
    embedder = HashingEmbedder(dim=16)
    first = embed_with_cache(embedder, texts, cache)
    wide = HashingEmbedder(dim=16)
    wide.fixed_dim = 32  # an embedder that always gives 32-d vectors must not accept a 16-d entry
    HashingEmbedder.calls = 0
    again = embed_with_cache(wide, texts, cache)
    assert HashingEmbedder.calls == 1 and cache.notes and "width 16" in cache.notes[0]
    assert again.shape == first.shape


def test_cache_is_bounded_least_recently_used_first(tmp_path):
    vectors = np.random.default_rng(0).normal(size=(1000, 64)).astype(np.float32)  # 256 kB per entry
    entry_bytes = vectors.nbytes + 128
    cache = EmbeddingCache(tmp_path, max_bytes=int(2.5 * entry_bytes))
    import os
    import time

    for i, key in enumerate(["a", "b", "c"]):
        cache.store(key, vectors)
        os.utime(cache._path(key), (time.time() - 100 + i, time.time() - 100 + i))
    assert sorted(p.stem for p in (tmp_path / "embeddings").glob("*.npy")) == ["b", "c"]
    assert cache.load("b", 1000) is not None  # a hit makes "b" the most recently used
    cache.store("d", vectors)
    assert sorted(p.stem for p in (tmp_path / "embeddings").glob("*.npy")) == ["b", "d"]
    total = sum(p.stat().st_size for p in (tmp_path / "embeddings").iterdir())
    assert total <= cache.max_bytes


def test_cache_bound_is_configurable(monkeypatch, tmp_path):
    monkeypatch.setenv("SEGKIT_CACHE_MAX_MB", "1.5")
    assert EmbeddingCache(tmp_path).max_bytes == int(1.5 * 1024 * 1024)


def test_tfidf_keeps_its_fitted_state_beside_the_vectors(tmp_path, reviews):
    """TF-IDF's state is stored with its vectors and read back with them, so a saved model need
    not fit TF-IDF again; an unusable state file is noted, deleted and reads as no state."""
    from segkit.embed.cache import fit_with_cache
    from segkit.embed.tfidf import TfidfSvdEmbedder

    cache = EmbeddingCache(tmp_path / "cache")
    texts = reviews["review"].tolist()
    embedder = TfidfSvdEmbedder(n_components=16)
    first, state = fit_with_cache(embedder, texts, cache)
    again, stored = fit_with_cache(embedder, texts, cache)  # from disk now
    assert np.array_equal(first, again) and np.array_equal(first, embed_with_cache(embedder, texts, cache))
    assert stored is not None and stored is not state
    for name, array in state.arrays().items():
        assert np.array_equal(stored.arrays()[name], array), name
    assert np.allclose(stored.transform(texts[:5]), state.transform(texts[:5]))

    (state_file,) = (tmp_path / "cache" / "embeddings").glob("*.state.npz")
    state_file.write_bytes(b"PK\x03\x04 not a zip file")
    vectors, lost = fit_with_cache(embedder, texts, cache)
    assert lost is None and np.array_equal(vectors, first)
    assert not state_file.exists() and any("embedder state" in note for note in cache.notes)


def test_a_saved_model_from_the_kept_state_equals_one_that_fits_tfidf_again(reviews):
    from dataclasses import replace

    from segkit.config import RunConfig
    from segkit.io import infer_roles
    from segkit.model import fit_model
    from segkit.pipeline import run_segmentation

    config = RunConfig(roles=infer_roles(reviews), embedder="tfidf", embedder_params={"n_components": 16},
                       algorithm_params={"k": 3})
    run = run_segmentation(reviews, config, with_map=False)
    assert run.embeddings.fitted is not None
    kept = fit_model(run, reviews)
    refitted = fit_model(replace(run, embeddings=replace(run.embeddings, fitted=None)), reviews)
    assert kept.arrays.keys() == refitted.arrays.keys()
    for name, array in refitted.arrays.items():
        assert np.array_equal(kept.arrays[name], array), name
    assert kept.meta["embedder_check_max_abs_diff"] < 1e-4 and "warnings" not in kept.meta
