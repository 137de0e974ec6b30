"""MiniLM's OpenVINO engine: engine choice, cache keys, padding, and (slow) the real model.

The slow tests convert the packaged weights into a temporary cache folder and need the
`openvino` extra; they are skipped without it.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from segkit.embed import minilm as minilm_mod
from segkit.embed import minilm_openvino as ov_mod

TEXTS = [
    "The trail shoes gave me blisters after two miles.",
    "Battery died within a day; the charger gets hot.",
    "This serum made my skin glow, lovely fragrance.",
    "",
    "word " * 400,  # longer than 256 tokens: truncated like the torch path
]


def test_engine_choice_and_cache_tokens(monkeypatch):
    monkeypatch.delenv("SEGKIT_MINILM_ENGINE", raising=False)
    monkeypatch.setattr(ov_mod, "ensure_ir", lambda cache_dir=None: None)
    monkeypatch.setattr(ov_mod, "openvino_installed", lambda: True)
    assert minilm_mod.resolve_engine("auto") == "openvino"
    assert minilm_mod.resolve_engine("torch") == "torch"
    monkeypatch.setenv("SEGKIT_MINILM_ENGINE", "torch")
    assert minilm_mod.resolve_engine("auto") == "torch"
    with pytest.raises(ValueError):
        minilm_mod.MiniLMEmbedder(engine="onnx")
    ov = minilm_mod.MiniLMEmbedder(precision="bf16", engine="openvino").cache_token()
    torch_token = minilm_mod.MiniLMEmbedder(precision="bf16", engine="torch").cache_token()
    assert ov != torch_token and "openvino" in ov
    assert minilm_mod.MiniLMEmbedder(plain=True, engine="openvino").engine == "torch"


def test_auto_falls_back_to_torch_when_openvino_is_missing_or_broken(monkeypatch):
    monkeypatch.delenv("SEGKIT_MINILM_ENGINE", raising=False)
    monkeypatch.setattr(ov_mod, "openvino_installed", lambda: False)
    assert minilm_mod.resolve_engine("auto") == "torch"
    monkeypatch.setattr(ov_mod, "openvino_installed", lambda: True)

    def broken(cache_dir=None):
        raise RuntimeError("conversion failed")

    monkeypatch.setattr(ov_mod, "ensure_ir", broken)
    assert minilm_mod.resolve_engine("auto") == "torch"
    with pytest.raises(RuntimeError):  # named explicitly: the failure is not hidden
        minilm_mod.resolve_engine("openvino")


def test_padded_ids_and_mask():
    ids, mask = ov_mod.padded([[101, 7, 102], [101, 102]])
    assert ids.tolist() == [[101, 7, 102], [101, 102, 0]]
    assert mask.tolist() == [[1, 1, 1], [1, 1, 0]]
    assert ids.dtype == np.int64 and mask.dtype == np.int64
    ids, mask = ov_mod.padded([[101, 7, 102], [101, 102]], multiple=4)
    assert ids.tolist() == [[101, 7, 102, 0], [101, 102, 0, 0]]
    assert mask.tolist() == [[1, 1, 1, 0], [1, 1, 0, 0]]
    assert ov_mod.padded([[1] * 16], multiple=16)[0].shape == (1, 16)  # already a multiple


needs_openvino = pytest.mark.skipif(not ov_mod.openvino_installed(), reason="openvino extra not installed")


@pytest.mark.slow
@needs_openvino
def test_openvino_agrees_with_float32_torch(tmp_path, monkeypatch):
    monkeypatch.setenv("SEGKIT_CACHE_DIR", str(tmp_path))
    ov_mod.load_openvino_encoder.cache_clear()
    try:
        fast = minilm_mod.MiniLMEmbedder(engine="openvino").embed(TEXTS)
        exact = minilm_mod.MiniLMEmbedder(engine="openvino", precision="fp32").embed(TEXTS)
    finally:
        ov_mod.load_openvino_encoder.cache_clear()
    reference = minilm_mod.MiniLMEmbedder(plain=True).embed(TEXTS)
    assert fast.shape == (len(TEXTS), 384)
    assert np.allclose(np.linalg.norm(fast, axis=1), 1.0, atol=1e-5)
    assert float(np.min(np.sum(exact * reference, axis=1))) > 0.99999
    assert float(np.min(np.sum(fast * reference, axis=1))) > 0.9999
    built = list((tmp_path / "models").glob("minilm-openvino-*"))
    assert [p.name for p in built] == [ov_mod.ir_dir(tmp_path).name]


@pytest.mark.slow
@needs_openvino
def test_openvino_process_never_imports_torch(tmp_path):
    code = ("import sys; from segkit.embed.minilm import MiniLMEmbedder; "
            "v = MiniLMEmbedder(engine='openvino').embed(['a good pair of shoes'] * 40); "
            "print(v.shape, 'torch' in sys.modules, 'sentence_transformers' in sys.modules)")
    ov_mod.ensure_ir(tmp_path)  # built first (converting is the one step that needs torch)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          env={**__import__("os").environ, "SEGKIT_CACHE_DIR": str(tmp_path)})
    assert done.stdout.split() == ["(40,", "384)", "False", "False"]


@pytest.mark.slow
@needs_openvino
def test_openvino_progress_runs_on_the_caller_and_can_cancel(tmp_path, monkeypatch):
    import threading

    monkeypatch.setenv("SEGKIT_CACHE_DIR", str(tmp_path))
    ov_mod.load_openvino_encoder.cache_clear()
    texts = [f"review number {i} about shoes and batteries" for i in range(200)]
    seen, threads = [], set()

    def progress(done, total):
        seen.append((done, total))
        threads.add(threading.get_ident())

    embedder = minilm_mod.MiniLMEmbedder(engine="openvino", batch_size=8)
    try:
        embedder.embed(texts, progress=progress)
        assert seen[-1] == (200, 200) and [d for d, _ in seen] == sorted(d for d, _ in seen)
        assert threads == {threading.get_ident()}

        class Stop(Exception):
            pass

        def cancel(done, total):
            if done >= 40:
                raise Stop

        with pytest.raises(Stop):  # the dashboard's stop button raises from progress
            embedder.embed(texts, progress=cancel)
        again = embedder.embed(texts[:5])  # the encoder is still usable afterwards
    finally:
        ov_mod.load_openvino_encoder.cache_clear()
    assert again.shape == (5, 384)
