"""Shared fixtures: small generated frames that run in milliseconds."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest

from segkit.embed.registry import EMBEDDERS

# The default embedder rule picks MiniLM, which would make every test that leaves the
# embedder unnamed load a model. Tests get TF-IDF as the default (inherited by the CLI
# and dashboard subprocesses they start); tests of the rule itself and of the
# preview -> MiniLM swap remove this with monkeypatch.delenv("SEGKIT_EMBEDDER").
os.environ.setdefault("SEGKIT_EMBEDDER", "tfidf")
# Saved runs go to a database under SEGKIT_HOME: the suite gets its own, never the user's.
if "SEGKIT_HOME" not in os.environ:
    import tempfile

    os.environ["SEGKIT_HOME"] = tempfile.mkdtemp(prefix="segkit-test-home-")
# Waits learn this machine's speed (segkit/waits/costs.py): the suite's tiny runs must not
# teach the user's cache folder, nor read what it learned there.
if "SEGKIT_WAIT_SPEEDS" not in os.environ:
    import tempfile

    os.environ["SEGKIT_WAIT_SPEEDS"] = os.path.join(tempfile.mkdtemp(prefix="segkit-test-speeds-"), "speeds.json")

TOPICS = {
    "sport": "running trail shoes marathon training grip knee pace miles hiking boots",
    "tech": "battery charger laptop screen bluetooth firmware app pairing usb speaker",
    "beauty": "skin serum cream moisturiser shade lipstick routine fragrance oily glow",
}


def make_reviews(n_users: int = 60, reviews_per_user: int = 3, seed: int = 0) -> pd.DataFrame:
    """Review-level frame: users of three topics, with age/spend traits and a truth column."""
    rng = np.random.default_rng(seed)
    names = list(TOPICS)
    rows = []
    for u in range(n_users):
        topic = names[u % len(names)]
        words = TOPICS[topic].split()
        age = {"sport": 30, "tech": 40, "beauty": 25}[topic] + int(rng.integers(-5, 6))
        spend = float({"sport": 500, "tech": 900, "beauty": 300}[topic] + rng.normal(0, 50))
        tier = ["none", "silver", "gold"][u % 3 if topic != "tech" else 2]
        for _ in range(reviews_per_user):
            chosen = rng.choice(words, size=6, replace=True)
            rows.append({
                "user_id": f"U{u:03d}",
                "review": "I bought this and " + " ".join(chosen) + " overall good",
                "age": age,
                "spend": round(spend, 2),
                "tier": tier,
                "true_segment": topic,
            })
    return pd.DataFrame(rows)


@pytest.fixture
def reviews() -> pd.DataFrame:
    return make_reviews()


@pytest.fixture
def fake_embedder(monkeypatch):
    """Registers the hashing embedder as 'fake' for the duration of a test."""
    from tests.fakes import HashingEmbedder

    monkeypatch.setitem(EMBEDDERS, "fake", "tests.fakes:HashingEmbedder")
    HashingEmbedder.calls = 0
    return HashingEmbedder


@pytest.fixture
def blobs():
    """Three well separated Gaussian blobs in 5-d and their true labels."""
    rng = np.random.default_rng(0)
    centres = np.array([[0, 0, 0, 0, 0], [8, 8, 0, 0, 0], [0, 8, 8, 0, 0]], dtype=float)
    labels = np.repeat(np.arange(3), 40)
    points = centres[labels] + rng.normal(0, 1.0, size=(120, 5))
    return points.astype(np.float32), labels


def block_network(mp: pytest.MonkeyPatch) -> list:
    """Make every outgoing connection fail, and record the attempts (offline checks)."""
    import socket

    attempts: list = []

    def refuse(self, address, *args, **kwargs):
        attempts.append(address)
        raise OSError(f"network blocked by test (tried {address!r})")

    mp.setattr(socket.socket, "connect", refuse)
    mp.setattr(socket.socket, "connect_ex", refuse)
    return attempts
