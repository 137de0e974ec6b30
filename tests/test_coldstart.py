"""Cold-start protocol, hybrid and leakage-free evaluation on generated users with planted tastes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from segkit.config import RunConfig
from segkit.io.roles import ColumnRoles
from segkit.recommend import InteractionColumns, prepare_interactions
from segkit.recommend.coldstart import cold_start_split, comparison
from segkit.recommend.leakage_free import align_to_edited, leakage_free_evaluation
from tests.conftest import TOPICS

COLUMNS = InteractionColumns("user_id", "item_id", None, "timestamp")


def taste_reviews(n_users: int = 240, n_items: int = 60, per_user: int = 6, tastes: bool = True,
                  seed: int = 0) -> pd.DataFrame:
    """Review rows (user, item, time, text). Every user writes about one of three topics; with
    `tastes` the topic also decides which block of items they pick, without it everyone draws
    items from one popularity curve (the segments are real in the text but say nothing of taste)."""
    rng = np.random.default_rng(seed)
    topics = list(TOPICS)
    block = n_items // len(topics)
    zipf = 1.0 / np.arange(1, n_items + 1) ** 0.8
    rows = []
    for u in range(n_users):
        topic = u % len(topics)
        if tastes:
            p = np.full(n_items, 0.05 / n_items)
            p[topic * block:(topic + 1) * block] += 0.95 * zipf[:block] / zipf[:block].sum()
        else:
            p = zipf.copy()
        items = rng.choice(n_items, size=per_user, replace=False, p=p / p.sum())
        words = TOPICS[topics[topic]].split()
        for t, item in enumerate(items):
            rows.append({"user_id": f"u{u:04d}", "item_id": f"i{item:03d}", "timestamp": 1_600_000_000 + 3600 * t,
                         "review": "I got this and " + " ".join(rng.choice(words, size=5))})
    return pd.DataFrame(rows)


def config(k: int = 3) -> RunConfig:
    roles = ColumnRoles(text_cols=("review",), user_col="user_id")
    return RunConfig(roles=roles, embedder="tfidf", algorithm="kmeans", algorithm_params={"k": k})


def test_split_puts_each_user_in_one_group_and_new_users_leave_training():
    frame = taste_reviews(n_users=60)
    split = cold_start_split(prepare_interactions(frame, COLUMNS), new_share=0.25, thin_share=0.25, seed=1)
    new, thin, warm = (set(split.users(g)) for g in ("new", "thin", "warm"))
    assert len(new) == 15 and len(thin) == 15 and len(warm) == 30
    assert not (new & thin) and not (new & warm) and not (thin & warm)
    assert not new & set(split.train["user"])  # their whole history is out of training
    sizes = split.train[split.train["user"].isin(thin)].groupby("user").size()
    assert set(sizes) == {1, 2}
    first = frame.sort_values("timestamp").groupby("user_id")["item_id"].first()
    assert split.new_first.set_index("user")["item"].to_dict() == first[list(new)].to_dict()


def test_segments_help_new_users_when_tastes_differ_by_segment():
    result = leakage_free_evaluation(taste_reviews(tastes=True), config(), columns=COLUMNS, n_boot=300)
    assert result.leakage_free
    row = comparison(result.report, "new", "segment_popularity", "global_popularity")
    assert row["verdict"] == "gain" and row["ci_low"] > 0.05
    control = comparison(result.report, "new", "segment_popularity_shuffled", "global_popularity")
    assert control["ci_low"] <= 0  # shuffled segments carry no signal
    assert comparison(result.report, "new", "text_knn", "global_popularity")["verdict"] == "gain"
    assert any(v.group == "new" and v.question == "segments" and v.outcome == "gain" for v in result.verdicts)
    assert result.verdict_lines()[0].startswith("Segments help new (cold-start) users: +")
    for group in ("new", "thin"):  # the segment prior is what improves the blend
        assert comparison(result.report, group, "hybrid_segment", "hybrid_global")["verdict"] == "gain"
        assert comparison(result.report, group, "hybrid_segment", "item_knn")["verdict"] == "gain"


def test_no_gain_is_claimed_when_segments_say_nothing_of_taste():
    result = leakage_free_evaluation(taste_reviews(tastes=False), config(), columns=COLUMNS, n_boot=300)
    for group in ("new", "thin", "warm"):
        row = comparison(result.report, group, "segment_popularity", "global_popularity")
        assert row["verdict"] != "gain", (group, row)
        # A blend with any popularity beats plain item-kNN here; the control says it is not the segments.
        prior = comparison(result.report, group, "hybrid_segment", "hybrid_global")
        assert prior["verdict"] != "gain", (group, prior)
    new = [v for v in result.verdicts if v.group == "new" and v.question == "segments"][0]
    assert new.outcome in ("none", "loss")
    assert "no measurable gain" in new.text() or "worse" in new.text()


@pytest.mark.parametrize("link,embedder", [("item", "tfidf"), ("time", "tfidf"), ("item", "fake")])
def test_held_out_text_never_reaches_the_fit(link, embedder, fake_embedder):
    """Held-out and new users' later reviews carry a marker word; the text the fit sees must
    not contain it, nor any new or thin user (fails if the fit sees held-out text). The text
    table is tied to the interactions by (user, item), or by time when it has no item column."""
    frame = taste_reviews(n_users=90)
    interactions = prepare_interactions(frame, COLUMNS)
    split = cold_start_split(interactions, seed=0)
    held = pd.concat([split.warm_test, split.thin_test, split.new_test])
    keys = pd.MultiIndex.from_frame(held[["user", "item"]])
    marked = pd.MultiIndex.from_arrays([frame["user_id"], frame["item_id"]]).isin(keys)
    frame.loc[marked, "review"] += " zzleak"
    if link == "time":
        frame = frame.drop(columns="item_id")
    seen: list = []

    import segkit.recommend.segment_fit as segment_fit

    original = segment_fit.run_segmentation

    def spy(rows, *args, **kwargs):
        seen.append(rows)
        return original(rows, *args, **kwargs)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(segment_fit, "run_segmentation", spy)
        result = leakage_free_evaluation(frame, config().with_changes(embedder=embedder),
                                         interactions=interactions, n_boot=50)
    assert result.leakage_free and len(seen) == 1
    fitted_text = " ".join(seen[0]["review"])
    assert "zzleak" not in fitted_text
    assert not set(seen[0]["user_id"]) & (set(split.users("new")) | set(split.users("thin")))
    assert result.n_fit_users == len(set(seen[0]["user_id"]))
    assert "zzleak" in " ".join(frame["review"])  # the marker was planted


def test_text_without_item_or_time_is_flagged_optimistic():
    frame = taste_reviews(n_users=60)
    interactions = prepare_interactions(frame, COLUMNS)
    text_only = frame[["user_id", "review"]]
    edited = pd.Series(np.arange(60) % 3, index=[f"u{u:04d}" for u in range(60)])
    result = leakage_free_evaluation(text_only, config(), interactions=interactions, edited_segments=edited,
                                     n_boot=50)
    assert not result.leakage_free and result.label == "optimistic"
    assert "Optimistic" in result.caveat() and "偏乐观" in result.caveat("zh")


def test_edited_segments_name_the_refitted_ones():
    fitted = pd.Series([0, 0, 1, 1, 2, -1], index=list("abcdef"))
    edited = pd.Series([5, 5, 5, 7, 7, 7], index=list("abcdef"))  # the analyst merged 0 and 1 into 5
    assert align_to_edited(fitted, edited).tolist() == [5, 5, 5, 5, 7, -1]


def test_k_sweep_reports_the_recommendation_gain_next_to_silhouette():
    from segkit.recommend.k_sweep import recommendation_k_sweep

    table = recommendation_k_sweep(taste_reviews(n_users=180), config(), columns=COLUMNS, k_values=[2, 3, 6],
                                   n_boot=100)
    assert table["k"].tolist() == [2, 3, 6]
    assert table["default"].sum() <= 1
    assert table["silhouette"].notna().all()
    by_k = table.set_index("k")
    # Three planted tastes: K = 3 finds them, K = 2 must merge two, so it recommends worse to new users.
    assert by_k.loc[3, "new_ndcg_gain"] > by_k.loc[2, "new_ndcg_gain"]
    assert by_k.loc[3, "new_ci_low"] > 0


def test_group_tables_speak_both_languages_and_refit_failure_is_optimistic():
    frame = taste_reviews(n_users=60)
    edited = pd.Series(np.arange(60) % 3, index=[f"u{u:04d}" for u in range(60)])
    # K = 40 cannot be fitted on the ~36 warm users: re-segmenting fails, the given segments are used.
    result = leakage_free_evaluation(frame, config(k=40), columns=COLUMNS, edited_segments=edited, n_boot=50)
    assert not result.leakage_free and "re-segmenting" in result.reason
    english, chinese = result.group_table("new"), result.group_table("new", lang="zh")
    assert english.iloc[0, 0] == "Global popularity" and chinese.iloc[0, 0] == "全局热门"
    assert english.shape == chinese.shape and english.iloc[0, -1] == ""
    assert english.iloc[1:, -1].str.match(r"^[+-]\d\.\d{4} \[").all()
    with pytest.raises(Exception, match="no segments were given"):
        leakage_free_evaluation(frame, config(k=40), columns=COLUMNS, n_boot=50)


def test_breakdown_shows_the_edited_segments_of_new_users():
    frame = taste_reviews()
    users = sorted(frame["user_id"].unique())
    topic = pd.Series([int(u[1:]) % 3 for u in users], index=users)  # the planted topic of each user
    names = {0: "Sport", 1: "Tech", 2: "Beauty"}
    result = leakage_free_evaluation(frame, config(k=6), columns=COLUMNS, edited_segments=topic, names=names,
                                     n_boot=50)
    assert result.leakage_free and result.n_segments == 3  # six re-fitted segments fold onto the three edited
    table = result.segment_breakdown("new")
    assert set(table["segment_name"]) == set(names.values())
    assert table["users"].sum() == len(result.report.split.users("new"))
    assert (table["difference"] > 0).all()
    new = result.report.per_user.query("group == 'new' and method == 'global_popularity'").set_index("user")
    assert (new["segment"] == topic.reindex(new.index)).mean() > 0.9  # assigned to their own topic


def test_a_per_text_embedder_embeds_the_table_once_and_a_warm_cache_not_at_all(fake_embedder, tmp_path):
    from segkit.embed.cache import EmbeddingCache
    from segkit.pipeline import run_segmentation

    frame = taste_reviews(n_users=90)
    fake = config().with_changes(embedder="fake")
    cache = EmbeddingCache(tmp_path)
    run_segmentation(frame, fake, cache=cache, with_map=False)  # what the dashboard did before
    calls = fake_embedder.calls
    result = leakage_free_evaluation(frame, fake, columns=COLUMNS, n_boot=50, cache=cache)
    assert result.leakage_free and fake_embedder.calls == calls  # every vector came from the cache
    fresh = leakage_free_evaluation(frame, fake, columns=COLUMNS, n_boot=50)
    assert fake_embedder.calls == calls + 1  # no cache: the whole table once, not per subset
    assert fresh.report.comparisons.equals(result.report.comparisons)


def test_a_text_table_naming_the_item_column_differently_is_still_tied_to_its_interactions():
    frame = taste_reviews(n_users=60)
    interactions = prepare_interactions(frame, COLUMNS)
    text = frame.drop(columns="timestamp").rename(columns={"item_id": "product"})
    unnamed = leakage_free_evaluation(text, config(), interactions=interactions, n_boot=50,
                                      edited_segments=pd.Series(0, index=frame["user_id"].unique()))
    named = leakage_free_evaluation(text, config(), interactions=interactions, n_boot=50, text_item_col="product")
    assert not unnamed.leakage_free and named.leakage_free


def test_re_segmenting_for_the_evaluation_scores_no_sentiment(monkeypatch):
    """Only labels and names are used, so scoring every review (3.4 of 6.3 s on the Amazon
    users) is skipped; the labels are those of a run that does score sentiment."""
    import segkit.pipeline as pipeline
    from segkit.recommend.segment_fit import fit_and_assign

    frame = taste_reviews(n_users=90)
    with_mood = pipeline.run_segmentation(frame, config(), with_map=False)
    assert "sentiment_positive" in with_mood.summary.table.columns

    def no_scoring(*args, **kwargs):
        raise AssertionError("the recommendation refit scored sentiment")

    monkeypatch.setattr(pipeline, "table_sentiment", no_scoring)
    fitted = fit_and_assign(frame, config())
    assert "sentiment_positive" not in fitted.run.summary.table.columns
    assert np.array_equal(fitted.run.labels, with_mood.labels)
    assert fitted.run.summary.names == with_mood.summary.names


def test_the_evaluation_and_the_k_sweep_walk_through_their_waits_phases():
    """segkit.waits.plans' recommend waits name the phases the library announces, in order, and
    the scoring reports each step up to its total."""
    from segkit import waits
    from segkit.recommend.coldstart import evaluate_cold_start
    from segkit.recommend.k_sweep import recommendation_k_sweep
    from segkit.waits import plans

    frame = taste_reviews(n_users=120)
    wait = plans.recommend_wait(frame, config(), frame["user_id"])
    names = [p.name for p in wait.phases]
    assert names[0] == "recommend.split" and names[-2:] == ["recommend.model", "recommend.score"]
    assert "describe.sentiment" not in names  # the refit scores no sentiment
    with waits.waiting(wait):
        leakage_free_evaluation(frame, config(), columns=COLUMNS, n_boot=50)
    entered = [wait.phases[i].name for i in sorted(wait.entered)]  # tiny here: some count as cached
    assert {"space.fuse", "recommend.model", "recommend.score"} <= set(entered), entered

    sweep = plans.recommend_sweep_wait(frame, config(), frame["user_id"])
    assert [p.name for p in sweep.phases][-2:] == ["cluster.auto_k", "recommend.sweep"]
    with waits.waiting(sweep):
        recommendation_k_sweep(frame, config(), columns=COLUMNS, n_boot=50)
    assert len(sweep.phases) - 1 in sweep.entered  # the per-K loop ran in its own phase

    reports = []
    split = cold_start_split(prepare_interactions(frame, COLUMNS), seed=0)
    segments = pd.Series(np.arange(120) % 3, index=[f"u{u:04d}" for u in range(120)])
    evaluate_cold_start(split, segments, None, n_boot=20, progress=lambda done, total: reports.append((done, total)))
    done = [d for d, _ in reports]
    assert done == sorted(done) and reports[-1][0] == reports[-1][1] and len({t for _, t in reports}) == 1


def test_the_k_sweep_wait_grows_with_users_and_interactions():
    """The sweep's per-K cost (segkit.waits.costs) counts the users and, more weakly, the
    interactions the scoring reads: more of either plans a longer last phase."""
    from segkit.waits import plans

    frame = taste_reviews(n_users=120)
    users = frame["user_id"]

    def sweep_seconds(interaction_users) -> float:
        return plans.recommend_sweep_wait(frame, config(), interaction_users).phases[-1].seconds

    base = sweep_seconds(users)
    more_interactions = sweep_seconds(pd.concat([users] * 5, ignore_index=True))
    more_users = sweep_seconds(pd.concat([users, users + "_other"], ignore_index=True))
    assert more_interactions > base and more_users > base
