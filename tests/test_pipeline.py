import json

import numpy as np
import pandas as pd
import pytest

from segkit.config import RunConfig
from segkit.describe import auto_names, segment_keywords
from segkit.embed.cache import EmbeddingCache, embed_with_cache, texts_key
from segkit.errors import SegkitInputError
from segkit.export import labeled_rows, neutralise_formulas, to_safe_csv
from segkit.fuse import fuse_features
from segkit.io.roles import ColumnRoles, infer_roles
from segkit.pipeline import run_segmentation


def config_for(frame, **changes) -> RunConfig:
    base = dict(roles=infer_roles(frame), embedder="fake", map_method="pca")
    base.update(changes)
    return RunConfig(**base)


def test_end_to_end_recovers_topics_and_keeps_every_row(reviews, fake_embedder, tmp_path):
    run = run_segmentation(reviews, config_for(reviews, algorithm_params={"k": 3}), cache=EmbeddingCache(tmp_path))
    assert run.metrics["ari"] >= 0.9
    assert run.metrics["n_segments"] == 3
    out = labeled_rows(reviews, run)
    assert len(out) == len(reviews)
    assert out["segment_id"].notna().all()
    assert (out["segkit_status"] == "ok").all()
    # All rows of a user get the same segment.
    assert out.groupby("user_id")["segment_id"].nunique().max() == 1


def test_automatic_k_is_reported(reviews, fake_embedder):
    run = run_segmentation(reviews, config_for(reviews))
    assert run.metrics["auto_k"] == 3
    assert "silhouette" in run.metrics["auto_k_rule"]


def test_second_run_reads_the_cache(reviews, fake_embedder, tmp_path):
    cache = EmbeddingCache(tmp_path)
    config = config_for(reviews, algorithm_params={"k": 3})
    first = run_segmentation(reviews, config, cache=cache)
    second = run_segmentation(reviews, config.with_changes(text_weight=0.5), cache=cache)
    assert fake_embedder.calls == 1
    assert np.allclose(first.embeddings.vectors, second.embeddings.vectors)


def test_corrupt_cache_entry_is_recomputed(tmp_path, fake_embedder):
    cache = EmbeddingCache(tmp_path)
    embedder = fake_embedder()
    texts = ["alpha beta", "gamma delta"]
    embed_with_cache(embedder, texts, cache)
    key = texts_key(embedder.cache_token(), sorted(texts))
    path = tmp_path / "embeddings" / f"{key}.npy"
    assert path.exists()
    path.write_bytes(b"not an npy file")
    again = embed_with_cache(embedder, texts, cache)
    assert again.shape == (2, 64) and fake_embedder.calls == 2
    np.save(path, np.zeros((5, 64), dtype=np.float32))  # wrong shape: rejected too
    embed_with_cache(embedder, texts, cache)
    assert fake_embedder.calls == 3


def test_cache_never_unpickles(tmp_path, fake_embedder):
    cache = EmbeddingCache(tmp_path)
    embedder = fake_embedder()
    key = texts_key(embedder.cache_token(), ["a"])
    (tmp_path / "embeddings").mkdir(parents=True)
    np.save(tmp_path / "embeddings" / f"{key}.npy", np.array([{"evil": 1}], dtype=object), allow_pickle=True)
    assert cache.load(key, 1) is None


def test_duplicates_embedded_once(fake_embedder):
    seen = []

    class Recording(fake_embedder):
        def embed(self, texts, progress=None):
            seen.append(list(texts))
            return super().embed(texts, progress)

    vectors = embed_with_cache(Recording(), ["a b", "c d", "a b"], cache=None)
    assert len(seen[0]) == 2 and np.allclose(vectors[0], vectors[2])


def test_rows_without_text_are_marked_not_dropped(fake_embedder):
    frame = pd.DataFrame({
        "user_id": ["a", "a", "b", "c", "d", "e", None],
        "review": ["running shoes trail", "", "", "battery charger", "serum cream skin", "trail boots", "orphan"],
    })
    roles = infer_roles(frame).with_overrides(user_col="user_id", text_cols=["review"])
    run = run_segmentation(frame, RunConfig(roles=roles, embedder="fake", algorithm_params={"k": 2}, map_method="pca"))
    out = labeled_rows(frame, run)
    assert len(out) == 7
    status = out["segkit_status"].tolist()
    assert status[0] == "ok"
    assert status[1].startswith("segmented from the user's other rows")
    assert status[2] == "not segmented: no usable text for this user"
    assert status[6] == "not segmented: missing user id"
    assert pd.isna(out["segment_id"][2]) and out["segment_name"][2] == ""
    assert out["segment_id"][1] == out["segment_id"][0]


