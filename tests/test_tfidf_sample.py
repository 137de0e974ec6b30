"""TF-IDF beyond `fit_sample` texts: fitted on a seeded sample, every text placed by the fitted state."""

import numpy as np

from segkit.config import RunConfig
from segkit.embed.tfidf import TfidfSvdEmbedder
from tests.conftest import make_reviews


def _texts(n: int) -> list[str]:
    frame = make_reviews(n_users=n, reviews_per_user=1, seed=3)
    return sorted(set(frame["review"].astype(str)))


def test_up_to_fit_sample_texts_the_fit_is_on_every_text():
    texts = _texts(120)
    embedder = TfidfSvdEmbedder(n_components=8, fit_sample=len(texts))
    np.testing.assert_array_equal(embedder.embed(texts), embedder.fit(texts)[1])


def test_beyond_fit_sample_the_state_of_a_seeded_sample_places_every_text():
    texts = _texts(200)
    n = len(texts)
    embedder = TfidfSvdEmbedder(n_components=8, fit_sample=60, seed=4)
    done: list[int] = []
    state, vectors = embedder.fit_sampled(texts, progress=lambda d, total: done.append(d))
    assert vectors.shape == (n, state.dim)
    np.testing.assert_allclose(vectors, state.transform(texts), atol=1e-6)
    picked = np.sort(np.random.default_rng(4).choice(n, size=60, replace=False))
    refit = embedder.fit([texts[i] for i in picked])[0]
    np.testing.assert_array_equal(refit.vocabulary, state.vocabulary)
    np.testing.assert_allclose(refit.components, state.components)
    assert done == sorted(done) and done[-1] == n  # progress only moves forward, to the end
    np.testing.assert_array_equal(TfidfSvdEmbedder(n_components=8, fit_sample=60, seed=4).embed(texts), vectors)
    assert embedder.cache_token() != TfidfSvdEmbedder(n_components=8, fit_sample=61, seed=4).cache_token()


def test_a_saved_model_places_users_where_a_sampled_tfidf_run_did():
    from segkit.io import infer_roles
    from segkit.model.segment_model import fit_model
    from segkit.pipeline import run_segmentation

    frame = make_reviews(n_users=150, reviews_per_user=2, seed=8)
    roles = infer_roles(frame)
    config = RunConfig(roles=roles, embedder="tfidf", embedder_params={"fit_sample": 80, "n_components": 16},
                       algorithm_params={"k": 3})
    run = run_segmentation(frame, config, with_map=False)
    model = fit_model(run, frame)
    assert model.meta["embedder_check_max_abs_diff"] < 1e-4


def test_progress_steps_are_shares_of_the_expected_time():
    from segkit.embed import tfidf

    texts = _texts(120)
    n = len(texts)
    done: list[int] = []
    TfidfSvdEmbedder(n_components=8).embed(texts, progress=lambda d, total: done.append(d))
    length = max(0.5, sum(map(len, texts)) / n / 400)  # tokenising and placing grow with the length
    tokenise, place = tfidf.TOKENISE_S * length, tfidf.PLACE_S * length
    tokenised = tokenise / (tokenise + tfidf.FIT_S)
    counted = (tokenise + tfidf.COUNTING_SHARE * tfidf.FIT_S) / (tokenise + tfidf.FIT_S)
    assert int(n * tokenised) in done and int(n * counted) in done
    assert done == sorted(done) and done[-1] == n
    sampled: list[int] = []
    TfidfSvdEmbedder(n_components=8, fit_sample=40).embed(texts, progress=lambda d, total: sampled.append(d))
    placing = (tokenise + 40 / n * tfidf.FIT_S) / (tokenise + 40 / n * tfidf.FIT_S + place)
    assert int(n * placing) in sampled and sampled == sorted(sampled) and sampled[-1] == n


def test_the_estimate_counts_the_fit_on_the_sample_only():
    embedder = TfidfSvdEmbedder(fit_sample=50_000)
    per_text_small = embedder.expected_seconds(20_000) / 20_000
    per_text_large = embedder.expected_seconds(200_000) / 200_000
    assert per_text_large < 0.6 * per_text_small  # beyond the sample, texts are only tokenised and placed
    at_400, at_800 = embedder.expected_seconds(20_000, 400), embedder.expected_seconds(20_000, 800)
    assert at_400 < at_800 < 2 * at_400  # the SVD's cost does not grow with the length


def test_minilm_batches_cover_every_text_once_by_length_in_a_shuffled_order():
    from segkit.embed.minilm import _length_batches

    rng = np.random.default_rng(0)
    ids = [[0] * int(n) for n in rng.integers(1, 200, size=500)]
    batches = _length_batches(ids, 16, seed=3)
    rows = np.concatenate(batches)
    assert sorted(rows.tolist()) == list(range(500))
    order = np.argsort([len(r) for r in ids], kind="stable")
    sorted_batches = [order[i:i + 16].tolist() for i in range(0, 500, 16)]
    assert sorted(b.tolist() for b in batches) == sorted(sorted_batches)  # the same batches
    longest = [max(len(ids[i]) for i in b) for b in batches]
    assert longest != sorted(longest), "batches still run shortest first"
    assert [b.tolist() for b in _length_batches(ids, 16, seed=3)] == [b.tolist() for b in batches]