def test_text_weight_moves_segments_towards_behaviour(reviews, fake_embedder):
    # Behaviour-only segmentation with age/spend should still separate the topics' traits.
    frame = reviews.copy()
    base = config_for(frame, algorithm_params={"k": 3})
    text_only = run_segmentation(frame, base.with_changes(text_weight=1.0))
    behaviour = run_segmentation(frame, base.with_changes(text_weight=0.0))
    assert text_only.space.fused.text_weight == 1.0 and behaviour.space.fused.text_weight == 0.0
    assert behaviour.space.fused.text_dims == 0


def test_fusion_weights_split_variance():
    rng = np.random.default_rng(0)
    text = rng.normal(size=(200, 32))
    users = pd.DataFrame({"age": rng.normal(40, 10, 200), "tier": rng.choice(["a", "b"], 200)})
    fused = fuse_features(text, users, ["age"], ["tier"], text_weight=0.8)
    text_var = fused.matrix[:, :32].var(axis=0).sum()
    trait_var = fused.matrix[:, 32:].var(axis=0).sum()
    assert text_var / (text_var + trait_var) == pytest.approx(0.8, abs=1e-3)
    with pytest.raises(SegkitInputError, match="between 0 and 1"):
        fuse_features(text, users, text_weight=1.5)
    with pytest.raises(SegkitInputError, match="no numeric or categorical traits"):
        fuse_features(text, users, text_weight=0.0)


def test_keywords_are_distinctive_and_names_unique():
    texts = ["battery charger battery usb"] * 5 + ["serum cream skin serum"] * 5
    labels = np.array([0] * 5 + [1] * 5)
    keywords = segment_keywords(texts, labels, top_n=3)
    assert keywords[0][0][0].startswith("battery")
    assert "serum" in keywords[1][0][0]
    names = auto_names({0: [("shoes", 1.0)], 1: [("shoes", 1.0)]})
    assert len(set(names.values())) == 2


def test_keywords_count_words_once_per_set_of_texts(monkeypatch):
    import segkit.describe.keywords as keywords_module

    texts = (["battery charger battery usb"] * 6 + ["serum cream skin serum"] * 6
             + ["tent stove hiking tent"] * 6)
    by_topic = np.repeat([0, 1, 2], 6)
    merged = np.repeat([0, 0, 1], 6)
    from segkit.derived_cache import Memory

    memory = Memory()
    fresh = {k: segment_keywords(texts, labels, memory=memory) for k, labels in (("three", by_topic), ("two", merged))}
    calls = []
    real_count = keywords_module.count_terms
    monkeypatch.setattr(keywords_module, "count_terms", lambda given, **kw: calls.append(given) or real_count(given, **kw))
    again = {k: segment_keywords(texts, labels, memory=memory) for k, labels in (("three", by_topic), ("two", merged))}
    assert calls == []  # counts reused: nothing counted again for new segments
    assert again == fresh
    assert again["two"] != again["three"]
    segment_keywords(texts, merged)  # no memory: counted afresh
    assert calls
    calls.clear()
    segment_keywords([*texts, "a brand new review about shoes"], np.append(by_topic, 2), memory=memory)
    assert calls  # other texts are counted afresh


def test_chinese_keywords():
    texts = ["这款手机电池续航很好，拍照清晰"] * 4 + ["这件连衣裙面料舒服，尺码合适"] * 4
    labels = np.array([0] * 4 + [1] * 4)
    keywords = segment_keywords(texts, labels, top_n=5)
    assert any("电池" in term or "手机" in term for term, _ in keywords[0])
    assert any("面料" in term or "连衣裙" in term for term, _ in keywords[1])


def test_config_round_trip(reviews, tmp_path):
    config = config_for(reviews, algorithm="hdbscan", algorithm_params={"min_cluster_size": 5}, seed=7)
    path = tmp_path / "run.json"
    path.write_text(config.to_json())
    assert RunConfig.load(path) == config
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"format": "something-else"}))
    with pytest.raises(SegkitInputError, match="Not a segkit run config"):
        RunConfig.load(bad)


def test_formula_cells_neutralised():
    frame = pd.DataFrame({"text": ["=cmd|' /C calc'!A0", "+1+1", "-2", "@SUM(A1)", "\tx", "fine", None],
                          "n": [-1, 2, 3, 4, 5, 6, 7]})
    safe = neutralise_formulas(frame)
    assert safe["text"].tolist()[:5] == ["'=cmd|' /C calc'!A0", "'+1+1", "'-2", "'@SUM(A1)", "'\tx"]
    assert safe["text"][5] == "fine" and pd.isna(safe["text"][6])
    assert safe["n"].tolist()[0] == -1
    assert to_safe_csv(frame).splitlines()[1].startswith("'=cmd")


def test_density_method_noise_policies(reviews, fake_embedder):
    config = config_for(reviews, algorithm="hdbscan", algorithm_params={"min_cluster_size": 5}, reducer="pca",
                        reducer_params={"n_components": 5})
    keep = run_segmentation(reviews, config.with_changes(noise_policy="keep"))
    moved = run_segmentation(reviews, config.with_changes(noise_policy="reassign"))
    assert moved.metrics["noise_share"] == 0.0
    assert keep.result.extra["noise_policy"] == "keep"
    out = labeled_rows(reviews, keep)
    if keep.metrics["noise_share"] > 0:
        assert "Unassigned" in set(out["segment_name"])


def test_keyword_sample_caps_users_and_keeps_small_data_whole():
    from segkit.describe.summary import keyword_sample

    small = np.repeat([0, 1], 50)
    assert keyword_sample(small).tolist() == list(range(100))
    big = np.repeat([0, 1, 2], 10_000)
    chosen = keyword_sample(big, max_users=3_000)
    assert len(chosen) == 3_000 and len(set(chosen.tolist())) == 3_000
    shares = np.bincount(big[chosen]) / 3_000
    assert np.allclose(shares, 1 / 3, atol=0.05)


def test_html_entities_do_not_become_keywords():
    from segkit.tokenize import tokenize

    assert tokenize("Oil &lt;b&gt;prices&lt;/b&gt; rise &quot;sharply&quot; #39;s") == ["oil", "prices", "rise", "sharply"]


def test_labels_that_are_not_segments_have_one_name_each():
    from segkit.labels import NOISE, NOT_SEGMENTED, UNASSIGNED_NAME, segment_name

    assert (NOISE, NOT_SEGMENTED) == (-1, -2)
    assert segment_name(NOISE, {0: "Runners"}) == UNASSIGNED_NAME == "Unassigned"
    assert segment_name(0, {0: "Runners"}) == "Runners"
    assert segment_name(3, {0: "Runners"}) == "Segment 3"


def test_short_varied_texts_segment_instead_of_a_false_no_words_message():
    # 90 users with short texts, one word in most texts and one in a single text: pruning left
    # most texts with no word at all, so those users were dropped as "no usable words" (untrue).
    things = ["blender", "kettle", "toaster", "mixer", "grill", "fryer", "scale", "juicer", "oven", "pan",
              "knife", "grater", "whisk", "ladle", "sieve", "peeler", "tongs", "spatula", "skillet", "wok"]
    # "great" is in 70% of texts (over max_df) and each colour in 1 (under min_df): pruned, those texts
    # have no word left; the others ("good" and two objects) keep theirs.
    colours = [f"colour{i}" for i in range(90)]
    texts = [f"Great {colours[i]}" if i % 10 < 7 else f"Good {things[i % 20]} {things[(i * 7) % 20]}"
             for i in range(90)]
    frame = pd.DataFrame({"user_id": [f"u{i}" for i in range(90)], "review": texts})
    run = run_segmentation(frame, RunConfig(roles=ColumnRoles(text_cols=("review",), user_col="user_id"),
                                            embedder="tfidf"), with_map=False)
    assert len(set(texts)) >= 50  # enough distinct texts for the vectorizer to prune at all
    assert run.metrics["n_users_segmented"] == 90
    assert run.metrics["n_segments"] >= 2
